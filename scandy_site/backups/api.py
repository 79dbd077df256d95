"""`GET/POST /api/backups`, `GET/DELETE /api/backups/<name>`, `POST …/<name>/verify`,
`POST …/<name>/restore` (admins only). Thin: parse, call a service, render."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from scandy_site.accounts.permissions import HasCapability
from scandy_site.core.api.pagination import StandardPagination

from . import services, storage
from .serializers import (
    BackupCreatedSerializer,
    BackupCreateSerializer,
    BackupDetailSerializer,
    BackupRestoreSerializer,
    BackupSerializer,
    BackupVerifySerializer,
    detail_payload,
)

BACKUP_PERMISSION = HasCapability.of("system.manage")


class _BackupView(APIView):
    permission_classes = [BACKUP_PERMISSION]


class BackupListView(_BackupView):
    pagination_class = StandardPagination

    @extend_schema(responses=BackupSerializer(many=True))
    def get(self, request):
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(services.backup_list(), request, view=self)
        return paginator.get_paginated_response(BackupSerializer(page, many=True).data)

    @extend_schema(request=BackupCreateSerializer, responses={201: BackupCreatedSerializer})
    def post(self, request):
        data = BackupCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        created = services.backup_create(include_media=data.validated_data["include_media"])
        response = Response(BackupCreatedSerializer(created).data, status=status.HTTP_201_CREATED)
        response.envelope_message = _("Backup %(name)s created.") % {"name": created.name}
        return response


class BackupDetailView(_BackupView):
    @extend_schema(responses=BackupDetailSerializer)
    def get(self, request, name):
        manifest = services.backup_manifest(name=name)
        return Response(detail_payload(storage.info_for(name), manifest))

    @extend_schema(responses={200: BackupSerializer})
    def delete(self, request, name):
        info = storage.info_for(name)
        services.backup_delete(name=name)
        response = Response(BackupSerializer(info).data)
        response.envelope_message = _("Backup %(name)s deleted.") % {"name": name}
        return response


class BackupVerifyView(_BackupView):
    @extend_schema(request=None, responses=BackupVerifySerializer)
    def post(self, request, name):
        storage.info_for(name)
        report = services.backup_verify(source=name)
        response = Response({"name": report.name, "ok": report.ok, "problems": report.problems, "rows": report.rows})
        if report.ok:
            response.envelope_message = _("The backup is intact and can be restored here.")
        else:
            response.envelope_message = _("The backup cannot be restored: see problems.")
        return response


class BackupRestoreView(_BackupView):
    @extend_schema(request=None, responses=BackupRestoreSerializer)
    def post(self, request, name):
        storage.info_for(name)
        result = services.backup_restore(source=name, user=request.user)
        response = Response(BackupRestoreSerializer(result).data)
        response.envelope_message = _("Restored %(name)s; the state before is saved as %(safety)s.") % {
            "name": result.name,
            "safety": result.safety_backup,
        }
        return response
