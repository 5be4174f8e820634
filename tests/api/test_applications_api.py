"""Applications over the API beyond the contract: edit, history, documents, LoA, filters, cursor walk, idempotency."""
from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.utils import timezone
from pypdf import PdfReader

from apps.api.models import IdempotencyKey
from apps.audit.models import AuditEvent
from apps.authorizations.models import Application, Document, Stage

from ..factories import application_payload, make_application
from ..pdf_corpus import CLEAN as CLEAN_PDF

pytestmark = pytest.mark.django_db

PDF = CLEAN_PDF  # a minimal PDF the parser reads as one page


def detail(reference: str, suffix: str = "") -> str:
    return f"/api/v1/applications/{reference}/{suffix}"


# --- edit ------------------------------------------------------------------


def test_the_proponent_edits_a_draft_with_patch(api, proponent, sabah_application):
    response = api(proponent).patch(detail(sabah_application.reference), {"requested_quantity": 120_000}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["requested_quantity"] == 120_000
    assert response.json()["title"] == sabah_application.title
    assert AuditEvent.objects.filter(event="application.updated", subject_id=sabah_application.reference).exists()


def test_put_replaces_every_field(api, proponent, sabah_application):
    payload = application_payload(title="Renamed", acquiring_parties=[])
    response = api(proponent).put(detail(sabah_application.reference), payload, format="json")
    assert response.status_code == 200
    assert response.json()["title"] == "Renamed" and response.json()["acquiring_parties"] == []


def test_an_edit_with_bad_input_names_the_field_and_changes_nothing(api, proponent, sabah_application):
    before = AuditEvent.objects.count()
    response = api(proponent).patch(detail(sabah_application.reference), {"vintage_to": 2020}, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid" and response.json()["vintage_to"]
    assert AuditEvent.objects.count() == before
    assert Application.objects.get(pk=sabah_application.pk).vintage_to == sabah_application.vintage_to


def test_the_host_party_cannot_change(api, proponent, sabah_application):
    response = api(proponent).patch(detail(sabah_application.reference), {"host_party": "IDN", "jurisdiction": "ID"}, format="json")
    assert response.status_code == 400 and "host_party" in response.json()


def test_a_submitted_application_cannot_be_edited(api, proponent):
    application = make_application(proponent, state="loa_review")
    response = api(proponent).patch(detail(application.reference), {"title": "Late"}, format="json")
    assert response.status_code == 409 and response.json()["code"] == "conflict"
    assert Application.objects.get(pk=application.pk).title != "Late"


def test_an_officer_who_sees_it_may_not_edit_it(api, proponent, sabah_approver):
    application = make_application(proponent, state="loa_review")
    response = api(sabah_approver).patch(detail(application.reference), {"title": "Mine"}, format="json")
    assert response.status_code == 403 and response.json()["code"] == "permission_denied"


def test_editing_someone_elses_draft_is_404_and_anonymous_is_401(api, sabah_approver, sabah_application):
    assert api(sabah_approver).patch(detail(sabah_application.reference), {"title": "x"}, format="json").status_code == 404
    anonymous = api(None).patch(detail(sabah_application.reference), {"title": "x"}, format="json")
    assert anonymous.status_code == 401 and anonymous.json()["code"] == "not_authenticated"


# --- history ---------------------------------------------------------------


def test_history_lists_every_event_oldest_first(api, proponent):
    application = make_application(proponent, state="ca_review")
    events = api(proponent).get(detail(application.reference, "history/")).json()
    assert [e["event"] for e in events] == ["application.created", "application.submit", "application.issue_loa"]
    assert events[1]["from"] == "draft" and events[1]["to"] == "loa_review" and events[2]["actor"] == "sabah.approver"


def test_history_of_an_invisible_application_is_404(api, sarawak_approver, proponent):
    application = make_application(proponent, state="loa_review")
    assert api(sarawak_approver).get(detail(application.reference, "history/")).status_code == 404


# --- documents -------------------------------------------------------------


def _upload(client, reference, content=PDF, name="plan.pdf"):
    return client.post(detail(reference, "documents/"), {"file": _named(content, name), "title": "Plan"}, format="multipart")


def _named(content: bytes, name: str):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def test_the_proponent_uploads_and_an_officer_downloads_as_attachment(api, proponent, sabah_approver, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    application = make_application(proponent, state="loa_review")
    uploaded = _upload(api(proponent), application.reference)
    assert uploaded.status_code == 201, uploaded.json()
    document = uploaded.json()
    assert document["content_type"] == "application/pdf" and document["size"] == len(PDF)
    listed = api(sabah_approver).get(detail(application.reference, "documents/")).json()
    assert [d["id"] for d in listed] == [document["id"]]
    download = api(sabah_approver).get(document["download"])
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment;")
    assert download["Content-Type"] == "application/pdf"
    assert b"".join(download.streaming_content) == PDF


def test_a_file_that_is_not_what_it_claims_is_refused_and_nothing_is_stored(api, proponent, sabah_application, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    response = _upload(api(proponent), sabah_application.reference, content=b"MZ\x90\x00 not a pdf", name="plan.pdf")
    assert response.status_code == 400 and "file" in response.json()
    assert not Document.objects.exists() and not list(tmp_path.rglob("*.*"))


def test_only_the_proponent_uploads(api, proponent, sabah_approver, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    application = make_application(proponent, state="loa_review")
    assert _upload(api(sabah_approver), application.reference).status_code == 403


def test_a_document_of_an_invisible_application_is_404(api, proponent, sarawak_approver, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    application = make_application(proponent, state="loa_review")
    document = _upload(api(proponent), application.reference).json()
    assert api(sarawak_approver).get(document["download"]).status_code == 404
    assert api(proponent).get(detail(application.reference, "documents/999999/")).status_code == 404


# --- LoA -------------------------------------------------------------------


def test_the_loa_as_json_and_pdf(api, proponent, federal_approver):
    application = make_application(proponent, state="authorized")
    letter = api(proponent).get(detail(application.reference, "loa/"))
    assert letter.status_code == 200 and letter.json()["number"] == f"LOA-{application.reference}"
    pdf = api(federal_approver).get(detail(application.reference, "loa/pdf/"))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf["Content-Disposition"] == f'attachment; filename="LOA-{application.reference}.pdf"'
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
    assert application.reference in text


def test_no_loa_yet_is_404_with_the_error_body(api, proponent, sabah_application):
    response = api(proponent).get(detail(sabah_application.reference, "loa/"))
    assert response.status_code == 404 and response.json()["code"] == "not_found"
    assert api(proponent).get(detail(sabah_application.reference, "loa/pdf/")).status_code == 404


# --- filters, ordering, cursor ---------------------------------------------


def references(response) -> list[str]:
    return [a["reference"] for a in response.json()["results"]]


def test_filters_by_state_party_jurisdiction_duty_and_updated_since(api, proponent):
    draft = make_application(proponent)
    review = make_application(proponent, state="loa_review")
    ca = make_application(proponent, state="ca_review")
    client = api(proponent)
    assert references(client.get("/api/v1/applications/?state=draft")) == [draft.reference]
    assert set(references(client.get("/api/v1/applications/?party=MYS"))) == {draft.reference, review.reference, ca.reference}
    assert references(client.get("/api/v1/applications/?party=IDN")) == []
    assert len(references(client.get("/api/v1/applications/?jurisdiction=MY-12"))) == 3
    assert references(client.get("/api/v1/applications/?duty=ca_approval")) == [ca.reference]
    assert references(client.get("/api/v1/applications/?duty=loa_issuance")) == [review.reference]
    Application.objects.filter(pk=draft.pk).update(updated_at=timezone.now() - timedelta(days=3))
    since = (timezone.now() - timedelta(days=1)).isoformat()
    assert draft.reference not in references(client.get("/api/v1/applications/", {"updated_since": since}))


def test_overdue_filter(api, proponent):
    late = make_application(proponent, state="loa_review")
    make_application(proponent, state="loa_review")
    Stage.objects.filter(application=late).update(due_at=timezone.now() - timedelta(days=1))
    assert references(api(proponent).get("/api/v1/applications/?overdue=true")) == [late.reference]


def test_a_bad_filter_value_is_400_with_the_field(api, proponent):
    response = api(proponent).get("/api/v1/applications/?state=approved&updated_since=yesterday")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid" and "state" in response.json() and "updated_since" in response.json()


def test_ordering_by_reference(api, proponent):
    made = sorted(make_application(proponent).reference for _ in range(3))
    assert references(api(proponent).get("/api/v1/applications/?ordering=reference")) == made


def test_walking_every_page_while_others_are_created_sees_each_once(api, proponent):
    existing = {make_application(proponent).reference for _ in range(12)}
    client = api(proponent)
    seen: list[str] = []
    url = "/api/v1/applications/?page_size=5"
    while url:
        page = client.get(url).json()
        seen += [a["reference"] for a in page["results"]]
        make_application(proponent)  # someone else adds one between pages
        url = page["next"]
    assert sorted(r for r in seen if r in existing) == sorted(existing)
    assert len(seen) == len(set(seen))


def test_a_forged_cursor_is_400_naming_the_cursor(api, proponent):
    response = api(proponent).get("/api/v1/applications/?cursor=bm9wZQ")
    assert response.status_code == 400 and response.json()["code"] == "invalid" and "cursor" in response.json()


# --- idempotent creation ---------------------------------------------------


def test_repeating_a_creation_with_the_same_key_creates_one_application(api, proponent):
    client = api(proponent)
    first = client.post("/api/v1/applications/", application_payload(), format="json", HTTP_IDEMPOTENCY_KEY="abc-1")
    again = client.post("/api/v1/applications/", application_payload(), format="json", HTTP_IDEMPOTENCY_KEY="abc-1")
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json() and again["Idempotent-Replayed"] == "true"
    assert Application.objects.count() == 1


def test_the_same_key_with_another_body_is_refused(api, proponent):
    client = api(proponent)
    client.post("/api/v1/applications/", application_payload(), format="json", HTTP_IDEMPOTENCY_KEY="abc-2")
    other = client.post("/api/v1/applications/", application_payload(title="Other"), format="json", HTTP_IDEMPOTENCY_KEY="abc-2")
    assert other.status_code == 422 and other.json()["code"] == "idempotency_key_reused"
    assert Application.objects.count() == 1


def test_a_failed_creation_keeps_no_key_so_it_can_be_corrected(api, proponent):
    client = api(proponent)
    bad = client.post("/api/v1/applications/", application_payload(requested_quantity=0), format="json", HTTP_IDEMPOTENCY_KEY="k")
    assert bad.status_code == 400 and not IdempotencyKey.objects.exists()
    good = client.post("/api/v1/applications/", application_payload(), format="json", HTTP_IDEMPOTENCY_KEY="k")
    assert good.status_code == 201


def test_keys_are_per_user(api, proponent, sabah_approver):
    api(proponent).post("/api/v1/applications/", application_payload(), format="json", HTTP_IDEMPOTENCY_KEY="shared")
    response = api(sabah_approver).post("/api/v1/applications/", application_payload(), format="json", HTTP_IDEMPOTENCY_KEY="shared")
    assert response.status_code == 403  # an officer may not create: the proponent's key did not leak


@pytest.mark.parametrize("omitted", ["missing", "blank"])
def test_an_ndc_application_needs_no_first_transfer_definition(api, proponent, omitted):
    payload = application_payload(purposes="NDC")
    if omitted == "missing":
        payload.pop("first_transfer_definition")
    else:
        payload["first_transfer_definition"] = ""
    response = api(proponent).post("/api/v1/applications/", payload, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["first_transfer_definition"] == "First international transfer"


def test_an_ndc_application_naming_an_oimp_first_transfer_is_refused_naming_the_field(api, proponent):
    response = api(proponent).post("/api/v1/applications/", application_payload(
        purposes="NDC", first_transfer_definition="Issuance"), format="json")
    assert response.status_code == 400
    assert "first international transfer" in response.json()["first_transfer_definition"][0]
    assert not Application.objects.exists()


@pytest.mark.parametrize("definition", ["", "First international transfer"])
def test_an_oimp_application_must_choose_when_the_first_transfer_happens(api, proponent, definition):
    response = api(proponent).post("/api/v1/applications/", application_payload(
        purposes="NDC and OIMP", first_transfer_definition=definition), format="json")
    assert response.status_code == 400
    assert "first_transfer_definition" in response.json()
    assert not Application.objects.exists()
