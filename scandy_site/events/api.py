"""The event feed (CONTRACT section 3, "events"): `GET /api/events?since=<id>` and the live stream
`GET /api/events/stream` (Server-Sent Events), both scoped like every other list."""

from django.http import StreamingHttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from scandy_site.core.api.views import DepartmentScopedMixin
from scandy_site.core.errors import ApplicationError

from .selectors import event_data, event_list, latest_event_id
from .stream import event_stream

DEFAULT_LIMIT = 100
MAX_LIMIT = 500
MAX_ID = 2**63 - 1
LIMIT_HELP = f"At most this many (1-{MAX_LIMIT}, default {DEFAULT_LIMIT})."


def _event_id(value, name: str) -> int:
    text = str(value).strip()
    if not text.isdigit() or len(text) > 19 or int(text) > MAX_ID:
        raise ApplicationError(
            "VALIDATION_ERROR",
            _("%(name)s must be an event id (a whole number, 0 or more).") % {"name": name},
            errors={name: [_("not an event id")]},
        )
    return int(text)


def _limit(value) -> int:
    if value in (None, ""):
        return DEFAULT_LIMIT
    text = str(value).strip()
    if not text.isdigit() or not 1 <= int(text[:6]) <= MAX_LIMIT:
        raise ApplicationError(
            "VALIDATION_ERROR",
            _("limit must be between 1 and %(max)s.") % {"max": MAX_LIMIT},
            errors={"limit": [_("between 1 and %(max)s") % {"max": MAX_LIMIT}]},
        )
    return int(text)


def _event_fields() -> dict:
    return {
        "id": serializers.IntegerField(),
        "type": serializers.CharField(help_text="`<kind>.<action>`, e.g. `tool.updated`"),
        "object_id": serializers.CharField(help_text="how the API names the record: barcode, number or UUID"),
        "changed_fields": serializers.ListField(child=serializers.CharField()),
        "at": serializers.DateTimeField(),
        "department": serializers.CharField(allow_null=True),
        "previous_object_id": serializers.CharField(required=False, help_text="only when the identifier changed"),
    }


class EventFeedView(DepartmentScopedMixin, APIView):
    """Committed changes the user may see, oldest first, after `since`."""

    @extend_schema(
        parameters=[
            OpenApiParameter("since", OpenApiTypes.INT, description="Return events after this id (default 0)."),
            OpenApiParameter("limit", OpenApiTypes.INT, description=LIMIT_HELP),
        ],
        responses=inline_serializer(
            "EventPage",
            {
                "since": serializers.IntegerField(),
                "last_id": serializers.IntegerField(help_text="pass it as `since` next time"),
                "has_more": serializers.BooleanField(),
                "next": serializers.URLField(allow_null=True),
                "results": inline_serializer("Event", _event_fields(), many=True),
            },
        ),
    )
    def get(self, request):
        since = _event_id(request.query_params.get("since") or 0, "since")
        limit = _limit(request.query_params.get("limit"))
        # The newest id first: every event up to it is in the query below, so `last_id` may pass over
        # events the user does not see without ever skipping one committed later.
        newest = latest_event_id()
        events = event_list(user=request.user, department=self.department)
        rows = list(events.filter(id__gt=since, id__lte=newest)[: limit + 1])
        has_more = len(rows) > limit
        rows = rows[:limit]
        last_id = rows[-1].pk if has_more else max(since, newest)
        next_url = None
        if has_more:
            query = request.query_params.copy()
            query["since"], query["limit"] = str(last_id), str(limit)
            next_url = request.build_absolute_uri(f"{request.path}?{query.urlencode()}")
        data = {
            "since": since, "last_id": last_id, "has_more": has_more, "next": next_url,
            "results": [event_data(event) for event in rows],
        }  # fmt: skip
        return Response(data)


class EventStreamView(DepartmentScopedMixin, APIView):
    """Server-Sent Events: each event as `id: <id>` + `data: <event JSON>`. Resumes after `Last-Event-ID`
    (or `?since=`); without either, starts with the events committed from now on."""

    def perform_content_negotiation(self, request, force=False):
        # EventSource asks for text/event-stream; errors before the stream starts still answer in JSON.
        return super().perform_content_negotiation(request, force=True)

    @extend_schema(
        parameters=[
            OpenApiParameter("since", OpenApiTypes.INT, description="Start after this event id."),
            OpenApiParameter(
                "Last-Event-ID",
                OpenApiTypes.INT,
                OpenApiParameter.HEADER,
                description="Set by the browser on reconnect; wins over `since`.",
            ),
        ],
        responses={(200, "text/event-stream"): OpenApiResponse(OpenApiTypes.STR, description="an SSE stream")},
    )
    def get(self, request):
        header = request.headers.get("Last-Event-ID", "").strip()
        if header:
            cursor = _event_id(header, "Last-Event-ID")
        elif request.query_params.get("since") not in (None, ""):
            cursor = _event_id(request.query_params["since"], "since")
        else:
            cursor = latest_event_id()
        events = event_list(user=request.user, department=self.department)
        response = StreamingHttpResponse(event_stream(events, cursor=cursor), content_type="text/event-stream")
        response["Cache-Control"] = "no-cache"
        # nginx and similar proxies would otherwise hold the events back in their buffers.
        response["X-Accel-Buffering"] = "no"
        return response
