"""Translations: German is the default, English the second language.

The catalogues in locale/ must be complete (every German msgid translated, nothing fuzzy), keep
every placeholder and HTML tag, be compiled (the committed .mo files are what a fresh clone without
gettext runs on) and match the source: a string added without running `make messages` fails here.
Pages, the API and the role labels speak German by default and English when asked.
"""

import gettext as gettext_module
import json
import re
import shlex
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings
from django.utils import translation

from scandy_site.accounts.roles import Role
from scandy_site.core.models import SiteConfiguration
from tests.conftest import running_in_ci

BASE_DIR = Path(settings.BASE_DIR)
LOCALE_DIR = BASE_DIR / "locale"
LANGUAGES = [code for code, _name in settings.LANGUAGES]


# --- a small reader for the PO format (msgfmt cross-checks it below) -----------------------------


@dataclass
class Entry:
    msgid: str = ""
    msgctxt: str | None = None
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    obsolete: bool = False
    line: int = 0

    @property
    def key(self) -> tuple:
        return (self.msgctxt, self.msgid, self.msgid_plural)

    @property
    def label(self) -> str:
        context = f"[{self.msgctxt}] " if self.msgctxt else ""
        return f"line {self.line}: {context}{self.msgid!r}"


_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\", "a": "\a", "b": "\b", "f": "\f", "v": "\v"}


def _unquote(text: str, where: str) -> str:
    if not (len(text) >= 2 and text[0] == text[-1] == '"'):
        raise ValueError(f"{where}: not a quoted string: {text!r}")
    return re.sub(r"\\(.)", lambda m: _ESCAPES[m.group(1)], text[1:-1])


def read_po(path: Path) -> list[Entry]:
    """Every entry of a PO file (the header included, as msgid "")."""
    entries: list[Entry] = []
    entry, target = Entry(), None

    def finish():
        nonlocal entry, target
        if target is not None:
            entries.append(entry)
        entry, target = Entry(), None

    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        where = f"{path.name}:{number}"
        if line.startswith("#~"):
            entry.obsolete = True
            line = line[2:].strip()
            if not line or line.startswith("#"):
                continue
        elif not line:
            finish()
            continue
        elif line.startswith("#,"):
            entry.flags.update(flag.strip() for flag in line[2:].split(","))
            continue
        elif line.startswith("#"):
            continue
        keyword, _space, rest = line.partition(" ")
        if keyword.startswith('"'):
            if target is None:
                raise ValueError(f"{where}: continuation line outside an entry")
            name, index = target
            value = _unquote(line, where)
            if name == "msgstr":
                entry.msgstr[index] += value
            else:
                setattr(entry, name, getattr(entry, name) + value)
            continue
        plural_form = re.fullmatch(r"msgstr\[(\d+)\]", keyword)
        if keyword in ("msgctxt", "msgid") and target is not None and target[0] not in ("msgctxt",):
            finish()  # a new entry starts without a blank line in between
        if not entry.line:
            entry.line = number
        if plural_form:
            target = ("msgstr", int(plural_form.group(1)))
            entry.msgstr[target[1]] = _unquote(rest, where)
        elif keyword == "msgstr":
            target = ("msgstr", 0)
            entry.msgstr[0] = _unquote(rest, where)
        elif keyword in ("msgctxt", "msgid", "msgid_plural"):
            target = (keyword, None)
            setattr(entry, keyword, _unquote(rest, where))
        else:
            raise ValueError(f"{where}: unknown keyword {keyword!r}")
    finish()
    return entries


def po_path(language: str) -> Path:
    return LOCALE_DIR / language / "LC_MESSAGES" / "django.po"


def messages(language: str) -> list[Entry]:
    """The live entries of a catalogue, without its header."""
    return [e for e in read_po(po_path(language)) if e.msgid and not e.obsolete]


def header(language: str) -> Entry:
    return next(e for e in read_po(po_path(language)) if not e.msgid and not e.msgctxt)


