"""ThingsBoard customers and devices, synced from a real local HTTP server speaking ThingsBoard's
wire format: the merge rules of CONTRACT 5.4, every failure mode, credentials."""

import logging

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from integrations import services
from integrations.models import Customer, Device, SyncConflict, SyncRun, SyncSource
from integrations.thingsboard import CustomerConnector, DeviceConnector
from scandy_site.core.errors import ApplicationError
from tests.fakes.thingsboard import NULL_UUID, tb_customer, tb_device, tb_uuid

pytestmark = pytest.mark.django_db


def sync(**kwargs) -> SyncRun:
    return services.sync_now(source="thingsboard", trigger=SyncRun.Trigger.COMMAND, **kwargs)


@pytest.fixture
def tb(fake_tb):
    fake_tb.customers = [tb_customer(n) for n in range(1, 8)]
    fake_tb.devices = [tb_device(n, customer=n % 7 + 1) for n in range(1, 16)]
    return fake_tb


def use_pages_of(size, monkeypatch):
    monkeypatch.setattr("integrations.thingsboard.PAGE_SIZE", size)


def written_tables(queries) -> set[str]:
    """The tables the captured queries wrote to."""
    tables = set()
    for query in queries:
        sql = query["sql"]
        if " times: " in sql[:20]:  # executemany
            sql = sql.split(": ", 1)[1]
        words = sql.replace('"', " ").split()
        if words[0] in ("INSERT", "UPDATE", "DELETE"):
            tables.add(words[2] if words[0] != "UPDATE" else words[1])
    return tables


def local_state():
    customers = list(Customer.objects.order_by("id").values())
    devices = list(Device.objects.order_by("id").values())
    return customers, devices, list(SyncConflict.objects.values())


def test_full_sync_creates_customers_and_devices(tb, monkeypatch):
    use_pages_of(4, monkeypatch)
    tb.devices.append(tb_device(99, customer=None))
    run = sync()
    assert run.status == SyncRun.Status.SUCCEEDED, run.message
    assert (run.created, run.updated, run.failed) == (7 + 16, 0, 0)
    assert run.summary() == "created=23 updated=0 unchanged=0 preserved=0 conflicts=0 deleted=0 failed=0"
    customer = Customer.objects.get(pk=tb_uuid(1, 3))
    assert (customer.name, customer.title, customer.city, customer.zip) == ("Kunde 3", "Kunde 3", "Berlin", "10115")
    assert customer.created_time.year == 2023 and customer.last_sync is not None
    assert customer.additional_info == {"description": ""}
    assert Device.objects.get(pk=tb_uuid(2, 3)).customer_id == tb_uuid(1, 4)
    assert Device.objects.get(pk=tb_uuid(2, 99)).customer_id is None  # the null UUID means "no customer"
    # Paged with the bearer token; one login for both record types.
    pages = [r for r in tb.requests if r.path == "/api/customers"]
    assert [r.query["page"] for r in pages] == ["0", "1"]
    assert all(r.headers["x-authorization"] == "Bearer tok-1" for r in pages)
    assert tb.logins == 1
    assert SyncSource.objects.get(code="thingsboard").last_run == run
    assert run.account == f"service account ({tb.username})"


def test_the_same_sync_again_writes_nothing(tb):
    sync()
    before = local_state()
    with CaptureQueriesContext(connection) as queries:
        run = sync()
    assert (run.created, run.updated, run.unchanged, run.deleted) == (0, 0, 22, 0)
    assert written_tables(queries) <= {"integrations_syncrun", "integrations_syncsource"}
    assert local_state() == before


def test_records_received_exactly_as_before_are_not_even_mapped(tb, monkeypatch):
    sync()

    def must_not_map(self, raw):
        raise AssertionError("mapped an unchanged record")

    monkeypatch.setattr(CustomerConnector, "map", must_not_map)
    monkeypatch.setattr(DeviceConnector, "map", must_not_map)
    run = sync()
    assert (run.unchanged, run.failed) == (22, 0)


def test_a_change_outside_the_mapped_fields_writes_nothing(tb, monkeypatch):
    sync()
    before = local_state()
    for record in tb.customers:
        record["version"] = 2  # ThingsBoard bumps it; Scandy does not keep it
    mapped = []
    original = CustomerConnector.map
    monkeypatch.setattr(CustomerConnector, "map", lambda self, raw: mapped.append(1) or original(self, raw))
    for _ in range(2):  # not written, so mapped again next time, and still not written
        with CaptureQueriesContext(connection) as queries:
            run = sync()
        assert (run.unchanged, run.updated) == (22, 0)
        assert written_tables(queries) <= {"integrations_syncrun", "integrations_syncsource"}
    assert len(mapped) == 14 and local_state() == before
    # A new mapping version looks at every record once more.
    monkeypatch.setattr(DeviceConnector, "mapping_version", 2)
    with CaptureQueriesContext(connection) as queries:
        assert sync().unchanged == 22
    assert written_tables(queries) <= {"integrations_syncrun", "integrations_syncsource"}


