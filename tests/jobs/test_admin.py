"""The back office shows job offers with their applications and history, to staff of their departments."""

import pytest

from tests.factories.jobs import JobApplicationFactory, JobFactory

pytestmark = pytest.mark.django_db


def test_staff_see_offers_with_applications(page_client_for, employee, participant, department, other_department):
    job = JobFactory(department=department, title="Lagerhelfer")
    JobFactory(department=other_department, title="Anderswo")
    JobApplicationFactory(job=job, applicant=participant, message="Ich packe an.")
    client = page_client_for(employee)
    html = client.get("/admin/jobs/job/").content.decode()
    assert "Lagerhelfer" in html and "Anderswo" not in html
    detail = client.get(f"/admin/jobs/job/{job.pk}/change/").content.decode()
    assert "Ich packe an." in detail
    assert client.get("/admin/jobs/job/add/").status_code == 403


def test_participants_have_no_back_office(page_client_for, participant, department):
    JobFactory(department=department)
    assert page_client_for(participant).get("/admin/jobs/job/").status_code in (302, 403)
