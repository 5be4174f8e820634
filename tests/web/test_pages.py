"""Every web page: what each persona sees and may do; bad input shows the field's message and writes nothing."""
from __future__ import annotations

import io
from datetime import timedelta
from html.parser import HTMLParser

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from pypdf import PdfReader

from apps.audit.models import AuditEvent
from apps.authorizations import services
from apps.authorizations.models import Application, Document, LetterOfAuthorization, Stage
from apps.governance.models import Party
from tests.factories import make_application
from ..pdf_corpus import CLEAN as CLEAN_PDF

pytestmark = pytest.mark.django_db

PDF_BYTES = CLEAN_PDF  # a minimal PDF the parser reads as one page


def client_for(persona) -> Client:
    client = Client()
    if persona is not None:
        client.force_login(persona)
    return client


def deliver_in_app() -> None:
    """What the worker does after commit: deliver the pending in-app notifications."""
    from apps.notifications.models import Channel, DeliveryStatus, Notification
    from apps.notifications.services import deliver_notification

    for pk in Notification.objects.filter(status=DeliveryStatus.PENDING, channel=Channel.IN_APP).values_list("pk", flat=True):
        deliver_notification(pk)


def text_of(response) -> str:
    return response.content.decode()


class Controls(HTMLParser):
    """Form controls and the labels that name them: every visible control must have one."""

    def __init__(self):
        super().__init__()
        self.controls: list[dict] = []
        self.label_for: set[str] = set()
        self.headings: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in ("input", "select", "textarea") and attrs.get("type") not in ("hidden", "submit"):
            self.controls.append(attrs)
        if tag == "label" and attrs.get("for"):
            self.label_for.add(attrs["for"])
        if tag in ("h1", "h2", "h3"):
            self.headings.append(tag)


def assert_accessible(response) -> None:
    parser = Controls()
    parser.feed(text_of(response))
    unlabelled = [c for c in parser.controls if c.get("id") not in parser.label_for and not c.get("aria-label")]
    assert unlabelled == [], f"controls without a label: {unlabelled}"
    assert parser.headings.count("h1") == 1, "one h1 per page"
    assert 'href="#main"' in text_of(response), "skip link"


# --- sign-in and header ---------------------------------------------------------


def test_login_page_lists_demo_accounts_only_in_demo_mode(settings):
    settings.DEMO_MODE = False
    response = client_for(None).get("/accounts/login/")
    assert response.status_code == 200
    assert "sabah.approver" not in text_of(response)
    assert_accessible(response)
    settings.DEMO_MODE = True
    assert "sabah.approver" in text_of(client_for(None).get("/accounts/login/"))


def test_signing_in_with_a_password_reaches_the_queue(sabah_approver):
    sabah_approver.set_password("pw-for-test")
    sabah_approver.save()
    client = Client()
    response = client.post("/accounts/login/", {"username": "sabah.approver", "password": "pw-for-test"}, follow=True)
    assert "<h1>My queue</h1>" in text_of(response)


def test_pages_need_a_signed_in_user():
    for path in ("/", "/queue/", "/applications/", "/applications/new/", "/notifications/", "/dashboard/"):
        response = client_for(None).get(path)
        assert response.status_code == 302 and response.url.startswith("/accounts/login/"), path


def test_header_shows_authority_role_jurisdiction_and_unread_count(sabah_approver, proponent):
    make_application(proponent, state="loa_review")  # notifies the Sabah staff
    deliver_in_app()
    response = client_for(sabah_approver).get("/queue/")
    body = text_of(response)
    assert "Approver" in body and "MY-12" in body and "Sabah" in body
    assert "1 unread" in body
    assert 'action="/i18n/setlang/"' in body


# --- the queue -----------------------------------------------------------------------


