"""One filter set for `GET /api/jobs` and the job list page."""

import django_filters

from .models import Job


class JobFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=Job.Status.choices)
    employment_type = django_filters.MultipleChoiceFilter(choices=Job.EmploymentType.choices)

    class Meta:
        model = Job
        fields = ["status", "employment_type"]
