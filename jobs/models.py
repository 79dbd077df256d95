"""The job board: job offers (Stellenangebote) of a department and the applications (Bewerbungen) to them.

What the database itself guarantees (besides what the services check first):
- a known status and employment type for every job, a known status for every application;
- one application per user and job (`job_application_one_per_user`): a second one fails even when two
  requests race.
"""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Job(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        PUBLISHED = "published", _("published")
        CLOSED = "closed", _("closed")

    class EmploymentType(models.TextChoices):
        FULL_TIME = "full_time", _("full-time")
        PART_TIME = "part_time", _("part-time")
        INTERNSHIP = "internship", _("internship")
        APPRENTICESHIP = "apprenticeship", _("apprenticeship")
        MINI_JOB = "mini_job", _("mini job")

    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"))
    location = models.CharField(_("place of work"), max_length=200, blank=True)
    employment_type = models.CharField(
        _("employment type"), max_length=20, choices=EmploymentType.choices, default=EmploymentType.FULL_TIME
    )
    contact_email = models.EmailField(_("contact email"))
    closing_date = models.DateField(_("closing date"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    department = models.ForeignKey(
        "accounts.Department", on_delete=models.PROTECT, related_name="jobs", verbose_name=_("department")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("created by"),
    )  # fmt: skip
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("job offer")
        verbose_name_plural = _("job offers")
        constraints = [
            models.CheckConstraint(condition=Q(status__in=["draft", "published", "closed"]), name="job_status_valid"),
            models.CheckConstraint(
                condition=Q(employment_type__in=["full_time", "part_time", "internship", "apprenticeship", "mini_job"]),
                name="job_employment_type_valid",
            ),
        ]
        indexes = [models.Index(fields=["department", "status"])]

    def __str__(self):
        return self.title

    def closing_passed(self, today: datetime.date | None = None) -> bool:
        return self.closing_date is not None and self.closing_date < (today or timezone.localdate())

    @property
    def is_open(self) -> bool:
        """Whether applications are taken now: published, and the closing date (if any) not passed."""
        return self.status == self.Status.PUBLISHED and not self.closing_passed()


class JobApplication(models.Model):
    class Status(models.TextChoices):
        RECEIVED = "received", _("received")
        INVITED = "invited", _("invited")
        REJECTED = "rejected", _("rejected")
        ACCEPTED = "accepted", _("accepted")

    job = models.ForeignKey(Job, on_delete=models.CASCADE, related_name="applications", verbose_name=_("job offer"))
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="job_applications",
        verbose_name=_("applicant"),
    )  # fmt: skip
    message = models.TextField(_("message"))
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.RECEIVED)
    created_at = models.DateTimeField(_("applied at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        constraints = [
            models.UniqueConstraint(fields=["job", "applicant"], name="job_application_one_per_user"),
            models.CheckConstraint(
                condition=Q(status__in=["received", "invited", "rejected", "accepted"]),
                name="job_application_status_valid",
            ),
        ]

    def __str__(self):
        name = self.applicant.get_full_name() or self.applicant.username if self.applicant_id else "–"
        return f"{name}: {self.job}" if self.job_id else name

    @property
    def applicant_name(self) -> str:
        return self.applicant.get_full_name() or self.applicant.username

    @property
    def can_withdraw(self) -> bool:
        return self.status in (self.Status.RECEIVED, self.Status.INVITED)
