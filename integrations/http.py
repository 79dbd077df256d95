"""What the HTTP clients of outside systems share: timeouts, and every failure turned into one
`SourceError` with a message a person can act on (and that never holds a secret)."""

import logging
from urllib.parse import urlsplit, urlunsplit

import requests
from django.utils.translation import gettext as _

from .engine import SourceError

logger = logging.getLogger(__name__)

# A source listing more pages than this is taken to be looping, not to be that large.
MAX_PAGES = 100_000


def safe_url(url: str) -> str:
    """The URL without user:password@, for messages."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    return urlunsplit((parts.scheme, host, parts.path, "", ""))


class JsonClient:
    system = ""  # the name used in messages

    def __init__(self, base_url: str, *, timeout: float, session: requests.Session | None = None):
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.session = session or requests.Session()
        self.session.headers.setdefault("Accept", "application/json")

    def request(self, method: str, path: str, *, what: str, **kwargs) -> requests.Response:
        url = self.base_url + path
        try:
            response = self.session.request(method, url, timeout=self.timeout, **kwargs)
            response.content  # noqa: B018 - read the whole body here, so a cut-off body fails here too
        except requests.Timeout as exc:
            raise SourceError(
                _("%(system)s did not answer within %(seconds)s s (%(what)s).")
                % {"system": self.system, "seconds": f"{self.timeout:g}", "what": what}
            ) from exc
        except requests.RequestException as exc:
            logger.info("%s request failed: %s %s: %s", self.system, method, safe_url(url), type(exc).__name__)
            raise SourceError(
                _("%(system)s cannot be reached at %(url)s (%(what)s): %(error)s.")
                % {"system": self.system, "url": safe_url(self.base_url), "what": what, "error": _reason(exc)}
            ) from exc
        return response

    def decode(self, response: requests.Response, *, what: str):
        try:
            return response.json()
        except ValueError as exc:
            message = _("%(system)s sent an answer that is not valid JSON (%(what)s).")
            raise SourceError(message % {"system": self.system, "what": what}) from exc

    def status_error(self, response: requests.Response, *, what: str) -> SourceError:
        return SourceError(
            _("%(system)s answered with HTTP %(status)s (%(what)s).")
            % {"system": self.system, "status": response.status_code, "what": what}
        )


def _reason(exc: requests.RequestException) -> str:
    if isinstance(exc, requests.exceptions.ChunkedEncodingError | requests.exceptions.ContentDecodingError):
        return _("the answer was cut off")
    if isinstance(exc, requests.ConnectionError):
        return _("connection failed")
    return type(exc).__name__
