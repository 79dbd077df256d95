"""What an uploaded file really is, decided from its bytes (never from its name or the browser's
word), and the cleaned bytes Scandy stores: images decoded and re-encoded by Pillow (EXIF and any
trailing payload gone, at most 1920 px, plus a thumbnail); documents checked for their structure
and refused when they are also something else (polyglots)."""

import io
import re
import warnings
import zipfile
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, ImageSequence, features

from scandy_site.core.errors import ApplicationError

JPEG, PNG, GIF, WEBP, PDF, DOC, DOCX = "jpeg", "png", "gif", "webp", "pdf", "doc", "docx"


@dataclass(frozen=True)
class FileType:
    code: str
    mime: str
    extension: str
    is_image: bool


TYPES = {
    JPEG: FileType(JPEG, "image/jpeg", "jpg", True),
    PNG: FileType(PNG, "image/png", "png", True),
    GIF: FileType(GIF, "image/gif", "gif", True),
    WEBP: FileType(WEBP, "image/webp", "webp", True),
    PDF: FileType(PDF, "application/pdf", "pdf", False),
    DOC: FileType(DOC, "application/msword", "doc", False),
    DOCX: FileType(DOCX, "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx", False),
}
# What the upload widget offers in the file picker (the server decides by content all the same).
ACCEPT = ",".join(sorted({f".{t.extension}" for t in TYPES.values()} | {".jpeg", *(t.mime for t in TYPES.values())}))

OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# The name of the main stream of a Word 97-2003 file, as the OLE2 directory stores it (UTF-16LE).
WORD_STREAM = "WordDocument".encode("utf-16-le")
# Markup a browser might act on, in the head of a document: the mark of an HTML/PDF polyglot.
_MARKUP = re.compile(rb"<\s*(!doctype|html|script|svg|iframe|body)\b", re.IGNORECASE)
PIL_FORMATS = {JPEG: "JPEG", PNG: "PNG", GIF: "GIF", WEBP: "WEBP"}
MAX_GIF_FRAMES = 300
# A DOCX unpacks to at most this much (a zip bomb is refused without being unpacked).
MAX_DOCX_UNPACKED = 200 * 1024 * 1024
MAX_DOCX_MEMBERS = 5000


def unsupported(message=None) -> ApplicationError:
    return ApplicationError(
        "UNSUPPORTED_FILE_TYPE",
        message or _("This file type is not accepted. Allowed are JPEG, PNG, GIF, WebP, PDF, DOC and DOCX."),
        errors={"file": [_("unsupported file type")]},
    )


def sniff(data: bytes) -> FileType:
    """The type by the file's first bytes; anything else is refused."""
    head = data[:16]
    if head.startswith(b"\xff\xd8\xff"):
        return TYPES[JPEG]
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return TYPES[PNG]
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return TYPES[GIF]
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return TYPES[WEBP]
    if head.startswith(b"%PDF-"):
        return TYPES[PDF]
    if head.startswith(OLE2_MAGIC):
        return TYPES[DOC]
    if head.startswith(b"PK\x03\x04"):
        return TYPES[DOCX]
    raise unsupported()


@dataclass
class CleanFile:
    type: FileType
    data: bytes
    width: int | None = None
    height: int | None = None
    thumbnail: bytes | None = None
    thumbnail_extension: str = ""


def clean(data: bytes) -> CleanFile:
    """Sniff and clean one upload; raises UNSUPPORTED_FILE_TYPE or FILE_TOO_LARGE."""
    file_type = sniff(data)
    if file_type.is_image:
        return _clean_image(data, file_type)
    {PDF: _check_pdf, DOC: _check_doc, DOCX: _check_docx}[file_type.code](data)
    return CleanFile(type=file_type, data=data)


# --- documents ---------------------------------------------------------------------------------


def _is_zip(data: bytes) -> bool:
    try:
        return zipfile.is_zipfile(io.BytesIO(data))
    except Exception:
        return False


def _check_pdf(data: bytes) -> None:
    if b"%%EOF" not in data[-2048:]:
        raise unsupported(_("The PDF file is incomplete or damaged."))
    if _MARKUP.search(data[:4096]) or _is_zip(data):
        raise unsupported(_("The file is a PDF and something else at the same time; it is refused."))


def _check_doc(data: bytes) -> None:
    if WORD_STREAM not in data:
        raise unsupported(_("The file is an Office file, but no Word document."))
    if _MARKUP.search(data[:4096]) or _is_zip(data):
        raise unsupported(_("The file is a Word document and something else at the same time; it is refused."))


