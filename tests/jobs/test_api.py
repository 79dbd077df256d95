"""`/api/jobs…`: envelope, create, PATCH/PUT with ETag/If-Match (412), filters, search, applications."""

import datetime

import pytest
from django.utils import timezone

from jobs.models import Job, JobApplication
from scandy_site.core.models import ChangeEvent
from tests.factories.jobs import JobApplicationFactory, JobFactory

pytestmark = pytest.mark.django_db


def data(response, status=200):
    assert response.status_code == status, response.content
    body = response.json()
    assert body["status"] == "success"
    return body["data"]


def error(response, status, code):
    assert response.status_code == status, response.content
    body = response.json()
    assert (body["status"], body["code"]) == ("error", code)
    return body


NEW_JOB = {
    "title": "Ausbildung Mechatroniker",
    "description": "Drei Jahre Ausbildung in unserer Werkstatt.",
    "location": "Halle 1",
    "employment_type": "apprenticeship",
    "contact_email": "ausbildung@example.org",
}


def test_staff_create_a_draft_with_server_owned_fields(english, employee):
    api = english(employee)
    created = data(api.post("/api/jobs", {**NEW_JOB, "created_by": "someone", "department": "x"}, format="json"), 201)
    assert created["status"] == "draft" and created["is_open"] is False
    assert created["created_by"] == "employee" and created["department"] == "werkstatt"
    assert created["my_application"] is None
    job = Job.objects.get(pk=created["id"])
    event = ChangeEvent.objects.get(object_id=job.pk, entity="job")
    assert event.action == "created" and event.changes["title"] == [None, NEW_JOB["title"]]


def test_invalid_input_is_a_validation_error(english, employee):
    body = error(english(employee).post("/api/jobs", {"title": ""}, format="json"), 400, "VALIDATION_ERROR")
    assert {"title", "description", "employment_type", "contact_email"} <= set(body["errors"])
    bad = {**NEW_JOB, "employment_type": "forever", "contact_email": "nope"}
    body = error(english(employee).post("/api/jobs", bad, format="json"), 400, "VALIDATION_ERROR")
    assert {"employment_type", "contact_email"} <= set(body["errors"])


def test_list_is_an_envelope_page(english, employee, department):
    JobFactory(department=department, title="A")
    JobFactory(department=department, title="B", status="draft")
    page = data(english(employee).get("/api/jobs"))
    assert page["count"] == 2 and {"next", "previous", "results"} <= set(page)
    assert [job["title"] for job in page["results"]] == ["B", "A"]  # newest first


def test_detail_etag_and_stale_if_match(english, employee, department):
    job = JobFactory(department=department, title="Praktikum")
    api = english(employee)
    response = api.get(f"/api/jobs/{job.pk}")
    tag = response["ETag"]
    assert tag and data(response)["title"] == "Praktikum"
    assert api.get(f"/api/jobs/{job.pk}", HTTP_IF_NONE_MATCH=tag).status_code == 304
    changed = api.patch(f"/api/jobs/{job.pk}", {"location": "Halle 3"}, format="json", HTTP_IF_MATCH=tag)
    assert data(changed)["location"] == "Halle 3" and data(changed)["title"] == "Praktikum"
    assert changed["ETag"] != tag
    stale = api.patch(f"/api/jobs/{job.pk}", {"location": "Halle 4"}, format="json", HTTP_IF_MATCH=tag)
    error(stale, 412, "PRECONDITION_FAILED")
    job.refresh_from_db()
    assert job.location == "Halle 3"
    event = ChangeEvent.objects.filter(object_id=job.pk, entity="job", action="updated").get()
    assert event.changes == {"location": ["Halle 2", "Halle 3"]}


def test_put_replaces_the_offer(english, employee, department):
    job = JobFactory(department=department, location="Halle 2", closing_date=datetime.date(2030, 1, 1))
    put = data(english(employee).put(f"/api/jobs/{job.pk}", {**NEW_JOB, "location": ""}, format="json"))
    assert put["location"] == "" and put["closing_date"] is None and put["title"] == NEW_JOB["title"]


def test_filters_and_ordering(english, employee, department):
    JobFactory(department=department, title="Beta", employment_type="internship")
    JobFactory(department=department, title="Alpha", employment_type="mini_job", status="closed")
    api = english(employee)
    assert [j["title"] for j in data(api.get("/api/jobs?employment_type=internship"))["results"]] == ["Beta"]
    assert [j["title"] for j in data(api.get("/api/jobs?status=closed"))["results"]] == ["Alpha"]
    assert [j["title"] for j in data(api.get("/api/jobs?ordering=title"))["results"]] == ["Alpha", "Beta"]
    error(api.get("/api/jobs?status=nonsense"), 400, "VALIDATION_ERROR")


def test_unknown_job_is_404(english, employee):
    error(english(employee).get("/api/jobs/999999"), 404, "NOT_FOUND")
    error(english(employee).get("/api/jobs/abc"), 404, "NOT_FOUND")


# --- applications ------------------------------------------------------------------------------


