"""Job board pages: the list with search and filters, an offer with its apply form, create/edit and the
applications of an offer for staff. Thin: parse input, call a selector or service, render.

Which offers someone sees is the selectors' business (one you may not see is a 404); what they may do is checked
by the services (PERMISSION_DENIED becomes a 403 page, anything else a message)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from scandy_site.accounts.permissions import capability_required
from scandy_site.core.admin_mixins import add_application_error
from scandy_site.core.errors import ApplicationError
from scandy_site.core.listing import PAGE_SIZE, has_filters, ordered
from scandy_site.core.pages import choose_department_page

from . import selectors, services
from .filters import JobFilter
from .forms import ApplicationForm, ApplicationStatusForm, JobForm
from .models import Job, JobApplication

VIEW = "jobs.view"
MANAGE = "jobs.manage"
HISTORY_LIMIT = 30
# ?ordering= keys of the list page; "relevance" keeps the search's own order (best match first).
ORDERINGS = {
    "created": ("created_at", "id"),
    "closing": ("closing_date", "id"),
    "title": ("title", "id"),
}


def _scope(request):
    scope = request.department_scope
    if not scope:
        raise PermissionDenied(_("You are not assigned to any department."))
    return scope


def _job(request, pk) -> Job:
    return selectors.job_get(user=request.user, department=_scope(request).department, pk=pk)


def _to_detail(job):
    return redirect("jobs:detail", pk=job.pk)


def _raise_denied(exc: ApplicationError) -> None:
    if exc.code == "PERMISSION_DENIED":
        raise exc


@require_GET
@capability_required(VIEW)
def job_list(request):
    scope = _scope(request)
    search = request.GET.get("q", "")
    jobs = selectors.job_list(user=request.user, department=scope.department, search=search)
    filterset = JobFilter(request.GET, queryset=jobs, request=request)
    items = filterset.qs if filterset.is_valid() else jobs
    context = {
        "scope": scope,
        "search": search,
        "statuses": Job.Status.choices,
        "employment_types": Job.EmploymentType.choices,
        "selected_statuses": request.GET.getlist("status"),
        "selected_types": request.GET.getlist("employment_type"),
    }
    if search.strip() and not request.GET.get("ordering"):
        ordering = "relevance"  # the search's own order: best match first
    else:
        items, ordering = ordered(items, request.GET.get("ordering", ""), ORDERINGS, "-created")
    context.update({
        "page": Paginator(items, PAGE_SIZE).get_page(request.GET.get("page")), "ordering": ordering,
        "filtered": has_filters(request), "today": timezone.localdate(),
    })  # fmt: skip
    htmx = getattr(request, "htmx", None)
    only_results = bool(htmx) and not htmx.history_restore_request
    response = render(request, "jobs/_results.html" if only_results else "jobs/list.html", context)
    patch_vary_headers(response, ["HX-Request"])
    return response


def _form_page(request, *, job: Job | None):
    scope = _scope(request)
    department = job.department if job else scope.department
    if department is None:
        return choose_department_page(request, _("job offer"))
    if job is not None:
        form = JobForm(request.POST or None, instance=job)
    else:
        form = JobForm(request.POST or None, initial={"status": Job.Status.DRAFT, "contact_email": request.user.email})
    if request.method == "POST" and form.is_valid():
        try:
            if job is None:
                job = services.job_create(department=department, user=request.user, **form.service_fields())
                messages.success(request, _("Job offer created."))
            else:
                services.job_update(job=job, user=request.user, **form.service_fields())
                messages.success(request, _("Job offer saved."))
        except ApplicationError as exc:
            _raise_denied(exc)
            add_application_error(form, exc)
        else:
            return _to_detail(job)
    return render(request, "jobs/form.html", {"form": form, "job": job, "scope": scope, "department": department})


@require_http_methods(["GET", "POST"])
@capability_required(MANAGE)
def job_create(request):
    return _form_page(request, job=None)


@require_http_methods(["GET", "POST"])
@capability_required(MANAGE)
def job_edit(request, pk):
    return _form_page(request, job=_job(request, pk))


def _detail_context(request, job, *, form=None) -> dict:
    manage = request.user.can(MANAGE)
    return {
        "job": job,
        "scope": _scope(request),
        "mine": selectors.my_application(job),
        "form": form or ApplicationForm(),
        "can_manage": manage,
        "history": selectors.job_history(job=job, limit=HISTORY_LIMIT) if manage else (),
    }


@require_GET
@capability_required(VIEW)
def job_detail(request, pk):
    return render(request, "jobs/detail.html", _detail_context(request, _job(request, pk)))


@require_POST
@capability_required("jobs.apply")
def job_apply(request, pk):
    job = _job(request, pk)
    form = ApplicationForm(request.POST)
    if form.is_valid():
        try:
            services.application_create(job=job, user=request.user, **form.cleaned_data)
        except ApplicationError as exc:
            _raise_denied(exc)
            if exc.code != "VALIDATION_ERROR":  # applied already, offer closed: say so above the offer
                messages.error(request, exc.message)
                return _to_detail(job)
            add_application_error(form, exc)
        else:
            messages.success(request, _("Your application was sent."))
            return _to_detail(job)
    return render(request, "jobs/detail.html", _detail_context(request, job, form=form), status=400)


@require_POST
@capability_required("jobs.apply")
def application_withdraw(request, pk):
    job = _job(request, pk)
    mine = selectors.my_application(job)
    if mine is None:
        messages.error(request, _("You have not applied for this job."))
        return _to_detail(job)
    try:
        services.application_withdraw(application=mine, user=request.user)
    except ApplicationError as exc:
        _raise_denied(exc)
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Your application was withdrawn."))
    return _to_detail(job)


@require_GET
@capability_required(MANAGE)
def application_list(request, pk):
    job = _job(request, pk)
    applications = selectors.job_applications(job=job, user=request.user)
    return render(request, "jobs/applications.html", {
        "job": job, "scope": _scope(request), "applications": applications,
        "statuses": JobApplication.Status.choices,
    })  # fmt: skip


@require_POST
@capability_required(MANAGE)
def application_status(request, pk, application_pk):
    job = _job(request, pk)
    application = selectors.application_get(job=job, user=request.user, pk=application_pk)
    form = ApplicationStatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a valid status."))
    else:
        target = form.cleaned_data["status"]
        try:
            services.application_set_status(application=application, user=request.user, status=target)
        except ApplicationError as exc:
            _raise_denied(exc)
            messages.error(request, exc.message)
        else:
            messages.success(request, _("%(name)s: status is now “%(status)s”.") % {
                "name": application.applicant_name, "status": JobApplication.Status(target).label,
            })  # fmt: skip
    return redirect("jobs:applications", pk=job.pk)
