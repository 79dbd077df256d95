"""Ticket numbers `YYMM-NNN`: per month, unique, without gaps."""

import datetime
import re

import pytest
from django.db import transaction
from django.utils import timezone

from tests.factories.tickets import TicketFactory
from tickets import services
from tickets.models import Ticket

pytestmark = pytest.mark.django_db


def test_numbers_count_up_within_the_month(department):
    numbers = [TicketFactory(department=department).ticket_number for _ in range(3)]
    prefix = timezone.localdate().strftime("%y%m")
    assert numbers == [f"{prefix}-001", f"{prefix}-002", f"{prefix}-003"]
    assert all(re.fullmatch(r"\d{4}-\d{3}", number) for number in numbers)


def test_a_new_month_starts_at_one():
    november = timezone.make_aware(datetime.datetime(2026, 11, 30, 23, 0))
    december = timezone.make_aware(datetime.datetime(2026, 12, 1, 0, 30))
    assert services.next_ticket_number(november) == "2611-001"
    assert services.next_ticket_number(november) == "2611-002"
    assert services.next_ticket_number(december) == "2612-001"
    assert services.next_ticket_number(november) == "2611-003"


def test_more_than_999_tickets_keep_counting():
    from tickets.models import TicketNumberCounter

    TicketNumberCounter.objects.create(period="2611", last_number=999)
    moment = timezone.make_aware(datetime.datetime(2026, 11, 5, 12, 0))
    assert services.next_ticket_number(moment) == "2611-1000"


def test_a_failed_creation_leaves_no_gap(department):
    first = TicketFactory(department=department).ticket_number
    with pytest.raises(RuntimeError), transaction.atomic():
        TicketFactory(department=department)
        raise RuntimeError("rolled back after the number was taken")
    second = TicketFactory(department=department).ticket_number
    assert int(second[-3:]) == int(first[-3:]) + 1
    assert Ticket.objects.count() == 2


def test_the_database_refuses_a_duplicate_number(department):
    from django.db import IntegrityError

    ticket = TicketFactory(department=department)
    duplicate = Ticket(ticket_number=ticket.ticket_number, title="x", department=department)
    with pytest.raises(IntegrityError), transaction.atomic():
        duplicate.save()
