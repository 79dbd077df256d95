from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from tickets.serializers import TextField

from .models import Timesheet, TimesheetEntry, hours


class EntrySerializer(serializers.ModelSerializer):
    date = serializers.DateField(read_only=True)
    hours = serializers.DecimalField(max_digits=5, decimal_places=2, read_only=True)
    ticket = serializers.CharField(source="ticket.ticket_number", default=None, read_only=True)
    ticket_id = serializers.IntegerField(default=None, read_only=True)
    ticket_title = serializers.CharField(source="ticket.title", default=None, read_only=True)

    class Meta:
        model = TimesheetEntry
        fields = ["id", "date", "start_time", "end_time", "break_minutes", "minutes", "hours", "activity",
                  "description", "ticket", "ticket_id", "ticket_title"]  # fmt: skip
        read_only_fields = fields


class EntryInputSerializer(serializers.Serializer):
    """One entry: `date` in the report's week, and either `start_time`/`end_time` (minus `break_minutes`) or
    `hours` (decimal) or `minutes`. `ticket` is a ticket's number (`2611-007`) or id; null removes it."""

    date = serializers.DateField()
    start_time = serializers.TimeField(required=False, allow_null=True)
    end_time = serializers.TimeField(required=False, allow_null=True)
    break_minutes = serializers.IntegerField(required=False, min_value=0, max_value=1440)
    hours = serializers.DecimalField(max_digits=5, decimal_places=2, min_value=0, max_value=24, required=False,
                                     allow_null=True)  # fmt: skip
    minutes = serializers.IntegerField(required=False, min_value=0, max_value=1440, allow_null=True)
    activity = TextField(max_length=200)
    description = TextField(max_length=5000, required=False, allow_blank=True)
    ticket = serializers.CharField(max_length=20, required=False, allow_null=True, allow_blank=True)


class DaySerializer(serializers.Serializer):
    date = serializers.DateField()
    minutes = serializers.IntegerField()
    hours = serializers.DecimalField(max_digits=5, decimal_places=2)


class TimesheetSerializer(serializers.ModelSerializer):
    user = serializers.CharField(source="user.username", read_only=True)
    user_name = serializers.CharField(source="owner_name", read_only=True)
    department = serializers.CharField(source="department.code", read_only=True)
    week_start = serializers.DateField(read_only=True)
    week_end = serializers.DateField(read_only=True)
    days = serializers.SerializerMethodField()
    total_hours = serializers.DecimalField(max_digits=6, decimal_places=2, read_only=True)
    approved_by = serializers.CharField(source="approved_by.username", default=None, read_only=True)
    rejected_by = serializers.CharField(source="rejected_by.username", default=None, read_only=True)

    class Meta:
        model = Timesheet
        fields = ["id", "user", "user_name", "department", "year", "week", "week_start", "week_end", "status", "note",
                  "days", "total_minutes", "total_hours", "submitted_at", "approved_at", "approved_by", "rejected_at",
                  "rejected_by", "rejection_reason", "created_at", "updated_at"]  # fmt: skip
        read_only_fields = fields

    @extend_schema_field(DaySerializer(many=True))
    def get_days(self, obj) -> list[dict]:
        return [
            {"date": date, "minutes": minutes, "hours": str(hours(minutes))}
            for date, minutes in zip(obj.dates(), obj.day_minutes(), strict=True)
        ]


class TimesheetDetailSerializer(TimesheetSerializer):
    entries = serializers.SerializerMethodField()

    class Meta(TimesheetSerializer.Meta):
        fields = [*TimesheetSerializer.Meta.fields, "entries"]
        read_only_fields = fields

    @extend_schema_field(EntrySerializer(many=True))
    def get_entries(self, obj) -> list[dict]:
        entries = getattr(obj, "prefetched_entries", None)
        if entries is None:
            entries = list(obj.entries.select_related("ticket"))
        for entry in entries:
            entry.timesheet = obj
        return EntrySerializer(entries, many=True).data


class TimesheetInputSerializer(serializers.Serializer):
    """Create: `year` and `week` (default: the current ISO week), optional `note` and `entries`.
    PATCH: `note` and/or `entries` (which then replace all entries of the report)."""

    year = serializers.IntegerField(required=False, min_value=2000, max_value=2999)
    week = serializers.IntegerField(required=False, min_value=1, max_value=53)
    note = TextField(max_length=5000, required=False, allow_blank=True)
    entries = EntryInputSerializer(many=True, required=False, max_length=200)


class ReasonInputSerializer(serializers.Serializer):
    reason = TextField(max_length=2000, required=False, allow_blank=True, default="")


class RejectInputSerializer(serializers.Serializer):
    reason = TextField(max_length=2000, help_text=_("Why the report is rejected; the owner reads it."))
