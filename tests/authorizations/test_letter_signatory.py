"""The letter names the officer who signed it and their job title, gives the time where it was issued, and carries a
QR code a phone can scan to reach its check page."""
from __future__ import annotations

import io
import re
from zoneinfo import ZoneInfo

import pytest
import segno
from django.contrib.auth import get_user_model
from django.utils import formats
from pypdf import PdfReader

from apps.accounts.models import Profile
from apps.authorizations.letters import render_letter_pdf, verification_path
from tests.factories import make_application

pytestmark = pytest.mark.django_db

SITE = "https://tierflow.example.gov.my"


def text_of(pdf: bytes) -> str:
    return re.sub(r"\s", "", "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages))


def flat(phrase: str) -> str:
    return re.sub(r"\s", "", phrase)


def sabah_letter(proponent, **names):
    approver = get_user_model().objects.get(username="sabah.approver")
    for field, value in names.items():
        setattr(approver, field, value)
    approver.save()
    return make_application(proponent, state="ca_review", actors={"loa": approver}).loa


def test_the_letter_names_the_officer_and_their_title_not_their_username(proponent):
    approver = get_user_model().objects.get(username="sabah.approver")
    Profile.objects.update_or_create(user=approver, defaults={"title": "Director of Climate Finance"})
    letter = sabah_letter(proponent, first_name="Aminah", last_name="Binti Yusof")
    text = text_of(render_letter_pdf(letter, base_url=SITE))
    assert flat("Issued by Aminah Binti Yusof") in text
    assert flat("Director of Climate Finance") in text
    assert "sabah.approver" not in text


def test_the_demo_approver_signs_with_a_name_and_a_title(proponent):
    text = text_of(render_letter_pdf(sabah_letter(proponent), base_url=SITE))
    assert flat("Issued by Aminah Binti Yusof") in text and "sabah.approver" not in text
    assert flat("Deputy Chief Conservator of Forests") in text


def test_an_officer_without_a_name_is_named_by_username(proponent):
    text = text_of(render_letter_pdf(sabah_letter(proponent, first_name="", last_name=""), base_url=SITE))
    assert flat("Issued by sabah.approver") in text


def test_the_issue_time_is_the_issuing_jurisdictions_local_time_and_names_the_zone(proponent):
    letter = sabah_letter(proponent, first_name="Aminah", last_name="Binti Yusof")
    zone = letter.issuing_authority.jurisdiction.effective_timezone
    assert zone == "Asia/Kuala_Lumpur"
    text = text_of(render_letter_pdf(letter, base_url=SITE))
    local = formats.date_format(letter.issued_at.astimezone(ZoneInfo(zone)), "DATETIME_FORMAT")
    in_utc = formats.date_format(letter.issued_at.astimezone(ZoneInfo("UTC")), "DATETIME_FORMAT")
    assert local != in_utc  # Kuala Lumpur is UTC+8 all year
    assert flat(f"Issued by Aminah Binti Yusof on {local}") in text
    assert "(Asia/Kuala_Lumpur)" in text
    assert flat(in_utc) not in text


def embedded_qr(pdf: bytes):
    # WeasyPrint shares one resource dictionary between pages, so each page lists the same image.
    images = {image.data: image.image for page in PdfReader(io.BytesIO(pdf)).pages for image in page.images}
    assert len(images) == 1, "the letter embeds exactly one image, its QR code"
    return next(iter(images.values())).convert("L")


def modules_of(image, size: int) -> list[tuple[int, ...]]:
    """Read the QR code back module by module (segno draws 4 px per module inside a 4-module quiet zone)."""
    scale = image.width // (size + 8)
    return [tuple(int(image.getpixel(((col + 4) * scale + scale // 2, (row + 4) * scale + scale // 2)) < 128)
                  for col in range(size)) for row in range(size)]


def test_the_qr_code_encodes_the_absolute_check_address_which_is_also_printed(proponent):
    letter = sabah_letter(proponent)
    pdf = render_letter_pdf(letter, base_url=SITE + "/")
    url = SITE + verification_path(letter)
    assert flat(url) in text_of(pdf)
    expected = segno.make(url, error="m")
    image = embedded_qr(pdf)
    assert image.width == image.height == (expected.symbol_size(scale=1, border=4)[0]) * 4
    assert modules_of(image, len(expected.matrix)) == [tuple(row) for row in expected.matrix]
    assert modules_of(image, len(expected.matrix)) != [tuple(row) for row in segno.make(SITE + "/", error="m").matrix[:len(expected.matrix)]]


def test_without_a_request_the_qr_code_still_carries_the_site_address(proponent, settings):
    settings.SITE_URL = SITE
    letter = sabah_letter(proponent)
    pdf = render_letter_pdf(letter)
    expected = segno.make(SITE + verification_path(letter), error="m")
    assert modules_of(embedded_qr(pdf), len(expected.matrix)) == [tuple(row) for row in expected.matrix]
