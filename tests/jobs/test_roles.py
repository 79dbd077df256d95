"""The role matrix for jobs (CONTRACT section 4): staff post and manage offers, everyone signed in sees the
published ones and applies; department scoping."""

import pytest

from jobs.models import Job
from scandy_site.accounts.roles import Role
from tests.factories import UserFactory
from tests.factories.jobs import JobApplicationFactory, JobFactory

pytestmark = pytest.mark.django_db

NEW_JOB = {"title": "Praktikum", "description": "Vier Wochen.", "employment_type": "internship",
           "contact_email": "p@example.org"}  # fmt: skip


@pytest.fixture
def users(admin_user, employee, plain_user, participant):
    return {Role.ADMIN: admin_user, Role.EMPLOYEE: employee, Role.USER: plain_user, Role.PARTICIPANT: participant}


@pytest.mark.parametrize(("role", "allowed"), [(Role.ADMIN, True), (Role.EMPLOYEE, True), (Role.USER, False),
                                               (Role.PARTICIPANT, False)])  # fmt: skip
def test_who_may_post(api_for, users, department, role, allowed):
    response = api_for(users[role], department).post("/api/jobs", NEW_JOB, format="json")
    if allowed:
        assert response.status_code == 201, response.content
    else:
        assert response.status_code == 403
        assert response.json()["code"] == "PERMISSION_DENIED"
    assert Job.objects.exists() is allowed


@pytest.mark.parametrize("role", [Role.USER, Role.PARTICIPANT])
def test_non_staff_may_not_change_offers(api_for, users, department, role):
    job = JobFactory(department=department, title="Alt")
    api = api_for(users[role])
    assert api.patch(f"/api/jobs/{job.pk}", {"title": "Neu"}, format="json").status_code == 403
    assert api.put(f"/api/jobs/{job.pk}", NEW_JOB, format="json").status_code == 403
    assert api.get(f"/api/jobs/{job.pk}/history").status_code == 403
    job.refresh_from_db()
    assert job.title == "Alt"


def test_the_service_refuses_non_staff_too(participant, department):
    from jobs import services
    from scandy_site.core.errors import ApplicationError

    with pytest.raises(ApplicationError) as caught:
        services.job_create(department=department, user=participant, **NEW_JOB)
    assert caught.value.code == "PERMISSION_DENIED"


@pytest.mark.parametrize("role", list(Role))
def test_everyone_sees_published_staff_also_drafts_and_closed(api_for, users, department, role):
    for status in ("draft", "published", "closed"):
        JobFactory(department=department, title=status, status=status)
    titles = {job["title"] for job in api_for(users[role]).get("/api/jobs").json()["data"]["results"]}
    staff = role in (Role.ADMIN, Role.EMPLOYEE)
    assert titles == ({"draft", "published", "closed"} if staff else {"published"})


@pytest.mark.parametrize("role", [Role.USER, Role.PARTICIPANT])
def test_drafts_are_404_for_non_staff(api_for, users, department, role):
    draft = JobFactory(department=department, status="draft")
    api = api_for(users[role])
    assert api.get(f"/api/jobs/{draft.pk}").json()["code"] == "NOT_FOUND"
    response = api.post(f"/api/jobs/{draft.pk}/applications", {"message": "x"}, format="json")
    assert response.status_code == 404


@pytest.mark.parametrize("role", list(Role))
def test_everyone_may_apply(api_for, users, department, role):
    job = JobFactory(department=department)
    response = api_for(users[role]).post(f"/api/jobs/{job.pk}/applications", {"message": "Hallo"}, format="json")
    assert response.status_code == 201, response.content


def test_anonymous_gets_401(client, department):
    job = JobFactory(department=department)
    for url in ("/api/jobs", f"/api/jobs/{job.pk}", f"/api/jobs/{job.pk}/applications"):
        response = client.get(url)
        assert response.status_code == 401 and response.json()["code"] == "NOT_AUTHENTICATED", url


def test_department_scoping(api_for, employee, participant, department, other_department):
    here = JobFactory(department=department, title="Hier")
    there = JobFactory(department=other_department, title="Dort")
    for user in (employee, participant):
        api = api_for(user)
        assert [j["title"] for j in api.get("/api/jobs").json()["data"]["results"]] == ["Hier"]
        assert api.get(f"/api/jobs/{there.pk}").status_code == 404
        assert api.post(f"/api/jobs/{there.pk}/applications", {"message": "x"}, format="json").status_code == 404
        assert api.get(f"/api/jobs/{here.pk}").status_code == 200
    assert api_for(employee).patch(f"/api/jobs/{there.pk}", {"title": "x"}, format="json").status_code == 404


def test_department_header_and_all_for_admins(api_for, admin_user, employee, department, other_department):
    both = UserFactory(role=Role.EMPLOYEE, username="beide", default_department=department,
                       allowed=[department, other_department])  # fmt: skip
    JobFactory(department=department, title="Hier")
    JobFactory(department=other_department, title="Dort")
    titles = [j["title"] for j in api_for(both, other_department).get("/api/jobs").json()["data"]["results"]]
    assert titles == ["Dort"]
    created = api_for(both, other_department).post("/api/jobs", NEW_JOB, format="json").json()["data"]
    assert created["department"] == other_department.code
    everything = api_for(admin_user).get("/api/jobs?department=all").json()["data"]["results"]
    assert {j["title"] for j in everything} >= {"Hier", "Dort"}
    refused = api_for(admin_user).post("/api/jobs?department=all", NEW_JOB, format="json")
    assert refused.status_code == 400 and refused.json()["code"] == "VALIDATION_ERROR"


def test_staff_of_another_department_do_not_see_its_applications(api_for, participant, department, other_department):
    job = JobFactory(department=department)
    JobApplicationFactory(job=job, applicant=participant)
    outsider = UserFactory(role=Role.EMPLOYEE, default_department=other_department)
    assert api_for(outsider).get(f"/api/jobs/{job.pk}/applications").status_code == 404
