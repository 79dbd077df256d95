"""Ticket pages and the public order form. Thin: parse input, call a selector or service, render.

Who may see a ticket is the selector's business (a ticket you may not see is a 404); who may change
it is checked by the services (PERMISSION_DENIED becomes a 403 page)."""

import logging

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from scandy_site.accounts.permissions import capability_required
from scandy_site.core.admin_mixins import add_application_error
from scandy_site.core.errors import ApplicationError
from scandy_site.core.pages import choose_department_page

from . import exports, policy, selectors, services
from .filters import TicketFilter
from .forms import (
    AssignForm,
    ExternalOrderForm,
    MaterialLineForm,
    MessageForm,
    OrderDetailsForm,
    TicketForm,
    WorkLineForm,
)
from .models import Ticket
from .totals import totals_for
from .workflow import transitions_from

logger = logging.getLogger(__name__)

PAGE_SIZE = 50
HISTORY_LIMIT = 50
ORDERINGS = {
    "-updated": ("-updated_at", "-id"),
    "updated": ("updated_at", "id"),
    "-created": ("-created_at", "-id"),
    "created": ("created_at", "id"),
    "due": ("due_date", "-priority_rank", "id"),
    "-due": ("-due_date", "id"),
    "-priority": ("-priority_rank", "due_date", "id"),
    "priority": ("priority_rank", "id"),
    "number": ("ticket_number",),
    "-number": ("-ticket_number",),
    "title": ("title", "id"),
    "-title": ("-title", "id"),
    "status": ("status", "id"),
    "-status": ("-status", "id"),
}
VIEW = "tickets.create"  # every role; the selector decides which tickets each one sees


def _scope(request):
    scope = request.department_scope
    if not scope:
        raise PermissionDenied(_("You are not assigned to any department."))
    return scope


def _ticket(request, pk) -> Ticket:
    return selectors.ticket_get(user=request.user, department=_scope(request).department, identifier=pk)


def _to_detail(ticket, anchor: str = ""):
    return redirect(reverse("tickets:detail", args=[ticket.pk]) + (f"#{anchor}" if anchor else ""))


# --- list --------------------------------------------------------------------------------------


@require_GET
@capability_required(VIEW)
def ticket_list(request):
    scope = _scope(request)
    queryset = selectors.ticket_list(user=request.user, department=scope.department)
    filterset = TicketFilter(request.GET, queryset=queryset, request=request)
    requested = request.GET.get("ordering", "")
    ordering = requested if requested in ORDERINGS else "-updated"
    tickets = filterset.qs.order_by(*ORDERINGS[ordering])
    page = Paginator(tickets, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "scope": scope,
        "page": page,
        "filters": filterset.form,
        "ordering": ordering,
        "filtered": any(v for k, v in request.GET.items() if k not in ("page", "ordering")),
        "statuses": Ticket.Status.choices,
        "priorities": Ticket.Priority.choices,
        "categories": Ticket.Category.choices,
        "selected_statuses": request.GET.getlist("status"),
        "selected_priorities": request.GET.getlist("priority"),
        "assignees": selectors.assignable_users(department=scope.department) if request.user.can(
            "tickets.see_open") else [],
        "today": timezone.localdate(),
    }  # fmt: skip
    htmx = getattr(request, "htmx", None)
    only_results = bool(htmx) and not htmx.history_restore_request
    response = render(request, "tickets/_results.html" if only_results else "tickets/list.html", context)
    patch_vary_headers(response, ["HX-Request"])
    return response


# --- create and edit ---------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@capability_required("tickets.create")
def ticket_create(request):
    scope = _scope(request)
    if scope.is_all:
        return choose_department_page(request, _("ticket"))
    form = TicketForm(request.POST or None, department=scope.department, user=request.user)
    order_form = OrderDetailsForm(request.POST or None, prefix="order")
    if request.method == "POST" and form.is_valid():
        is_order = form.cleaned_data["category"] == Ticket.Category.ORDER
        if not is_order or order_form.is_valid():
            try:
                ticket = services.ticket_create(
                    department=scope.department, user=request.user,
                    assignees=list(form.cleaned_data.get("assignees") or []),
                    order=order_form.service_fields() if is_order else None, **form.service_fields(),
                )  # fmt: skip
            except ApplicationError as exc:
                add_application_error(form, exc)
            else:
                messages.success(request, _("Ticket %(number)s created.") % {"number": ticket.ticket_number})
                return _to_detail(ticket)
    return render(request, "tickets/form.html", {"form": form, "order_form": order_form, "scope": scope})