def test_queue_shows_the_sabah_approver_a_submitted_sabah_application(sabah_approver, proponent):
    application = make_application(proponent, state="loa_review")
    response = client_for(sabah_approver).get("/queue/")
    assert response.status_code == 200
    body = text_of(response)
    assert application.reference in body and application.title in body
    assert "Asia/Kuching" in body or "Asia/Kuala_Lumpur" in body
    assert "days left" in body
    assert_accessible(response)


def test_queue_of_a_sarawak_officer_does_not_show_sabah_work(sarawak_approver, proponent):
    application = make_application(proponent, state="loa_review")
    assert application.reference not in text_of(client_for(sarawak_approver).get("/queue/"))


def test_queue_of_the_federal_approver_holds_the_ca_stage_not_the_loa_stage(federal_approver, proponent):
    in_loa = make_application(proponent, state="loa_review", title="Still with the state")
    in_ca = make_application(proponent, state="ca_review", title="Now with the ministry")
    body = text_of(client_for(federal_approver).get("/queue/"))
    assert in_ca.reference in body and in_loa.reference not in body


def test_queue_says_overdue_in_words_and_filters_by_it(sabah_approver, proponent):
    late = make_application(proponent, state="loa_review", title="Late one")
    on_time = make_application(proponent, state="loa_review", title="On time")
    Stage.objects.filter(application=late, closed_at__isnull=True).update(due_at=timezone.now() - timedelta(days=3))
    body = text_of(client_for(sabah_approver).get("/queue/?overdue=on"))
    assert late.reference in body and on_time.reference not in body
    assert "Overdue by 3 days" in body and "deadline-overdue" in body


def test_supervisor_sees_only_escalated_stages(sabah_supervisor, proponent):
    quiet = make_application(proponent, state="loa_review", title="Quiet")
    escalated = make_application(proponent, state="loa_review", title="Escalated")
    Stage.objects.filter(application=escalated, closed_at__isnull=True).update(escalation_level=1, due_at=timezone.now() - timedelta(days=1))
    body = text_of(client_for(sabah_supervisor).get("/queue/"))
    assert escalated.reference in body and quiet.reference not in body
    assert "Level 1: supervisors" in body


def test_queue_pages_by_keyset_without_repeating_a_row(sabah_approver, proponent, settings):
    from apps.web import selectors

    applications = [make_application(proponent, state="loa_review", title=f"Page test {i}") for i in range(5)]
    original = selectors.QUEUE_PAGE_SIZE
    selectors.QUEUE_PAGE_SIZE = 2
    try:
        client = client_for(sabah_approver)
        seen, url = [], "/queue/"
        for _ in range(5):
            if not url:
                break
            response = client.get(url)
            page = response.context["page"]
            seen += [stage.application.reference for stage, _ in page.rows]
            url = f"/queue/?after={page.next_cursor}" if page.next_cursor else None
    finally:
        selectors.QUEUE_PAGE_SIZE = original
    assert seen == [a.reference for a in applications]


def test_a_malformed_cursor_shows_the_first_page(sabah_approver, proponent):
    application = make_application(proponent, state="loa_review")
    response = client_for(sabah_approver).get("/queue/?after=not-a-cursor")
    assert response.status_code == 200 and application.reference in text_of(response)


# --- the application page ----------------------------------------------------------------


def test_a_sarawak_officer_gets_404_for_a_sabah_application(sarawak_approver, proponent):
    application = make_application(proponent, state="loa_review")
    assert client_for(sarawak_approver).get(f"/applications/{application.reference}/").status_code == 404


def test_officers_do_not_see_drafts(sabah_approver, proponent):
    application = make_application(proponent)
    assert client_for(sabah_approver).get(f"/applications/{application.reference}/").status_code == 404


