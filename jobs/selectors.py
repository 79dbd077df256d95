"""Reads of the job board. Pages and the API use the same functions, so both see the same rows.

Visibility: the jobs of the current department (None = every department, which only administrators can
choose); staff (`jobs.manage`) see drafts and closed offers too, everyone else only published ones.
Applications: staff see every application to a job they see, everyone else only their own."""

from django.contrib.contenttypes.models import ContentType
from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db import connection
from django.db.models import Count, Prefetch, Q
from django.utils.translation import gettext as _

from scandy_site.core.errors import ApplicationError
from scandy_site.core.models import ChangeEvent

from .models import Job, JobApplication

SEARCH_FIELDS = ("title", "description", "location")
# PostgreSQL text search configuration: German stemming ("Elektronikerin" finds "Elektroniker").
SEARCH_CONFIG = "german"
MAX_SEARCH_LENGTH = 200


def _int_or_none(value) -> int | None:
    try:
        number = int(str(value))
    except ValueError:
        return None
    return number if 0 < number < 2**62 else None


def _words(search: str) -> list[str]:
    return (search or "").replace("\x00", "")[:MAX_SEARCH_LENGTH].split()


def _every_word(words: list[str]) -> Q:
    """Each word somewhere in title, description or location (case-insensitive)."""
    rule = Q()
    for word in words:
        any_field = Q()
        for field in SEARCH_FIELDS:
            any_field |= Q(**{f"{field}__icontains": word})
        rule &= any_field
    return rule


def job_search(queryset, search: str):
    """Full-text search over title, description and location, best matches first.

    PostgreSQL: a weighted `SearchVector` (title before description before location) with German stemming,
    ranked by `SearchRank`; a job whose fields contain every word as typed (a word's beginning, say) matches
    as well, so the search box finds on PostgreSQL what it finds elsewhere. Other databases: every word,
    case-insensitive, in any of the three fields, newest first."""
    words = _words(search)
    if not words:
        return queryset
    if connection.vendor != "postgresql":
        return queryset.filter(_every_word(words)).order_by("-created_at", "-id")
    vector = (
        SearchVector("title", weight="A", config=SEARCH_CONFIG)
        + SearchVector("description", weight="B", config=SEARCH_CONFIG)
        + SearchVector("location", weight="C", config=SEARCH_CONFIG)
    )
    query = SearchQuery(" ".join(words), config=SEARCH_CONFIG, search_type="plain")
    return (
        queryset.annotate(search_vector=vector, search_rank=SearchRank(vector, query))
        .filter(Q(search_vector=query) | _every_word(words))
        .order_by("-search_rank", "-created_at", "-id")
    )


def _scope_rule(user, department) -> Q:
    if department is not None:
        return Q(department=department)
    if user.can("departments.all"):
        return Q(pk__isnull=False)
    return Q(department__in=user.departments.filter(active=True))


def job_list(*, user, department, search: str = ""):
    """Every job `user` may see in this scope, newest first (with `search`: best match first). Each job carries
    `my_applications` (the user's own application, as a list of at most one) and `application_count`."""
    rule = _scope_rule(user, department)
    if not user.can("jobs.manage"):
        rule &= Q(status=Job.Status.PUBLISHED)
    mine = JobApplication.objects.filter(applicant=user)
    queryset = (
        Job.objects.select_related("department", "created_by")
        .filter(rule)
        .annotate(application_count=Count("applications"))
        .prefetch_related(Prefetch("applications", queryset=mine, to_attr="my_applications"))
        .order_by("-created_at", "-id")
    )
    return job_search(queryset, search)


def job_get(*, user, department, pk) -> Job:
    number = _int_or_none(pk)
    job = job_list(user=user, department=department).filter(pk=number).first() if number else None
    if job is None:
        raise ApplicationError("NOT_FOUND", _("No such job offer."))
    return job


def my_application(job) -> JobApplication | None:
    """The user's own application to a job from `job_list` (no query)."""
    mine = getattr(job, "my_applications", None)
    return mine[0] if mine else None


def job_applications(*, job, user):
    """The applications to `job` the user may see: all of them for staff, otherwise their own."""
    queryset = JobApplication.objects.filter(job=job).select_related("applicant", "job").order_by("created_at", "id")
    if not user.can("jobs.manage"):
        queryset = queryset.filter(applicant=user)
    return queryset


def application_get(*, job, user, pk) -> JobApplication:
    number = _int_or_none(pk)
    application = job_applications(job=job, user=user).filter(pk=number).first() if number else None
    if application is None:
        raise ApplicationError("NOT_FOUND", _("No such application."))
    return application


def job_history(*, job, limit: int | None = None):
    qs = (
        ChangeEvent.objects.filter(content_type=ContentType.objects.get_for_model(Job), object_id=job.pk)
        .select_related("user")
        .order_by("-id")
    )
    return qs[:limit] if limit else qs
