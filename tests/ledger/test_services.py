"""Issuing, transferring, using and cancelling through the ledger services."""
from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from apps.audit.models import AuditEvent
from apps.authorizations.services import revoke_authorization
from apps.governance.models import Party
from apps.ledger.models import Action, ActionType, Block, Subtype
from apps.ledger.selectors import balance_differences, year_adjustment
from apps.ledger.services import (
    LedgerConflict, cancel_itmos, transfer_itmos, use_itmos,
)

from ..factories import issue_verified
from .conftest import authorized

KOR = lambda: Party.objects.get(code="KOR")  # noqa: E731


def test_issuance_creates_a_block_in_the_proponents_account_with_its_identifiers(ndc_application, federal_approver):
    [action] = issue_verified(application=ndc_application, acting_user=federal_approver, vintage=2026, quantity=1000)
    block = Block.objects.get()
    assert (block.registry_id, block.first_id, block.last_id, block.quantity) == ("MYS01", 1, 1000, 1000)
    assert (block.cooperative_approach_id, block.first_transferring_party_id, block.vintage) == ("CA0001", "MYS", 2026)
    assert block.account.organisation == ndc_application.organisation
    assert action.action_type == ActionType.ISSUANCE
    assert AuditEvent.objects.filter(event="ledger.issuance", subject_id=ndc_application.reference).count() == 1


def test_serials_of_later_issuances_follow_on_without_overlap(ndc_application, federal_approver):
    issue_verified(application=ndc_application, acting_user=federal_approver, vintage=2026, quantity=10)
    issue_verified(application=ndc_application, acting_user=federal_approver, vintage=2027, quantity=5)
    assert list(Block.objects.values_list("first_id", "last_id")) == [(1, 10), (11, 15)]


def test_over_issuance_is_refused_with_the_amount_left_and_nothing_is_written(ndc_application, federal_approver):
    issue_verified(application=ndc_application, acting_user=federal_approver, vintage=2026, quantity=99_000)
    actions, events = Action.objects.count(), AuditEvent.objects.count()
    with pytest.raises(ValidationError) as error:
        issue_verified(application=ndc_application, acting_user=federal_approver, vintage=2027, quantity=1001)
    assert "at most 1000 more" in str(error.value.message_dict["quantity"])
    assert (Action.objects.count(), AuditEvent.objects.count(), Block.objects.count()) == (actions, events, 1)


def test_a_vintage_outside_the_loa_is_refused(ndc_application, federal_approver):
    with pytest.raises(ValidationError) as error:
        issue_verified(application=ndc_application, acting_user=federal_approver, vintage=2031, quantity=1)
    assert "2026–2030" in error.value.message_dict["vintage"][0]


def test_only_the_ca_holders_approver_issues(ndc_application, sabah_approver):
    with pytest.raises(PermissionDenied):
        issue_verified(application=ndc_application, acting_user=sabah_approver, vintage=2026, quantity=1)
    assert not Action.objects.exists()


def test_issuance_needs_an_authorized_application(proponent, federal_approver):
    application = authorized(proponent)
    revoke_authorization(application, acting_user=federal_approver, comment="Double claimed")
    with pytest.raises(LedgerConflict):
        issue_verified(application=application, acting_user=federal_approver, vintage=2026, quantity=1)


def test_a_partial_transfer_splits_the_block_and_first_transfers_the_moved_part(ndc_application, federal_approver):
    issue_verified(application=ndc_application, acting_user=federal_approver, vintage=2026, quantity=1000)
    [action] = transfer_itmos(application=ndc_application, acting_user=federal_approver, vintage=2026, quantity=300, to_party=KOR())
    assert action.action_type == ActionType.FIRST_TRANSFER and action.subtype == Subtype.FIRST_TRANSFER_TO_PARTY
    assert (action.first_id, action.last_id, action.acquiring_party_id) == (1, 300, "KOR")
    rows = list(Block.objects.order_by("first_id").values_list("first_id", "last_id", "account__key", "first_transferred"))
    assert rows == [(1, 300, "KOR:party", True), (301, 1000, f"MYS:entity:{ndc_application.organisation_id}", False)]
    acquisition = Action.objects.get(action_type=ActionType.ACQUISITION)
    assert (acquisition.party_id, acquisition.transferring_party_id, acquisition.quantity) == ("KOR", "MYS", 300)
    assert balance_differences() == []


def test_a_transfer_beyond_the_holdings_is_refused_and_moves_nothing(ndc_application, federal_approver):
    issue_verified(application=ndc_application, acting_user=federal_approver, vintage=2026, quantity=10)
    with pytest.raises(ValidationError) as error:
        transfer_itmos(application=ndc_application, acting_user=federal_approver, vintage=2026, quantity=11, to_party=KOR())
    assert "Only 10 ITMOs" in error.value.message_dict["quantity"][0]
    assert list(Block.objects.values_list("first_id", "last_id")) == [(1, 10)]


