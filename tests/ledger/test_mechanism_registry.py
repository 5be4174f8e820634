"""Article 6.4: A6.4ERs issued into the mechanism registry, the shares taken there, authorized units forwarded, mitigation contribution units kept out of the CA."""
from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from apps.audit.models import AuditEvent
from apps.authorizations import services
from apps.authorizations.models import Application, State
from apps.governance.models import Duty, Party
from apps.ledger.models import Action, ActionType, Block
from apps.ledger.selectors import adjustments_for, balance_differences, serial_differences
from apps.ledger.services import LedgerConflict, transfer_itmos, use_itmos
from apps.reporting.aef import AEFBuilder, validate
from apps.reporting.models import Report
from apps.workflow.engine import TransitionNotAvailable

from ..factories import issue_verified, make_application
from .conftest import authorized

KOR = lambda: Party.objects.get(code="KOR")  # noqa: E731


@pytest.fixture
def contribution_activity(proponent, federal_approver):
    """An Article 6.4 activity the host approved without authorizing its units (no LoA)."""
    application = make_application(proponent, mechanism="article_6_4", purposes="NDC")
    services.submit_application(application, acting_user=proponent)
    return services.approve_without_authorization(Application.objects.get(pk=application.pk), acting_user=federal_approver,
                                                  comment="Letter of approval MY-DNA-LoApproval-1")


def test_authorized_a64ers_are_issued_in_the_mechanism_registry_and_forwarded_to_the_host(proponent, federal_approver):
    application = authorized(proponent, article_6_4=True)
    actions = issue_verified(application=application, acting_user=federal_approver, vintage=2026, quantity=1000)
    forwarding = actions[-1]
    assert (forwarding.action_type, forwarding.quantity) == (ActionType.FORWARDING, 930)
    assert (forwarding.from_account.kind, forwarding.to_account.kind) == ("mechanism", "entity")
    assert forwarding.to_account.party_id == "MYS"
    assert not Block.objects.filter(mitigation_contribution=True).exists()
    moved = transfer_itmos(application=application, acting_user=federal_approver, vintage=2026, quantity=100, to_party=KOR())
    assert moved[0].action_type == ActionType.FIRST_TRANSFER
    assert balance_differences() == [] and serial_differences() == []


def test_the_aef_reports_the_mechanism_and_the_shares_but_not_the_forwarding(proponent, federal_approver):
    application = authorized(proponent, article_6_4=True, mitigation_type="Emission reductions", sector="Energy generation")
    actions = issue_verified(application=application, acting_user=federal_approver, vintage=2026, quantity=1000)
    builder = AEFBuilder(Report(party_id="MYS", year=actions[0].at.year))
    rows = [row for _k, row in builder.actions()]
    assert [(r["Action type"], r["Action subtype"], r["Quantity (t CO2 eq)"]) for r in rows] == [
        ("Authorization", "", "1000"),
        ("Transfer", "Mandatory transfer to the Adaptation Fund (A6.4 ERs)", "50"),
        ("Cancellation", "Mandatory cancellation to deliver OMGE", "20"),
    ]
    assert all("Article 6.4" in r["Additional explanatory information"] for r in rows)
    [authorization] = [row for _k, row in builder.authorizations()]
    assert "Article 6.4" in authorization["Additional explanatory information"]
    assert [row["Quantity (t CO2 eq)"] for _k, row in builder.holdings()] == ["930"]
    assert validate(builder) == []


def test_mitigation_contribution_a64ers_stay_in_the_mechanism_registry_and_never_touch_the_ca(
        contribution_activity, federal_approver, korea_operator):
    actions = issue_verified(application=contribution_activity, acting_user=federal_approver, vintage=2026, quantity=1000)
    assert [(a.action_type, a.quantity) for a in actions] == [
        (ActionType.ISSUANCE, 1000), (ActionType.TRANSFER, 50), (ActionType.CANCELLATION, 20)]
    assert all(a.mitigation_contribution for a in actions)
    held = dict(Block.objects.filter(application=contribution_activity).values_list("account__kind", "quantity"))
    assert held == {"mechanism": 930, "adaptation_fund": 50, "omge": 20}
    with pytest.raises(LedgerConflict, match="mitigation contribution"):
        transfer_itmos(application=contribution_activity, acting_user=federal_approver, vintage=2026, quantity=10, to_party=KOR())
    with pytest.raises((ValidationError, LedgerConflict)):
        use_itmos(application=contribution_activity, acting_user=federal_approver, party=Party.objects.get(code="MYS"),
                  vintage=2026, quantity=10)
    assert not Action.objects.filter(action_type=ActionType.FIRST_TRANSFER).exists()
    assert all(y.corresponding_adjustment == 0 for y in adjustments_for(Party.objects.get(code="MYS")).years)
    assert list(AEFBuilder(Report(party_id="MYS", year=actions[0].at.year)).actions()) == []
    assert balance_differences() == [] and serial_differences() == []


def test_mitigation_contribution_units_need_no_cooperative_approach_and_no_loa_cap(contribution_activity, federal_approver):
    issue_verified(application=contribution_activity, acting_user=federal_approver, vintage=2027, quantity=150_000)
    assert Block.objects.filter(application=contribution_activity, mitigation_contribution=True).exists()


def test_the_host_approves_an_article_6_4_activity_once_at_its_own_stage(proponent, federal_approver, sabah_approver):
    application = make_application(proponent, mechanism="article_6_4")
    services.submit_application(application, acting_user=proponent)
    application = Application.objects.get(pk=application.pk)
    assert application.state == State.PARTICIPATION_REVIEW
    assert application.stages.get(closed_at__isnull=True).duty == Duty.MECHANISM_APPROVAL
    with pytest.raises(PermissionDenied):  # the state's LoA issuer does not hold the mechanism approval
        services.approve_without_authorization(application, acting_user=sabah_approver)
    approved = services.approve_without_authorization(Application.objects.get(pk=application.pk), acting_user=federal_approver)
    assert approved.state == State.APPROVED_FOR_MECHANISM and approved.loa is None
    assert AuditEvent.objects.filter(event="application.approve_without_authorization", subject_id=application.reference).count() == 1
    with pytest.raises(TransitionNotAvailable):
        services.approve_participation(Application.objects.get(pk=application.pk), acting_user=federal_approver)


def test_an_article_6_2_application_never_waits_for_a_mechanism_approval(proponent):
    application = make_application(proponent)
    assert services.submit_application(application, acting_user=proponent).state == State.LOA_REVIEW
