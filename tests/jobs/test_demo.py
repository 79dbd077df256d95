"""`seed_demo` brings job offers in every department, made through the services, and one application."""

import io

import pytest
from django.core.management import call_command

from jobs.models import Job, JobApplication
from scandy_site.core.models import ChangeEvent

pytestmark = pytest.mark.django_db


def seed() -> str:
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def test_demo_job_offers_and_a_second_run_adds_none(admin_user):
    assert "jobs=6" in seed()  # two departments, three offers each
    assert sorted(Job.objects.values_list("status", flat=True)) == ["draft"] * 2 + ["published"] * 4
    assert set(Job.objects.values_list("department__code", flat=True)) == {"werkstatt", "elektro"}
    assert all(job.created_by.username == "demo-employee" for job in Job.objects.select_related("created_by"))
    application = JobApplication.objects.select_related("job", "applicant").get()
    assert application.applicant.username == "demo-participant" and application.job.status == "published"
    assert ChangeEvent.objects.filter(entity="job", action="created").count() == 6
    assert "jobs=0" in seed()
    assert (Job.objects.count(), JobApplication.objects.count()) == (6, 1)
