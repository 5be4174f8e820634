"""Configuration data in the reader's language: official local names from the reference data, English as fallback,
and an edit in the admin shows at once."""
from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.test import Client

from apps.governance.models import Authority
from apps.translations.models import Translation
from tests.factories import application_payload, make_application

pytestmark = pytest.mark.django_db


def page(user, path: str, language: str) -> str:
    client = Client()
    client.force_login(user)
    client.cookies["django_language"] = language
    return client.get(path).content.decode()


def test_the_sabah_forestry_department_is_jabatan_perhutanan_sabah_in_malay_and_keeps_its_english_name(proponent, sabah_approver):
    application = make_application(proponent, state="loa_review")
    path = f"/applications/{application.reference}/"
    assert "Jabatan Perhutanan Sabah" in page(sabah_approver, path, "ms")
    english = page(sabah_approver, path, "en")
    assert "Sabah Forestry Department" in english and "Jabatan Perhutanan Sabah" not in english
    # A language without a translation falls back to the English name.
    assert "Sabah Forestry Department" in page(sabah_approver, path, "vi")


def test_a_requirement_message_comes_in_the_language_the_api_asks_for(api, proponent):
    created = api(proponent).post("/api/v1/applications/", application_payload(
        host_party="IDN", jurisdiction="ID-KT", acquiring_parties=["JPN"]), format="json")
    reference = created.json()["reference"]
    response = api(proponent).post(f"/api/v1/applications/{reference}/transitions/", {"transition": "submit"},
                                   format="json", HTTP_ACCEPT_LANGUAGE="id")
    assert response.status_code == 400
    assert response.json()["host_registry_id"] == ["Indonesia mewajibkan nomor registrasi SRN-PPI kegiatan sebelum pengajuan."]


def test_a_translation_changed_in_the_admin_shows_on_the_next_page(proponent, sabah_approver):
    application = make_application(proponent, state="loa_review")
    path = f"/applications/{application.reference}/"
    sabah = Authority.objects.get(jurisdiction_id="MY-12")
    assert "Sabah Forestry Department" in page(sabah_approver, path, "zh-hant")  # read, and cached
    admin = get_user_model().objects.get(username="admin")
    client = Client()
    client.force_login(admin)
    response = client.post("/admin/translations/translation/add/", {
        "content_type": ContentType.objects.get_for_model(Authority).pk, "object_id": str(sabah.pk), "field": "name",
        "language": "zh-hant", "text": "沙巴林業局", "source": "test"})
    assert response.status_code == 302, response.content.decode()[:500]
    assert Translation.objects.filter(language="zh-hant", text="沙巴林業局").exists()
    assert "沙巴林業局" in page(sabah_approver, path, "zh-hant")
