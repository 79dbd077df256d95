"""Job pages: list with search and filters, detail with the apply form, create/edit for staff, the applications
of an offer for staff. German by default; English where a test reads the texts."""

import datetime

import pytest
from django.core import mail
from django.utils import formats, timezone, translation

from jobs.models import Job, JobApplication
from tests.factories.jobs import JobApplicationFactory, JobFactory

pytestmark = pytest.mark.django_db


def test_list_in_german_by_default(page_client_for, participant, department):
    JobFactory(department=department, title="Lagerhelfer", employment_type="mini_job")
    JobFactory(department=department, title="Geheim", status="draft")
    html = page_client_for(participant).get("/jobs/").content.decode()
    assert "Lagerhelfer" in html and "Minijob" in html and "Geheim" not in html
    assert "Suche: Titel, Beschreibung, Arbeitsort" in html
    assert "Neues Stellenangebot" not in html  # participants post nothing


def test_list_search_and_filters(english_client_for, employee, department):
    JobFactory(department=department, title="Lagerhelfer", description="Kommissionierung", employment_type="mini_job")
    JobFactory(department=department, title="Bürokraft", location="Berlin", employment_type="part_time")
    JobFactory(department=department, title="Alter Entwurf", status="draft")
    client = english_client_for(employee)
    html = client.get("/jobs/").content.decode()
    assert "3 job offers" in html and "New job offer" in html and "Draft" in html
    html = client.get("/jobs/", {"q": "kommissionierung"}).content.decode()
    assert "Lagerhelfer" in html and "Bürokraft" not in html and "1 job offer" in html
    html = client.get("/jobs/", {"employment_type": "part_time"}).content.decode()
    assert "Bürokraft" in html and "Lagerhelfer" not in html
    html = client.get("/jobs/", {"status": "draft", "ordering": "title"}).content.decode()
    assert "Alter Entwurf" in html and "Lagerhelfer" not in html
    html = client.get("/jobs/", {"q": "nichts dergleichen"}).content.decode()
    assert "No job offer matches." in html
    partial = client.get("/jobs/", {"q": "berlin"}, HTTP_HX_REQUEST="true").content.decode()
    assert "Bürokraft" in partial and "<html" not in partial


def test_list_query_count_is_pinned(page_client_for, employee, participant, department, django_assert_max_num_queries):
    for n in range(12):
        job = JobFactory(department=department, title=f"Stelle {n}")
        JobApplicationFactory(job=job, applicant=participant)
    client = page_client_for(employee)
    client.get("/jobs/")
    with django_assert_max_num_queries(14):
        assert client.get("/jobs/").status_code == 200


def test_apply_on_the_detail_page(
    english_client_for, participant, department, q_sync, django_capture_on_commit_callbacks
):
    job = JobFactory(department=department, title="Praktikum Holz", contact_email="holz@example.org")
    client = english_client_for(participant)
    html = client.get(f"/jobs/{job.pk}/").content.decode()
    assert "Praktikum Holz" in html and "Apply now" in html and 'data-testid="apply-form"' in html
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/jobs/{job.pk}/apply/", {"message": "Ich mag Holz.", "phone": "0171 123"})
    assert response.status_code == 302
    application = JobApplication.objects.get(job=job, applicant=participant)
    assert application.message == "Ich mag Holz." and application.phone == "0171 123"
    (sent,) = mail.outbox  # the django-q2 task ran synchronously in the tests
    assert sent.to == ["holz@example.org"] and "Ich mag Holz." in sent.body
    html = client.get(f"/jobs/{job.pk}/").content.decode()
    with translation.override("en"):
        day = formats.date_format(timezone.localtime(application.created_at).date(), "DATE_FORMAT")
    assert f"You applied on {day}." in html and 'data-testid="apply-form"' not in html
    again = client.post(f"/jobs/{job.pk}/apply/", {"message": "Nochmal"}, follow=True)
    assert "You have already applied for this job." in again.content.decode()
    assert client.post(f"/jobs/{job.pk}/apply/", {"message": ""}).status_code == 400
    assert client.post(f"/jobs/{job.pk}/withdraw/").status_code == 302
    assert not JobApplication.objects.filter(job=job).exists()


