"""ENABLE_JOB_BOARD (default off): off, no menu entry, no dashboard card, every job URL (pages and API) answers
404; on, the menu entry and the card link the job list."""

import pytest

from tests.factories.jobs import JobApplicationFactory, JobFactory

pytestmark = pytest.mark.django_db


def test_enabled_shows_the_menu_entry_and_card(page_client_for, participant):
    html = page_client_for(participant).get("/").content.decode()
    assert 'data-nav="jobs"' in html
    assert html.count('href="/jobs/"') >= 2  # menu and dashboard card


def test_disabled_hides_everything(settings, page_client_for, api_for, employee, participant, department):
    job = JobFactory(department=department)
    application = JobApplicationFactory(job=job, applicant=participant)
    settings.ENABLE_JOB_BOARD = False
    pages = page_client_for(employee)
    home = pages.get("/").content.decode()
    assert 'data-nav="jobs"' not in home and 'href="/jobs/"' not in home
    for url in ("/jobs/", "/jobs/new/", f"/jobs/{job.pk}/", f"/jobs/{job.pk}/edit/", f"/jobs/{job.pk}/applications/"):
        assert pages.get(url).status_code == 404, url
    for url in (f"/jobs/{job.pk}/apply/", f"/jobs/{job.pk}/withdraw/", "/jobs/new/"):
        assert pages.post(url, {"message": "x", "title": "x"}).status_code == 404, url
    api = api_for(employee)
    for url in ("/api/jobs", f"/api/jobs/{job.pk}", f"/api/jobs/{job.pk}/applications",
                f"/api/jobs/{job.pk}/applications/{application.pk}"):  # fmt: skip
        response = api.get(url)
        assert response.status_code == 404, url
        assert response.json()["code"] == "NOT_FOUND"
    assert api.post("/api/jobs", {"title": "x"}, format="json").status_code == 404
    assert api.patch(f"/api/jobs/{job.pk}", {"title": "x"}, format="json").status_code == 404
    assert api_for(participant).delete(f"/api/jobs/{job.pk}/applications/{application.pk}").status_code == 404
    job.refresh_from_db()
    assert job.title != "x" and job.applications.count() == 1


def test_events_of_jobs_follow_the_flag(settings, api_for, employee, participant, department):
    JobFactory(department=department, title="Veröffentlicht")
    JobFactory(department=department, title="Entwurf", status="draft")

    def job_events(user):
        rows = api_for(user).get("/api/events?since=0").json()["data"]
        rows = rows["results"] if isinstance(rows, dict) else rows
        return [row for row in rows if row["type"].startswith("job.")]

    assert len(job_events(employee)) == 2
    assert len(job_events(participant)) == 1  # drafts are for staff
    settings.ENABLE_JOB_BOARD = False
    assert job_events(employee) == []
