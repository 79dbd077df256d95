"""Job offers and applications are made through the services (as the system), so history rows are real."""

import factory

from jobs import services
from jobs.models import Job, JobApplication

from . import DepartmentFactory, UserFactory


class JobFactory(factory.django.DjangoModelFactory):
    """`JobFactory(department=…, status="published")`: a job offer posted by the system."""

    class Meta:
        model = Job

    department = factory.SubFactory(DepartmentFactory)
    title = factory.Sequence(lambda n: f"Stelle {n}")
    description = "Wir suchen Verstärkung für die Werkstatt."
    location = "Halle 2"
    employment_type = Job.EmploymentType.FULL_TIME
    contact_email = "personal@example.org"
    status = Job.Status.PUBLISHED

    @classmethod
    def _create(cls, model_class, *args, department, title, created_by=None, **kwargs):
        return services.job_create(department=department, user=created_by, title=title, **kwargs)


class JobApplicationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = JobApplication

    job = factory.SubFactory(JobFactory)
    applicant = factory.SubFactory(UserFactory)
    message = "Ich interessiere mich für die Stelle."
    phone = ""

    @classmethod
    def _create(cls, model_class, *args, job, applicant, **kwargs):
        return services.application_create(job=job, user=applicant, **kwargs)
