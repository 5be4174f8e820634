"""The Letter of Authorization in the host Party's official language beside English, in fonts that draw it: the
text is in the PDF's text layer (what a registry's software reads), set in a face that has the glyphs."""
from __future__ import annotations

import io
import re

import pytest
from django.contrib.auth import get_user_model
from pypdf import PdfReader

from apps.authorizations.letters import render_letter_pdf
from apps.governance.models import Party
from tests.factories import make_application

pytestmark = pytest.mark.django_db


def thai_letter(proponent):
    approver = get_user_model().objects.get(username="thailand.approver")
    application = make_application(proponent, state="ca_review", actors={"loa": approver}, host_party="THA",
                                   jurisdiction="TH-50", acquiring_parties=["CHE"], requested_quantity=1_250_000)
    return application.loa


def read(pdf: bytes) -> tuple[str, set[str]]:
    """The text layer without its white space (narrow columns break lines mid-phrase), and the embedded fonts' names."""
    reader = PdfReader(io.BytesIO(pdf))
    text = "".join(page.extract_text() for page in reader.pages)
    fonts = set()
    for page in reader.pages:
        for font in (page["/Resources"].get("/Font") or {}).values():
            fonts.add(str(font.get_object()["/BaseFont"]))
    return re.sub(r"\s", "", text), fonts


def flat(phrase: str) -> str:
    return re.sub(r"\s", "", phrase)


def test_a_thai_letter_carries_thai_and_english_side_by_side_in_a_thai_face(proponent):
    text, fonts = read(render_letter_pdf(thai_letter(proponent)))
    assert "หนังสือให้การอนุญาต" in text and flat("Letter of Authorization") in text
    assert "การปรับบัญชีที่สอดคล้องกัน" in text and flat("corresponding adjustment") in text
    assert flat("องค์การบริหารจัดการก๊าซเรือนกระจก") in text and flat("Thailand Greenhouse Gas Management") in text
    assert "1,250,000" in text  # grouped the Thai way, and the English way
    assert any(month in text for month in ("มกราคม", "กุมภาพันธ์", "มีนาคม", "เมษายน", "พฤษภาคม", "มิถุนายน", "กรกฎาคม",
                                           "สิงหาคม", "กันยายน", "ตุลาคม", "พฤศจิกายน", "ธันวาคม"))
    assert any("Thai" in name for name in fonts), fonts


def test_a_party_configured_for_traditional_chinese_gets_a_chinese_letter_in_a_cjk_face(proponent):
    Party.objects.filter(code="THA").update(letter_language="zh-hant")
    text, fonts = read(render_letter_pdf(thai_letter(proponent)))
    assert "授權書" in text and "相應調整" in text and flat("Letter of Authorization") in text
    assert "1,250,000" in text
    assert any("CJK" in name for name in fonts), fonts
    assert not any("Thai" in name for name in fonts)


def test_a_vietnamese_letter_keeps_its_diacritics(proponent):
    Party.objects.filter(code="THA").update(letter_language="vi")
    text, _fonts = read(render_letter_pdf(thai_letter(proponent)))
    assert flat("Thư phê duyệt") in text and flat("điều chỉnh tương ứng") in text
    assert "1.250.000" in text and "1,250,000" in text  # each side groups its own way


def test_a_party_without_a_letter_language_gets_english_alone(proponent):
    Party.objects.filter(code="THA").update(letter_language="")
    text, fonts = read(render_letter_pdf(thai_letter(proponent)))
    assert flat("Letter of Authorization") in text and "หนังสือ" not in text
    assert not any("Thai" in name or "CJK" in name for name in fonts)
