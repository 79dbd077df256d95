"""The per-source lock across processes: real threads with their own PostgreSQL connections race to
start a sync; the database lets exactly one run be active per source."""

import pytest
from django.db import connection

from integrations import services
from integrations.models import Customer, SyncRun
from tests.fakes.thingsboard import tb_customer, tb_device
from tests.threads import race

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="runs in the PostgreSQL pass of make test"),
]


def test_twenty_simultaneous_requests_queue_one_run(fake_tb):
    results = race(20, lambda i: services.sync_request(source="thingsboard", trigger="api", enqueue=False)[0].pk)
    assert {kind for kind, _value in results} == {"ok"}, results
    assert len({value for _kind, value in results}) == 1  # every caller got the same run
    assert SyncRun.objects.count() == 1


def test_simultaneous_syncs_run_once_and_the_rest_are_told(fake_tb):
    fake_tb.customers = [tb_customer(n) for n in range(1, 200)]
    fake_tb.devices = [tb_device(n, customer=n % 199 + 1) for n in range(1, 400)]
    results = race(8, lambda i: services.sync_now(source="thingsboard", trigger="command").status)
    outcomes = sorted(results)
    done = [value for kind, value in outcomes if kind == "ok"]
    assert done and set(done) == {"succeeded"}, results
    assert {value for kind, value in outcomes if kind != "ok"} <= {"CONFLICT"}, results
    assert SyncRun.objects.filter(status="succeeded").count() == len(done)
    assert Customer.objects.count() == 199
    assert not SyncRun.objects.filter(status__in=SyncRun.ACTIVE).exists()
