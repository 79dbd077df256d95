import json

from django.utils.translation import gettext_lazy as _
from rest_framework.renderers import JSONRenderer

DEFAULT_MESSAGES = {"POST": _("Created"), "PUT": _("Updated"), "PATCH": _("Updated"), "DELETE": _("Deleted")}


class EnvelopeJSONRenderer(JSONRenderer):
    """Wraps every successful payload in {"status","message","data"} (CONTRACT section 3).

    Error payloads are built by the exception handler and already carry the envelope.
    A view may set `response.envelope_message` to say something more specific than the default.
    """

    def render(self, data, accepted_media_type=None, renderer_context=None):
        renderer_context = renderer_context or {}
        response = renderer_context.get("response")
        request = renderer_context.get("request")
        if response is not None and response.status_code in (204, 304):
            return b""  # these statuses never carry a body (RFC 9110)
        if response is None or (isinstance(data, dict) and data.get("status") in ("success", "error")):
            return self._encode(data, accepted_media_type, renderer_context)
        if response.status_code >= 400:
            payload = {
                "status": "error",
                "message": str(getattr(response, "envelope_message", None) or _("Error")),
                "code": "ERROR",
                "errors": data if isinstance(data, dict) else {"detail": data},
            }
        else:
            method = getattr(request, "method", "GET")
            message = str(getattr(response, "envelope_message", None) or DEFAULT_MESSAGES.get(method, _("OK")))
            payload = {"status": "success", "message": message, "data": data}
        return self._encode(payload, accepted_media_type, renderer_context)

    def _encode(self, data, accepted_media_type, renderer_context) -> bytes:
        try:
            return super().render(data, accepted_media_type, renderer_context)
        except UnicodeEncodeError:
            # Text that is no valid Unicode (a lone surrogate echoed from input) still renders, escaped.
            return json.dumps(data, cls=self.encoder_class, ensure_ascii=True, allow_nan=False).encode("ascii")
