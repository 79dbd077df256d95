"""`/api/timesheets…` (CONTRACT section 3). Thin: parse, call a selector or service, render.

Which reports a caller sees is the selector's business (one you may not see is a 404); what they may do with
it is checked by the services (403 for a move never yours, 409 INVALID_TRANSITION for a move the status does not
allow, 409 CONFLICT for changing a report that is read-only now)."""

from django.db import transaction
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from scandy_site.accounts.permissions import HasCapability
from scandy_site.core.api.renderers import EnvelopeJSONRenderer
from scandy_site.core.api.views import DepartmentScopedMixin, ETagMixin, etag_for
from scandy_site.core.errors import ApplicationError
from tickets.serializers import HistorySerializer  # history rows look alike everywhere: one schema component

from . import exports, selectors, services
from .filters import TimesheetFilter
from .models import Timesheet
from .serializers import (
    EntryInputSerializer,
    EntrySerializer,
    ReasonInputSerializer,
    RejectInputSerializer,
    TimesheetDetailSerializer,
    TimesheetInputSerializer,
    TimesheetSerializer,
)

ACTION_MESSAGES = {
    "submit": gettext_lazy("Report submitted."),
    "approve": gettext_lazy("Report approved."),
    "reject": gettext_lazy("Report rejected."),
    "reopen": gettext_lazy("Report is a draft again."),
}
ENTRY_ID = OpenApiParameter("entry_id", int, OpenApiParameter.PATH, description="id of the entry")


def _valid(serializer_class, request, **kwargs):
    serializer = serializer_class(data=request.data, **kwargs)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def _entries(data) -> list[dict] | None:
    return [dict(entry) for entry in data["entries"]] if "entries" in data else None