def test_application_page_shows_fields_timeline_and_the_approvers_decisions(sabah_approver, proponent):
    application = make_application(proponent, state="loa_review")
    response = client_for(sabah_approver).get(f"/applications/{application.reference}/")
    body = text_of(response)
    assert "Ulu Segama forest restoration" in body and "Republic of Korea" in body or "KOR" in body
    assert [item["name"] for item in response.context["panel"]] == ["issue_loa", "request_changes", "reject"]
    assert 'name="issue_loa-authorized_quantity"' in body and 'value="100000"' in body
    assert "At most the 100,000 tCO2e requested." in body
    assert "Submitted" in body and "proponent" in body  # the timeline: what, who
    assert_accessible(response)


def test_a_reviewer_may_only_request_changes(sabah_reviewer, proponent):
    application = make_application(proponent, state="loa_review")
    response = client_for(sabah_reviewer).get(f"/applications/{application.reference}/")
    assert [item["name"] for item in response.context["panel"]] == ["request_changes"]


def test_issuing_the_loa_from_the_page_moves_it_to_ca_review(sabah_approver, proponent):
    application = make_application(proponent, state="loa_review")
    response = client_for(sabah_approver).post(
        f"/applications/{application.reference}/transitions/issue_loa/",
        {"issue_loa-authorized_quantity": "80000", "issue_loa-vintage_from": "2026", "issue_loa-vintage_to": "2029",
         "issue_loa-comment": "Consistent with the NDC."},
        follow=True,
    )
    application.refresh_from_db()
    assert application.state == "ca_review"
    assert application.loa.authorized_quantity == 80000 and application.loa.vintage_to == 2029
    body = text_of(response)
    assert "Recorded: Issue the Letter of Authorization" in body and "CA review" in body


def test_an_over_quantity_loa_is_refused_beside_the_field_and_writes_nothing(sabah_approver, proponent):
    application = make_application(proponent, state="loa_review")
    client = client_for(sabah_approver)  # signing in is itself audited
    events = AuditEvent.objects.count()
    response = client.post(
        f"/applications/{application.reference}/transitions/issue_loa/",
        {"issue_loa-authorized_quantity": "100001", "issue_loa-vintage_from": "2026", "issue_loa-vintage_to": "2030"},
    )
    assert response.status_code == 400
    form = response.context["panel"][0]["form"]
    assert form.errors["authorized_quantity"] == ["Authorize between 1 and the 100000 tCO2e requested."]
    assert 'id="id_issue_loa-authorized_quantity_error"' in text_of(response)
    application.refresh_from_db()
    assert application.state == "loa_review" and not LetterOfAuthorization.objects.exists()
    assert AuditEvent.objects.count() == events


def test_rejecting_without_a_comment_is_refused_beside_the_comment(sabah_approver, proponent):
    application = make_application(proponent, state="loa_review")
    response = client_for(sabah_approver).post(f"/applications/{application.reference}/transitions/reject/", {"reject-comment": " "})
    assert response.status_code == 400
    assert "Enter the reason for rejecting" in text_of(response)
    application.refresh_from_db()
    assert application.state == "loa_review"


def test_a_decision_lost_to_a_colleague_says_so_and_shows_the_new_state(sabah_approver, sabah_reviewer, proponent):
    application = make_application(proponent, state="loa_review")
    # The reviewer's page was loaded before the approver issued the LoA.
    services.issue_loa(Application.objects.get(pk=application.pk), acting_user=sabah_approver, authorized_quantity=100)
    response = client_for(sabah_reviewer).post(
        f"/applications/{application.reference}/transitions/request_changes/",
        {"request_changes-comment": "Please add the map.", "request_changes-seen_state": "loa_review"}, follow=True,
    )
    body = text_of(response)
    assert "Your decision was not recorded: another decision on this application was recorded first." in body
    assert "The application is now: CA review" in body
    application.refresh_from_db()
    assert application.state == "ca_review"