def test_apply_in_german(page_client_for, participant, department):
    job = JobFactory(department=department, closing_date=timezone.localdate() - datetime.timedelta(days=1))
    client = page_client_for(participant)
    html = client.get(f"/jobs/{job.pk}/").content.decode()
    assert "Die Bewerbungsfrist ist abgelaufen" in html and "Jetzt bewerben" not in html
    refused = client.post(f"/jobs/{job.pk}/apply/", {"message": "Hallo"}, follow=True)
    assert "Die Bewerbungsfrist dieses Stellenangebots" in refused.content.decode()
    assert not JobApplication.objects.exists()


def test_closed_offer_takes_no_applications(english_client_for, employee, plain_user, department):
    job = JobFactory(department=department, status="closed")
    assert english_client_for(plain_user).get(f"/jobs/{job.pk}/").status_code == 404
    html = english_client_for(employee).get(f"/jobs/{job.pk}/").content.decode()
    assert "This job offer is not open for applications." in html


def test_staff_create_and_edit(english_client_for, employee, department):
    client = english_client_for(employee)
    html = client.get("/jobs/new/").content.decode()
    assert "New job offer" in html and "employee@example.org" in html
    response = client.post("/jobs/new/", {
        "title": "Ausbildung Tischler", "description": "Drei Jahre.", "location": "Werkstatt",
        "employment_type": "apprenticeship", "contact_email": "t@example.org", "closing_date": "",
        "status": "published",
    })  # fmt: skip
    job = Job.objects.get(title="Ausbildung Tischler")
    assert response.status_code == 302 and response["Location"] == f"/jobs/{job.pk}/"
    assert job.created_by == employee and job.department == department and job.status == "published"
    html = client.get(f"/jobs/{job.pk}/edit/").content.decode()
    assert "Edit job offer" in html and "Ausbildung Tischler" in html
    invalid = client.post(f"/jobs/{job.pk}/edit/", {"title": "", "employment_type": "apprenticeship"})
    assert invalid.status_code == 200 and "Please check the marked fields." in invalid.content.decode()
    client.post(f"/jobs/{job.pk}/edit/", {
        "title": "Ausbildung Tischler (m/w/d)", "description": "Drei Jahre.", "location": "Werkstatt",
        "employment_type": "apprenticeship", "contact_email": "t@example.org", "status": "closed",
    })  # fmt: skip
    job.refresh_from_db()
    assert job.title == "Ausbildung Tischler (m/w/d)" and job.status == "closed"
    html = client.get(f"/jobs/{job.pk}/").content.decode()
    assert "History" in html


@pytest.mark.parametrize("who", ["plain_user", "participant"])
def test_non_staff_pages_are_403(request, page_client_for, department, who):
    job = JobFactory(department=department)
    client = page_client_for(request.getfixturevalue(who))
    assert client.get("/jobs/new/").status_code == 403
    assert client.post("/jobs/new/", {"title": "x"}).status_code == 403
    assert client.get(f"/jobs/{job.pk}/edit/").status_code == 403
    assert client.get(f"/jobs/{job.pk}/applications/").status_code == 403
    html = client.get(f"/jobs/{job.pk}/").content.decode()
    assert 'data-testid="applications-link"' not in html and "Verlauf" not in html


def test_staff_see_and_decide_on_applications(english_client_for, employee, participant, department):
    participant.first_name, participant.last_name = "Tina", "Teil"
    participant.save()
    job = JobFactory(department=department, title="Lager")
    application = JobApplicationFactory(job=job, applicant=participant, message="Ich packe an.", phone="0151")
    client = english_client_for(employee)
    html = client.get(f"/jobs/{job.pk}/applications/").content.decode()
    assert "Tina Teil" in html and "Ich packe an." in html and "0151" in html
    response = client.post(f"/jobs/{job.pk}/applications/{application.pk}/status/", {"status": "invited"})
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == "invited"
    html = english_client_for(participant).get(f"/jobs/{job.pk}/").content.decode()
    assert "Invited" in html


def test_anonymous_is_sent_to_login(client, department):
    job = JobFactory(department=department)
    for url in ("/jobs/", f"/jobs/{job.pk}/"):
        response = client.get(url)
        assert response.status_code == 302 and "login" in response["Location"], url