@require_http_methods(["GET", "POST"])
@capability_required("tickets.create")
def ticket_edit(request, pk):
    ticket = _ticket(request, pk)
    if not policy.can_edit(request.user, ticket):
        raise PermissionDenied
    form = TicketForm(request.POST or None, department=ticket.department, user=request.user, instance=ticket)
    if request.method == "POST" and form.is_valid():
        try:
            services.ticket_update(ticket=ticket, user=request.user, **form.service_fields())
        except ApplicationError as exc:
            add_application_error(form, exc)
        else:
            messages.success(request, _("Changes saved."))
            return _to_detail(ticket)
    return render(request, "tickets/form.html", {"form": form, "ticket": ticket})


@require_http_methods(["GET", "POST"])
@capability_required("tickets.create")
def ticket_order_edit(request, pk):
    ticket = _ticket(request, pk)
    if not policy.can_edit(request.user, ticket):
        raise PermissionDenied
    if ticket.category != Ticket.Category.ORDER:
        messages.error(request, _("Only tickets of category “order” have order details."))
        return _to_detail(ticket)
    form = OrderDetailsForm(request.POST or None, instance=getattr(ticket, "order", None))
    if request.method == "POST" and form.is_valid():
        try:
            services.ticket_order_update(ticket=ticket, user=request.user, **form.service_fields())
        except ApplicationError as exc:
            add_application_error(form, exc)
        else:
            messages.success(request, _("Order details saved."))
            return _to_detail(ticket, "order")
    return render(request, "tickets/order_form.html", {"form": form, "ticket": ticket})


# --- detail and its actions --------------------------------------------------------------------


def _detail_context(request, ticket, **forms) -> dict:
    user = request.user
    can_edit = policy.can_edit(user, ticket)
    assigned_ids = [a.user_id for a in ticket.assignments.all()]
    return {
        "ticket": ticket,
        "can_edit": can_edit,
        "can_assign": policy.can_assign(user),
        "can_see_internal": policy.can_see_internal(user),
        "transitions": transitions_from(ticket.status, user) if can_edit else [],
        "assign_form": forms.get("assign_form") or AssignForm(department=ticket.department, exclude=assigned_ids),
        "message_form": forms.get("message_form") or MessageForm(user=user),
        "work_form": forms.get("work_form") or WorkLineForm(),
        "material_form": forms.get("material_form") or MaterialLineForm(),
        "conversation": list(selectors.ticket_messages(ticket=ticket, user=user)),
        "history": list(selectors.ticket_history(ticket=ticket, user=user, limit=HISTORY_LIMIT)),
        "order": getattr(ticket, "order", None),
        "work_lines": list(ticket.work_lines.all()),
        "material_lines": list(ticket.material_lines.all()),
        "totals": totals_for(ticket),
        "today": timezone.localdate(),
    }


@require_GET
@capability_required(VIEW)
def ticket_detail(request, pk):
    ticket = _ticket(request, pk)
    return render(request, "tickets/detail.html", _detail_context(request, ticket))


@require_POST
@capability_required(VIEW)
def ticket_transition(request, pk):
    ticket = _ticket(request, pk)
    target = request.POST.get("status", "")
    try:
        services.ticket_transition(ticket=ticket, user=request.user, status=target)
    except ApplicationError as exc:
        if exc.code == "PERMISSION_DENIED":
            raise
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Status is now “%(status)s”.") % {"status": Ticket.Status(target).label})
    return _to_detail(ticket)


@require_POST
@capability_required("tickets.manage_all")
def ticket_assign(request, pk):
    ticket = _ticket(request, pk)
    form = AssignForm(request.POST, department=ticket.department)
    if form.is_valid():
        assignee = form.cleaned_data["user"]
        try:
            services.ticket_assign(ticket=ticket, user=request.user, assignee=assignee)
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            name = assignee.get_full_name() or assignee.username
            messages.success(request, _("Assigned to %(user)s.") % {"user": name})
    else:
        messages.error(request, _("Choose someone to assign."))
    return _to_detail(ticket)


@require_POST
@capability_required("tickets.manage_all")
def ticket_unassign(request, pk, username):
    ticket = _ticket(request, pk)
    assignment = next((a for a in ticket.assignments.all() if a.user.username == username), None)
    if assignment is None:
        messages.error(request, _("%(user)s is not assigned.") % {"user": username})
        return _to_detail(ticket)
    services.ticket_unassign(ticket=ticket, user=request.user, assignee=assignment.user)
    messages.success(request, _("%(user)s is no longer assigned.") % {"user": username})
    return _to_detail(ticket)


