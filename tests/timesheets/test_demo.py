"""`seed_demo` brings weekly reports for the demo users, made through the services, in every status."""

import io

import pytest
from django.core.management import call_command

from scandy_site.core.models import ChangeEvent
from timesheets.models import Timesheet

pytestmark = pytest.mark.django_db


def seed() -> str:
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def test_demo_weeks_in_every_status_and_a_second_run_adds_none(admin_user):
    output = seed()
    assert "timesheets=15" in output  # three demo users, five weeks each
    reports = Timesheet.objects.select_related("user")
    by_user = {}
    for report in reports:
        by_user.setdefault(report.user.username, set()).add(report.status)
    assert by_user["demo-user"] == {"approved", "rejected", "submitted", "draft"}
    assert by_user["demo-participant"] == {"approved", "rejected", "submitted", "draft"}
    assert by_user["demo-employee"] == {"approved", "rejected", "submitted", "draft"}  # decided by the admin
    employee_week = reports.filter(user__username="demo-employee", status="approved").first()
    assert employee_week.approved_by == admin_user
    assert all(r.total_minutes > 0 for r in reports)
    assert reports.filter(user__username="demo-participant", entries__activity="Berufsschule").exists()
    assert ChangeEvent.objects.filter(entity="timesheet", action="created").count() == 15
    assert "timesheets=0" in seed()
    assert Timesheet.objects.count() == 15
