from django.urls import path

from . import views

app_name = "media"
urlpatterns = [
    path("<str:entity_type>/<str:entity_id>/upload/", views.media_upload, name="upload"),
    path("<str:entity_type>/<str:entity_id>/<str:filename>/thumbnail/", views.media_thumbnail, name="thumbnail"),
    path("<str:entity_type>/<str:entity_id>/<str:filename>/delete/", views.media_delete, name="delete"),
    path("<str:entity_type>/<str:entity_id>/<str:filename>/preview/", views.media_preview, name="preview"),
    path("<str:entity_type>/<str:entity_id>/<str:filename>", views.media_file, name="file"),
]