def test_an_officer_cannot_fire_a_transition_of_someone_else(federal_approver, proponent):
    application = make_application(proponent, state="loa_review")
    response = client_for(federal_approver).post(
        f"/applications/{application.reference}/transitions/issue_loa/",
        {"issue_loa-authorized_quantity": "10", "issue_loa-vintage_from": "2026", "issue_loa-vintage_to": "2026"}, follow=True,
    )
    assert "You may not issue loa this application." in text_of(response)
    application.refresh_from_db()
    assert application.state == "loa_review"


# --- the Letter of Authorization ----------------------------------------------------------


def test_the_letter_pdf_carries_reference_quantity_and_fingerprint_and_the_check_page_confirms_it(proponent, federal_approver):
    application = make_application(proponent, state="authorized")
    letter = application.loa
    response = client_for(proponent).get(f"/applications/{application.reference}/letter.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    flat = text.replace("\n", "")
    assert application.reference in flat and "100,000" in flat and letter.fingerprint in flat
    check = client_for(None).get(f"/letters/check/{letter.fingerprint}/")
    assert "Genuine and in force." in text_of(check)
    services.revoke_authorization(Application.objects.get(pk=application.pk), acting_user=federal_approver, comment="Double counting found.")
    assert "Genuine but revoked." in text_of(client_for(None).get(f"/letters/check/{letter.fingerprint}/"))


def test_the_check_form_redirects_to_the_fingerprint_and_an_unknown_one_is_not_genuine():
    response = client_for(None).get("/letters/check/?fingerprint=" + "a" * 64)
    assert response.status_code == 302
    assert "No letter with this fingerprint" in text_of(client_for(None).get(response.url))


def test_a_pasted_fingerprint_is_trimmed_and_lower_cased(proponent):
    letter = make_application(proponent, state="authorized").loa
    pasted = "  " + letter.fingerprint[:32].upper() + "\n" + letter.fingerprint[32:] + " "
    response = client_for(None).get("/letters/check/", {"fingerprint": pasted})
    assert response.status_code == 302 and response.url == f"/letters/check/{letter.fingerprint}/"
    assert "Genuine and in force." in text_of(client_for(None).get(response.url))
    assert 'maxlength' not in client_for(None).get("/letters/check/").content.decode()


def test_what_is_not_a_fingerprint_is_told_apart_from_a_fingerprint_never_issued():
    for pasted in ["LOA-MYS-2026-0001", "g" * 64, "a" * 63]:
        response = client_for(None).get("/letters/check/", {"fingerprint": pasted})
        assert response.status_code == 400, pasted
        text = text_of(response)
        assert "64 characters, the digits 0–9 and the letters a–f" in text and "No letter with this fingerprint" not in text
    assert "Enter the fingerprint printed on the letter." in text_of(client_for(None).get("/letters/check/?fingerprint=+"))
    assert client_for(None).get("/letters/check/not-a-fingerprint/").status_code == 400
    unknown = client_for(None).get("/letters/check/" + "b" * 64 + "/")
    assert unknown.status_code == 200 and "No letter with this fingerprint was issued" in text_of(unknown)


def test_no_letter_no_pdf(proponent):
    application = make_application(proponent, state="loa_review")
    assert client_for(proponent).get(f"/applications/{application.reference}/letter.pdf").status_code == 404


# --- proponent pages -----------------------------------------------------------------------


def form_data(**overrides) -> dict:
    data = {
        "host_party": "MYS", "title": "Kinabatangan corridor", "description": "Reconnecting riparian forest.",
        "jurisdiction": "MY-12", "acquiring_parties": ["KOR"], "sector": "Forestry and other land use",
        "mitigation_type": "Removal", "activity_type": "Afforestation, reforestation and revegetation",
        "requested_quantity": "50000", "vintage_from": "2026", "vintage_to": "2028", "purposes": "NDC",
        "first_transfer_definition": "First international transfer",
    }
    data.update(overrides)
    return data


def test_proponent_creates_a_draft_in_two_steps(proponent):
    client = client_for(proponent)
    step1 = client.get("/applications/new/")
    assert "Malaysia" in text_of(step1)
    assert_accessible(step1)
    step2 = client.get("/applications/new/?host_party=MYS")
    assert step2.status_code == 200 and 'name="host_registry_id"' not in text_of(step2)
    assert_accessible(step2)
    response = client.post("/applications/new/", form_data())
    application = Application.objects.get(title="Kinabatangan corridor")
    assert response.status_code == 302 and response.url == f"/applications/{application.reference}/"
    assert application.state == "draft" and application.requested_quantity == 50000


def test_proponent_chooses_the_article_6_4_mechanism_and_the_page_shows_it(proponent):
    client = client_for(proponent)
    assert 'name="mechanism"' in text_of(client.get("/applications/new/?host_party=MYS"))
    client.post("/applications/new/", form_data(title="Kinabatangan cookstoves", mechanism="article_6_4"))
    application = Application.objects.get(title="Kinabatangan cookstoves")
    assert application.mechanism == "article_6_4"
    assert "Article 6.4 mechanism (PACM)" in text_of(client.get(f"/applications/{application.reference}/"))


def test_the_hosts_article_6_4_approval_waits_in_the_federal_queue_with_its_two_decisions(proponent, federal_approver):
    application = make_application(proponent, mechanism="article_6_4", title="Kinabatangan cookstoves")
    services.submit_application(application, acting_user=proponent)
    queue = text_of(client_for(federal_approver).get("/queue/"))
    assert "Kinabatangan cookstoves" in queue and "Approval of an Article 6.4 activity" in queue
    page = client_for(federal_approver).get(f"/applications/{application.reference}/")
    body = text_of(page)
    assert "Article 6.4 approval review" in body
    assert "Approve the activity and go on to authorize its units" in body
    assert "Approve the activity without authorizing its units" in body
    assert_accessible(page)
    assert "Approve the activity" not in text_of(client_for(proponent).get(f"/applications/{application.reference}/"))


def test_proponent_names_the_programme_and_a_wrong_registry_id_is_refused_beside_it(proponent):
    client = client_for(proponent)
    refused = client.post("/applications/new/", form_data(title="Segama VCS", programme="verra_vcs", programme_registry_id="VCS-X"))
    assert refused.status_code == 400 and "not a registry ID of this programme" in text_of(refused)
    assert not Application.objects.filter(title="Segama VCS").exists()
    client.post("/applications/new/", form_data(title="Segama VCS", programme="verra_vcs", programme_registry_id=" VCS 1477 "))
    application = Application.objects.get(title="Segama VCS")
    assert (application.programme, application.programme_registry_id) == ("verra_vcs", "VCS 1477")
    assert "Verra Verified Carbon Standard (VCS) · VCS 1477" in text_of(client.get(f"/applications/{application.reference}/"))


def test_party_specific_fields_appear_only_where_the_party_asks(proponent):
    body = text_of(client_for(proponent).get("/applications/new/?host_party=IDN"))
    assert 'name="host_registry_id"' in body
    assert 'name="local_partner"' not in body
    # Zimbabwe asks foreign proponents (this one is Malaysian) for a local partner and a benefit-sharing plan.
    body = text_of(client_for(proponent).get("/applications/new/?host_party=ZWE"))
    assert 'name="local_partner"' in body and 'name="benefit_sharing_plan"' in body


def test_bad_input_is_refused_beside_each_field_and_writes_nothing(proponent):
    before = Application.objects.count()
    response = client_for(proponent).post("/applications/new/", form_data(
        title="", requested_quantity="-5", vintage_from="2030", vintage_to="2026", jurisdiction="ID-JK"))
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert set(errors) >= {"title", "requested_quantity", "jurisdiction"}
    assert "This field is required." in text_of(response)
    assert Application.objects.count() == before


def test_service_rules_land_beside_the_field(proponent):
    response = client_for(proponent).post("/applications/new/", form_data(host_party="IDN", jurisdiction="ID-KT",
                                                                           host_registry_id="", acquiring_parties=["KOR"]))
    assert response.status_code == 400
    assert "host_registry_id" in response.context["form"].errors


def test_proponent_edits_a_draft(proponent):
    application = make_application(proponent)
    client = client_for(proponent)
    page = client.get(f"/applications/{application.reference}/edit/")
    assert 'value="Ulu Segama forest restoration"' in text_of(page)
    response = client.post(f"/applications/{application.reference}/edit/", form_data(title="Renamed"))
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.title == "Renamed"


def test_an_application_under_review_cannot_be_edited(proponent):
    application = make_application(proponent, state="loa_review")
    response = client_for(proponent).get(f"/applications/{application.reference}/edit/", follow=True)
    assert "can no longer be edited" in text_of(response)


def test_proponent_uploads_a_pdf_and_a_disguised_file_is_refused(proponent):
    application = make_application(proponent)
    client = client_for(proponent)
    response = client.post(f"/applications/{application.reference}/documents/",
                           {"title": "Map", "file": SimpleUploadedFile("map.pdf", PDF_BYTES, "application/pdf")})
    assert response.status_code == 302
    assert Document.objects.filter(application=application).count() == 1
    response = client.post(f"/applications/{application.reference}/documents/",
                           {"title": "Fake", "file": SimpleUploadedFile("evil.pdf", b"#!/bin/sh\necho hi\n", "application/pdf")})
    assert response.status_code == 400
    assert "Only PDF, PNG and JPEG files are accepted" in text_of(response)
    assert Document.objects.filter(application=application).count() == 1
    document = Document.objects.get(application=application)
    download = client.get(f"/applications/{application.reference}/documents/{document.pk}/")
    assert b"".join(download.streaming_content) == PDF_BYTES


def test_proponent_submits_and_the_status_page_says_who_holds_it_until_when(proponent):
    application = make_application(proponent)
    client = client_for(proponent)
    response = client.post(f"/applications/{application.reference}/transitions/submit/", {"submit-comment": ""}, follow=True)
    body = text_of(response)
    assert "LoA review" in body and "With Sabah Forestry Department" in body and "days left" in body


def test_submitting_with_unmet_requirements_says_what_is_missing(proponent):
    application = make_application(proponent, host_party="IDN", jurisdiction="ID-KT", acquiring_parties=["JPN"],
                                   host_registry_id="")
    client = client_for(proponent)
    page = text_of(client.get(f"/applications/{application.reference}/"))
    assert "Before you can submit" in page
    response = client.post(f"/applications/{application.reference}/transitions/submit/", {"submit-comment": ""})
    assert response.status_code == 400
    assert "SRN-PPI" in text_of(response)
    application.refresh_from_db()
    assert application.state == "draft"


def test_proponent_withdraws(proponent):
    application = make_application(proponent, state="loa_review")
    client_for(proponent).post(f"/applications/{application.reference}/transitions/withdraw/", {"withdraw-comment": "Project sold."})
    application.refresh_from_db()
    assert application.state == "withdrawn"


def test_proponent_resubmits_after_changes_were_requested(proponent, sabah_reviewer):
    application = make_application(proponent, state="loa_review")
    services.request_changes(Application.objects.get(pk=application.pk), acting_user=sabah_reviewer, comment="Add the map.")
    client = client_for(proponent)
    page = client.get(f"/applications/{application.reference}/")
    assert [item["name"] for item in page.context["panel"]] == ["resubmit", "withdraw"]
    assert "Add the map." in text_of(page)
    client.post(f"/applications/{application.reference}/transitions/resubmit/", {"resubmit-comment": "Map attached."})
    application.refresh_from_db()
    assert application.state == "loa_review"


def test_applications_list_shows_only_what_the_user_may_see(proponent, sarawak_approver):
    application = make_application(proponent, state="loa_review")
    assert application.reference in text_of(client_for(proponent).get("/applications/"))
    assert application.reference not in text_of(client_for(sarawak_approver).get("/applications/"))


# --- notifications, dashboard, configuration ----------------------------------------------


def test_notifications_page_and_mark_all_read(sabah_approver, proponent):
    make_application(proponent, state="loa_review")
    deliver_in_app()
    client = client_for(sabah_approver)
    assert "submit" in text_of(client.get("/notifications/"))
    client.post("/notifications/")
    assert "0 unread" in text_of(client.get("/notifications/"))


def test_federal_dashboard_counts_by_state_and_draws_svg(federal_approver, proponent):
    make_application(proponent, state="authorized")
    make_application(proponent, state="loa_review")
    response = client_for(federal_approver).get("/dashboard/")
    assert response.status_code == 200
    body = text_of(response)
    assert "<svg" in body and "MY-12" in body and "Authorized tCO2e against requested" in body
    assert response.context["dashboards"][0]["authorized"] == 100000


def test_state_officers_have_no_federal_dashboard(sabah_approver):
    assert client_for(sabah_approver).get("/dashboard/").status_code == 403


def test_party_configuration_is_for_administrators(admin_user, sabah_approver):
    response = client_for(admin_user).get("/configuration/MYS/")
    assert response.status_code == 200
    body = text_of(response)
    assert "Sabah Forestry Department" in body and "sabah.approver" in body and "<svg" in body
    assert client_for(sabah_approver).get("/configuration/MYS/").status_code == 403


# --- Bahasa Melayu ---------------------------------------------------------------------------


def test_the_language_switcher_turns_the_pages_malay(sabah_approver):
    client = client_for(sabah_approver)
    response = client.post("/i18n/setlang/", {"language": "ms", "next": "/queue/"}, follow=True)
    body = text_of(response)
    assert 'lang="ms"' in body and "Baris gilir saya" in body




@pytest.mark.parametrize("locale", ["ms", "id", "th", "vi", "zh_Hant"])
def test_every_catalogue_has_no_untranslated_or_fuzzy_entry_and_keeps_the_placeholders(locale):
    import subprocess
    from pathlib import Path

    po = Path(f"locale/{locale}/LC_MESSAGES/django.po")
    result = subprocess.run(["msgfmt", "--statistics", "--check-format", "-o", "/dev/null", str(po)],
                            capture_output=True, text=True, check=True)
    assert "untranslated" not in result.stderr and "fuzzy" not in result.stderr, result.stderr


def test_every_configured_language_but_english_has_a_catalogue_and_is_in_the_switcher():
    from pathlib import Path

    from django.conf import settings
    from django.utils.translation import to_locale

    body = text_of(client_for(None).get("/accounts/login/"))
    for code, name in settings.LANGUAGES:
        assert f'<option value="{code}" lang="{code}"' in body and name in body
        if code != "en":
            assert Path(f"locale/{to_locale(code)}/LC_MESSAGES/django.po").exists(), code


def test_malay_pages_show_malay_state_names_and_messages(proponent):
    application = make_application(proponent, state="loa_review")
    client = client_for(proponent)
    client.cookies["django_language"] = "ms"
    body = text_of(client.get(f"/applications/{application.reference}/"))
    assert "Semakan LoA" in body and "Garis masa" in body and "Tarik balik" in body


def test_no_template_sets_inline_style_or_script():
    import re
    from pathlib import Path

    inline_script = re.compile(r"<script(?![^>]*\bsrc=)")  # a <script> without src is inline code
    for template in [*Path("templates/web").glob("*.html"), Path("templates/base.html")]:
        text = template.read_text()
        assert "style=" not in text and not inline_script.search(text), template
    # The one script is a file the CSP's script-src 'self' allows.
    assert re.findall(r"<script[^>]*>", Path("templates/base.html").read_text()) == [
        """<script src="{% static 'js/tierflow.js' %}" defer>"""]
