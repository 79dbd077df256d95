"""Files on records through the API: types by content, limits, image cleaning, preview, deletion."""

import io

import pytest
from django.core.files.storage import default_storage
from PIL import Image

from inventory.services import tool_purge, tool_soft_delete
from scandy_site.media.models import Attachment
from tests.factories import ToolFactory
from tests.factories.media import (
    GPS_TAG,
    ORIENTATION_TAG,
    doc_bytes,
    docx_bytes,
    image_bytes,
    pdf_bytes,
    upload,
    zip_bytes,
)

pytestmark = pytest.mark.django_db

URL = "/api/media/tool/T-1"


@pytest.fixture
def tool(department):
    return ToolFactory(department=department, barcode="T-1", name="Bohrhammer")


@pytest.fixture
def client(api_for, employee, tool):
    return api_for(employee)


def post(client, name, data, **extra):
    return client.post(f"{URL}/upload", {"file": upload(name, data), **extra}, format="multipart")


def stored(attachment: Attachment) -> bytes:
    with default_storage.open(attachment.file.name, "rb") as handle:
        return handle.read()


def test_png_upload_is_listed_downloaded_and_becomes_preview(client):
    response = post(client, "Foto vom Schaden.PNG", image_bytes("PNG", size=(800, 600)))
    assert response.status_code == 201, response.json()
    data = response.json()["data"]
    assert data["filename"] == "foto-vom-schaden.png"
    assert data["content_type"] == "image/png"
    assert (data["width"], data["height"]) == (800, 600)
    assert data["is_preview"] is True
    assert data["thumbnail_url"].endswith("?thumbnail=1")

    listing = client.get(f"{URL}/list").json()["data"]
    assert listing["count"] == 1 and listing["max_files"] == 10
    assert [item["filename"] for item in listing["results"]] == ["foto-vom-schaden.png"]

    download = client.get(data["url"])
    assert download.status_code == 200
    assert download["Content-Type"] == "image/png"
    assert "sandbox" in download["Content-Security-Policy"]
    body = b"".join(download.streaming_content)
    assert Image.open(io.BytesIO(body)).size == (800, 600)
    thumb = client.get(data["thumbnail_url"])
    assert thumb.status_code == 200
    assert max(Image.open(io.BytesIO(b"".join(thumb.streaming_content))).size) == 320


