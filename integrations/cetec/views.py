"""`/integrations/cetec/`: CETEC's customers with the state of their backup databases, for staff. Thin:
the same selector as `GET /api/cetec/customer`; CETEC failing shows as a message, never as an error page."""

import datetime

from django.conf import settings
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from scandy_site.accounts.permissions import capability_required
from scandy_site.core.errors import ApplicationError

from .selectors import DatabaseState, cetec_customer_list

# database_exists -> (filter key, label, tag style)
STATES = {
    True: ("exists", _("Exists"), "tag--ok"),
    False: ("missing", _("Missing"), "tag--warning"),
    DatabaseState.RESIDENT_HOSTING: ("resident_hosting", _("Resident hosting"), "tag--info"),
    DatabaseState.ITAR_HOSTING: ("itar_hosting", _("ITAR hosting"), "tag--info"),
    DatabaseState.UNAVAILABLE: ("unavailable", _("No domain"), ""),
    DatabaseState.MYSQL_ERROR: ("mysql_error", _("MySQL error"), "tag--danger"),
    DatabaseState.BATCH_TIMEOUT: ("batch_timeout", _("Check timed out"), "tag--danger"),
    None: ("unchecked", _("Not checked"), ""),
}
FILTERS = {key: label for key, label, _style in STATES.values()}
NAME_MAX = 200


def _row(customer: dict) -> dict:
    key, label, style = STATES.get(customer["database_exists"], STATES[None])
    pulled = customer.get("lastPulled")
    return {
        **customer,
        "state": key,
        "state_label": label,
        "state_style": style,
        "last_pulled": datetime.datetime.fromisoformat(pulled.replace("Z", "+00:00")) if pulled else None,
    }


@require_GET
@capability_required("cetec.view")
def cetec_customers(request):
    name = request.GET.get("q", "").strip()[:NAME_MAX]
    state = request.GET.get("state", "")
    context = {"q": name, "state": state if state in FILTERS else "", "filters": FILTERS, "configured": True}
    if not settings.CETEC_URL:
        context["configured"] = False
        return render(request, "integrations/cetec_customers.html", context)
    try:
        lookup = cetec_customer_list(filters={"name": name})
    except ApplicationError as exc:
        context["error"] = exc.message
        return render(request, "integrations/cetec_customers.html", context)
    rows = [_row(customer) for customer in lookup.customers]
    context.update(
        metadata=lookup.metadata,
        message=lookup.message,
        total=len(rows),
        rows=[row for row in rows if row["state"] == context["state"]] if context["state"] else rows,
    )
    return render(request, "integrations/cetec_customers.html", context)
