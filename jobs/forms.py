from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Job, JobApplication


class JobForm(forms.Form):
    """A job offer on the create and edit pages; the service checks the rest."""

    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(label=_("Description"), max_length=20000, widget=forms.Textarea(attrs={"rows": 10}))
    location = forms.CharField(label=_("Place of work"), max_length=200, required=False)
    employment_type = forms.ChoiceField(label=_("Employment type"), choices=Job.EmploymentType.choices)
    contact_email = forms.EmailField(
        label=_("Contact email"), help_text=_("Receives a mail for every new application.")
    )
    closing_date = forms.DateField(
        label=_("Closing date"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("Applications are taken up to and including this day; empty: until the offer is closed."),
    )  # fmt: skip
    status = forms.ChoiceField(
        label=_("Status"), choices=Job.Status.choices,
        help_text=_("Only published offers are shown to everyone; drafts and closed offers only to staff."),
    )  # fmt: skip

    def __init__(self, *args, instance: Job | None = None, **kwargs):
        if instance is not None:
            kwargs.setdefault("initial", {name: getattr(instance, name) for name in self.base_fields})
        super().__init__(*args, **kwargs)

    def service_fields(self) -> dict:
        return dict(self.cleaned_data)


class ApplicationForm(forms.Form):
    message = forms.CharField(
        label=_("Your message"), max_length=5000, widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Why you are interested and what you bring along; the contact person reads it."),
    )  # fmt: skip
    phone = forms.CharField(label=_("Phone (optional)"), max_length=40, required=False)


class ApplicationStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=JobApplication.Status.choices)