def test_local_edit_survives_and_remote_changes_of_other_fields_arrive(tb, admin_user):
    sync()
    customer = Customer.objects.get(pk=tb_uuid(1, 1))
    services.customer_update(customer=customer, user=admin_user, phone="+49 30 111")
    tb.customers[0].update(city="Hamburg")  # the remote changes another field
    run = sync()
    customer.refresh_from_db()
    assert (customer.phone, customer.city) == ("+49 30 111", "Hamburg")
    assert (run.updated, run.preserved, run.conflicts) == (1, 1, 0)
    # Unchanged remotely again: nothing to write, the edit stays.
    run = sync()
    customer.refresh_from_db()
    assert (run.updated, customer.phone) == (0, "+49 30 111")


def test_both_sides_changed_is_a_conflict_resolved_by_take_remote(tb, admin_user):
    sync()
    customer = Customer.objects.get(pk=tb_uuid(1, 2))
    services.customer_update(customer=customer, user=admin_user, email="local@example.org")
    tb.customers[1]["email"] = "remote@example.org"
    run = sync()
    customer.refresh_from_db()
    assert customer.email == "local@example.org"
    assert (run.conflicts, run.preserved) == (1, 1)
    conflict = SyncConflict.objects.get()
    assert (conflict.field, conflict.base_value, conflict.local_value, conflict.remote_value) == (
        "email", "kunde2@example.org", "local@example.org", "remote@example.org",
    )  # fmt: skip
    # The remote changes once more before anyone looks: the same open conflict shows the newest value.
    tb.customers[1]["email"] = "remote2@example.org"
    sync()
    conflict = SyncConflict.objects.get()
    assert conflict.remote_value == "remote2@example.org" and conflict.is_open
    services.conflict_resolve(conflict=conflict, user=admin_user, take="remote")
    customer.refresh_from_db()
    assert customer.email == "remote2@example.org"
    assert SyncConflict.objects.get().resolution == SyncConflict.Resolution.REMOTE
    # From now on the field follows the remote again.
    tb.customers[1]["email"] = "remote3@example.org"
    sync()
    customer.refresh_from_db()
    assert customer.email == "remote3@example.org"


def test_keep_local_keeps_the_edit_and_a_later_remote_change_conflicts_again(tb, admin_user):
    sync()
    customer = Customer.objects.get(pk=tb_uuid(1, 2))
    services.customer_update(customer=customer, user=admin_user, title="Lokal GmbH")
    tb.customers[1]["title"] = "Remote AG"
    sync()
    services.conflict_resolve(conflict=SyncConflict.objects.get(), user=admin_user, take="local")
    sync()
    customer.refresh_from_db()
    assert customer.title == "Lokal GmbH"
    assert not SyncConflict.objects.filter(resolved_at=None).exists()
    tb.customers[1]["title"] = "Remote AG & Co"
    run = sync()
    assert run.conflicts == 1
    assert SyncConflict.objects.filter(resolved_at=None).get().remote_value == "Remote AG & Co"
    with pytest.raises(ApplicationError) as resolved:
        services.conflict_resolve(
            conflict=SyncConflict.objects.exclude(resolved_at=None).get(), user=admin_user, take="remote"
        )
    assert resolved.value.code == "INVALID_TRANSITION"


def test_conflict_settles_when_the_values_agree_again(tb, admin_user):
    sync()
    customer = Customer.objects.get(pk=tb_uuid(1, 4))
    services.customer_update(customer=customer, user=admin_user, city="Köln")
    tb.customers[3]["city"] = "Bonn"
    sync()
    tb.customers[3]["city"] = "Köln"  # the remote comes round to the local value
    sync()
    conflict = SyncConflict.objects.get()
    assert conflict.resolution == SyncConflict.Resolution.SETTLED and not conflict.is_open


def test_vanished_records_are_marked_not_deleted_and_come_back(tb):
    sync()
    gone = tb.devices.pop(0)
    run = sync()
    assert run.deleted == 1
    device = Device.objects.get(pk=gone["id"]["id"])
    assert device.remote_deleted_at is not None
    assert sync().deleted == 0  # marked once
    tb.devices.insert(0, gone)
    run = sync()
    device.refresh_from_db()
    assert (run.updated, device.remote_deleted_at) == (1, None)


def test_records_made_here_are_never_marked_deleted(tb, admin_user):
    local = services.customer_create(user=admin_user, name="Nur hier")
    sync()
    local.refresh_from_db()
    assert local.remote_deleted_at is None and not local.from_remote


