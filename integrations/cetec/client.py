"""The CETEC customer API: `GET {CETEC_URL}/api/customer?preshared_token=…&columns=…` (+ `id`, `name`,
`external_key`) answering a JSON array of customers with the columns asked for."""

import re

from django.conf import settings
from django.utils.translation import gettext as _

from ..engine import SourceError
from ..http import JsonClient
from ..thingsboard import NotConfiguredError

PATH = "/api/customer"
# CONTRACT 5.3, sent as it is when the caller names no columns.
DEFAULT_COLUMNS = (
    "id", "name", "domain", "ok_to_bill", "priority_support", "resident_hosting", "test_environment",
    "itar_hosting_bc", "num_prod_users", "num_full_users", "techx_password",
)  # fmt: skip
# Never passed on, whatever the caller asks for.
SECRET_COLUMNS = frozenset({"techx_password"})
# What the proxy itself needs: the identity, the billing filter, and what the database check reads.
REQUIRED_COLUMNS = ("id", "ok_to_bill", "domain", "resident_hosting", "itar_hosting_bc")
COLUMN_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,63}")
MAX_COLUMNS = 100
# A CETEC flag is set when it is 1, "1", true, "true" or "yes" (CETEC sends 1/0, some fields as text).
_TRUE_TEXT = frozenset({"1", "true", "yes"})


def is_set(value) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return value == 1
    if isinstance(value, str):
        return value.strip().lower() in _TRUE_TEXT
    return False


def is_secret_column(name: str) -> bool:
    return name.lower() in SECRET_COLUMNS


def parse_columns(text: str) -> list[str]:
    """`"id, name,domain"` -> `["id", "name", "domain"]` (order kept, repeats dropped); ValueError with a
    message for names CETEC cannot have."""
    columns: list[str] = []
    for part in text.split(","):
        name = part.strip()
        if not name:
            continue
        if not COLUMN_NAME.fullmatch(name):
            raise ValueError(_("%(name)s is not a column name (letters, digits and _ only).") % {"name": name[:70]})
        if name not in columns:
            columns.append(name)
    if len(columns) > MAX_COLUMNS:
        raise ValueError(_("At most %(count)s columns.") % {"count": MAX_COLUMNS})
    return columns


def plan_columns(requested: list[str] | None) -> tuple[list[str], list[str]]:
    """(columns asked of CETEC, columns answered). Without a request, CETEC gets the default columns of
    the contract; with one, the request without secret columns plus what the proxy needs itself. The
    answer holds the id and the requested (or default) columns, never a secret one."""
    if not requested:
        return list(DEFAULT_COLUMNS), [c for c in DEFAULT_COLUMNS if not is_secret_column(c)]
    wanted = [c for c in requested if not is_secret_column(c)]
    upstream = wanted + [c for c in REQUIRED_COLUMNS if c not in wanted]
    answered = ["id", *(c for c in wanted if c != "id")]
    return upstream, answered


def cetec_settings() -> tuple[str, str]:
    if not settings.CETEC_URL:
        raise NotConfiguredError(_("CETEC is not configured: set CETEC_URL and CETEC_PRESHARED_TOKEN."))
    if not settings.CETEC_PRESHARED_TOKEN:
        raise NotConfiguredError(_("The CETEC preshared token is missing: set CETEC_PRESHARED_TOKEN."))
    url = settings.CETEC_URL
    if "://" not in url:
        url = f"https://{url}"  # `acme.cetecerp.com` as CETEC's own docs write it
    return url, settings.CETEC_PRESHARED_TOKEN


class CetecClient(JsonClient):
    system = "CETEC"

    def __init__(self, base_url: str, token: str, *, timeout: float, session=None):
        super().__init__(base_url, timeout=timeout, session=session)
        self._token = token

    def __repr__(self):
        return f"<CetecClient {self.base_url}>"

    def customers(self, *, columns: list[str], filters: dict) -> list:
        """The JSON array CETEC answers (records as they come). `filters`: id, name, external_key."""
        params = {"preshared_token": self._token, "columns": ",".join(columns)}
        params.update((key, value) for key, value in filters.items() if value not in (None, ""))
        try:
            response = self.request("GET", PATH, params=params, what=PATH)
            if response.status_code in (401, 403):
                raise SourceError(
                    _("CETEC refused the preshared token (HTTP %(status)s): check CETEC_PRESHARED_TOKEN.")
                    % {"status": response.status_code}
                )
            if response.status_code != 200:
                raise self.status_error(response, what=PATH)
            body = self.decode(response, what=PATH)
        except SourceError as exc:
            # The messages never hold the request URL; this keeps it so should one ever quote a URL.
            raise SourceError(self.scrub(str(exc))) from None
        if body is None:
            return []
        if not isinstance(body, list):
            raise SourceError(_("CETEC's answer is not a list of customers (%(what)s).") % {"what": PATH})
        return body

    def scrub(self, text: str) -> str:
        return text.replace(self._token, "***") if self._token else text
