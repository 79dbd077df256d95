"""The job board's mails (translated templates in templates/jobs/mail/).

Runs in the django-q2 worker (tasks.send_job_mail), after the change was committed."""

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from scandy_site.core.models import SiteConfiguration

from .models import JobApplication

logger = logging.getLogger(__name__)

KINDS = ("new_application",)


def _applications_url(application) -> str:
    base = settings.SITE_URL.rstrip("/")
    return f"{base}{reverse('jobs:applications', args=[application.job_id])}" if base else ""


def send_job_mail(kind: str, application_id: int) -> int:
    """`new_application`: to the job offer's contact email. Returns the number of mails sent."""
    if kind not in KINDS:
        raise ValueError(f"unknown job mail {kind!r}")
    application = (
        JobApplication.objects.select_related("job", "job__department", "applicant").filter(pk=application_id).first()
    )
    if application is None or not application.job.contact_email:
        return 0
    with translation.override(settings.LANGUAGE_CODE):
        context = {
            "application": application,
            "job": application.job,
            "system_name": SiteConfiguration.current().display_name,
            "url": _applications_url(application),
        }
        subject = " ".join(render_to_string(f"jobs/mail/{kind}_subject.txt", context).split())
        body = render_to_string(f"jobs/mail/{kind}.txt", context)
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [application.job.contact_email])
    logger.info("job mail %s for application %s sent", kind, application.pk)
    return 1
