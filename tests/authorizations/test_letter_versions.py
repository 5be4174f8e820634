"""A letter's whole life: versions on re-issue, a status that follows both tiers, and what the check page says."""
import io

import pytest
from pypdf import PdfReader

from apps.audit.models import AuditEvent
from apps.authorizations.models import Application, LetterOfAuthorization

from ..factories import make_application

pytestmark = pytest.mark.django_db


def fire(api, user, application, name, **extra):
    return api(user).post(f"/api/v1/applications/{application.reference}/transitions/", {"transition": name, **extra},
                          format="json")


def test_re_issuing_after_the_federal_tier_asks_for_changes_issues_version_2(api, client, proponent, sabah_approver,
                                                                             federal_approver):
    application = make_application(proponent, state="ca_review")
    first = Application.objects.get(pk=application.pk).loa
    assert fire(api, federal_approver, application, "request_changes", comment="Cap the quantity at 60,000 t.").status_code == 200
    assert fire(api, proponent, application, "resubmit").status_code == 200
    response = fire(api, sabah_approver, application, "issue_loa", authorized_quantity=60_000)
    assert response.status_code == 200, response.json()
    letter = response.json()["loa"]
    assert (letter["number"], letter["version"], letter["status"]) == (f"LOA-{application.reference}-2", 2, "pending_corresponding_adjustment")
    assert [(v["version"], v["status"]) for v in letter["versions"]] == [(1, "superseded"), (2, "pending_corresponding_adjustment")]
    first.refresh_from_db()
    assert first.status == "superseded" and first.authorized_quantity == application.requested_quantity  # content unchanged
    page = client.get(f"/letters/check/{first.fingerprint}/").content.decode()
    assert "a later version of this letter exists" in page and "Genuine and in force" not in page
    issued = AuditEvent.objects.filter(event="application.issue_loa", subject_id=application.reference).order_by("seq")
    assert issued.last().data["supersedes"] == first.number
    assert fire(api, federal_approver, application, "approve_ca").json()["loa"]["status"] == "in_force"


def test_a_letter_whose_corresponding_adjustment_is_refused_lapses(api, client, proponent, federal_approver):
    application = make_application(proponent, state="ca_review")
    response = fire(api, federal_approver, application, "reject", comment="Outside the NDC's sectors.")
    assert response.status_code == 200
    letter = api(proponent).get(f"/api/v1/applications/{application.reference}/loa/").json()
    assert (letter["status"], letter["in_force"]) == ("lapsed", False)
    page = client.get(f"/letters/check/{letter['fingerprint']}/").content.decode()
    assert "lapsed" in page and "Genuine and in force" not in page
    event = AuditEvent.objects.get(event="application.reject", subject_id=application.reference)
    assert event.data["letter"] == {"number": letter["number"], "version": 1, "status": "lapsed"}


def test_withdrawing_after_changes_were_requested_lapses_the_letter(api, proponent, federal_approver):
    application = make_application(proponent, state="ca_review")
    fire(api, federal_approver, application, "request_changes", comment="Add the map.")
    assert fire(api, proponent, application, "withdraw").status_code == 200
    assert Application.objects.get(pk=application.pk).loa.status == "lapsed"


def test_a_pending_letter_commits_nobody_to_the_adjustment_until_it_is_approved(api, proponent, federal_approver):
    application = make_application(proponent, state="ca_review")

    def text() -> str:
        pdf = api(proponent).get(f"/api/v1/applications/{application.reference}/loa/pdf/")
        assert pdf.status_code == 200
        return " ".join("".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages).split())

    pending = text()
    assert "takes effect only when the corresponding adjustment is approved" in pending
    assert "commits to apply corresponding adjustments" not in pending
    fire(api, federal_approver, application, "approve_ca")
    approved = text()
    assert "approved the corresponding adjustment" in approved and "commits to apply corresponding adjustments" in approved


def test_every_version_is_readable_and_a_bad_version_is_a_clear_error(api, proponent, sabah_approver, federal_approver,
                                                                    sarawak_approver):
    application = make_application(proponent, state="ca_review")
    fire(api, federal_approver, application, "request_changes", comment="Shorter vintages.")
    fire(api, proponent, application, "resubmit")
    fire(api, sabah_approver, application, "issue_loa", authorized_quantity=50_000)
    base = f"/api/v1/applications/{application.reference}/loa/"
    assert api(proponent).get(base, {"version": 1}).json()["status"] == "superseded"
    assert api(proponent).get(f"{base}pdf/", {"version": 1}).status_code == 200
    bad = api(proponent).get(base, {"version": "one"})
    assert bad.status_code == 400 and bad.json()["code"] == "invalid" and "version" in bad.json()
    assert api(proponent).get(base, {"version": 9}).status_code == 404
    assert api(sarawak_approver).get(base, {"version": 1}).status_code == 404


def test_revoking_revokes_the_current_version(api, proponent, federal_approver):
    application = make_application(proponent, state="authorized")
    assert fire(api, federal_approver, application, "revoke", comment="Double claiming found.").status_code == 200
    letter = LetterOfAuthorization.objects.get(application=application)
    assert letter.status == "revoked" and letter.revoked_at is not None and not letter.in_force


def test_the_aef_reports_the_version_of_the_authorization(proponent, sabah_approver, federal_approver):
    from apps.authorizations import services
    from apps.reporting.aef import AEFBuilder
    from apps.reporting.models import Report

    application = make_application(proponent, state="ca_review")
    services.request_changes(application, acting_user=federal_approver, comment="Lower the quantity.")
    services.resubmit_application(Application.objects.get(pk=application.pk), acting_user=proponent)
    services.issue_loa(Application.objects.get(pk=application.pk), acting_user=sabah_approver, authorized_quantity=70_000)
    services.approve_ca(Application.objects.get(pk=application.pk), acting_user=federal_approver)
    year = Application.objects.get(pk=application.pk).loa.issued_at.year
    rows = dict(AEFBuilder(Report(party_id="MYS", year=year)).authorizations())
    assert rows[f"LOA-{application.reference}-2"]["Version of the authorization"] == "2"
    assert rows[f"LOA-{application.reference}-2"]["Authorized quantity"] == "70000"