def expected_mo_catalog(language: str) -> dict:
    """What compiling the PO file must give, keyed as Python's gettext keys its catalogue."""
    catalog = {}
    for entry in messages(language):
        if "fuzzy" in entry.flags or not all(entry.msgstr.values()):
            continue  # msgfmt leaves these out; the reader then sees the msgid
        msgid = f"{entry.msgctxt}\x04{entry.msgid}" if entry.msgctxt is not None else entry.msgid
        if entry.msgid_plural is not None:
            for index, text in entry.msgstr.items():
                catalog[(msgid, index)] = text
        else:
            catalog[msgid] = entry.msgstr[0]
    return catalog


def mo_catalog(path: Path) -> dict:
    with path.open("rb") as file:
        catalog = dict(gettext_module.GNUTranslations(file)._catalog)
    catalog.pop("", None)  # the header: dates and tool versions, not messages
    return catalog


def needs_gettext(*tools: str) -> None:
    missing = [tool for tool in tools if shutil.which(tool) is None]
    if missing:
        if running_in_ci():
            pytest.fail(f"GNU gettext is missing ({', '.join(missing)}); .ci/run installs it")
        pytest.skip(f"needs GNU gettext ({', '.join(missing)})")


def test_the_po_reader_agrees_with_msgfmt(tmp_path):
    """The checks below read PO files with read_po; msgfmt must see the same translated entries."""
    needs_gettext("msgfmt")
    for language in LANGUAGES:
        compiled = tmp_path / f"{language}.mo"
        subprocess.run(["msgfmt", "-o", str(compiled), str(po_path(language))], check=True)
        assert mo_catalog(compiled) == expected_mo_catalog(language), language


# --- the catalogues themselves -------------------------------------------------------------------


def test_every_german_message_is_translated_and_not_fuzzy():
    entries = messages("de")
    assert len(entries) > 300  # the whole UI, not an empty file
    problems = [e.label for e in entries if "fuzzy" in e.flags or not e.msgstr or not all(e.msgstr.values())]
    assert not problems, "untranslated or fuzzy in locale/de (translate them, drop the fuzzy flag):\n" + "\n".join(
        problems
    )
    plurals = [e for e in entries if e.msgid_plural is not None]
    assert plurals and all(sorted(e.msgstr) == [0, 1] for e in plurals)


@pytest.mark.parametrize("language", LANGUAGES)
def test_catalogue_headers_are_complete(language):
    head = header(language)
    assert "fuzzy" not in head.flags
    fields = dict(line.split(": ", 1) for line in head.msgstr[0].splitlines() if ": " in line)
    assert fields["Language"] == language
    assert fields["Content-Type"] == "text/plain; charset=UTF-8"
    assert fields["Plural-Forms"] == "nplurals=2; plural=(n != 1);"


def test_english_catalogue_translates_the_german_msgids():
    """A few msgids are German on purpose (role labels, default labels); English needs them in English."""
    entries = {e.msgid: e for e in messages("en")}
    expected = {
        "Mitarbeiter": "Employee",
        "Anwender": "User",
        "Teilnehmer": "Participant",
        "Werkzeuge": "Tools",
        "Verbrauchsmaterial": "Consumables",
        "Mitarbeitende": "Workers",
    }
    assert {msgid: entries[msgid].msgstr[0] for msgid in expected} == expected
    problems = [e.label for e in entries.values() if "fuzzy" in e.flags]
    # Any other msgid with German letters must be translated as well.
    problems += [e.label for e in entries.values() if re.search("[äöüßÄÖÜ]", e.msgid) and not e.msgstr.get(0)]
    assert not problems, "\n".join(problems)


_PRINTF = re.compile(r"%(?:\((?P<name>[^)]*)\))?[#0 +-]*(?:\d+|\*)?(?:\.\d+)?(?P<type>[diouxXeEfFgGcrsa])")
_BRACES = re.compile(r"\{(\w*)\}")
_TAGS = re.compile(r"</?([a-zA-Z][a-zA-Z0-9]*)\b")


def placeholders(text: str, python_format: bool) -> tuple:
    text = text.replace("%%", "")
    named = sorted(m.group(0) for m in _PRINTF.finditer(text) if m.group("name") is not None)
    # Positional %s/%d only where xgettext saw a format string ("50% off" is no placeholder).
    positional = [m.group(0) for m in _PRINTF.finditer(text) if m.group("name") is None] if python_format else []
    braces = sorted(_BRACES.findall(text))
    tags = sorted(_TAGS.findall(text))
    return named, positional, braces, tags


