"""Weekly timesheets (Wochenberichte): one report per user and ISO week, its entries per day.

What the database itself guarantees (besides what the services check first):
- one report per user and ISO week (`timesheet_one_per_user_and_week`), ISO week 1-53, a known status,
  and the dates each status needs (a submitted report has `submitted_at`, an approved one `approved_at`,
  a rejected one a reason);
- an entry's date lies inside its report's week: the entry stores its day *within* the week (0 = Monday …
  6 = Sunday, checked), and its date is the report's Monday plus that day, so no row can name a date
  outside the week;
- hours and breaks are never negative; an entry is at most 24 hours; start and end come together and the
  end is after the start;
- at most 24 hours per day: the report keeps the worked minutes of each of its seven days (and their sum)
  in columns checked to 0-1440 (and the sum to equal the days). The services recompute them from the entries
  under the report's row lock in the same transaction as every entry change, so a day that would exceed
  24 hours fails in the database even when two writers race.
"""

import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

MINUTES_PER_DAY = 24 * 60
DAYS = 7
# The report's per-day total columns, Monday first (index = entry.day).
DAY_FIELDS = (
    "monday_minutes",
    "tuesday_minutes",
    "wednesday_minutes",
    "thursday_minutes",
    "friday_minutes",
    "saturday_minutes",
    "sunday_minutes",
)


def hours(minutes: int) -> Decimal:
    """Minutes as decimal hours with two places (450 → 7.50)."""
    return (Decimal(minutes) / 60).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def hours_minutes(minutes: int) -> str:
    """Minutes as `H:MM` (450 → 7:30), the way a week sheet shows them."""
    return f"{minutes // 60}:{minutes % 60:02d}"


def week_monday(year: int, week: int) -> datetime.date:
    return datetime.date.fromisocalendar(year, week, 1)


