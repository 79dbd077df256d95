"""`manage.py seed_demo`: a demo data set through the services, idempotent, no fixed passwords."""

import io
import itertools
import re
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db.models import F
from django.utils import timezone

from inventory.models import BarcodeRegistration, Category, Consumable, StockMovement, Tool
from lending.models import Lending, Worker
from scandy_site.accounts.models import Department, User
from scandy_site.core.models import ChangeEvent

pytestmark = pytest.mark.django_db


def seed(*args) -> str:
    out = io.StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def counts() -> dict:
    return {
        model.__name__: model.objects.count()
        for model in (Department, User, Category, Tool, Consumable, StockMovement, Worker, BarcodeRegistration, Lending)
    }


def printed_passwords(output: str) -> dict[str, str]:
    return dict(re.findall(r"^\s+(demo-\S+)\s+\S+\s+(\S+)$", output, flags=re.MULTILINE))


def test_small_demo_without_setup_creates_everything_and_an_admin():
    output = seed()
    made = counts()
    # Each consumable: its initial stock plus 8 to 20 movements.
    assert 25 * 9 <= made.pop("StockMovement") <= 25 * 25
    # Per department 12 returned, 4 open and 2 overdue lendings (fewer only when tools run short).
    assert 30 <= made.pop("Lending") <= 36
    assert made == {
        "Department": 2, "User": 4, "Category": 10, "Tool": 40, "Consumable": 25, "Worker": 15,
        "BarcodeRegistration": 80,
    }  # fmt: skip
    passwords = printed_passwords(output)
    assert set(passwords) == {"demo-admin", "demo-employee", "demo-user", "demo-participant"}
    for username, password in passwords.items():
        assert User.objects.get(username=username).check_password(password), username
    assert len(set(passwords.values())) == 4
    assert User.objects.get(username="demo-admin").is_admin
    assert "tools=40" in output


def test_data_is_varied_and_made_through_the_services():
    seed()
    statuses = set(Tool.objects.values_list("status", flat=True))
    assert statuses == {"available", "lent", "defective", "maintenance"}
    assert 0 < Consumable.objects.filter(current_stock__lt=F("min_stock")).count() < Consumable.objects.count()
    assert ChangeEvent.objects.filter(entity="tool", action="created").count() == 40
    assert ChangeEvent.objects.filter(entity="worker", action="created").count() == 15
    # Every consumable's stock is the sum of its movements, spread over the last 90 days.
    for consumable in Consumable.objects.all():
        assert sum(consumable.movements.values_list("delta", flat=True)) == consumable.current_stock
    now = timezone.now()
    oldest = StockMovement.objects.order_by("created_at").first().created_at
    assert now - timedelta(days=91) < oldest < now - timedelta(days=80)
    assert StockMovement.objects.filter(delta__lt=0, created_at__gte=now - timedelta(days=14)).exists()
    assert StockMovement.objects.filter(delta__lt=0, worker__isnull=False).exists()
    # Issues to workers went through the scan station's service.
    issues = StockMovement.objects.filter(worker__isnull=False)
    assert issues.exists() and set(issues.values_list("kind", flat=True)) == {StockMovement.Kind.ISSUE}


def test_lendings_of_every_kind_through_the_services():
    seed()
    today = timezone.localdate()
    open_lendings = Lending.objects.filter(returned_at__isnull=True)
    assert open_lendings.filter(due_date__lt=today).count() == 4  # overdue: 2 per department
    assert open_lendings.filter(due_date__gte=today).count() == 8
    returned = Lending.objects.filter(returned_at__isnull=False)
    assert returned.count() >= 20
    # The tool status agrees with the lendings, and no tool is out twice.
    assert set(Tool.objects.filter(status="lent").values_list("pk", flat=True)) == set(
        open_lendings.values_list("tool_id", flat=True)
    )
    for lending in Lending.objects.all():
        assert lending.worker.department_id == lending.tool.department_id == lending.department_id
        assert timezone.localdate(lending.lent_at) <= lending.due_date or lending.returned_at
        if lending.returned_at:
            assert lending.lent_at < lending.returned_at <= timezone.now()
    # History spread over the weeks, some of it returned late; each lending has its history rows.
    assert returned.filter(lent_at__lt=timezone.now() - timedelta(days=30)).exists()
    assert any(lending.returned_late for lending in returned)
    assert ChangeEvent.objects.filter(entity="lending", action="created").count() == Lending.objects.count()
    # One tool's returned lendings never overlap.
    for tool in Tool.objects.filter(lendings__isnull=False).distinct():
        spans = sorted((lending.lent_at, lending.returned_at or timezone.now()) for lending in tool.lendings.all())
        assert all(earlier[1] <= later[0] for earlier, later in itertools.pairwise(spans))


def test_second_run_creates_nothing_and_keeps_passwords():
    first = printed_passwords(seed())
    before = counts()
    output = seed()
    assert counts() == before
    assert printed_passwords(output) == {}
    assert "tools=0" in output
    admin = User.objects.get(username="demo-admin")
    assert admin.check_password(first["demo-admin"])


def test_with_an_existing_admin_no_demo_admin_is_made(admin_user):
    output = seed("--size", "small")
    assert set(printed_passwords(output)) == {"demo-employee", "demo-user", "demo-participant"}
    assert not User.objects.filter(username="demo-admin").exists()


def test_it_fills_gaps_in_an_existing_department(department):
    # The setup wizard's department ("werkstatt") is reused, not duplicated.
    seed()
    assert Department.objects.filter(code="werkstatt").count() == 1
    assert Tool.objects.filter(department=department).count() == 20


def test_demo_tickets_through_the_services():
    from tickets.models import Ticket

    output = seed()
    assert "tickets=30" in output
    tickets = Ticket.objects.all()
    assert tickets.count() == 30
    assert {t.category for t in tickets} == {"general", "material", "order"}
    assert len({t.status for t in tickets}) >= 4
    assert ChangeEvent.objects.filter(entity="ticket", action="created").count() == 30
    assert Ticket.objects.filter(category="order", work_lines__isnull=False).exists()
    assert all(t.tags.filter(name="demo").exists() for t in tickets)
    seed()
    assert Ticket.objects.count() == 30