@pytest.mark.parametrize("language", LANGUAGES)
def test_translations_keep_placeholders_and_html(language):
    problems = []
    for entry in messages(language):
        python_format = "python-format" in entry.flags
        sources = [entry.msgid] if entry.msgid_plural is None else [entry.msgid, entry.msgid_plural]
        for index, text in sorted(entry.msgstr.items()):
            if not text:
                continue  # English msgids stay untranslated (the msgid is shown)
            source = sources[min(index, len(sources) - 1)]
            want, got = placeholders(source, python_format), placeholders(text, python_format)
            if want != got:
                problems.append(f"{entry.label} msgstr[{index}]={text!r}: expected {want}, found {got}")
    assert not problems, "placeholders or HTML differ from the msgid:\n" + "\n".join(problems)


@pytest.mark.parametrize("language", LANGUAGES)
def test_committed_mo_files_are_compiled_from_the_po_files(language):
    """A fresh clone without gettext runs on the .mo files: they must say what the .po files say."""
    mo = po_path(language).with_suffix(".mo")
    assert mo.exists(), f"{mo} is missing: run `make messages` and commit it"
    expected, compiled = expected_mo_catalog(language), mo_catalog(mo)
    stale = sorted(str(key) for key in expected.keys() ^ compiled.keys())
    stale += sorted(str(key) for key in expected.keys() & compiled.keys() if expected[key] != compiled[key])
    assert not stale, f"{mo} is out of date (run `make messages`): " + ", ".join(stale[:20])


def _makemessages_arguments() -> list[str]:
    """The makemessages command line of `make messages`: the test extracts exactly what it does."""
    makefile = (BASE_DIR / "Makefile").read_text()
    line = next(line for line in makefile.splitlines() if "manage.py makemessages" in line)
    words = shlex.split(line)
    return words[words.index("makemessages") + 1 :]


def test_catalogues_hold_exactly_the_messages_of_the_source(tmp_path, monkeypatch):
    """Extract every translatable string of the source, as `make messages` would, into a copy of the
    project: a msgid missing from locale/ (a new feature nobody translated) or left over in it fails."""
    needs_gettext("xgettext", "msgmerge", "msguniq")
    arguments = _makemessages_arguments()
    assert {"-l", "de", "en"} <= set(arguments)
    copy = tmp_path / "project"
    shutil.copytree(
        BASE_DIR,
        copy,
        ignore=shutil.ignore_patterns(".git", ".venv", "var", "node_modules", "locale", "__pycache__", ".*cache"),
    )
    monkeypatch.chdir(copy)
    with override_settings(LOCALE_PATHS=[str(copy / "locale")]):
        call_command("makemessages", *arguments, verbosity=0)
    for language in LANGUAGES:
        fresh = {e.key for e in read_po(copy / "locale" / language / "LC_MESSAGES" / "django.po") if e.msgid}
        committed = {e.key for e in messages(language)}
        missing, stale = sorted(fresh - committed, key=str), sorted(committed - fresh, key=str)
        assert not missing, f"locale/{language} lacks these msgids; run `make messages` and translate: {missing}"
        assert not stale, f"locale/{language} holds msgids the source no longer has; run `make messages`: {stale}"
    assert not list(copy.rglob("djangojs.po")) or "djangojs" in " ".join(arguments)


def test_committed_catalogues_compile_cleanly_with_msgfmt(tmp_path):
    """What `compilemessages` runs: format strings that do not match their msgid are refused."""
    needs_gettext("msgfmt")
    for language in LANGUAGES:
        result = subprocess.run(
            ["msgfmt", "--check-format", "-o", str(tmp_path / f"{language}.mo"), str(po_path(language))],
            capture_output=True,
            text=True,
        )
        assert result.returncode == 0, result.stderr


# --- what people see -----------------------------------------------------------------------------


@pytest.fixture
def _set_up(admin_user):
    """An admin exists, so pages are past the setup wizard."""