def test_apply_once(english, participant, department, django_capture_on_commit_callbacks):
    job = JobFactory(department=department)
    api = english(participant)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        created = data(api.post(f"/api/jobs/{job.pk}/applications", {"message": "Hallo", "phone": "0171"},
                                format="json"), 201)  # fmt: skip
    assert callbacks
    assert created["status"] == "received" and created["applicant"] == "teilnehmer" and created["phone"] == "0171"
    again = api.post(f"/api/jobs/{job.pk}/applications", {"message": "Nochmal"}, format="json")
    assert "already applied" in error(again, 409, "CONFLICT")["message"]
    assert JobApplication.objects.filter(job=job).count() == 1
    detail = data(api.get(f"/api/jobs/{job.pk}"))
    assert detail["my_application"]["id"] == created["id"]


def test_the_database_holds_one_application_per_user(participant, department):
    from django.db import IntegrityError, transaction

    application = JobApplicationFactory(job=JobFactory(department=department), applicant=participant)
    with pytest.raises(IntegrityError), transaction.atomic():
        JobApplication.objects.create(job=application.job, applicant=participant, message="x")


def test_message_is_required(english, participant, department):
    job = JobFactory(department=department)
    body = error(english(participant).post(f"/api/jobs/{job.pk}/applications", {}, format="json"), 400,
                 "VALIDATION_ERROR")  # fmt: skip
    assert "message" in body["errors"]


def test_closed_job_and_passed_closing_date_are_refused(english, plain_user, employee, department):
    closed = JobFactory(department=department, status="closed")
    api = english(employee)
    body = error(api.post(f"/api/jobs/{closed.pk}/applications", {"message": "x"}, format="json"), 409,
                 "INVALID_TRANSITION")  # fmt: skip
    assert "not open for applications" in body["message"]
    past = JobFactory(department=department, closing_date=timezone.localdate() - datetime.timedelta(days=1))
    body = error(english(plain_user).post(f"/api/jobs/{past.pk}/applications", {"message": "x"}, format="json"),
                 409, "INVALID_TRANSITION")  # fmt: skip
    assert "closing date" in body["message"]
    assert data(english(plain_user).get(f"/api/jobs/{past.pk}"))["is_open"] is False
    today = JobFactory(department=department, closing_date=timezone.localdate())
    data(english(plain_user).post(f"/api/jobs/{today.pk}/applications", {"message": "x"}, format="json"), 201)
    assert not JobApplication.objects.filter(job__in=[closed, past]).exists()


def test_staff_list_applications_others_see_their_own(english, employee, plain_user, participant, department):
    job = JobFactory(department=department)
    mine = JobApplicationFactory(job=job, applicant=participant)
    JobApplicationFactory(job=job, applicant=plain_user)
    staff = data(english(employee).get(f"/api/jobs/{job.pk}/applications"))
    assert staff["count"] == 2
    own = data(english(participant).get(f"/api/jobs/{job.pk}/applications"))
    assert [a["id"] for a in own["results"]] == [mine.pk]
    other = JobApplication.objects.get(applicant=plain_user)
    error(english(participant).get(f"/api/jobs/{job.pk}/applications/{other.pk}"), 404, "NOT_FOUND")


def test_staff_set_the_status_applicant_sees_it(english, employee, participant, department):
    job = JobFactory(department=department)
    application = JobApplicationFactory(job=job, applicant=participant)
    url = f"/api/jobs/{job.pk}/applications/{application.pk}"
    error(english(participant).patch(url, {"status": "accepted"}, format="json"), 403, "PERMISSION_DENIED")
    error(english(employee).patch(url, {"status": "hired"}, format="json"), 400, "VALIDATION_ERROR")
    changed = english(employee).patch(url, {"status": "invited"}, format="json")
    assert data(changed)["status"] == "invited"
    assert data(english(participant).get(url))["status"] == "invited"


def test_withdraw_own_application(english, employee, participant, plain_user, department):
    job = JobFactory(department=department)
    application = JobApplicationFactory(job=job, applicant=participant)
    url = f"/api/jobs/{job.pk}/applications/{application.pk}"
    error(english(employee).delete(url), 403, "PERMISSION_DENIED")
    error(english(plain_user).delete(url), 404, "NOT_FOUND")
    assert english(participant).delete(url).status_code == 204
    assert not JobApplication.objects.filter(pk=application.pk).exists()
    decided = JobApplicationFactory(job=job, applicant=plain_user)
    english(employee).patch(f"/api/jobs/{job.pk}/applications/{decided.pk}", {"status": "rejected"}, format="json")
    error(english(plain_user).delete(f"/api/jobs/{job.pk}/applications/{decided.pk}"), 409, "INVALID_TRANSITION")


def test_new_application_mails_the_contact(participant, department, django_capture_on_commit_callbacks, settings,
                                           mailoutbox):  # fmt: skip
    from jobs.tasks import send_job_mail

    settings.SITE_URL = "https://scandy.example.org"
    job = JobFactory(department=department, title="Lagerhelfer", contact_email="chefin@example.org")
    application = JobApplicationFactory(job=job, applicant=participant, message="Ich kann anpacken.")
    assert send_job_mail("new_application", application.pk) == 1
    (mail,) = mailoutbox
    assert mail.to == ["chefin@example.org"] and "Lagerhelfer" in mail.subject
    assert "Ich kann anpacken." in mail.body and f"/jobs/{job.pk}/applications/" in mail.body
