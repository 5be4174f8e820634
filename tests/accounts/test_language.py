"""A person's language: taken from the browser at first sign-in, changed on /account/ or with the switcher, and used
for their pages, their notifications (in-app and email) and, when a program asks with Accept-Language, API errors."""
from __future__ import annotations

import pytest
from django.test import Client

from apps.accounts.models import Profile
from apps.notifications.models import Channel, Notification
from tests.factories import application_payload, make_application

pytestmark = pytest.mark.django_db


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def language_of(user) -> str | None:
    return Profile.objects.filter(user=user).values_list("language", flat=True).first()


def test_the_first_sign_in_remembers_the_language_the_browser_asks_for(sabah_approver):
    assert language_of(sabah_approver) == ""  # the demo seeds a profile for the job title, language not chosen yet
    sabah_approver.set_password("pw-for-test")
    sabah_approver.save()
    client = Client(HTTP_ACCEPT_LANGUAGE="th-TH,th;q=0.9,en;q=0.5")
    response = client.post("/accounts/login/", {"username": "sabah.approver", "password": "pw-for-test"}, follow=True)
    assert language_of(sabah_approver) == "th"
    assert "<h1>งานของฉัน</h1>" in response.content.decode()
    # Another browser, asking for English: the remembered language wins once signed in.
    other = Client(HTTP_ACCEPT_LANGUAGE="en")
    other.post("/accounts/login/", {"username": "sabah.approver", "password": "pw-for-test"})
    assert language_of(sabah_approver) == "th"
    assert "<h1>งานของฉัน</h1>" in other.get("/queue/").content.decode()


def test_the_account_page_sets_the_language_of_every_page(sabah_approver):
    client = signed_in(sabah_approver)
    response = client.post("/account/language/", {"language": "zh-hant"}, follow=True)
    assert language_of(sabah_approver) == "zh-hant"
    assert "已儲存您的語言" in response.content.decode()
    fresh = signed_in(sabah_approver)  # a new session reads the stored choice, with no language cookie
    assert "<h1>我的待辦</h1>" in fresh.get("/queue/").content.decode()


def test_an_unknown_language_is_refused_and_changes_nothing(sabah_approver):
    client = signed_in(sabah_approver)
    client.post("/account/language/", {"language": "vi"})
    response = client.post("/account/language/", {"language": "xx"}, follow=True)
    assert language_of(sabah_approver) == "vi"
    assert "Hãy chọn một trong các ngôn ngữ được liệt kê." in response.content.decode()


def test_the_header_switcher_remembers_the_choice_of_a_signed_in_person(sabah_approver):
    client = signed_in(sabah_approver)
    response = client.post("/i18n/setlang/", {"language": "id", "next": "/queue/"})
    assert response.status_code == 302 and response.url == "/queue/"
    assert language_of(sabah_approver) == "id"
    assert "<h1>Antrean saya</h1>" in signed_in(sabah_approver).get("/queue/").content.decode()


def test_a_thai_speaking_officer_gets_the_notification_in_thai_in_the_inbox_and_the_email(proponent, mailoutbox, deliver_outbox):
    from django.contrib.auth import get_user_model

    thai_officer = get_user_model().objects.get(username="thailand.approver")
    Profile.objects.update_or_create(user=thai_officer, defaults={"language": "th"})
    application = make_application(proponent, state="loa_review", host_party="THA", jurisdiction="TH-50", acquiring_parties=["CHE"],
                                   requested_quantity=1_250_000)
    deliver_outbox()

    inbox = signed_in(thai_officer).get("/notifications/").content.decode()
    assert f"ยื่นแล้ว: {application.title}" in inbox
    assert "สถานะ: การพิจารณาหนังสือให้การอนุญาต" in inbox and "ครบกำหนด:" in inbox
    assert "Status:" not in inbox

    email = next(m for m in mailoutbox if m.to == [thai_officer.email])
    assert email.subject == f"ยื่นแล้ว: {application.title}"
    assert "สถานะ: การพิจารณาหนังสือให้การอนุญาต" in email.body
    assert "อยู่ที่: องค์การบริหารจัดการก๊าซเรือนกระจก (องค์การมหาชน) (อบก.)" in email.body  # the authority's Thai name
    thai_months = ("มกราคม", "กุมภาพันธ์", "มีนาคม", "เมษายน", "พฤษภาคม", "มิถุนายน", "กรกฎาคม", "สิงหาคม", "กันยายน",
                   "ตุลาคม", "พฤศจิกายน", "ธันวาคม")
    assert any(month in email.body for month in thai_months), email.body

    assert "1,250,000 tCO2e" in email.body

    # The proponent chose nothing: the same event reaches them in English.
    english = Notification.objects.get(application=application, event="submit", recipient=proponent, channel=Channel.EMAIL)
    assert english.subject == f"Submitted: {application.title}" and "Status: LoA review" in english.body


def test_an_api_error_is_in_the_language_accept_language_asks_for(api, proponent):
    body = application_payload(vintage_from=2030, vintage_to=2026)
    response = api(proponent).post("/api/v1/applications/", body, format="json", HTTP_ACCEPT_LANGUAGE="id-ID,id;q=0.9")
    assert response.status_code == 400
    assert response.json()["detail"] == "Vintage terakhir tidak boleh sebelum vintage pertama."
    assert response["Content-Language"] == "id"
    english = api(proponent).post("/api/v1/applications/", body, format="json")
    assert english.json()["detail"] == "The last vintage cannot be before the first."


def test_an_api_conflict_is_in_the_language_accept_language_asks_for(api, proponent):
    application = make_application(proponent)
    response = api(proponent).post(f"/api/v1/applications/{application.reference}/transitions/", {"transition": "resubmit"},
                                   format="json", HTTP_ACCEPT_LANGUAGE="zh-TW,zh;q=0.8")
    assert response.status_code == 409
    assert "草稿" in response.json()["detail"] and "無法執行" in response.json()["detail"]


def test_quantities_are_grouped_the_way_the_reader_writes_numbers(proponent):
    make_application(proponent, requested_quantity=1_234_567)
    client = signed_in(proponent)
    assert "1,234,567\u00a0tCO2e" in client.get("/applications/").content.decode()
    for language, grouped in (("id", "1.234.567"), ("vi", "1.234.567"), ("th", "1,234,567"), ("zh-hant", "1,234,567")):
        client.post("/account/language/", {"language": language})
        assert f"{grouped}\u00a0tCO2e" in client.get("/applications/").content.decode(), language


def test_an_administrator_sees_and_sets_a_persons_language(admin_user, sabah_approver):
    profile, _ = Profile.objects.update_or_create(user=sabah_approver, defaults={"language": "th"})
    admin = signed_in(admin_user)
    assert "sabah.approver" in admin.get("/admin/accounts/profile/?language__exact=th").content.decode()
    response = admin.post(f"/admin/accounts/profile/{profile.pk}/change/", {"user": sabah_approver.pk, "language": "vi"})
    assert response.status_code == 302
    assert language_of(sabah_approver) == "vi"


def test_an_indonesian_reader_gets_indonesian_digit_grouping_in_the_email(proponent, mailoutbox, deliver_outbox, sabah_approver):
    Profile.objects.update_or_create(user=sabah_approver, defaults={"language": "id"})
    make_application(proponent, state="loa_review", requested_quantity=1_250_000)
    deliver_outbox()
    email = next(m for m in mailoutbox if m.to == [sabah_approver.email])
    assert email.subject == "Diajukan: Ulu Segama forest restoration"
    assert "1.250.000 tCO2e" in email.body and "Pada: Sabah Forestry Department" in email.body
