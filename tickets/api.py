"""`/api/tickets…` (CONTRACT section 3). Thin: parse, call a selector or service, render."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from scandy_site.accounts.permissions import HasCapability
from scandy_site.core.api.views import DepartmentScopedMixin, ETagMixin
from scandy_site.core.errors import ApplicationError

from . import selectors, services
from .filters import TicketFilter
from .serializers import (
    AssignInputSerializer,
    HistorySerializer,
    MessageSerializer,
    OrderInputSerializer,
    OrderSerializer,
    TicketInputSerializer,
    TicketSerializer,
    TransitionInputSerializer,
)


def _valid(serializer_class, request, **kwargs):
    serializer = serializer_class(data=request.data, **kwargs)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


class TicketViewSet(
    DepartmentScopedMixin, ETagMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    # Every role may create tickets; what each one then sees is the selector's business.
    permission_classes = [HasCapability.of("tickets.create")]
    serializer_class = TicketSerializer
    filterset_class = TicketFilter
    search_fields = ["ticket_number", "title", "description"]
    ordering_fields = ["created_at", "updated_at", "due_date", "priority_rank", "status", "ticket_number", "title"]
    ordering = ["-created_at", "-id"]
    lookup_value_regex = r"[0-9]+|[0-9]{4}-[0-9]{3,}"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return selectors.Ticket.objects.none()
        return selectors.ticket_list(user=self.request.user, department=self.department, with_order=True)

    def get_object(self):
        return selectors.ticket_get(user=self.request.user, department=self.department, identifier=self.kwargs["pk"])

    def _fresh(self, ticket):
        return selectors.ticket_get(user=self.request.user, department=None, identifier=ticket.pk)

    @extend_schema(request=TicketInputSerializer, responses=TicketSerializer)
    def create(self, request, *args, **kwargs):
        department = self.department_for_write()
        data = dict(_valid(TicketInputSerializer, request))
        usernames = data.pop("assignees", [])
        assignees = services.users_by_username(usernames) if usernames else []
        ticket = services.ticket_create(department=department, user=request.user, assignees=assignees, **data)
        response = Response(TicketSerializer(self._fresh(ticket)).data, status=status.HTTP_201_CREATED)
        response.envelope_message = _("Ticket %(number)s created.") % {"number": ticket.ticket_number}
        return response

    @extend_schema(request=TicketInputSerializer, responses=TicketSerializer)
    def update(self, request, *args, partial=False, **kwargs):
        ticket = self.get_object()
        self.check_if_match(ticket)
        data = dict(_valid(TicketInputSerializer, request, partial=partial))
        for server_only in ("assignees", "order"):
            if server_only in data:
                raise ApplicationError(
                    "VALIDATION_ERROR", _("Change %(field)s through its own endpoint.") % {"field": server_only},
                    errors={server_only: [_("not changed here")]},
                )  # fmt: skip
        services.ticket_update(ticket=ticket, user=request.user, **data)
        return Response(TicketSerializer(self._fresh(ticket)).data)

    @extend_schema(request=TicketInputSerializer, responses=TicketSerializer)
    def partial_update(self, request, *args, **kwargs):
        return self.update(request, *args, partial=True, **kwargs)

    @extend_schema(request=MessageSerializer, responses=MessageSerializer(many=True))
    @action(detail=True, methods=["get", "post"])
    def messages(self, request, pk=None):
        ticket = self.get_object()
        if request.method == "GET":
            page = self.paginate_queryset(selectors.ticket_messages(ticket=ticket, user=request.user))
            return self.get_paginated_response(MessageSerializer(page, many=True).data)
        data = _valid(MessageSerializer, request)
        message = services.ticket_add_message(
            ticket=ticket, user=request.user, body=data["body"], internal=data.get("is_internal", False)
        )
        response = Response(MessageSerializer(message).data, status=status.HTTP_201_CREATED)
        response.envelope_message = _("Message added.")
        return response

    def _assignment(self, request, service, message):
        ticket = self.get_object()
        (assignee,) = services.users_by_username([_valid(AssignInputSerializer, request)["username"]])
        service(ticket=ticket, user=request.user, assignee=assignee)
        response = Response(TicketSerializer(self._fresh(ticket)).data)
        response.envelope_message = message % {"user": assignee.username}
        return response

    @extend_schema(request=AssignInputSerializer, responses=TicketSerializer)
    @action(detail=True, methods=["post"])
    def assign(self, request, pk=None):
        return self._assignment(request, services.ticket_assign, _("Assigned to %(user)s."))

    @extend_schema(request=AssignInputSerializer, responses=TicketSerializer)
    @action(detail=True, methods=["post"])
    def unassign(self, request, pk=None):
        return self._assignment(request, services.ticket_unassign, _("%(user)s is no longer assigned."))

    @extend_schema(request=TransitionInputSerializer, responses=TicketSerializer)
    @action(detail=True, methods=["post"])
    def transition(self, request, pk=None):
        ticket = self.get_object()
        target = _valid(TransitionInputSerializer, request)["status"]
        services.ticket_transition(ticket=ticket, user=request.user, status=target)
        response = Response(TicketSerializer(self._fresh(ticket)).data)
        response.envelope_message = _("Status is now “%(status)s”.") % {"status": ticket.Status(target).label}
        return response

    @extend_schema(responses=HistorySerializer(many=True))
    @action(detail=True, methods=["get"])
    def history(self, request, pk=None):
        ticket = self.get_object()
        page = self.paginate_queryset(selectors.ticket_history(ticket=ticket, user=request.user))
        return self.get_paginated_response(HistorySerializer(page, many=True).data)

    @extend_schema(request=OrderInputSerializer, responses=OrderSerializer)
    @action(detail=True, methods=["get", "put"])
    def order(self, request, pk=None):
        ticket = self.get_object()
        if request.method == "PUT":
            data = dict(_valid(OrderInputSerializer, request))
            work = [dict(line) for line in data.pop("work_lines", [])]
            material = [dict(line) for line in data.pop("material_lines", [])]
            services.ticket_order_replace(ticket=ticket, user=request.user, details=data, work_lines=work,
                                          material_lines=material)  # fmt: skip
            ticket = self._fresh(ticket)
        order = getattr(ticket, "order", None)
        if order is None:
            raise ApplicationError("NOT_FOUND", _("This ticket has no order details."))
        return Response(OrderSerializer(order).data)
