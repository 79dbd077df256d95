"""`/api/jobs…` (CONTRACT section 3). Thin: parse, call a selector or service, render.

Which jobs a caller sees is the selector's business (one you may not see is a 404: drafts and closed offers
are for staff); posting, changing and deciding on applications is for staff (`jobs.manage`, 403 otherwise);
everyone signed in applies (`jobs.apply`)."""

from django.db import transaction
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from scandy_site.accounts.permissions import HasCapability
from scandy_site.core.api.views import DepartmentScopedMixin, ETagMixin, etag_for
from scandy_site.core.errors import ApplicationError
from tickets.serializers import HistorySerializer  # history rows look alike everywhere: one schema component

from . import selectors, services
from .filters import JobFilter
from .models import Job
from .serializers import (
    ApplicationInputSerializer,
    ApplicationSerializer,
    ApplicationStatusSerializer,
    JobInputSerializer,
    JobSerializer,
)

APPLICATION_ID = OpenApiParameter("application_id", int, OpenApiParameter.PATH, description="id of the application")
SEARCH = OpenApiParameter("search", str, description="full-text search over title, description and location")


def _valid(serializer_class, request, **kwargs):
    serializer = serializer_class(data=request.data, **kwargs)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


class JobViewSet(
    DepartmentScopedMixin, ETagMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    serializer_class = JobSerializer
    filterset_class = JobFilter
    # `?search=` is the selector's full-text search (ranked on PostgreSQL), not DRF's SearchFilter.
    search_fields = None
    ordering_fields = ["created_at", "updated_at", "closing_date", "title", "status", "employment_type"]
    ordering = None  # without ?ordering=: newest first, or best match first when searching
    lookup_value_regex = "[0-9]{1,18}"

    def get_permissions(self):
        # Everyone signed in reads and applies; only staff post and change offers (403 otherwise).
        write = "jobs.apply" if self.action in ("applications", "application") else "jobs.manage"
        return [HasCapability.of("jobs.view", write=write)()]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Job.objects.none()
        search = self.request.query_params.get("search", "") if self.action == "list" else ""
        return selectors.job_list(user=self.request.user, department=self.department, search=search)

    def get_object(self):
        return selectors.job_get(user=self.request.user, department=self.department, pk=self.kwargs["pk"])

    def _detail(self, job, *, code=status.HTTP_200_OK, message=None) -> Response:
        fresh = selectors.job_get(user=self.request.user, department=None, pk=job.pk)
        data = JobSerializer(fresh).data
        response = Response(data, status=code, headers={"ETag": etag_for(data)})
        if message:
            response.envelope_message = message
        return response

    @extend_schema(parameters=[SEARCH])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(request=JobInputSerializer, responses={201: JobSerializer})
    def create(self, request, *args, **kwargs):
        department = self.department_for_write()
        job = services.job_create(department=department, user=request.user, **_valid(JobInputSerializer, request))
        return self._detail(job, code=status.HTTP_201_CREATED, message=_("Job offer created."))

    def _update(self, request, *, partial: bool) -> Response:
        data = dict(_valid(JobInputSerializer, request, partial=partial))
        if not partial:
            data = {"location": "", "closing_date": None, **data}
        with transaction.atomic():
            job = self.object_for_write()
            services.job_update(job=job, user=request.user, **data)
        return self._detail(job, message=_("Job offer saved."))

    @extend_schema(request=JobInputSerializer, responses=JobSerializer)
    def update(self, request, *args, **kwargs):
        return self._update(request, partial=False)

    @extend_schema(request=JobInputSerializer, responses=JobSerializer)
    def partial_update(self, request, *args, **kwargs):
        return self._update(request, partial=True)

    @extend_schema(responses=HistorySerializer(many=True))
    @action(detail=True, methods=["get"])
    def history(self, request, pk=None):
        job = self.get_object()
        if not request.user.can("jobs.manage"):
            raise ApplicationError("PERMISSION_DENIED", _("Only staff may see the history of a job offer."))
        page = self.paginate_queryset(selectors.job_history(job=job))
        return self.get_paginated_response(HistorySerializer(page, many=True).data)

    # --- applications --------------------------------------------------------------------------

    @extend_schema(methods=["GET"], responses=ApplicationSerializer(many=True))
    @extend_schema(methods=["POST"], request=ApplicationInputSerializer, responses={201: ApplicationSerializer})
    @action(detail=True, methods=["get", "post"], filterset_class=None, ordering_fields=None)
    def applications(self, request, pk=None):
        """GET: staff see every application to the job, everyone else their own. POST: apply."""
        job = self.get_object()
        if request.method == "GET":
            page = self.paginate_queryset(selectors.job_applications(job=job, user=request.user))
            return self.get_paginated_response(ApplicationSerializer(page, many=True).data)
        application = services.application_create(job=job, user=request.user,
                                                  **_valid(ApplicationInputSerializer, request))  # fmt: skip
        fresh = selectors.application_get(job=job, user=request.user, pk=application.pk)
        response = Response(ApplicationSerializer(fresh).data, status=status.HTTP_201_CREATED)
        response.envelope_message = _("Your application was sent.")
        return response

    @extend_schema(methods=["GET"], parameters=[APPLICATION_ID], responses=ApplicationSerializer)
    @extend_schema(methods=["PATCH"], parameters=[APPLICATION_ID], request=ApplicationStatusSerializer,
                   responses=ApplicationSerializer)  # fmt: skip
    @extend_schema(methods=["DELETE"], parameters=[APPLICATION_ID], responses={204: None})
    @action(detail=True, methods=["get", "patch", "delete"],
            url_path=r"applications/(?P<application_id>[0-9]{1,18})")  # fmt: skip
    def application(self, request, pk=None, application_id=None):
        """GET one application; PATCH `{"status"}` (staff); DELETE withdraws your own."""
        job = self.get_object()
        application = selectors.application_get(job=job, user=request.user, pk=application_id)
        if request.method == "GET":
            return Response(ApplicationSerializer(application).data)
        if request.method == "DELETE":
            services.application_withdraw(application=application, user=request.user)
            return Response(status=status.HTTP_204_NO_CONTENT)
        target = _valid(ApplicationStatusSerializer, request)["status"]
        services.application_set_status(application=application, user=request.user, status=target)
        response = Response(ApplicationSerializer(selectors.application_get(job=job, user=request.user,
                                                                            pk=application.pk)).data)  # fmt: skip
        response.envelope_message = _("Status is now “%(status)s”.") % {"status": application.Status(target).label}
        return response
