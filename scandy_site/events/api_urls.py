from django.urls import path

from . import api

urlpatterns = [
    path("events", api.EventFeedView.as_view(), name="api-events"),
    path("events/stream", api.EventStreamView.as_view(), name="api-events-stream"),
]
