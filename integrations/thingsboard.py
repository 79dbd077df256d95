"""ThingsBoard CE (CONTRACT 5.1): REST client, the customer and device connectors, credentials."""

import datetime
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.conf import settings
from django.utils.translation import gettext as _

from .engine import Connector, Page, RecordError, SourceError
from .http import MAX_PAGES, JsonClient
from .models import Customer, Device, Source

NULL_UUID = "13814000-1dd2-11b2-8080-808080808080"
PAGE_SIZE = 1000


class NotConfiguredError(SourceError):
    """No URL or no credentials: nothing to try."""


@dataclass(frozen=True)
class ThingsBoardAccount:
    url: str
    username: str
    password: str = field(repr=False)
    own: bool = False  # the user's own credentials (else the service account)

    @property
    def label(self) -> str:
        return self.username if self.own else _("service account (%(user)s)") % {"user": self.username}


def thingsboard_account(user=None) -> ThingsBoardAccount:
    """The credentials a sync started by `user` uses: the user's own when stored, else the service
    account from the settings. Raises NotConfiguredError with what is missing."""
    url = settings.THINGSBOARD_URL
    if not url:
        raise NotConfiguredError(_("ThingsBoard is not configured: set THINGSBOARD_URL."))
    if user is not None and getattr(user, "has_thingsboard_credentials", False):
        password = user.get_thingsboard_password()
        if password:
            return ThingsBoardAccount(url, user.thingsboard_username, password, own=True)
    if settings.THINGSBOARD_USERNAME and settings.THINGSBOARD_PASSWORD:
        return ThingsBoardAccount(url, settings.THINGSBOARD_USERNAME, settings.THINGSBOARD_PASSWORD)
    raise NotConfiguredError(
        _(
            "No ThingsBoard credentials: an administrator can store your ThingsBoard user and password in your "
            "user profile, or configure the service account (THINGSBOARD_USERNAME, THINGSBOARD_PASSWORD)."
        )
    )


class ThingsBoardClient(JsonClient):
    system = "ThingsBoard"

    def __init__(self, account: ThingsBoardAccount, *, timeout: float, page_size: int | None = None, session=None):
        super().__init__(account.url, timeout=timeout, session=session)
        self.account = account
        self.page_size = page_size or PAGE_SIZE
        self.token = ""

    def login(self) -> None:
        what = _("login")
        body = {"username": self.account.username, "password": self.account.password}
        response = self.request("POST", "/api/auth/login", json=body, what=what)
        if response.status_code in (401, 403):
            raise SourceError(
                _("ThingsBoard refused the login of %(user)s: check the user name and password.")
                % {"user": self.account.username}
            )
        if response.status_code != 200:
            raise self.status_error(response, what=what)
        data = self.decode(response, what=what)
        token = data.get("token") if isinstance(data, dict) else None
        if not isinstance(token, str) or not token:
            raise SourceError(_("ThingsBoard's answer to the login holds no token."))
        self.token = token

    def get(self, path: str, *, params: dict, what: str):
        """GET with the bearer token; on 401 (an expired token) log in once more and retry once."""
        if not self.token:
            self.login()
        response = self._get(path, params, what)
        if response.status_code == 401:
            self.login()
            response = self._get(path, params, what)
            if response.status_code == 401:
                raise SourceError(
                    _("ThingsBoard refused access even after logging in again (%(what)s).") % {"what": what}
                )
        if response.status_code != 200:
            raise self.status_error(response, what=what)
        return self.decode(response, what=what)

    def _get(self, path, params, what):
        return self.request("GET", path, params=params, headers={"X-Authorization": f"Bearer {self.token}"}, what=what)

    def pages(self, path: str) -> Iterator[Page]:
        """Every page of a ThingsBoard page query, oldest records first, until `hasNext` is false."""
        for number in range(MAX_PAGES):
            what = _("%(path)s, page %(page)s") % {"path": path, "page": number + 1}
            params = {"pageSize": self.page_size, "page": number, "sortProperty": "createdTime", "sortOrder": "ASC"}
            data = self.get(path, params=params, what=what)
            if not isinstance(data, dict) or not isinstance(data.get("data"), list):
                raise SourceError(_("ThingsBoard's answer holds no list of records (%(what)s).") % {"what": what})
            total = data.get("totalElements")
            yield Page(data["data"], total=total if isinstance(total, int) else None)
            if data.get("hasNext") is not True:
                return
        raise SourceError(_("ThingsBoard kept reporting more pages (%(path)s).") % {"path": path})


def _entity_id(value, kind: str) -> str | None:
    """`{"entityType": kind, "id": uuid}` -> uuid; None for the null UUID or no reference."""
    if value is None:
        return None
    if not isinstance(value, dict):
        raise RecordError(_("%(kind)s id: expected an object") % {"kind": kind})
    uuid = value.get("id")
    if uuid is None or uuid == NULL_UUID:
        return None
    if not isinstance(uuid, str):
        raise RecordError(_("%(kind)s id: expected text") % {"kind": kind})
    return uuid


def _epoch_ms(value):
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise RecordError(_("createdTime: expected milliseconds since 1970"))
    try:
        return datetime.datetime.fromtimestamp(value / 1000, tz=datetime.UTC)
    except (OverflowError, OSError, ValueError) as exc:
        raise RecordError(_("createdTime: out of range")) from exc


class _ThingsBoardConnector(Connector):
    source = Source.THINGSBOARD
    path = ""
    kind = ""

    def __init__(self, client: ThingsBoardClient):
        self.client = client

    def pages(self) -> Iterator[Page]:
        return self.client.pages(self.path)

    def remote_id(self, raw) -> str:
        remote_id = _entity_id(raw.get("id"), self.kind)
        if remote_id is None:
            raise RecordError(_("%(kind)s without id") % {"kind": self.kind})
        return remote_id


class CustomerConnector(_ThingsBoardConnector):
    entity = "customers"
    model = Customer
    path = "/api/customers"
    kind = "CUSTOMER"
    fields = ("name", "title", "email", "phone", "address", "address2", "city", "country", "state", "zip",
              "additional_info", "created_time")  # fmt: skip

    def map(self, raw) -> dict:
        title = raw.get("title")
        values = {name: raw.get(name) for name in ("email", "phone", "address", "address2", "city", "country",
                                                   "state", "zip")}  # fmt: skip
        values.update(
            name=raw.get("name") or title or "",
            title=title,
            additional_info=raw.get("additionalInfo"),
            created_time=_epoch_ms(raw.get("createdTime")),
        )
        return values


class DeviceConnector(_ThingsBoardConnector):
    entity = "devices"
    model = Device
    path = "/api/tenant/devices"
    kind = "DEVICE"
    fields = ("name", "type", "label", "customer", "additional_info", "created_time")

    def map(self, raw) -> dict:
        return {
            "name": raw.get("name") or "",
            "type": raw.get("type"),
            "label": raw.get("label"),
            "customer": _entity_id(raw.get("customerId"), "CUSTOMER"),
            "additional_info": raw.get("additionalInfo"),
            "created_time": _epoch_ms(raw.get("createdTime")),
        }


ENTITIES = {"customers": CustomerConnector, "devices": DeviceConnector}


def thingsboard_connectors(*, account: ThingsBoardAccount, entities, timeout: float) -> list[Connector]:
    client = ThingsBoardClient(account, timeout=timeout)
    # Customers first: devices point at them.
    return [ENTITIES[name](client) for name in ENTITIES if name in entities]
