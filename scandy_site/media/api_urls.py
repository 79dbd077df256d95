from django.urls import path

from . import api

_BASE = "media/<str:entity_type>/<str:entity_id>"
urlpatterns = [
    path(f"{_BASE}/upload", api.MediaUploadView.as_view(), name="api-media-upload"),
    path(f"{_BASE}/list", api.MediaListView.as_view(), name="api-media-list"),
    path(f"{_BASE}/<str:filename>/preview", api.MediaPreviewView.as_view(), name="api-media-preview"),
    path(f"{_BASE}/<str:filename>", api.MediaFileView.as_view(), name="api-media-file"),
]
