"""`/api/media/<entity_type>/<entity_id>/…` (CONTRACT section 3). `entity_id` is what the record's
own API uses: the barcode of a tool, consumable or worker, the id of a ticket."""

from django.conf import settings
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from scandy_site.core.api.views import DepartmentScopedMixin
from scandy_site.core.errors import ApplicationError

from . import selectors, services
from .entities import resolve
from .http import file_response, guard_upload
from .serializers import AttachmentSerializer, UploadInputSerializer


class _MediaView(DepartmentScopedMixin, APIView):
    edit = False

    def entity(self, request, entity_type, entity_id, *, edit=None):
        spec, obj = resolve(
            user=request.user, department=self.department, type_name=entity_type, identifier=entity_id,
            edit=self.edit if edit is None else edit,
        )  # fmt: skip
        return spec, obj

    def serialize(self, spec, obj, attachments, **kwargs):
        return AttachmentSerializer(attachments, context={"identifier": spec.identifier(obj)}, **kwargs).data


class MediaListView(_MediaView):
    @extend_schema(responses=AttachmentSerializer(many=True))
    def get(self, request, entity_type, entity_id):
        spec, obj = self.entity(request, entity_type, entity_id)
        attachments = selectors.media_list(entity_type=spec.name, entity_id=obj.pk)
        return Response(
            {
                "count": len(attachments),
                "max_files": settings.MEDIA_MAX_FILES_PER_ENTITY,
                "max_file_size": settings.MEDIA_MAX_FILE_SIZE,
                "results": self.serialize(spec, obj, attachments, many=True),
            }
        )


class MediaUploadView(_MediaView):
    edit = True
    parser_classes = [MultiPartParser]

    def initialize_request(self, request, *args, **kwargs):
        request.media_body_ok = guard_upload(request)
        return super().initialize_request(request, *args, **kwargs)

    @extend_schema(request={"multipart/form-data": UploadInputSerializer}, responses=AttachmentSerializer)
    def post(self, request, entity_type, entity_id):
        if not request._request.media_body_ok:
            raise services.file_too_large()
        spec, obj = self.entity(request, entity_type, entity_id)
        data = request.data  # parses the body (behind the size guard)
        if getattr(request._request, "media_file_too_large", False):
            raise services.file_too_large()
        form = UploadInputSerializer(data=data)
        if not form.is_valid():
            raise ApplicationError("VALIDATION_ERROR", _("Send the file as multipart field “file”."),
                                   errors=form.errors)  # fmt: skip
        attachment = services.media_upload(
            entity=obj, user=request.user, upload=form.validated_data["file"],
            make_preview=form.validated_data.get("preview"),
        )  # fmt: skip
        response = Response(self.serialize(spec, obj, attachment), status=status.HTTP_201_CREATED)
        response.envelope_message = _("File uploaded.")
        return response


class MediaFileView(_MediaView):
    @extend_schema(
        parameters=[OpenApiParameter("thumbnail", bool, description="the thumbnail instead of the file")],
        responses={(200, "application/octet-stream"): OpenApiTypes.BINARY},
    )
    def get(self, request, entity_type, entity_id, filename):
        spec, obj = self.entity(request, entity_type, entity_id)
        attachment = selectors.media_get(entity_type=spec.name, entity_id=obj.pk, filename=filename)
        return file_response(attachment, thumbnail=request.query_params.get("thumbnail") in ("1", "true"))

    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    def delete(self, request, entity_type, entity_id, filename):
        spec, obj = self.entity(request, entity_type, entity_id, edit=True)
        attachment = selectors.media_get(entity_type=spec.name, entity_id=obj.pk, filename=filename)
        services.media_delete(attachment=attachment, user=request.user)
        response = Response({"filename": attachment.filename, "deleted": True})
        response.envelope_message = _("File deleted.")
        return response


class MediaPreviewView(_MediaView):
    edit = True

    @extend_schema(request=None, responses=AttachmentSerializer)
    def post(self, request, entity_type, entity_id, filename):
        spec, obj = self.entity(request, entity_type, entity_id)
        attachment = selectors.media_get(entity_type=spec.name, entity_id=obj.pk, filename=filename)
        attachment = services.media_set_preview(attachment=attachment, user=request.user)
        response = Response(self.serialize(spec, obj, attachment))
        response.envelope_message = _("Preview image chosen.")
        return response
