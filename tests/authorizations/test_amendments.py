"""An authorized application can change: the amendment runs through both tiers, the current letter stays in force
until the next version is approved, a refusal changes nothing, and the ledger follows the version in force."""
import pytest

from apps.authorizations.models import Amendment, Application

from ..factories import make_application

pytestmark = pytest.mark.django_db


def fire(api, user, application, name, **extra):
    return api(user).post(f"/api/v1/applications/{application.reference}/transitions/", {"transition": name, **extra},
                          format="json")


def test_an_approved_amendment_issues_the_next_version_in_force(api, client, proponent, sabah_approver, federal_approver):
    application = make_application(proponent, state="authorized")
    first = Application.objects.get(pk=application.pk).loa
    asked = fire(api, proponent, application, "request_amendment", comment="The second phase adds 2031-2032.",
                 requested_quantity=120_000, vintage_to=2032)
    assert asked.status_code == 200, asked.json()
    assert asked.json()["state"] == "amendment_loa_review" and asked.json()["loa"]["status"] == "in_force"
    assert asked.json()["current_stage"]["authority"] == "Sabah Forestry Department"
    too_much = fire(api, sabah_approver, application, "endorse_amendment", authorized_quantity=120_001)
    assert too_much.status_code == 400 and "authorized_quantity" in too_much.json()
    endorsed = fire(api, sabah_approver, application, "endorse_amendment", authorized_quantity=110_000)
    assert endorsed.status_code == 200 and endorsed.json()["state"] == "amendment_ca_review"
    approved = fire(api, federal_approver, application, "approve_amendment")
    assert approved.status_code == 200, approved.json()
    letter = approved.json()["loa"]
    assert approved.json()["state"] == "authorized"
    assert (letter["version"], letter["status"], letter["authorized_quantity"], letter["vintage_to"]) == (2, "in_force", 110_000, 2032)
    assert letter["issuing_authority"] == "Sabah Forestry Department" and letter["ca_approved_by"].startswith("Ministry")
    first.refresh_from_db()
    assert first.status == "superseded"
    assert Amendment.objects.get(application=application).status == "approved"
    assert "a later version of this letter exists" in client.get(f"/letters/check/{first.fingerprint}/").content.decode()


def test_a_refused_amendment_leaves_the_letter_in_force(api, proponent, federal_approver, sabah_approver):
    application = make_application(proponent, state="authorized")
    fire(api, proponent, application, "request_amendment", comment="Fewer tonnes.", requested_quantity=60_000)
    fire(api, sabah_approver, application, "endorse_amendment", authorized_quantity=60_000)
    no_reason = fire(api, federal_approver, application, "refuse_amendment")
    assert no_reason.status_code == 400 and "comment" in no_reason.json()
    refused = fire(api, federal_approver, application, "refuse_amendment", comment="The NDC accounting cannot absorb it.")
    assert refused.status_code == 200 and refused.json()["state"] == "authorized"
    assert (refused.json()["loa"]["version"], refused.json()["loa"]["status"]) == (1, "in_force")
    assert Amendment.objects.get(application=application).status == "refused"


def test_an_amendment_must_change_something_and_only_the_proponent_asks(api, proponent, federal_approver):
    application = make_application(proponent, state="authorized")
    same = fire(api, proponent, application, "request_amendment", comment="Nothing really.")
    assert same.status_code == 400 and "requested_quantity" in same.json()
    assert fire(api, federal_approver, application, "request_amendment", comment="x", requested_quantity=5).status_code == 403
    assert Application.objects.get(pk=application.pk).state == "authorized" and not Amendment.objects.exists()


def test_issuance_follows_the_version_in_force(proponent, sabah_approver, federal_approver):
    from django.core.exceptions import ValidationError

    from apps.authorizations import services

    from ..factories import issue_verified

    application = make_application(proponent, state="authorized")
    services.request_amendment(application, acting_user=proponent, comment="Reduce.", requested_quantity=40_000)
    # While the amendment runs, the version in force (100,000 t) still binds the ledger.
    issue_verified(application=Application.objects.get(pk=application.pk), acting_user=federal_approver, vintage=2026,
                   quantity=30_000, cooperative_approach_id="CA0001")
    services.endorse_amendment(Application.objects.get(pk=application.pk), acting_user=sabah_approver, authorized_quantity=40_000)
    services.approve_amendment(Application.objects.get(pk=application.pk), acting_user=federal_approver)
    with pytest.raises(ValidationError) as refused:
        issue_verified(application=Application.objects.get(pk=application.pk), acting_user=federal_approver, vintage=2027,
                       quantity=20_000)
    assert "quantity" in refused.value.message_dict
    issue_verified(application=Application.objects.get(pk=application.pk), acting_user=federal_approver, vintage=2027,
                   quantity=10_000)

    # The AEF reports each action under the version that applied when it happened, and both versions.
    from django.utils import timezone

    from apps.reporting.aef import AEFBuilder
    from apps.reporting.models import Report

    builder = AEFBuilder(Report(party_id="MYS", year=timezone.now().year))
    issued = [row["Authorization ID"] for _key, row in builder.actions() if row["Action type"] == "Authorization"
              and row["Quantity (t CO2 eq)"] in ("30000", "10000")]
    assert issued == [f"LOA-{application.reference}", f"LOA-{application.reference}-2"]
    versions = {key: row["Version of the authorization"] for key, row in builder.authorizations()}
    assert versions[f"LOA-{application.reference}"] == "1" and versions[f"LOA-{application.reference}-2"] == "2"
