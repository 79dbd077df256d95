"""`manage.py sync`, the schedules, and the first shop sync at worker start."""

import datetime
import io

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from django_q.models import Schedule

from integrations import tasks
from integrations.models import Customer, Order, SyncRun
from scandy_site.core.schedules import ensure_schedules, run_due_at_worker_start
from tests.fakes.shop import shop_order, shop_product
from tests.fakes.thingsboard import tb_customer, tb_device

pytestmark = pytest.mark.django_db


def run_command(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("sync", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.fixture
def remote(fake_tb, fake_shop):
    fake_tb.customers = [tb_customer(1), tb_customer(2)]
    fake_tb.devices = [tb_device(1, customer=1)]
    fake_shop.products = [shop_product(1)]
    fake_shop.orders = [shop_order(1)]
    return fake_tb, fake_shop


def test_sync_command_prints_the_summary_line(remote):
    out, err = run_command("thingsboard")
    assert out.strip() == "created=3 updated=0 unchanged=0 preserved=0 conflicts=0 deleted=0 failed=0"
    assert "thingsboard: succeeded" in err
    out, _err = run_command("thingsboard")
    assert out.strip() == "created=0 updated=0 unchanged=3 preserved=0 conflicts=0 deleted=0 failed=0"


def test_sync_all_adds_up_both_sources(remote):
    out, err = run_command("all")
    assert out.strip() == "created=5 updated=0 unchanged=0 preserved=0 conflicts=0 deleted=0 failed=0"
    assert "thingsboard: succeeded" in err and "shop: succeeded" in err
    assert Order.objects.count() == 1


def test_dry_run_writes_nothing(remote):
    out, err = run_command("shop", "--dry-run")
    assert out.strip().startswith("created=2 ")
    assert "dry run" in err and not Order.objects.exists()


def test_all_skips_what_is_not_configured(remote, settings):
    settings.SHOP_API_URL = ""
    out, err = run_command("all")
    assert "shop: not configured, skipped" in err
    assert out.strip().startswith("created=3 ")


def test_a_failed_run_still_prints_the_summary_and_exits_non_zero(remote, capsys):
    remote[0].fail("customers", 1, status=500)
    with pytest.raises(CommandError) as failed:
        call_command("sync", "thingsboard", stdout=io.StringIO(), stderr=io.StringIO())
    assert "HTTP 500" in str(failed.value)


def test_named_source_not_configured_is_an_error(settings, db):
    settings.SHOP_API_URL = ""
    with pytest.raises(CommandError, match="SHOP_API_URL"):
        run_command("shop")


def test_skipped_records_are_listed(remote):
    remote[0].customers.append(tb_customer(9, createdTime="nope"))
    out, err = run_command("thingsboard")
    assert "failed=1" in out and "skipped customers" in err and "createdTime" in err


def test_run_as_a_user(remote, employee):
    employee.thingsboard_username = "erika"
    employee.set_thingsboard_password("pw-Erika-1")
    employee.save()
    remote[0].username, remote[0].password = "erika", "pw-Erika-1"
    run_command("thingsboard", "--user", "employee")
    assert SyncRun.objects.get().account == "erika"
    with pytest.raises(CommandError, match="no user"):
        run_command("thingsboard", "--user", "nobody")


def test_busy_source(remote):
    from integrations import services

    services.sync_request(source="shop", trigger="api", enqueue=False)
    with pytest.raises(CommandError, match="already queued"):
        run_command("shop")


# --- Schedules --------------------------------------------------------------------------------------------


def test_schedules_are_declared(settings):
    settings.SHOP_SYNC_MINUTES = 7
    ensure_schedules()
    shop = Schedule.objects.get(name="shop-sync")
    assert (shop.func, shop.schedule_type, shop.minutes) == (
        "integrations.tasks.sync_shop_scheduled", Schedule.MINUTES, 7,
    )  # fmt: skip
    thingsboard = Schedule.objects.get(name="thingsboard-sync")
    assert (thingsboard.func, thingsboard.schedule_type) == ("integrations.tasks.sync_thingsboard_scheduled", "D")
    assert timezone.localtime(thingsboard.next_run).hour == 3
    ensure_schedules()
    assert Schedule.objects.filter(name="shop-sync").count() == 1


def test_scheduled_tasks(remote, settings):
    assert tasks.sync_thingsboard_scheduled().startswith("thingsboard #")
    assert Customer.objects.count() == 2
    assert "succeeded" in tasks.sync_shop_scheduled()
    assert SyncRun.objects.filter(trigger="schedule").count() == 2
    settings.SHOP_API_URL = ""
    assert tasks.sync_shop_scheduled() == "shop: not configured"


def test_scheduled_sync_skips_while_another_runs(remote):
    from integrations import services

    services.sync_request(source="shop", trigger="api", enqueue=False)
    assert "skipped" in tasks.sync_shop_scheduled()


def test_first_shop_sync_runs_when_the_worker_starts(remote, monkeypatch):
    monkeypatch.setattr("django_q.conf.Conf.SYNC", True)  # the enqueued task runs at once, here
    ensure_schedules()  # a fresh schedule is due at once
    assert run_due_at_worker_start() == ["shop-sync"]
    run = SyncRun.objects.get()
    assert (run.source, run.trigger, run.status) == ("shop", "worker_start", "succeeded")
    schedule = Schedule.objects.get(name="shop-sync")
    assert schedule.next_run > timezone.now() + datetime.timedelta(minutes=4)  # the scheduler will not repeat it
    # More workers starting, or one restarted within the interval: nothing is due, nothing starts.
    assert run_due_at_worker_start() == []
    assert SyncRun.objects.count() == 1
    # After the worker was down for a while the sync is overdue: the next start runs it at once.
    Schedule.objects.filter(name="shop-sync").update(next_run=timezone.now() - datetime.timedelta(hours=2))
    assert run_due_at_worker_start() == ["shop-sync"]
    assert SyncRun.objects.count() == 2


def test_worker_start_signal_runs_the_hook(monkeypatch):
    from django_q.signals import post_spawn

    calls = []
    monkeypatch.setattr("scandy_site.core.schedules.run_due_at_worker_start", lambda: calls.append(1))
    post_spawn.send(sender="django_q", proc_name="Process-1")
    assert calls == [1]


def test_progress_bars_on_a_terminal(remote, monkeypatch):
    class Terminal(io.StringIO):
        def isatty(self):
            return True

    terminal = Terminal()
    monkeypatch.setattr("sys.stderr", terminal)
    out, _err = run_command("thingsboard")
    assert "customers" in terminal.getvalue() and "devices" in terminal.getvalue()
    assert out.strip().startswith("created=3 ")


def test_no_progress_bars_when_piped(remote, monkeypatch):
    piped = io.StringIO()
    monkeypatch.setattr("sys.stderr", piped)
    run_command("thingsboard")
    assert "records" not in piped.getvalue()
