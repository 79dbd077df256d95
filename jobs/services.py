"""Writes to the job board. Each public function is one user action in one transaction: it checks the caller's
right (roles.py), locks the row it changes, validates, writes a history row and queues the mail it causes for
after the commit (django-q2 task).

`user=None` is the system (demo data, management commands): no rights are checked, the rules still are."""

from django.db import IntegrityError, transaction
from django.utils import formats
from django.utils.translation import gettext as _

from scandy_site.core.errors import ApplicationError
from scandy_site.core.history import diff, record_change, snapshot
from scandy_site.core.queue import queue_after_commit
from scandy_site.core.validation import clean_or_raise, reject_unknown_fields

from .models import Job, JobApplication

JOB_FIELDS = ("title", "description", "location", "employment_type", "contact_email", "closing_date", "status")
MAX_MESSAGE_LENGTH = 5000


def _deny(message=None) -> ApplicationError:
    return ApplicationError("PERMISSION_DENIED", message or _("You may not do this."))


def _require(user, capability: str, message) -> None:
    if user is not None and not user.can(capability):
        raise _deny(message)


def _actor(user):
    return user if getattr(user, "is_authenticated", False) else None


def _clean_text(value) -> str:
    return value.strip() if isinstance(value, str) else value


# --- job offers --------------------------------------------------------------------------------


@transaction.atomic
def job_create(*, department, user, title: str, **fields) -> Job:
    reject_unknown_fields(fields, JOB_FIELDS)
    _require(user, "jobs.manage", _("Only staff may post job offers."))
    if department is None:
        raise ApplicationError(
            "VALIDATION_ERROR", _("Choose one department to post the job offer in."),
            errors={"department": [_("required")]},
        )  # fmt: skip
    job = Job(department=department, created_by=_actor(user), title=_clean_text(title or ""),
              **{name: _clean_text(value) for name, value in fields.items()})  # fmt: skip
    clean_or_raise(job)
    job.save()
    record_change(job, action="created", user=user, changes=diff({}, snapshot(job, JOB_FIELDS)))
    return job


@transaction.atomic
def job_update(*, job: Job, user, **fields) -> Job:
    reject_unknown_fields(fields, JOB_FIELDS)
    _require(user, "jobs.manage", _("Only staff may change job offers."))
    job = Job.objects.select_for_update().get(pk=job.pk)
    before = snapshot(job, JOB_FIELDS)
    for name, value in fields.items():
        setattr(job, name, _clean_text(value))
    changes = diff(before, snapshot(job, JOB_FIELDS))
    if not changes:
        return job
    clean_or_raise(job)
    job.save(update_fields=[*changes.keys(), "updated_at"])
    record_change(job, action="updated", user=user, changes=changes)
    return job


# --- applications ------------------------------------------------------------------------------


def _check_open(job: Job) -> None:
    if job.status != Job.Status.PUBLISHED:
        raise ApplicationError("INVALID_TRANSITION", _("This job offer is not open for applications."))
    if job.closing_passed():
        closing = formats.date_format(job.closing_date, "SHORT_DATE_FORMAT")
        raise ApplicationError(
            "INVALID_TRANSITION",
            _("The closing date of this job offer (%(date)s) has passed; applications are no longer taken.")
            % {"date": closing},
        )


@transaction.atomic
def application_create(*, job: Job, user, message: str, phone: str = "") -> JobApplication:
    _require(user, "jobs.apply", _("You may not apply for jobs."))
    job = Job.objects.select_for_update().get(pk=job.pk)  # a job closed meanwhile takes no more applications
    _check_open(job)
    application = JobApplication(job=job, applicant=user, message=_clean_text(message or ""),
                                 phone=_clean_text(phone or ""))  # fmt: skip
    clean_or_raise(application, exclude=["job", "applicant"])
    duplicate = ApplicationError("CONFLICT", _("You have already applied for this job."))
    if JobApplication.objects.filter(job=job, applicant=user).exists():
        raise duplicate
    try:
        with transaction.atomic():
            application.save(force_insert=True)
    except IntegrityError as exc:  # the same user's second request raced the first one
        raise duplicate from exc
    record_change(application, action="created", user=user,
                  changes={"job": [None, job.title], "status": [None, application.status]})  # fmt: skip
    queue_after_commit("jobs.tasks.send_job_mail", "new_application", application.pk)
    return application


@transaction.atomic
def application_set_status(*, application: JobApplication, user, status: str) -> JobApplication:
    _require(user, "jobs.manage", _("Only staff may decide on applications."))
    if status not in JobApplication.Status.values:
        message = _("Unknown status “%(status)s”.") % {"status": status}
        raise ApplicationError("VALIDATION_ERROR", message, errors={"status": [message]})
    application = JobApplication.objects.select_for_update().get(pk=application.pk)
    if application.status == status:
        return application
    before = application.status
    application.status = status
    application.save(update_fields=["status", "updated_at"])
    record_change(application, action="updated", user=user, changes={"status": [before, status]})
    return application


@transaction.atomic
def application_withdraw(*, application: JobApplication, user) -> None:
    """The applicant takes back their own application (while it is received or invited)."""
    application = JobApplication.objects.select_for_update().get(pk=application.pk)
    if user is not None and application.applicant_id != user.pk:
        raise _deny(_("Only the applicant may withdraw an application."))
    if not application.can_withdraw:
        raise ApplicationError(
            "INVALID_TRANSITION",
            _("An application that was %(status)s cannot be withdrawn.") % {"status": application.get_status_display()},
        )
    record_change(application, action="deleted", user=user, note=str(application))
    application.delete()