def page(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


@pytest.mark.usefixtures("_set_up")
def test_login_page_follows_the_browser_language(client):
    german = page(client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="de-DE,de;q=0.9"))
    assert '<html lang="de">' in german
    assert "Anmelden" in german and "Benutzername" in german and "Log in" not in german

    english = page(client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9"))
    assert '<html lang="en">' in english
    assert "Log in" in english and "Anmelden" not in english


@pytest.mark.usefixtures("_set_up")
def test_german_is_the_default_and_the_switch_changes_to_english(client, plain_user):
    client.force_login(plain_user)
    german = page(client.get("/"))  # no Accept-Language, no cookie
    assert '<html lang="de">' in german
    assert ">Übersicht</a>" in german and ">Abmelden</button>" in german and ">Werkzeuge</a>" in german

    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    english = page(client.get("/", HTTP_ACCEPT_LANGUAGE="de"))  # the chosen language beats the browser's
    assert '<html lang="en">' in english
    assert ">Dashboard</a>" in english and ">Log out</button>" in english and ">Tools</a>" in english
    assert "Übersicht" not in english and "Abmelden" not in english

    client.post("/i18n/setlang/", {"language": "de", "next": "/"})
    assert ">Übersicht</a>" in page(client.get("/"))


@pytest.mark.parametrize(
    ("role", "german", "english"),
    [
        (Role.ADMIN, "Admin", "Admin"),
        (Role.EMPLOYEE, "Mitarbeiter", "Employee"),
        (Role.USER, "Anwender", "User"),
        (Role.PARTICIPANT, "Teilnehmer", "Participant"),
    ],
)
def test_role_labels_are_german_in_german_and_english_in_english(client, make_user, admin_user, role, german, english):
    client.force_login(make_user(role, username=f"role-{role}"))
    for language, label in (("de", german), ("en", english)):
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        assert f'<span class="usermenu__name" title="{label}">' in page(client.get("/"))
        with translation.override(language):
            assert str(Role(role).label) == label


def test_role_labels_in_the_admin_user_list(client, admin_user, make_user):
    make_user(Role.PARTICIPANT, username="paula")
    client.force_login(admin_user)
    for language, label in (("de", "Teilnehmer"), ("en", "Participant")):
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        assert f">{label}</td>" in page(client.get("/admin/accounts/user/"))


@pytest.mark.usefixtures("_set_up")
def test_site_labels_are_translated_until_an_admin_changes_them(client, plain_user):
    client.force_login(plain_user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert ">Tools</a>" in page(client.get("/"))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "de"
    assert ">Werkzeuge</a>" in page(client.get("/"))

    config = SiteConfiguration.current()
    config.label_tools = "Geräte"
    config.save()
    for language in ("de", "en"):
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        listing = page(client.get("/inventory/tools/"))
        assert ">Geräte</a>" in listing and "<h1>Geräte</h1>" in listing


@pytest.mark.usefixtures("_set_up")
def test_quickscan_script_texts_are_translated(client, plain_user):
    """quickscan.js shows only sentences the page hands it, translated on the server."""
    client.force_login(plain_user)

    def script_texts(language):
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        html = page(client.get("/quickscan/"))
        return json.loads(re.search(r'<script id="qs-text" type="application/json">(.*?)</script>', html, re.S)[1])

    german, english = script_texts("de"), script_texts("en")
    assert german["ready"] == "Bereit: Werkzeug, Verbrauchsmaterial oder Mitarbeiterausweis scannen."
    assert english["ready"] == "Ready: scan a tool, consumable or worker card."
    assert german["status"]["lent"] == "ausgeliehen" and english["status"]["lent"] == "lent"
    assert set(german) == set(english)


def test_api_messages_are_german_by_default_and_english_on_request(api_for, admin_user, department):
    client = api_for(admin_user, department)
    assert client.get("/api/tools/NOPE").json()["message"] == "Kein Werkzeug mit dem Barcode NOPE."
    english = client.get("/api/tools/NOPE", HTTP_ACCEPT_LANGUAGE="en")
    assert english.json()["message"] == "No tool with barcode NOPE."
