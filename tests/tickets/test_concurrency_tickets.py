"""Concurrent ticket creation on PostgreSQL: unique numbers without gaps (real threads, real transactions)."""

import pytest
from django.db import connection
from django.utils import timezone

from tests.threads import race
from tickets import services
from tickets.models import Ticket

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="runs in the PostgreSQL pass of make test"),
]


def test_thirty_threads_create_tickets_with_unique_gapless_numbers(department, employee):
    count = 30

    def create(i):
        return services.ticket_create(department=department, user=employee, title=f"Gleichzeitig {i}").ticket_number

    results = race(count, create)
    assert all(kind == "ok" for kind, _ in results), results
    numbers = sorted(value for _, value in results)
    prefix = timezone.localdate().strftime("%y%m")
    assert numbers == [f"{prefix}-{n:03d}" for n in range(1, count + 1)]
    assert Ticket.objects.count() == count
    assert len(set(Ticket.objects.values_list("ticket_number", flat=True))) == count


def test_concurrent_creation_in_a_fresh_month_creates_one_counter(department, employee):
    from tickets.models import TicketNumberCounter

    assert not TicketNumberCounter.objects.exists()
    results = race(12, lambda i: services.ticket_create(department=department, user=employee, title="x").pk)
    assert all(kind == "ok" for kind, _ in results), results
    assert TicketNumberCounter.objects.count() == 1
    assert TicketNumberCounter.objects.get().last_number == 12