@require_POST
@capability_required(VIEW)
def ticket_message(request, pk):
    ticket = _ticket(request, pk)
    form = MessageForm(request.POST, user=request.user)
    if form.is_valid():
        try:
            services.ticket_add_message(ticket=ticket, user=request.user, body=form.cleaned_data["body"],
                                        internal=form.cleaned_data.get("internal", False))  # fmt: skip
        except ApplicationError as exc:
            add_application_error(form, exc)
        else:
            messages.success(request, _("Message added."))
            return _to_detail(ticket, "conversation")
    context = _detail_context(request, ticket, message_form=form)
    return render(request, "tickets/detail.html", context, status=400)


def _line_add(request, pk, form_class, service, context_key):
    ticket = _ticket(request, pk)
    form = form_class(request.POST)
    if form.is_valid():
        try:
            service(ticket=ticket, user=request.user, **form.cleaned_data)
        except ApplicationError as exc:
            if exc.code == "PERMISSION_DENIED":
                raise
            add_application_error(form, exc)
        else:
            messages.success(request, _("Line added."))
            return _to_detail(ticket, "order")
    context = _detail_context(request, ticket, **{context_key: form})
    return render(request, "tickets/detail.html", context, status=400)


@require_POST
@capability_required(VIEW)
def ticket_work_add(request, pk):
    return _line_add(request, pk, WorkLineForm, services.ticket_work_line_add, "work_form")


@require_POST
@capability_required(VIEW)
def ticket_material_add(request, pk):
    return _line_add(request, pk, MaterialLineForm, services.ticket_material_line_add, "material_form")


@require_POST
@capability_required(VIEW)
def ticket_line_delete(request, pk, kind, line_id):
    ticket = _ticket(request, pk)
    services.ticket_line_remove(ticket=ticket, user=request.user, kind=kind, line_id=line_id)
    messages.success(request, _("Line removed."))
    return _to_detail(ticket, "order")


@require_GET
@capability_required(VIEW)
def ticket_export(request, pk, fmt):
    if fmt not in ("pdf", "docx"):
        raise Http404
    ticket = _ticket(request, pk)
    if fmt == "pdf":
        response = HttpResponse(exports.ticket_pdf(ticket), content_type="application/pdf")
        disposition = "inline"
    else:
        response = HttpResponse(
            exports.ticket_docx(ticket),
            content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        )
        disposition = "attachment"
    response["Content-Disposition"] = f'{disposition}; filename="ticket-{ticket.ticket_number}.{fmt}"'
    return response


# --- the public order form ---------------------------------------------------------------------

# The form's fields are bounded; the whole request is too (before Django parses it).
ORDER_MAX_BODY = 64 * 1024
RATE_WINDOW = 3600
THANKS_SESSION_KEY = "scandy_order_number"


def _client_address(request) -> str:
    # REMOTE_ADDR is the peer; behind a reverse proxy set it from the proxy's header there.
    return request.META.get("REMOTE_ADDR") or "unknown"


def _rate_limited(request) -> bool:
    """At most TICKET_ORDER_RATE_LIMIT orders per client address and hour (Django's cache)."""
    key = f"scandy:ticket-order:{_client_address(request)}"
    cache.add(key, 0, timeout=RATE_WINDOW)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=RATE_WINDOW)
        count = 1
    return count > settings.TICKET_ORDER_RATE_LIMIT


@require_http_methods(["GET", "POST"])
def external_order(request):
    """`/tickets/order/`: no login. CSRF-protected (Django's middleware), rate-limited, size-limited."""
    status = 200
    if request.method == "POST":
        try:
            declared = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            declared = 0
        if declared > ORDER_MAX_BODY:
            return render(request, "tickets/external_order.html",
                          {"form": ExternalOrderForm(), "error": _("The order is too long.")}, status=413)  # fmt: skip
        if _rate_limited(request):
            response = render(
                request, "tickets/external_order.html",
                {"form": ExternalOrderForm(request.POST),
                 "error": _("Too many orders from your address; please try again in an hour or call us.")},
                status=429,
            )  # fmt: skip
            response["Retry-After"] = str(RATE_WINDOW)
            return response
    form = ExternalOrderForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            if form.is_spam:
                logger.info("external order trap field filled from %s; nothing stored", _client_address(request))
                request.session[THANKS_SESSION_KEY] = ""
                return redirect("tickets:order-thanks")
            try:
                ticket = services.ticket_submit_external_order(**form.service_fields())
            except ApplicationError as exc:
                form.add_error(None, exc.message)
                status = exc.status
            else:
                request.session[THANKS_SESSION_KEY] = ticket.ticket_number
                return redirect("tickets:order-thanks")
        else:
            status = 400
    return render(request, "tickets/external_order.html", {"form": form}, status=status)


@require_GET
def external_order_thanks(request):
    if THANKS_SESSION_KEY not in request.session:
        return redirect("tickets:order")
    number = request.session.pop(THANKS_SESSION_KEY)
    return render(request, "tickets/external_order_thanks.html", {"number": number})
