"""Uploads racing for the last places of a record on PostgreSQL: never more than 10 files."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from scandy_site.media import services
from scandy_site.media.models import Attachment
from tests.factories import ToolFactory
from tests.factories.media import image_bytes
from tests.threads import race

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="runs in the PostgreSQL pass of make test"),
]


def test_sixteen_uploads_at_once_store_exactly_ten(department, employee):
    tool = ToolFactory(department=department, barcode="RACE-FILES")
    data = image_bytes()

    def upload(i):
        return services.media_upload(
            entity=tool, user=employee, upload=SimpleUploadedFile(f"bild-{i}.png", data, content_type="image/png")
        ).filename

    results = race(16, upload)
    kinds = [kind for kind, _ in results]
    assert kinds.count("ok") == 10, results
    assert sorted(value for kind, value in results if kind != "ok") == ["TOO_MANY_FILES"] * 6
    assert Attachment.objects.filter(entity_type="tool", entity_id=tool.pk).count() == 10
    assert Attachment.objects.filter(entity_type="tool", entity_id=tool.pk, is_preview=True).count() == 1