def test_a_first_transfer_to_a_party_the_loa_does_not_name_is_refused(ndc_application, federal_approver):
    issue_verified(application=ndc_application, acting_user=federal_approver, vintage=2026, quantity=10)
    with pytest.raises(ValidationError) as error:
        transfer_itmos(application=ndc_application, acting_user=federal_approver, vintage=2026, quantity=5,
                       to_party=Party.objects.get(code="JPN"))
    assert "KOR" in error.value.message_dict["to_party"][0]
    assert Block.objects.count() == 1


def test_a_second_transfer_onwards_is_a_plain_transfer_not_a_first_transfer(ndc_application, federal_approver, korea_operator):
    issue_verified(application=ndc_application, acting_user=federal_approver, vintage=2026, quantity=10)
    transfer_itmos(application=ndc_application, acting_user=federal_approver, vintage=2026, quantity=10, to_party=KOR())
    [onward] = transfer_itmos(application=ndc_application, acting_user=korea_operator, vintage=2026, quantity=4,
                              to_party=Party.objects.get(code="CHE"), from_party=KOR())
    assert onward.action_type == ActionType.TRANSFER and onward.party_id == "KOR"
    assert Action.objects.filter(action_type=ActionType.FIRST_TRANSFER).count() == 1
    assert year_adjustment(Party.objects.get(code="MYS"), onward.at.year).first_transferred == 10


def test_revocation_stops_first_transfers_but_first_transferred_itmos_stay_adjusted_and_usable(
        ndc_application, federal_approver, korea_operator):
    issue_verified(application=ndc_application, acting_user=federal_approver, vintage=2026, quantity=100)
    [first] = transfer_itmos(application=ndc_application, acting_user=federal_approver, vintage=2026, quantity=40, to_party=KOR())
    revoke_authorization(ndc_application, acting_user=federal_approver, comment="Non-permanence")
    with pytest.raises(ValidationError):  # the 60 left are not first-transferred: they can no longer move
        transfer_itmos(application=ndc_application, acting_user=federal_approver, vintage=2026, quantity=1, to_party=KOR())
    [use] = use_itmos(application=ndc_application, acting_user=korea_operator, party=KOR(), vintage=2026, quantity=40,
                      year_used=first.at.year)
    assert use.action_type == ActionType.USE
    assert year_adjustment(Party.objects.get(code="MYS"), first.at.year).corresponding_adjustment == 40
    assert year_adjustment(KOR(), first.at.year).corresponding_adjustment == -40


def test_pacm_issuance_gives_five_percent_to_the_adaptation_fund_and_cancels_two_percent(proponent, federal_approver):
    application = authorized(proponent, article_6_4=True)
    actions = issue_verified(application=application, acting_user=federal_approver, vintage=2026, quantity=1000)
    kinds = [(a.action_type, a.subtype, a.quantity) for a in actions]
    assert kinds == [
        (ActionType.ISSUANCE, "", 1000),
        (ActionType.TRANSFER, Subtype.ADAPTATION_FUND, 50),
        (ActionType.CANCELLATION, Subtype.OMGE, 20),
        (ActionType.FORWARDING, "", 930),
    ]
    assert actions[0].to_account.kind == "mechanism"  # A6.4ERs are issued into the mechanism registry
    held = dict(Block.objects.values_list("account__kind", "quantity"))
    assert held == {"entity": 930, "adaptation_fund": 50, "omge": 20}  # authorized units forwarded to the host registry
    assert balance_differences() == []


def test_oimp_first_transfer_at_issuance_is_marked_at_issuance(proponent, federal_approver):
    application = authorized(proponent, purposes="OIMP", first_transfer_definition="Issuance")
    actions = issue_verified(application=application, acting_user=federal_approver, vintage=2026, quantity=100)
    assert [(a.action_type, a.subtype, a.quantity) for a in actions][-1] == (ActionType.FIRST_TRANSFER, Subtype.ISSUANCE, 100)
    assert Block.objects.get().first_transferred


def test_oimp_first_transfer_at_use_is_marked_when_used_and_cancellation_does_not_reduce_the_ca(proponent, federal_approver):
    application = authorized(proponent, purposes="OIMP", first_transfer_definition="Use or cancellation")
    issue_verified(application=application, acting_user=federal_approver, vintage=2026, quantity=100)
    [transfer] = transfer_itmos(application=application, acting_user=federal_approver, vintage=2026, quantity=100, to_party=KOR())
    assert transfer.action_type == ActionType.TRANSFER  # not yet first-transferred: OIMP at use
    mys = Party.objects.get(code="MYS")
    assert year_adjustment(mys, transfer.at.year).first_transferred == 0


def test_cancellation_retires_itmos_and_is_audited(ndc_application, federal_approver):
    issue_verified(application=ndc_application, acting_user=federal_approver, vintage=2026, quantity=10)
    [action] = cancel_itmos(application=ndc_application, acting_user=federal_approver, party=Party.objects.get(code="MYS"),
                            vintage=2026, quantity=3, voluntary=True)
    assert action.action_type == ActionType.VOLUNTARY_CANCELLATION
    assert Block.objects.get(first_id=1).account.kind == "retirement"
    assert AuditEvent.objects.filter(event="ledger.voluntary_cancellation").exists()
    assert balance_differences() == []
