"""Webhooks in the back office: the secret is write-only, "send test event" and "retry" work, every attempt
is on the delivery's page, only administrators get in, and backups never hold the secret."""

import zipfile

import pytest
from django.core.management import call_command

from scandy_site.accounts import secrets
from scandy_site.backups import contents
from scandy_site.events import services
from scandy_site.events.models import WebhookDelivery, WebhookEndpoint
from tests.admin_helpers import form_data, messages_of, post_action
from tests.factories import ToolFactory

from .conftest import SECRET

pytestmark = pytest.mark.django_db

ADD = "/admin/events/webhookendpoint/add/"


def _add(admin_client, receiver, **overrides):
    data = {"name": "Lager-System", "url": receiver.url + "/hook", "active": "on", "event_types": "tool.*",
            "secret": SECRET, **overrides}  # fmt: skip
    return admin_client.post(ADD, data)


def test_adding_an_endpoint_keeps_the_secret_out_of_every_page(admin_client, receiver):
    response = _add(admin_client, receiver)
    assert response.status_code == 302, response.context["adminform"].form.errors
    endpoint = WebhookEndpoint.objects.get()
    assert secrets.decrypt(endpoint.secret_encrypted) == SECRET
    assert SECRET not in endpoint.secret_encrypted
    for url in (f"/admin/events/webhookendpoint/{endpoint.pk}/change/", "/admin/events/webhookendpoint/"):
        html = admin_client.get(url).content.decode()
        assert SECRET not in html and endpoint.secret_encrypted not in html
    assert "A secret is set" in admin_client.get(f"/admin/events/webhookendpoint/{endpoint.pk}/change/",
                                                 HTTP_ACCEPT_LANGUAGE="en").content.decode()  # fmt: skip


def test_a_new_endpoint_needs_a_secret_and_a_change_may_keep_it(admin_client, receiver):
    refused = _add(admin_client, receiver, secret="")
    assert refused.status_code == 200
    assert "secret" in refused.context["adminform"].form.errors
    short = _add(admin_client, receiver, secret="kurz")
    assert "secret" in short.context["adminform"].form.errors
    assert not WebhookEndpoint.objects.exists()

    _add(admin_client, receiver)
    endpoint = WebhookEndpoint.objects.get()
    url = f"/admin/events/webhookendpoint/{endpoint.pk}/change/"
    page = admin_client.get(url)
    assert page.context["adminform"].form["secret"].value() in (None, "")
    response = admin_client.post(url, form_data(page, name="Umbenannt", secret=""))
    assert response.status_code == 302
    endpoint.refresh_from_db()
    assert (endpoint.name, secrets.decrypt(endpoint.secret_encrypted)) == ("Umbenannt", SECRET)
    admin_client.post(url, form_data(admin_client.get(url), secret="a-brand-new-secret-9876"))
    endpoint.refresh_from_db()
    assert secrets.decrypt(endpoint.secret_encrypted) == "a-brand-new-secret-9876"


def test_send_a_test_event(admin_client, receiver, endpoint):
    admin_client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"  # the messages are read in English
    response = post_action(admin_client, "/admin/events/webhookendpoint/", "send_test_event", [endpoint])
    assert any("test event delivered (HTTP 200" in m for m in messages_of(response)), messages_of(response)
    assert receiver.accepted[-1]["type"] == "webhook.test"
    receiver.fail("hook", status=500)
    response = post_action(admin_client, "/admin/events/webhookendpoint/", "send_test_event", [endpoint])
    assert any("was not delivered: HTTP 500" in m for m in messages_of(response)), messages_of(response)


def test_retry_a_failed_delivery_and_read_its_attempts(admin_client, receiver, endpoint, department, clock,
                                                       monkeypatch):  # fmt: skip
    queued = []
    monkeypatch.setattr("django_q.tasks.async_task", lambda func, *a, **k: queued.append(func))
    receiver.fail("hook", status=502)
    ToolFactory(department=department)
    services.webhooks_deliver(clock=clock)
    delivery = WebhookDelivery.objects.get()
    WebhookDelivery.objects.filter(pk=delivery.pk).update(status="failed", next_attempt_at=None)
    page = admin_client.get(f"/admin/events/webhookdelivery/{delivery.pk}/change/").content.decode()
    assert "HTTP 502" in page and "tool.created" in page

    receiver.clear_failures()
    admin_client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"  # the message is read in English
    response = post_action(admin_client, "/admin/events/webhookdelivery/", "retry", [delivery])
    assert any("go out again" in m for m in messages_of(response)), messages_of(response)
    assert queued == ["scandy_site.events.tasks.deliver_webhooks"]
    clock.advance(seconds=5)  # the retry is due from the moment of the click
    services.webhooks_deliver(clock=clock)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("succeeded", 2)
    listing = admin_client.get("/admin/events/webhookdelivery/?status=succeeded")
    assert listing.status_code == 200 and f">{delivery.pk}<" in listing.content.decode()


def test_only_administrators_manage_webhooks(client, employee, endpoint):
    client.force_login(employee)
    assert client.get("/admin/events/webhookendpoint/").status_code in (302, 403)
    assert client.get("/admin/events/webhookdelivery/").status_code in (302, 403)


def test_deleting_an_endpoint_removes_its_log(admin_client, endpoint, department, clock):
    ToolFactory(department=department)
    services.webhooks_deliver(clock=clock)
    response = admin_client.post(f"/admin/events/webhookendpoint/{endpoint.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not WebhookEndpoint.objects.exists() and not WebhookDelivery.objects.exists()


def test_a_backup_never_holds_the_secret(endpoint, settings, tmp_path):
    assert [f.name for f in contents.secret_fields(WebhookEndpoint)] == ["secret_encrypted"]
    ciphertext = WebhookEndpoint.objects.get().secret_encrypted
    target = tmp_path / "backup.zip"
    call_command("backup", "create", "--no-media", "--output", str(target))
    with zipfile.ZipFile(target) as archive:
        blob = b"".join(archive.read(name) for name in archive.namelist())
        endpoint_rows = archive.read("data/events.webhookendpoint.jsonl").decode()
    assert ciphertext.encode() not in blob and SECRET.encode() not in blob
    assert '"secret_encrypted": ""' in endpoint_rows or '"secret_encrypted":""' in endpoint_rows
