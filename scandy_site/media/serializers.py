from django.urls import reverse
from rest_framework import serializers

from .models import Attachment


class AttachmentSerializer(serializers.ModelSerializer):
    uploaded_by = serializers.CharField(source="uploaded_by.username", default=None)
    url = serializers.SerializerMethodField()
    thumbnail_url = serializers.SerializerMethodField()

    class Meta:
        model = Attachment
        fields = ["filename", "original_name", "kind", "content_type", "size", "width", "height", "is_preview",
                  "uploaded_by", "created_at", "url", "thumbnail_url"]  # fmt: skip

    def _url_args(self, obj):
        return [obj.entity_type, self.context["identifier"], obj.filename]

    def get_url(self, obj) -> str:
        return reverse("api-media-file", args=self._url_args(obj))

    def get_thumbnail_url(self, obj) -> str | None:
        return f"{reverse('api-media-file', args=self._url_args(obj))}?thumbnail=1" if obj.thumbnail else None


class UploadInputSerializer(serializers.Serializer):
    file = serializers.FileField(allow_empty_file=True)
    preview = serializers.BooleanField(required=False, allow_null=True, default=None)
