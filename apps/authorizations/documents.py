"""Supporting documents: accepted by what their bytes are, not by their name, and stored out of the web root."""
from __future__ import annotations

import hashlib
import re
import secrets
import unicodedata
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.http import FileResponse
from django.utils.translation import gettext as _

from apps.audit.events import Event
from apps.audit.services import record_event
from apps.permissions import can_view

from .models import Application, Document, State
from .pdf_inspection import ActivePDF, DamagedPDF, inspect_pdf

MAX_DOCUMENT_BYTES = getattr(settings, "TIERFLOW_MAX_DOCUMENT_BYTES", 10 * 1024 * 1024)
MAX_IMAGE_PIXELS = 40_000_000  # a decompression bomb declares far more pixels than any scan needs
ATTACHABLE_STATES = {State.DRAFT, State.CHANGES_REQUESTED, State.PARTICIPATION_REVIEW, State.CDM_TRANSITION_REVIEW, State.LOA_REVIEW}


@dataclass(frozen=True)
class Kind:
    content_type: str
    extension: str
    magic: bytes


KINDS = [
    Kind("application/pdf", "pdf", b"%PDF-"),
    Kind("image/png", "png", b"\x89PNG\r\n\x1a\n"),
    Kind("image/jpeg", "jpg", b"\xff\xd8\xff"),
]


def sniff(upload: UploadedFile) -> Kind:
    """The kind of file the bytes say this is; raises ValidationError for anything else."""
    if upload.size is None or upload.size == 0:
        raise ValidationError({"file": _("The file is empty.")})
    if upload.size > MAX_DOCUMENT_BYTES:
        raise ValidationError({"file": _("The file is larger than %(mb)s MB.") % {"mb": MAX_DOCUMENT_BYTES // (1024 * 1024)}})
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    kind = next((k for k in KINDS if head.startswith(k.magic)), None)
    if kind is None:
        raise ValidationError({"file": _("Only PDF, PNG and JPEG files are accepted (checked by content, not by name).")})
    if kind.content_type.startswith("image/"):
        _check_image(upload)
    else:
        _check_pdf(upload)
    return kind


def _check_pdf(upload: UploadedFile) -> None:
    upload.seek(0)
    try:
        data = upload.read()
    finally:
        upload.seek(0)
    if b"%%EOF" not in data[-2048:]:
        raise ValidationError({"file": _("The PDF is damaged or incomplete (no end-of-file marker).")})
    try:
        inspect_pdf(data)
    except ActivePDF as found:
        raise ValidationError({"file": _(
            "PDFs with scripts, launch actions, links that open or send elsewhere, embedded files or XFA forms "
            "are not accepted (found %(name)s).") % {"name": found.args[0] if found.args else "?"}}) from None
    except DamagedPDF:
        raise ValidationError({"file": _("The PDF is damaged or encrypted and cannot be inspected.")}) from None


def _check_image(upload: UploadedFile) -> None:
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(upload) as image:
            width, height = image.size
            if width * height > MAX_IMAGE_PIXELS:
                raise ValidationError({"file": _("The image declares %(px)s pixels; at most %(max)s are accepted.") % {
                    "px": width * height, "max": MAX_IMAGE_PIXELS}})
            image.verify()
    except Image.DecompressionBombError:
        raise ValidationError({"file": _("The image declares more pixels than Pillow will decode; at most %(max)s are accepted.") % {
            "max": MAX_IMAGE_PIXELS}}) from None
    except (UnidentifiedImageError, OSError, SyntaxError):
        raise ValidationError({"file": _("The image is damaged or not what it claims to be.")}) from None
    finally:
        upload.seek(0)


@transaction.atomic(durable=True)
def attach_document(application: Application, *, acting_user, upload: UploadedFile, title: str = "") -> Document:
    """The proponent attaches a supporting document while the application is with them or under LoA review."""
    if application.organisation_id not in set(acting_user.organisations.values_list("pk", flat=True)):
        raise PermissionDenied(_("Only the proponent may attach documents."))
    if application.state not in ATTACHABLE_STATES:
        raise ValidationError({"file": _("Documents can no longer be attached in state %(state)s.") % {"state": application.get_state_display()}})
    return store_document(application, acting_user=acting_user, upload=upload, title=title)


def store_document(application: Application, *, acting_user, upload: UploadedFile, title: str = "") -> Document:
    """Check and store an upload as a document of the application, with its audit event, in the caller's transaction.

    The caller has decided who may attach it and when (the ledger attaches monitoring and verification reports).
    """
    kind = sniff(upload)
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    document = Document(
        application=application, uploaded_by=acting_user, title=(title or upload.name or "")[:200],
        original_name=(upload.name or "")[:255], content_type=kind.content_type, size=upload.size, sha256=digest.hexdigest(),
    )
    upload.seek(0)
    # A random stored name: nothing about the upload's own name reaches the file system.
    document.file.save(f"{secrets.token_hex(16)}.{kind.extension}", upload, save=False)
    document.save()
    record_event(event=Event.DOCUMENT_ATTACHED, subject_type="application", subject_id=application.reference,
                 acting_user=acting_user, party=application.host_party_id,
                 data={"document": document.pk, "sha256": document.sha256, "name": document.original_name})
    return document


def _attachment_name(document: Document) -> str:
    """The uploader's name for the file, reduced to safe characters, with the extension its content earned."""
    stem = (document.original_name or document.title or "document").rsplit(".", 1)[0]
    stem = unicodedata.normalize("NFKD", stem).encode("ascii", "ignore").decode()
    stem = re.sub(r"[^A-Za-z0-9._ -]+", "_", stem).strip(" ._") or "document"
    extension = next((k.extension for k in KINDS if k.content_type == document.content_type), "bin")
    return f"{stem[:100]}.{extension}"


def _file_response(document: Document) -> FileResponse:
    """The file as a download (never displayed inline).

    Sent with the content type its bytes were accepted as, `nosniff`, and a sandboxing CSP so even a
    browser that opened it could run nothing.
    """
    response = FileResponse(document.file.open("rb"), as_attachment=True, filename=_attachment_name(document),
                            content_type=document.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


def download_for(*, user, document: Document) -> FileResponse:
    """The one way to read a document (web and API): whoever may see the application may read its documents."""
    if not can_view(user, document.application):
        raise PermissionDenied(_("You may not read the documents of this application."))
    return _file_response(document)
