"""Base classes every Scandy API view builds on."""

import hashlib
import json

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils.translation import gettext as _
from rest_framework import mixins, viewsets
from rest_framework.response import Response

from scandy_site.accounts.departments import resolve_scope
from scandy_site.core.errors import ApplicationError


def etag_for(data) -> str:
    raw = json.dumps(data, sort_keys=True, cls=DjangoJSONEncoder).encode()
    return '"' + hashlib.sha256(raw).hexdigest()[:32] + '"'


def etag_matches(header: str | None, current: str) -> bool:
    """Whether an If-Match/If-None-Match header names `current` (a list, weak tags and `*` included)."""
    if not header:
        return False
    tags = {tag.strip().removeprefix("W/") for tag in header.split(",")}
    return "*" in tags or current in tags


class DepartmentScopedMixin:
    """Resolves the current department after authentication (token users included)."""

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        self.scope = resolve_scope(request, request.user)

    @property
    def department(self):
        if not hasattr(self, "scope") and getattr(self, "swagger_fake_view", False):
            return None  # schema generation builds querysets without a request to scope
        return self.scope.department

    def department_for_write(self):
        if self.scope.is_all:
            raise ApplicationError(
                "VALIDATION_ERROR",
                _("Choose one department (X-Scandy-Department) to create records in."),
                errors={"department": [_("required when working across all departments")]},
            )
        return self.scope.department


class ETagMixin:
    """ETag on detail responses; PUT/PATCH/DELETE with a stale If-Match answer 412."""

    def retrieve(self, request, *args, **kwargs):
        response = super().retrieve(request, *args, **kwargs)
        tag = etag_for(response.data)
        if etag_matches(request.headers.get("If-None-Match"), tag):
            response.status_code = 304
            response.data = None
        response["ETag"] = tag
        return response

    def check_if_match(self, instance) -> None:
        wanted = self.request.headers.get("If-Match")
        if not wanted:
            return
        if not etag_matches(wanted, etag_for(self.get_serializer(instance).data)):
            raise ApplicationError(
                "PRECONDITION_FAILED", _("The record was changed by someone else; reload it and try again.")
            )

    def object_for_write(self):
        """The record a PUT/PATCH/DELETE changes, its If-Match checked. Call inside `transaction.atomic()`.

        With If-Match the row is locked first and read again after the lock, and the lock holds until the
        write commits: of two requests sending the same tag, the second waits, then sees the first one's
        change and gets 412. (Compared before the lock, both would pass and the second overwrite the first.)"""
        instance = self.get_object()
        if self.request.headers.get("If-Match"):
            type(instance)._default_manager.select_for_update().filter(pk=instance.pk).exists()
            instance = self.get_object()
            self.check_if_match(instance)
        return instance

    def update(self, request, *args, **kwargs):
        partial = kwargs.pop("partial", False)
        with transaction.atomic():
            serializer = self.get_serializer(self.object_for_write(), data=request.data, partial=partial)
            serializer.is_valid(raise_exception=True)
            self.perform_update(serializer)
        return Response(serializer.data)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if request.method in ("PUT", "PATCH") and 200 <= response.status_code < 300 and response.data:
            response["ETag"] = etag_for(response.data)
        return response


class ScopedViewSet(DepartmentScopedMixin, ETagMixin, viewsets.GenericViewSet):
    """Department scope and ETags, no actions: add the mixins a resource needs."""


class ScopedModelViewSet(
    DepartmentScopedMixin,
    ETagMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """List, detail, create, PUT/PATCH (If-Match checked) and delete, scoped to the department."""