class TimesheetViewSet(
    DepartmentScopedMixin, ETagMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    # Every role keeps its own reports; approving is checked per report by the services.
    permission_classes = [HasCapability.of("timesheets.own")]
    filterset_class = TimesheetFilter
    search_fields = ["user__username", "user__first_name", "user__last_name", "note"]
    ordering_fields = ["year", "week", "status", "submitted_at", "total_minutes", "updated_at", "created_at"]
    ordering = ["-year", "-week", "id"]
    lookup_value_regex = "[0-9]{1,18}"

    def get_serializer_class(self):
        return TimesheetSerializer if self.action == "list" else TimesheetDetailSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Timesheet.objects.none()
        return selectors.timesheet_list(user=self.request.user, department=self.department)

    def get_object(self):
        return selectors.timesheet_get(user=self.request.user, department=self.department, pk=self.kwargs["pk"])

    def perform_content_negotiation(self, request, force=False):
        if self.action == "pdf":
            # The PDF is the answer whatever the Accept header says; errors come as the usual JSON envelope.
            return EnvelopeJSONRenderer(), EnvelopeJSONRenderer.media_type
        return super().perform_content_negotiation(request, force)

    def _detail(self, timesheet, *, code=status.HTTP_200_OK, message=None) -> Response:
        fresh = selectors.timesheet_get(user=self.request.user, department=self.department, pk=timesheet.pk)
        data = TimesheetDetailSerializer(fresh).data
        response = Response(data, status=code, headers={"ETag": etag_for(data)})
        if message:
            response.envelope_message = message
        return response

    @extend_schema(request=TimesheetInputSerializer, responses={201: TimesheetDetailSerializer})
    def create(self, request, *args, **kwargs):
        data = _valid(TimesheetInputSerializer, request)
        year, week = services.iso_week(timezone.localdate())
        timesheet = services.timesheet_create(
            user=request.user, department=self.department_for_write(), year=data.get("year", year),
            week=data.get("week", week), note=data.get("note", ""), entries=_entries(data) or (),
        )  # fmt: skip
        message = _("Report for week %(week)s/%(year)s created.") % {"week": timesheet.week, "year": timesheet.year}
        return self._detail(timesheet, code=status.HTTP_201_CREATED, message=message)

    def _update(self, request, *, partial: bool) -> Response:
        data = _valid(TimesheetInputSerializer, request, partial=partial)
        for fixed in ("year", "week"):
            if fixed in data:
                raise ApplicationError(
                    "VALIDATION_ERROR", _("The week of a report does not change; make a report for the other week."),
                    errors={fixed: [_("cannot be changed")]},
                )  # fmt: skip
        note, entries = data.get("note"), _entries(data)
        if not partial:
            note, entries = note or "", entries or []
        with transaction.atomic():
            timesheet = self.object_for_write()
            services.timesheet_update(timesheet=timesheet, user=request.user, note=note, entries=entries)
        return self._detail(timesheet)

    @extend_schema(request=TimesheetInputSerializer, responses=TimesheetDetailSerializer)
    def update(self, request, *args, **kwargs):
        return self._update(request, partial=False)

    @extend_schema(request=TimesheetInputSerializer, responses=TimesheetDetailSerializer)
    def partial_update(self, request, *args, **kwargs):
        return self._update(request, partial=True)

    # --- workflow ------------------------------------------------------------------------------

    def _act(self, request, action_name: str, reason: str = "") -> Response:
        with transaction.atomic():
            timesheet = self.object_for_write()  # honours If-Match: approve exactly what was reviewed
            services.timesheet_act(timesheet=timesheet, user=request.user, action=action_name, reason=reason)
        return self._detail(timesheet, message=ACTION_MESSAGES[action_name])

    @extend_schema(request=None, responses=TimesheetDetailSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        return self._act(request, "submit")

    @extend_schema(request=None, responses=TimesheetDetailSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        return self._act(request, "approve")

    @extend_schema(request=RejectInputSerializer, responses=TimesheetDetailSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        return self._act(request, "reject", _valid(RejectInputSerializer, request)["reason"])

    @extend_schema(request=ReasonInputSerializer, responses=TimesheetDetailSerializer)
    @action(detail=True, methods=["post"])
    def reopen(self, request, pk=None):
        return self._act(request, "reopen", _valid(ReasonInputSerializer, request)["reason"])

    @extend_schema(responses={(200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY, description="A4 PDF")})
    @action(detail=True, methods=["get"])
    def pdf(self, request, pk=None):
        timesheet = self.get_object()
        response = HttpResponse(exports.timesheet_pdf(timesheet), content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="{exports.filename(timesheet)}"'
        return response

    @extend_schema(responses=HistorySerializer(many=True))
    @action(detail=True, methods=["get"])
    def history(self, request, pk=None):
        page = self.paginate_queryset(selectors.timesheet_history(timesheet=self.get_object()))
        return self.get_paginated_response(HistorySerializer(page, many=True).data)

    # --- entries -------------------------------------------------------------------------------

    @extend_schema(methods=["GET"], responses=EntrySerializer(many=True))
    @extend_schema(methods=["POST"], request=EntryInputSerializer, responses={201: EntrySerializer})
    @action(detail=True, methods=["get", "post"])
    def entries(self, request, pk=None):
        timesheet = self.get_object()
        if request.method == "GET":
            page = self.paginate_queryset(list(selectors.timesheet_entries(timesheet=timesheet)))
            return self.get_paginated_response(EntrySerializer(page, many=True).data)
        entry = services.timesheet_entry_create(timesheet=timesheet, user=request.user,
                                                **_valid(EntryInputSerializer, request))  # fmt: skip
        response = Response(EntrySerializer(self._entry(timesheet, entry.pk)).data, status=status.HTTP_201_CREATED)
        response.envelope_message = _("Entry added.")
        return response

    def _entry(self, timesheet, entry_id):
        entry = next((e for e in selectors.timesheet_entries(timesheet=timesheet) if e.pk == int(entry_id)), None)
        if entry is None:
            raise ApplicationError("NOT_FOUND", _("No such entry in this report."))
        return entry

    @extend_schema(methods=["GET"], parameters=[ENTRY_ID], responses=EntrySerializer)
    @extend_schema(methods=["PUT", "PATCH"], parameters=[ENTRY_ID], request=EntryInputSerializer,
                   responses=EntrySerializer)  # fmt: skip
    @extend_schema(methods=["DELETE"], parameters=[ENTRY_ID], responses={204: None})
    @action(detail=True, methods=["get", "put", "patch", "delete"], url_path=r"entries/(?P<entry_id>[0-9]{1,18})")
    def entry(self, request, pk=None, entry_id=None):
        timesheet = self.get_object()
        entry = self._entry(timesheet, entry_id)
        if request.method == "GET":
            return Response(EntrySerializer(entry).data)
        if request.method == "DELETE":
            services.timesheet_entry_delete(entry=entry, user=request.user)
            return Response(status=status.HTTP_204_NO_CONTENT)
        data = _valid(EntryInputSerializer, request, partial=request.method == "PATCH")
        if request.method == "PUT":
            # The whole entry: what is not sent is empty.
            data = {"description": "", "ticket": None, "break_minutes": 0, **data}
        services.timesheet_entry_update(entry=entry, user=request.user, **data)
        return Response(EntrySerializer(self._entry(timesheet, entry.pk)).data)