def test_type_is_decided_by_content_not_by_name(client):
    png_as_pdf = post(client, "bericht.pdf", image_bytes("PNG"))
    assert png_as_pdf.status_code == 201
    assert png_as_pdf.json()["data"]["filename"] == "bericht.png"
    assert png_as_pdf.json()["data"]["content_type"] == "image/png"

    pdf_as_jpg = post(client, "foto.jpg", pdf_bytes())
    assert pdf_as_jpg.status_code == 201
    assert pdf_as_jpg.json()["data"]["filename"] == "foto.pdf"
    assert pdf_as_jpg.json()["data"]["kind"] == "document"
    assert pdf_as_jpg.json()["data"]["is_preview"] is False


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("script.png", b"<html><script>alert(1)</script></html>"),
        ("leer.exe", b"MZ\x90\x00" + b"\x00" * 100),
        ("bild.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
        ("archiv.docx", zip_bytes({"readme.txt": b"no word document"})),
        ("text.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 2000),  # OLE2, but no Word stream
        ("kaputt.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 200),  # a PNG header and nothing behind it
        ("halb.pdf", b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n"),  # no %%EOF: cut off
    ],
)
def test_unsupported_and_broken_files_are_415(client, name, data):
    response = post(client, name, data)
    assert response.status_code == 415, response.json()
    assert response.json()["code"] == "UNSUPPORTED_FILE_TYPE"
    assert not Attachment.objects.exists()


@pytest.mark.parametrize(
    "data",
    [
        # PNG header glued to a PDF: no decodable image.
        pytest.param(b"\x89PNG\r\n\x1a\n" + pdf_bytes(), id="png-header-on-a-pdf"),
        # A PDF that is a ZIP archive at the same time (the classic PDF/ZIP polyglot).
        pytest.param(pdf_bytes() + zip_bytes({"evil.js": b"alert(1)"}), id="pdf-zip"),
        # A PDF carrying HTML in its head, for a browser that sniffs.
        pytest.param(b"%PDF-1.4\n<html><script>alert(1)</script>\n" + pdf_bytes()[9:], id="pdf-html"),
    ],
)
def test_polyglots_are_refused(client, data):
    response = post(client, "polyglot.pdf", data)
    assert response.status_code == 415
    assert not Attachment.objects.exists()


def test_image_with_appended_payload_is_stored_without_it(client):
    payload = zip_bytes({"evil.html": b"<script>alert(1)</script>"})
    response = post(client, "foto.jpg", image_bytes("JPEG") + payload)
    assert response.status_code == 201
    data = stored(Attachment.objects.get())
    assert b"evil.html" not in data and b"<script>" not in data
    assert data.startswith(b"\xff\xd8\xff")


def test_exif_is_removed_and_orientation_applied(client):
    original = image_bytes("JPEG", size=(200, 100), exif=True, orientation=6)
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(GPS_TAG)
    assert post(client, "kamera.jpg", original).status_code == 201
    data = stored(Attachment.objects.get())
    cleaned = Image.open(io.BytesIO(data))
    exif = cleaned.getexif()
    assert not exif.get_ifd(GPS_TAG)
    assert ORIENTATION_TAG not in exif and 0x010F not in exif
    assert b"SecretCam" not in data and b"scandy-test-software" not in data
    # Orientation 6 means "rotate 90°": the stored picture stands upright.
    assert cleaned.size == (100, 200)


def test_large_images_are_scaled_to_1920(client):
    response = post(client, "gross.png", image_bytes("PNG", size=(4000, 1000)))
    assert response.status_code == 201
    assert (response.json()["data"]["width"], response.json()["data"]["height"]) == (1920, 480)


@pytest.mark.parametrize(("fmt", "mime"), [("GIF", "image/gif"), ("WEBP", "image/webp"), ("JPEG", "image/jpeg")])
def test_every_image_type_is_accepted(client, fmt, mime):
    response = post(client, "bild.bin", image_bytes(fmt))
    assert response.status_code == 201
    assert response.json()["data"]["content_type"] == mime


def test_word_documents_are_accepted(client):
    docx = post(client, "Bericht März.docx", docx_bytes())
    assert docx.status_code == 201
    assert docx.json()["data"]["filename"] == "bericht-marz.docx"
    doc = post(client, "alt.doc", doc_bytes())
    assert doc.status_code == 201
    assert doc.json()["data"]["content_type"] == "application/msword"
    download = client.get(docx.json()["data"]["url"])
    assert download["Content-Disposition"].startswith("attachment")


def test_file_over_10_mb_is_413(client, settings):
    big = b"%PDF-1.4\n" + b"0" * (10 * 1024 * 1024) + b"\n%%EOF\n"
    response = post(client, "gross.pdf", big)
    assert response.status_code == 413
    assert response.json()["code"] == "FILE_TOO_LARGE"
    assert not Attachment.objects.exists()


def test_declared_body_over_the_limit_is_413_before_reading(client):
    response = client.generic(
        "POST", f"{URL}/upload", b"x", content_type="multipart/form-data; boundary=x",
        CONTENT_LENGTH=str(200 * 1024 * 1024),
    )  # fmt: skip
    assert response.status_code == 413


def test_eleventh_file_is_409(client):
    for number in range(10):
        assert post(client, f"bild-{number}.png", image_bytes()).status_code == 201
    response = post(client, "eins-zu-viel.png", image_bytes())
    assert response.status_code == 409
    assert response.json()["code"] == "TOO_MANY_FILES"
    assert Attachment.objects.count() == 10


def test_same_name_gets_a_number_and_paths_never_escape(client):
    first = post(client, "../../etc/passwd.png", image_bytes()).json()["data"]
    second = post(client, "..\\..\\passwd.png", image_bytes()).json()["data"]
    assert first["filename"] == "passwd.png"
    assert second["filename"] == "passwd-2.png"
    for attachment in Attachment.objects.all():
        assert attachment.file.name.startswith("attachments/tool/")
        assert ".." not in attachment.file.name
    assert client.get(f"{URL}/..%2F..%2Fsecret_key").status_code == 404
    assert client.delete(f"{URL}/..%2Fpasswd.png").status_code == 404


def test_delete_removes_row_and_files(client, django_capture_on_commit_callbacks):
    data = post(client, "foto.png", image_bytes()).json()["data"]
    attachment = Attachment.objects.get()
    names = [attachment.file.name, attachment.thumbnail.name]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.delete(f"{URL}/{data['filename']}")
    assert response.status_code == 200
    assert not Attachment.objects.exists()
    assert not any(default_storage.exists(name) for name in names)
    assert client.delete(f"{URL}/{data['filename']}").status_code == 404


def test_one_preview_per_record(client):
    first = post(client, "eins.png", image_bytes()).json()["data"]
    second = post(client, "zwei.png", image_bytes()).json()["data"]
    pdf = post(client, "doku.pdf", pdf_bytes()).json()["data"]
    assert first["is_preview"] and not second["is_preview"]
    assert client.post(f"{URL}/{second['filename']}/preview").status_code == 200
    assert list(Attachment.objects.filter(is_preview=True).values_list("filename", flat=True)) == ["zwei.png"]
    refused = client.post(f"{URL}/{pdf['filename']}/preview")
    assert refused.status_code == 400
    assert post(client, "drei.png", image_bytes(), preview="true").json()["data"]["is_preview"] is True
    assert Attachment.objects.filter(is_preview=True).count() == 1


def test_upload_leaves_a_history_row(client, tool):
    from scandy_site.core.models import ChangeEvent

    post(client, "foto.png", image_bytes())
    event = ChangeEvent.objects.filter(entity="tool", object_id=tool.pk).first()
    assert event.changes == {"attachments": [None, "foto.png"]}


def test_missing_file_field_is_400(client):
    response = client.post(f"{URL}/upload", {"other": "x"}, format="multipart")
    assert response.status_code == 400
    assert response.json()["code"] == "VALIDATION_ERROR"


def test_unknown_entity_type_and_record_are_404(client):
    assert client.get("/api/media/spaceship/1/list").status_code == 404
    assert client.get("/api/media/tool/NOPE/list").status_code == 404


def test_files_of_trashed_records_stay_until_purged(client, tool, employee, django_capture_on_commit_callbacks):
    post(client, "foto.png", image_bytes())
    attachment = Attachment.objects.get()
    tool_soft_delete(tool=tool, user=employee)
    assert Attachment.objects.filter(pk=attachment.pk).exists()
    assert default_storage.exists(attachment.file.name)
    # Not reachable while in the trash (the record is not found), but kept.
    assert client.get(f"{URL}/list").status_code == 404
    tool.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        tool_purge(tool=tool, user=employee)
    assert not Attachment.objects.exists()
    assert not default_storage.exists(attachment.file.name)
    assert not default_storage.exists(attachment.thumbnail.name)


def test_file_sizes_follow_the_language():
    from django.utils import translation

    from scandy_site.media.templatetags.media_tags import filesize

    size = 3 * 1024 * 1024 // 2  # 1.5 MB
    with translation.override("de"):
        assert (filesize(512), filesize(20 * 1024), filesize(size)) == ("512 B", "20 KB", "1,5 MB")
    with translation.override("en"):
        assert filesize(size) == "1.5 MB"
