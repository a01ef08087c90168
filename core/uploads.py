"""Uploaded files: size limit, type checked by content as well as extension, stored under
MEDIA_ROOT with generated names, and served only through views that apply the scope."""

from __future__ import annotations

import mimetypes
import uuid
import zipfile
from pathlib import PurePath
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.http import FileResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# extension -> family of content signatures accepted for it
ALLOWED_TYPES: dict[str, str] = {
    "jpg": "jpeg",
    "jpeg": "jpeg",
    "png": "png",
    "gif": "gif",
    "webp": "webp",
    "heic": "heic",
    "pdf": "pdf",
    "doc": "ole",
    "xls": "ole",
    "ppt": "ole",
    "docx": "ooxml",
    "xlsx": "ooxml",
    "pptx": "ooxml",
}
IMAGE_EXTENSIONS = {"jpg", "jpeg", "png", "gif", "webp", "heic"}


def _signature(head: bytes) -> str | None:
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    if head[4:8] == b"ftyp" and head[8:12] in (b"heic", b"heix", b"mif1", b"msf1", b"hevc"):
        return "heic"
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "ole"
    if head.startswith(b"PK\x03\x04"):
        return "zip"
    return None


def validate_upload(upload: Any, *, max_bytes: int | None = None) -> str:
    """Check an uploaded file; return its lower-case extension or raise ValidationError."""
    limit = max_bytes or settings.ATTACHMENT_MAX_BYTES
    if upload.size > limit:
        raise ValidationError(
            _("The file is too large (%(size)s MB); the limit is %(limit)s MB.")
            % {"size": round(upload.size / 1048576, 1), "limit": limit // 1048576},
            code="too_large",
        )
    extension = PurePath(upload.name or "").suffix.lower().lstrip(".")
    expected = ALLOWED_TYPES.get(extension)
    if expected is None:
        raise ValidationError(
            _(
                "Files of type “.%(ext)s” are not accepted. Use a photo (JPG, PNG), PDF, Word, "
                "Excel or PowerPoint file."
            )
            % {"ext": extension or "?"},
            code="bad_type",
        )
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    actual = _signature(head)
    if expected == "ooxml":
        ok = actual == "zip" and _is_ooxml(upload.file if hasattr(upload, "file") else upload)
        upload.seek(0)
    else:
        ok = actual == expected
    if not ok:
        raise ValidationError(
            _("The content of “%(name)s” does not match its extension; the file was refused.")
            % {"name": upload.name},
            code="bad_content",
        )
    return extension


def _is_ooxml(fileobj: IO[bytes]) -> bool:
    try:
        with zipfile.ZipFile(fileobj) as archive:
            return "[Content_Types].xml" in archive.namelist()
    except (zipfile.BadZipFile, OSError):
        return False


def generated_upload_path(instance: Any, filename: str) -> str:
    extension = PurePath(filename).suffix.lower()
    folder = instance._meta.app_label
    return f"{folder}/{timezone.now():%Y/%m}/{uuid.uuid4().hex}{extension}"


class AttachmentBase(models.Model):
    """Fields shared by every uploaded file; each app adds the foreign key to its record."""

    file = models.FileField(_("file"), upload_to=generated_upload_path, max_length=255)
    original_name = models.CharField(_("file name"), max_length=255)
    size = models.PositiveBigIntegerField(_("size"), default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.original_name

    @property
    def is_image(self) -> bool:
        return PurePath(self.original_name).suffix.lower().lstrip(".") in IMAGE_EXTENSIONS


def serve_attachment(attachment: AttachmentBase, *, inline: bool = False) -> FileResponse:
    """Send a stored file. Images and PDFs may be shown inline; nothing is ever served as
    HTML or script, whatever its name says."""
    extension = PurePath(attachment.original_name).suffix.lower().lstrip(".")
    content_type = mimetypes.types_map.get(f".{extension}", "application/octet-stream")
    if extension not in ALLOWED_TYPES:
        content_type = "application/octet-stream"
    show_inline = inline and (extension in IMAGE_EXTENSIONS or extension == "pdf")
    response = FileResponse(
        attachment.file.open("rb"),
        as_attachment=not show_inline,
        filename=attachment.original_name,
        content_type=content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; sandbox"
    return response
