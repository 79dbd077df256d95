"""The QuickScan page over HTTP: who may open it, what it starts with, and that every sentence its script
shows comes translated from the page (the browser test in tests/e2e drives the script itself)."""

import datetime
import json
import re
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.utils import timezone

from inventory.models import Tool
from lending.services import NOT_LENDABLE
from scandy_site.accounts.roles import Role

pytestmark = pytest.mark.django_db

SCRIPT = Path(django_settings.BASE_DIR) / "static" / "js" / "quickscan.js"


def page_of(client) -> str:
    response = client.get("/quickscan/")
    assert response.status_code == 200
    return response.content.decode()


def script_text(page: str) -> dict:
    return json.loads(re.search(r'<script id="qs-text" type="application/json">(.*?)</script>', page, re.S).group(1))


@pytest.mark.parametrize("role", [Role.ADMIN, Role.EMPLOYEE, Role.USER])
def test_everyone_who_may_lend_gets_the_station(client, make_user, role):
    client.force_login(make_user(role, username=f"qs-{role}"))
    page = page_of(client)
    assert 'id="qs-barcode"' in page and "autofocus" in page.split('id="qs-barcode"', 1)[1].split(">", 1)[0]
    assert "/static/js/quickscan.js" in page
    assert "/static/vendor/html5-qrcode/html5-qrcode.min.js" in page


def test_participants_are_refused(client, participant):
    client.force_login(participant)
    assert client.get("/quickscan/").status_code == 403


def test_visitors_are_sent_to_the_login(client, admin_user):
    response = client.get("/quickscan/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/quickscan/"


def test_the_default_due_date_is_filled_in(client, plain_user, settings):
    settings.DEFAULT_LENDING_DAYS = 10
    client.force_login(plain_user)
    page = page_of(client)
    due = (timezone.localdate() + datetime.timedelta(days=10)).isoformat()
    field = re.search(r'<input id="qs-due-date"[^>]*>', page).group(0)
    assert f'value="{due}"' in field
    # Not in the past, and the script puts this value back for the next person (defaultValue).
    assert f'min="{timezone.localdate().isoformat()}"' in field


def test_every_text_the_script_uses_comes_from_the_page(client, plain_user):
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(plain_user)
    text = script_text(page_of(client))
    used = set(re.findall(r"\btext\.(\w+)", SCRIPT.read_text()))
    assert used and used <= set(text), used - set(text)
    assert set(text["status"]) == set(Tool.Status.values)
    # A defective or maintenance tool is refused on the scan, in the service's words.
    assert set(text["not_lendable"]) == {Tool.Status.DEFECTIVE, Tool.Status.MAINTENANCE}
    assert text["not_lendable"]["defective"] == str(NOT_LENDABLE["defective"])
    assert "%(tool)s" in text["not_lendable"]["maintenance"]
    assert text["ready"] == "Ready: scan a tool, consumable or worker card."


def test_the_page_text_follows_the_language(client, plain_user):
    client.force_login(plain_user)
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    english = script_text(page_of(client))
    assert english["status"]["defective"] == "defective"
    assert english["returned_count"] == "Returned so far: %(count)s"


# Technical strings the script may contain: selectors, API paths, protocol words, storage keys, and the DOM
# event of live updates (static/js/live.js).
TECHNICAL = {"Content-Type", "X-CSRFToken", "POST", "Enter", "UNKNOWN_BARCODE", "use strict",
             "input, button, select, label, a", "qs-feedback qs-feedback--", "scandy:event"}  # fmt: skip


def test_the_script_holds_no_user_visible_sentence():
    source = re.sub(r"/\*.*?\*/", "", SCRIPT.read_text(), flags=re.S)
    source = re.sub(r"^\s*//[^\n]*", "", source, flags=re.M)
    literals = re.findall(r'"((?:[^"\\]|\\.)*)"|`((?:[^`\\]|\\.)*)`', source)
    assert literals
    for double, template in literals:
        literal = double or template
        assert not template, f"template literal {template!r}"
        # One lower-case technical word (a key, an event, a class, a path) or a known protocol string.
        assert literal in TECHNICAL or re.fullmatch(r"[#./]?[a-z0-9_\-./#\[\]=]*", literal), literal