class Timesheet(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        SUBMITTED = "submitted", _("submitted")
        APPROVED = "approved", _("approved")
        REJECTED = "rejected", _("rejected")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="timesheets", verbose_name=_("user")
    )
    department = models.ForeignKey(
        "accounts.Department", on_delete=models.PROTECT, related_name="timesheets", verbose_name=_("department")
    )
    year = models.PositiveSmallIntegerField(_("year"))
    week = models.PositiveSmallIntegerField(_("calendar week"))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    note = models.TextField(_("note"), blank=True)
    monday_minutes = models.PositiveIntegerField(_("Monday (minutes)"), default=0)
    tuesday_minutes = models.PositiveIntegerField(_("Tuesday (minutes)"), default=0)
    wednesday_minutes = models.PositiveIntegerField(_("Wednesday (minutes)"), default=0)
    thursday_minutes = models.PositiveIntegerField(_("Thursday (minutes)"), default=0)
    friday_minutes = models.PositiveIntegerField(_("Friday (minutes)"), default=0)
    saturday_minutes = models.PositiveIntegerField(_("Saturday (minutes)"), default=0)
    sunday_minutes = models.PositiveIntegerField(_("Sunday (minutes)"), default=0)
    total_minutes = models.PositiveIntegerField(_("total (minutes)"), default=0)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("approved by"),
    )  # fmt: skip
    rejected_at = models.DateTimeField(_("rejected at"), null=True, blank=True)
    rejected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("rejected by"),
    )  # fmt: skip
    rejection_reason = models.TextField(_("reason for rejection"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["-year", "-week", "user_id"]
        verbose_name = _("weekly report")
        verbose_name_plural = _("weekly reports")
        constraints = [
            models.UniqueConstraint(fields=["user", "year", "week"], name="timesheet_one_per_user_and_week"),
            models.CheckConstraint(
                condition=Q(week__gte=1) & Q(week__lte=53) & Q(year__gte=2000) & Q(year__lte=2999),
                name="timesheet_iso_week_valid",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["draft", "submitted", "approved", "rejected"]), name="timesheet_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(**{f"{name}__lte": MINUTES_PER_DAY for name in DAY_FIELDS}),
                name="timesheet_at_most_24_hours_per_day",
            ),
            models.CheckConstraint(
                condition=Q(total_minutes=sum((F(name) for name in DAY_FIELDS[1:]), F(DAY_FIELDS[0]))),
                name="timesheet_total_is_the_sum_of_the_days",
            ),
            models.CheckConstraint(
                condition=~Q(status="submitted") | Q(submitted_at__isnull=False), name="timesheet_submitted_has_date"
            ),
            models.CheckConstraint(
                condition=~Q(status="approved") | Q(approved_at__isnull=False), name="timesheet_approved_has_date"
            ),
            models.CheckConstraint(
                condition=~Q(status="rejected") | (Q(rejected_at__isnull=False) & ~Q(rejection_reason="")),
                name="timesheet_rejected_has_reason",
            ),
        ]
        indexes = [
            models.Index(fields=["department", "status"]),
            models.Index(fields=["department", "year", "week"]),
        ]

    def __str__(self):
        return _("%(user)s, week %(week)s/%(year)s") % {
            "user": self.user.get_full_name() or self.user.username if self.user_id else "–",
            "week": self.week,
            "year": self.year,
        }

    @property
    def week_start(self) -> datetime.date:
        return week_monday(self.year, self.week)

    @property
    def week_end(self) -> datetime.date:
        return self.week_start + datetime.timedelta(days=DAYS - 1)

    def dates(self) -> list[datetime.date]:
        start = self.week_start
        return [start + datetime.timedelta(days=day) for day in range(DAYS)]

    def day_minutes(self) -> list[int]:
        return [getattr(self, name) for name in DAY_FIELDS]

    @property
    def total_hours(self) -> Decimal:
        return hours(self.total_minutes)

    @property
    def total_display(self) -> str:
        return hours_minutes(self.total_minutes)

    @property
    def owner_name(self) -> str:
        return self.user.get_full_name() or self.user.username


class TimesheetEntry(models.Model):
    """Work on one day of the report's week: from–to with a break, or just a number of hours."""

    timesheet = models.ForeignKey(Timesheet, on_delete=models.CASCADE, related_name="entries",
                                  verbose_name=_("weekly report"))  # fmt: skip
    # 0 = Monday … 6 = Sunday of the report's ISO week; the date is derived from it (see the module docstring).
    day = models.PositiveSmallIntegerField(_("day of the week"))
    start_time = models.TimeField(_("from"), null=True, blank=True)
    end_time = models.TimeField(_("to"), null=True, blank=True)
    break_minutes = models.PositiveSmallIntegerField(_("break (minutes)"), default=0)
    # Worked time: end − start − break, or the hours given.
    minutes = models.PositiveSmallIntegerField(_("worked (minutes)"))
    activity = models.CharField(_("activity"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    ticket = models.ForeignKey(
        "tickets.Ticket", null=True, blank=True, on_delete=models.SET_NULL, related_name="timesheet_entries",
        verbose_name=_("ticket"),
    )  # fmt: skip
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["day", "start_time", "id"]
        verbose_name = _("entry")
        verbose_name_plural = _("entries")
        constraints = [
            models.CheckConstraint(condition=Q(day__gte=0) & Q(day__lte=DAYS - 1), name="timesheet_entry_day_in_week"),
            models.CheckConstraint(
                condition=Q(minutes__gte=0) & Q(minutes__lte=MINUTES_PER_DAY), name="timesheet_entry_minutes_range"
            ),
            models.CheckConstraint(
                condition=Q(break_minutes__gte=0) & Q(break_minutes__lte=MINUTES_PER_DAY),
                name="timesheet_entry_break_range",
            ),
            models.CheckConstraint(
                condition=(Q(start_time__isnull=True) & Q(end_time__isnull=True))
                | (Q(start_time__isnull=False) & Q(end_time__isnull=False) & Q(end_time__gt=F("start_time"))),
                name="timesheet_entry_start_before_end",
            ),
        ]
        indexes = [models.Index(fields=["timesheet", "day"])]

    def __str__(self):
        when = self.date.isoformat() if self.timesheet_id else f"+{self.day}"
        span = f" {self.start_time:%H:%M}–{self.end_time:%H:%M}" if self.start_time and self.end_time else ""
        return f"{when}{span} {hours_minutes(self.minutes)} h {self.activity}"

    @property
    def date(self) -> datetime.date:
        return self.timesheet.week_start + datetime.timedelta(days=self.day)

    @property
    def hours(self) -> Decimal:
        return hours(self.minutes)

    @property
    def duration_display(self) -> str:
        return hours_minutes(self.minutes)


class TimesheetReminder(models.Model):
    """A reminder mail sent for a user's week: the Monday schedule sends each one once, even when it runs twice."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    week = models.PositiveSmallIntegerField()
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "year", "week"], name="timesheet_reminder_once_per_week"),
        ]

    def __str__(self):
        return f"{self.user_id} {self.year}-W{self.week:02d}"
