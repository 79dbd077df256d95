"""HTTP helpers shared by the media API and pages: the upload size guard and file responses."""

from django.conf import settings
from django.core.files.storage import default_storage
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.http import FileResponse, Http404

# Multipart framing and form fields around one file.
REQUEST_OVERHEAD = 256 * 1024


class SizeLimitUploadHandler(FileUploadHandler):
    """Stops storing an uploaded file as soon as it passes the limit (no 1 GB temp file for a 10 MB
    rule) and marks the request, so the view can answer 413."""

    def __init__(self, request=None, limit: int = 0):
        super().__init__(request)
        self.limit = limit
        self.received = 0

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > self.limit:
            self.request.media_file_too_large = True
            raise SkipFile
        return raw_data

    def file_complete(self, file_size):
        return None


def guard_upload(request) -> bool:
    """Install the size guard before the body is parsed; False when the body is too large already by
    its declared length (then nothing is read at all)."""
    limit = settings.MEDIA_MAX_FILE_SIZE
    request.media_file_too_large = False
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > limit * settings.MEDIA_MAX_FILES_PER_UPLOAD + REQUEST_OVERHEAD:
        return False
    request.upload_handlers.insert(0, SizeLimitUploadHandler(request, limit))
    return True


def file_response(attachment, *, thumbnail: bool = False, download: bool = False):
    name = attachment.thumbnail.name if thumbnail else attachment.file.name
    if not name:
        raise Http404
    try:
        handle = default_storage.open(name, "rb")
    except (FileNotFoundError, OSError) as exc:
        raise Http404 from exc
    content_type = attachment.content_type
    if thumbnail:
        content_type = "image/webp" if name.endswith(".webp") else "image/jpeg"
    # Images and PDFs open in the browser; Word files download. Nothing may run scripts.
    inline = not download and (attachment.is_image or attachment.content_type == "application/pdf")
    response = FileResponse(handle, content_type=content_type, as_attachment=not inline, filename=attachment.filename)
    if attachment.content_type != "application/pdf":
        # (Chromium's PDF viewer does not open in a sandboxed document; a PDF runs no page scripts.)
        response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox"
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    return response
