"""Applications racing on PostgreSQL (real threads, real transactions): one application per person and offer
however many requests arrive at once, and none slips in after the offer was closed."""

import pytest
from django.db import connection

from jobs import services
from jobs.models import Job, JobApplication
from scandy_site.accounts.roles import Role
from tests.factories import UserFactory
from tests.factories.jobs import JobFactory
from tests.threads import race

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="runs in the PostgreSQL pass of make test"),
]


def test_six_requests_of_one_person_make_one_application(department, participant):
    job = JobFactory(department=department)
    results = race(6, lambda i: services.application_create(job=job, user=participant, message=f"Versuch {i}").pk)
    assert sorted(kind for kind, _value in results) == ["error"] * 5 + ["ok"], results
    assert {value for kind, value in results if kind == "error"} == {"CONFLICT"}
    assert JobApplication.objects.filter(job=job).count() == 1


def test_closing_and_applying_at_once(department, employee):
    job = JobFactory(department=department)
    applicants = [UserFactory(role=Role.PARTICIPANT, default_department=department) for _ in range(5)]

    def act(i):
        if i == 0:
            return services.job_update(job=job, user=employee, status=Job.Status.CLOSED).status
        return services.application_create(job=job, user=applicants[i - 1], message="Hallo").pk

    results = race(6, act)
    assert results[0] == ("ok", "closed")
    assert all(kind in ("ok", "error") for kind, _value in results), results
    refused = [value for kind, value in results[1:] if kind == "error"]
    assert set(refused) <= {"INVALID_TRANSITION"}
    # Every application that got in was committed before the close took the offer's row lock.
    assert JobApplication.objects.filter(job=job).count() == 5 - len(refused)