def test_a_record_vanishing_during_the_sync_marks_nothing_deleted(tb, monkeypatch):
    use_pages_of(3, monkeypatch)
    sync()
    # Deleted remotely while the next sync pages through: the pages shift, one record is missed.
    tb.vanish_after("devices", 1, tb.devices[0]["id"]["id"])
    run = sync()
    assert run.status == SyncRun.Status.SUCCEEDED
    assert run.deleted == 0
    assert not Device.objects.exclude(remote_deleted_at=None).exists()
    assert "changed during the sync" in run.errors[0]["message"]
    run = sync()  # the next sync sees a steady list and marks the one really gone
    assert run.deleted == 1


@pytest.mark.parametrize(
    "breakage, message",
    [
        (lambda tb: tb.fail("devices", 3, status=500), "answered with HTTP 500 (/api/tenant/devices, page 3)"),
        (lambda tb: tb.fail("customers", 1, status=503), "HTTP 503"),
        (lambda tb: tb.slow("devices", 2, seconds=3), "did not answer within 0.5 s (/api/tenant/devices, page 2)"),
        (lambda tb: tb.truncate("devices", 3), "not valid JSON (/api/tenant/devices, page 3)"),
        (lambda tb: tb.reject_tokens_on("devices", 2), "refused access even after logging in again"),
        (lambda tb: setattr(tb, "password", "changed"), "refused the login of tenant@thingsboard.org"),
    ],
    ids=["500-page-3", "503-first-page", "timeout", "truncated-json", "401-after-relogin", "bad-login"],
)
def test_a_failing_source_fails_the_run_and_leaves_local_data_as_it_was(tb, monkeypatch, settings, breakage, message):
    use_pages_of(3, monkeypatch)
    sync()
    before = local_state()
    # The remote changed meanwhile; none of it may land half-way.
    tb.customers[0]["city"] = "Hamburg"
    tb.devices.pop()
    tb.devices.append(tb_device(500, customer=1))
    settings.SYNC_HTTP_TIMEOUT = 0.5
    breakage(tb)
    run = sync()
    assert run.status == SyncRun.Status.FAILED
    assert message in run.message
    assert run.summary() == "created=0 updated=0 unchanged=0 preserved=0 conflicts=0 deleted=0 failed=0"
    assert local_state() == before
    assert SyncSource.objects.get(code="thingsboard").last_run == run
    # The source recovers: the next run brings everything.
    tb.clear_failures()
    tb.auth_events.clear()
    tb.password = settings.THINGSBOARD_PASSWORD
    run = sync()
    assert run.status == SyncRun.Status.SUCCEEDED
    assert (run.created, run.updated, run.deleted) == (1, 1, 1)


def test_an_expired_token_mid_run_means_one_new_login(tb, monkeypatch):
    use_pages_of(3, monkeypatch)
    tb.expire_tokens_on("devices", 2)
    run = sync()
    assert run.status == SyncRun.Status.SUCCEEDED, run.message
    assert tb.logins == 2
    assert Device.objects.count() == 15


def test_unreachable_server(settings, db):
    settings.THINGSBOARD_URL = "http://127.0.0.1:9"  # discard port: nothing listens
    settings.THINGSBOARD_USERNAME, settings.THINGSBOARD_PASSWORD = "svc", "pw-Secret-3"
    run = sync()
    assert run.status == SyncRun.Status.FAILED
    assert "cannot be reached at http://127.0.0.1:9" in run.message


def test_records_with_nulls_and_non_ascii_text_are_kept(tb):
    tb.customers.append(
        tb_customer(50, title="Müller & Söhne — 東京支店 🚀", email=None, phone=None, address=None, address2=None,
                    city="Zürich", country=None, state=None, zip=None, additionalInfo=None, name=None)
    )  # fmt: skip
    tb.devices.append(tb_device(60, customer=50, name="Fühler «Süd»", label=None, type=None, additionalInfo=None))
    run = sync()
    assert run.failed == 0
    customer = Customer.objects.get(pk=tb_uuid(1, 50))
    assert (customer.name, customer.email, customer.city, customer.additional_info) == (
        "Müller & Söhne — 東京支店 🚀", "", "Zürich", None,
    )  # fmt: skip
    device = Device.objects.get(pk=tb_uuid(2, 60))
    assert (device.name, device.label, device.type, device.customer.name) == ("Fühler «Süd»", "", "", customer.name)
    assert sync().unchanged == 7 + 15 + 2  # nulls hash the same every time


