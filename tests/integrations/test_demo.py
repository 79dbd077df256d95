"""The integrations part of `seed_demo`."""

import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from integrations.demo import seed_integrations
from integrations.models import Customer, Device, Order, ProductTrend
from tests.factories.integrations import CustomerFactory, synced

pytestmark = pytest.mark.django_db


def test_demo_records_go_through_the_engine_once(admin_user):
    real = synced(CustomerFactory(name="Echter Kunde"), ("name",))
    real.save()
    assert seed_integrations() == 6 + 30 + 8 + 40  # customers, devices, products, orders
    assert Customer.objects.filter(id__startswith="demo-").count() == 6
    assert Device.objects.filter(customer_id="demo-customer-99").count() == 2  # an unknown customer
    assert Device.objects.filter(customer=None).exclude(customer_id="demo-customer-99").exists()
    assert ProductTrend.objects.exists()
    assert Order.objects.get(external_id="demo-1001").items.exists()
    real.refresh_from_db()
    assert real.remote_deleted_at is None  # the demo never marks real records as gone
    with CaptureQueriesContext(connection) as queries:
        assert seed_integrations() == 0
    assert not [q for q in queries if q["sql"].startswith(("INSERT", "UPDATE", "DELETE"))]


def test_seed_demo_command_reports_them():
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    assert "integration_records=" in out.getvalue()
    assert Device.objects.count() == 30
