"""The CETEC customer lookup shared by the API and the page: fetch, filter, strip, enrich, summarise."""

import dataclasses
import datetime
import logging

from django.conf import settings
from django.utils import timezone
from django.utils.translation import ngettext

from scandy_site.core.errors import ApplicationError

from ..engine import SourceError
from . import mysql
from .client import CetecClient, cetec_settings, is_secret_column, is_set, plan_columns

logger = logging.getLogger(__name__)


class DatabaseState:
    """The values of `database_exists` besides true (exists with usage_stats) and false (does not)."""

    RESIDENT_HOSTING = "resident_hosting"  # hosted by the customer: no backup database here
    ITAR_HOSTING = "itar_hosting"  # ITAR hosting: never copied, never looked for
    UNAVAILABLE = "unavailable"  # no (usable) domain, so no database name
    MYSQL_ERROR = "mysql_error"
    BATCH_TIMEOUT = "batch_timeout"
    # With CETEC_MYSQL_URL unset a customer that would be checked gets null: not known.


_STATE_OF_FAILURE = {mysql.Status.ERROR: DatabaseState.MYSQL_ERROR, mysql.Status.TIMEOUT: DatabaseState.BATCH_TIMEOUT}


@dataclasses.dataclass
class CetecLookup:
    customers: list[dict]
    metadata: dict
    message: str

    def as_data(self) -> dict:
        return {"customers": self.customers, "metadata": self.metadata}


def _iso(value) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value is not None else None


def _hosting_state(record: dict) -> str | None:
    # ITAR first: a customer flagged both is under the stricter rule.
    if is_set(record.get("itar_hosting_bc")):
        return DatabaseState.ITAR_HOSTING
    if is_set(record.get("resident_hosting")):
        return DatabaseState.RESIDENT_HOSTING
    return None


def cetec_customer_list(*, columns: list[str] | None = None, filters: dict | None = None) -> CetecLookup:
    """CETEC's customers that are ok to bill, with the requested (or default) columns minus secret ones,
    each with `database_exists` and `lastPulled`. Raises ApplicationError UPSTREAM_UNAVAILABLE when CETEC
    is not configured or fails; a MySQL failure only shows in the enrichment values and the metadata."""
    upstream_columns, answered_columns = plan_columns(columns)
    client = None
    try:
        url, token = cetec_settings()
        client = CetecClient(url, token, timeout=settings.SYNC_HTTP_TIMEOUT)
        records = client.customers(columns=upstream_columns, filters=filters or {})
    except SourceError as exc:
        message = client.scrub(str(exc)) if client is not None else str(exc)
        logger.warning("CETEC customer lookup failed: %s", message)
        raise ApplicationError("UPSTREAM_UNAVAILABLE", message) from None

    billable = [r for r in records if isinstance(r, dict) and is_set(r.get("ok_to_bill"))]
    states, names = [], []
    for record in billable:
        state = _hosting_state(record)
        name = None
        if state is None:
            name = mysql.database_name(record.get("domain"))
            if name is None:
                state = DatabaseState.UNAVAILABLE
        states.append(state)
        names.append(name)

    check = mysql.check_databases(name for name in names if name is not None)
    customers = []
    for record, state, name in zip(billable, states, names, strict=True):
        customer = {column: record[column] for column in answered_columns if column in record}
        last_pulled = None
        if name is not None:
            if check.status == mysql.Status.OK:
                state = name in check.found
                last_pulled = check.found.get(name)
            else:
                state = _STATE_OF_FAILURE.get(check.status)  # None while MySQL is not configured
        # The answered columns never hold a secret; this also covers CETEC sending one under another case.
        customer = {key: value for key, value in customer.items() if not is_secret_column(key)}
        customer["database_exists"] = state
        customer["lastPulled"] = _iso(last_pulled)
        customers.append(customer)

    summary = _summary(customers)
    metadata = {
        "total_customers": len(customers),
        "mysql_status": check.status,
        "mysql_enabled": check.status != mysql.Status.DISABLED,
        "timestamp": _iso(timezone.now().astimezone(datetime.UTC).replace(microsecond=0)),
        "summary": summary,
    }
    skipped = len(records) - len(billable)
    if skipped:
        logger.info("CETEC lookup: %s of %s customers are not ok to bill and left out", skipped, len(records))
    message = ngettext("%(count)s customer from CETEC.", "%(count)s customers from CETEC.", len(customers)) % {
        "count": len(customers)
    }
    if check.status in _STATE_OF_FAILURE:
        message = f"{message} {check.message}"
    return CetecLookup(customers, metadata, message)


def _summary(customers: list[dict]) -> dict:
    states = [c["database_exists"] for c in customers]
    return {
        "total_customers": len(customers),
        "existing_databases": sum(1 for s in states if s is True),
        "resident_hosting": states.count(DatabaseState.RESIDENT_HOSTING),
        "itar_hosting": states.count(DatabaseState.ITAR_HOSTING),
        "invalid_domains": states.count(DatabaseState.UNAVAILABLE),
        "no_database": sum(1 for s in states if s is False),
    }