def test_bad_records_are_skipped_and_listed_on_the_run(tb, caplog):
    tb.customers.append(tb_customer(70, createdTime="yesterday"))
    tb.customers.append({"title": "no id at all"})
    tb.devices.append(tb_device(71, name="x" * 300))
    tb.devices.append("not an object")
    tb.devices.append(tb_device(72, customerId={"entityType": "CUSTOMER", "id": NULL_UUID}, name="ok"))
    run = sync()
    assert run.status == SyncRun.Status.SUCCEEDED
    assert (run.created, run.failed) == (7 + 15 + 1, 4)
    messages = {(e["entity"], e["remote_id"]): e["message"] for e in run.errors}
    assert "createdTime" in messages[("customers", tb_uuid(1, 70))]
    assert "longer than 255" in messages[("devices", tb_uuid(2, 71))]
    assert ("customers", None) in messages and ("devices", None) in messages
    assert not Customer.objects.filter(pk=tb_uuid(1, 70)).exists()
    assert "skipped record" in caplog.text


def test_a_skipped_record_is_not_taken_for_deleted(tb):
    sync()
    tb.customers[0]["createdTime"] = "broken"
    run = sync()
    assert (run.failed, run.deleted) == (1, 0)
    assert Customer.objects.get(pk=tb_uuid(1, 1)).remote_deleted_at is None


def test_dry_run_counts_but_writes_nothing(tb):
    run = sync(dry_run=True)
    assert (run.status, run.dry_run, run.created) == (SyncRun.Status.SUCCEEDED, True, 22)
    assert not Customer.objects.exists() and not Device.objects.exists()
    assert SyncSource.objects.get(code="thingsboard").last_success_at is None


# --- Credentials -----------------------------------------------------------------------------------------


def test_a_users_own_credentials_win_over_the_service_account(tb, employee):
    employee.thingsboard_username = "erika@thingsboard.org"
    employee.set_thingsboard_password("Erika-Tb-77")
    employee.save()
    tb.username, tb.password = "erika@thingsboard.org", "Erika-Tb-77"
    run = sync(user=employee)
    assert run.status == SyncRun.Status.SUCCEEDED, run.message
    assert run.account == "erika@thingsboard.org"
    assert tb.requests[0].json() == {"username": "erika@thingsboard.org", "password": "Erika-Tb-77"}


def test_service_account_when_the_user_has_none(tb, employee):
    run = sync(user=employee)
    assert run.status == SyncRun.Status.SUCCEEDED
    assert tb.requests[0].json()["username"] == tb.username


def test_no_credentials_at_all_is_a_clear_message(settings, db):
    settings.THINGSBOARD_URL = "http://127.0.0.1:9"
    settings.THINGSBOARD_USERNAME = settings.THINGSBOARD_PASSWORD = ""
    with pytest.raises(ApplicationError) as refused:
        sync()
    assert refused.value.code == "VALIDATION_ERROR"
    assert "No ThingsBoard credentials" in refused.value.message
    assert not SyncRun.objects.exists()


def test_not_configured(settings, db):
    settings.THINGSBOARD_URL = ""
    with pytest.raises(ApplicationError) as refused:
        sync()
    assert "set THINGSBOARD_URL" in refused.value.message


def test_passwords_never_reach_logs_or_runs(tb, caplog):
    caplog.set_level(logging.DEBUG)
    tb.password = "something-else"  # the login fails: the message names the user, never the password
    run = sync()
    tb.password = run_password = "tenant-Secret-1"
    assert run.status == SyncRun.Status.FAILED
    stored = " ".join(str(value) for value in SyncRun.objects.values().get().values())
    for secret in (run_password, "something-else"):
        assert secret not in caplog.text
        assert secret not in stored


# --- One run per source at a time --------------------------------------------------------------------------


def test_only_one_active_run_per_source(tb):
    first, created = services.sync_request(source="thingsboard", trigger=SyncRun.Trigger.API, enqueue=False)
    again, created_again = services.sync_request(source="thingsboard", trigger=SyncRun.Trigger.API, enqueue=False)
    assert created and not created_again and again == first
    with pytest.raises(ApplicationError) as busy:
        sync()
    assert busy.value.code == "CONFLICT" and f"#{first.pk}" in busy.value.message
    services.sync_execute(run_id=first.pk)
    assert services.sync_execute(run_id=first.pk).status == SyncRun.Status.SUCCEEDED  # a second delivery: no-op
    assert SyncRun.objects.count() == 1
    assert sync().status == SyncRun.Status.SUCCEEDED


def test_a_run_whose_worker_died_stops_blocking(tb):
    import datetime

    from django.utils import timezone

    stuck, _created = services.sync_request(source="thingsboard", trigger=SyncRun.Trigger.API, enqueue=False)
    long_ago = timezone.now() - datetime.timedelta(hours=1)
    SyncRun.objects.filter(pk=stuck.pk).update(status="running", heartbeat_at=long_ago, started_at=long_ago)
    run = sync()
    assert run.status == SyncRun.Status.SUCCEEDED
    stuck.refresh_from_db()
    assert stuck.status == SyncRun.Status.FAILED and "Given up" in stuck.message