def _check_docx(data: bytes) -> None:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise unsupported(_("The file is a damaged archive.")) from exc
    names = {member.filename for member in members}
    if "[Content_Types].xml" not in names or "word/document.xml" not in names:
        raise unsupported(_("The archive is no Word document (DOCX)."))
    if len(members) > MAX_DOCX_MEMBERS or sum(m.file_size for m in members) > MAX_DOCX_UNPACKED:
        raise unsupported(_("The Word document unpacks to an implausible size; it is refused."))
    if any(member.filename.startswith(("/", "\\")) or ".." in member.filename.split("/") for member in members):
        raise unsupported(_("The archive holds unsafe paths; it is refused."))


# --- images ------------------------------------------------------------------------------------


def _too_many_pixels() -> ApplicationError:
    return ApplicationError(
        "FILE_TOO_LARGE",
        _("The image has too many pixels (at most %(mp)s megapixels).")
        % {"mp": settings.MEDIA_MAX_IMAGE_PIXELS // 1_000_000},
        errors={"file": [_("too many pixels")]},
    )


def _open(data: bytes, file_type: FileType) -> Image.Image:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=[PIL_FORMATS[file_type.code]])
            if image.width * image.height > settings.MEDIA_MAX_IMAGE_PIXELS:
                raise _too_many_pixels()
            image.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise _too_many_pixels() from exc
    except ApplicationError:
        raise
    except Exception as exc:  # Pillow raises many kinds for broken data; all mean "not this image"
        raise unsupported(_("The image could not be read; it is damaged or not what it claims to be.")) from exc
    return image


def _fit(image: Image.Image, box: int) -> Image.Image:
    image = image.copy()
    image.thumbnail((box, box), Image.Resampling.LANCZOS)
    return image


def _for_jpeg(image: Image.Image) -> Image.Image:
    if image.mode in ("RGB", "L"):
        return image
    if image.mode in ("RGBA", "LA", "P", "PA"):
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return image.convert("RGB")


def _encode(image: Image.Image, file_type: FileType, *, source: Image.Image) -> bytes:
    out = io.BytesIO()
    max_side = settings.MEDIA_MAX_IMAGE_SIDE
    # Only the pixels and the colour profile are written: no EXIF (GPS, camera serials), no comments.
    extra = {"icc_profile": source.info["icc_profile"]} if source.info.get("icc_profile") else {}
    if file_type.code == GIF and getattr(source, "n_frames", 1) > 1:
        frames, durations = [], []
        for index, frame in enumerate(ImageSequence.Iterator(source)):
            if index >= MAX_GIF_FRAMES:
                break
            frames.append(_fit(frame.convert("RGBA"), max_side))
            durations.append(frame.info.get("duration", 100))
        frames[0].save(
            out, format="GIF", save_all=True, append_images=frames[1:], duration=durations,
            loop=source.info.get("loop", 0), disposal=2,
        )  # fmt: skip
    elif file_type.code == JPEG:
        _for_jpeg(image).save(out, format="JPEG", quality=85, optimize=True, **extra)
    elif file_type.code == PNG:
        image.save(out, format="PNG", optimize=True, **extra)
    elif file_type.code == GIF:
        image.save(out, format="GIF")
    else:
        image.save(out, format="WEBP", quality=85, **extra)
    return out.getvalue()


def _thumbnail(image: Image.Image) -> tuple[bytes, str]:
    thumb = _fit(image, settings.MEDIA_THUMBNAIL_SIDE)
    out = io.BytesIO()
    if features.check("webp"):
        thumb = thumb.convert("RGBA" if "A" in thumb.getbands() or thumb.mode == "P" else "RGB")
        thumb.save(out, format="WEBP", quality=80)
        return out.getvalue(), "webp"
    _for_jpeg(thumb).save(out, format="JPEG", quality=80)
    return out.getvalue(), "jpg"


def _clean_image(data: bytes, file_type: FileType) -> CleanFile:
    source = _open(data, file_type)
    try:
        # Turn the picture upright as the camera meant it before the orientation tag goes with the EXIF.
        upright = ImageOps.exif_transpose(source) if file_type.code in (JPEG, WEBP, PNG) else source.copy()
        image = _fit(upright, settings.MEDIA_MAX_IMAGE_SIDE)
        encoded = _encode(image, file_type, source=source)
        thumbnail, thumbnail_extension = _thumbnail(image)
    except ApplicationError:
        raise
    except Exception as exc:
        raise unsupported(_("The image could not be processed.")) from exc
    finally:
        source.close()
    return CleanFile(
        type=file_type, data=encoded, width=image.width, height=image.height,
        thumbnail=thumbnail, thumbnail_extension=thumbnail_extension,
    )  # fmt: skip
