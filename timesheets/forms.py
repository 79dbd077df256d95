import datetime

from django import forms
from django.utils import formats
from django.utils.translation import gettext_lazy as _

from .models import DAYS

_TAP = {"inputmode": "numeric"}


class DecimalField(forms.DecimalField):
    """A decimal comma (7,5) is as good as a point: people type what their keyboard has."""

    def to_python(self, value):
        return super().to_python(value.replace(",", ".") if isinstance(value, str) else value)


def _time_input():
    return forms.TimeInput(attrs={"type": "time", "step": "300", "data-entry": "time"}, format="%H:%M")


class EntryForm(forms.Form):
    """One entry of a week: the day, then from–to with a break, or just the hours."""

    day = forms.TypedChoiceField(label=_("Day"), coerce=int)
    start_time = forms.TimeField(label=_("From"), required=False, widget=_time_input())
    end_time = forms.TimeField(label=_("To"), required=False, widget=_time_input())
    break_minutes = forms.IntegerField(
        label=_("Break (min)"), min_value=0, max_value=1440, required=False, initial=0,
        widget=forms.NumberInput(attrs={**_TAP, "step": "5", "data-entry": "break"}),
    )  # fmt: skip
    hours = DecimalField(
        label=_("or hours"), min_value=0, max_value=24, decimal_places=2, required=False,
        help_text=_("Without from–to: the hours worked, e.g. 7.5"),
        widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "0.25", "data-entry": "hours"}),
    )  # fmt: skip
    activity = forms.CharField(
        label=_("Activity"), max_length=200,
        widget=forms.TextInput(attrs={"list": "recent-activities", "autocomplete": "off", "data-entry": "activity"}),
    )  # fmt: skip
    description = forms.CharField(label=_("Details"), max_length=5000, required=False,
                                  widget=forms.Textarea(attrs={"rows": 2}))  # fmt: skip
    ticket = forms.CharField(
        label=_("Ticket"), max_length=20, required=False, help_text=_("Number of a ticket, e.g. 2611-007"),
        widget=forms.TextInput(attrs={"list": "ticket-choices", "autocomplete": "off", "spellcheck": "false"}),
    )  # fmt: skip

    def __init__(self, *args, week_start: datetime.date, tickets_enabled: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.week_start = week_start
        dates = [week_start + datetime.timedelta(days=day) for day in range(DAYS)]
        self.fields["day"].choices = [
            (day, f"{formats.date_format(date, 'l')}, {formats.date_format(date, 'SHORT_DATE_FORMAT')}")
            for day, date in enumerate(dates)
        ]
        if not tickets_enabled:
            del self.fields["ticket"]

    def clean(self):
        cleaned = super().clean()
        start, end, hours = cleaned.get("start_time"), cleaned.get("end_time"), cleaned.get("hours")
        if (start or end) and hours is not None:
            self.add_error("hours", _("Give either from–to or hours, not both."))
        elif hours is None and not (start and end) and not self.errors:
            missing = "end_time" if start else "start_time"
            self.add_error(missing, _("Give from and to, or the hours."))
        return cleaned

    def service_fields(self) -> dict:
        data = self.cleaned_data
        fields = {
            "date": self.week_start + datetime.timedelta(days=data["day"]),
            "start_time": data.get("start_time"),
            "end_time": data.get("end_time"),
            "break_minutes": data.get("break_minutes") or 0,
            "hours": data.get("hours"),
            "activity": data["activity"],
            "description": data.get("description", ""),
        }
        if "ticket" in self.fields:
            fields["ticket"] = data.get("ticket") or None
        return fields

    @classmethod
    def initial_for(cls, entry) -> dict:
        return {
            "day": entry.day, "start_time": entry.start_time, "end_time": entry.end_time,
            "break_minutes": entry.break_minutes, "hours": None if entry.start_time else entry.hours,
            "activity": entry.activity, "description": entry.description,
            "ticket": entry.ticket.ticket_number if entry.ticket else "",
        }  # fmt: skip


class NoteForm(forms.Form):
    note = forms.CharField(label=_("Note for the approver"), max_length=5000, required=False,
                           widget=forms.Textarea(attrs={"rows": 3}))  # fmt: skip


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=2000, required=False,
                             widget=forms.Textarea(attrs={"rows": 2}))  # fmt: skip

    def __init__(self, *args, required: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].required = required
