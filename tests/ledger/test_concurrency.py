"""Many transfers of the same block at once: exactly the available quantity moves."""
from __future__ import annotations

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from apps.governance.models import Party
from apps.ledger.models import Action, ActionType, Block
from apps.ledger.selectors import balance_differences
from apps.ledger.services import LedgerConflict, issue_itmos, transfer_itmos

from ..conftest import user
from ..factories import issue_verified, verified_report
from .conftest import authorized


@pytest.mark.django_db(transaction=True)
def test_concurrent_transfers_of_one_block_move_exactly_what_is_available(seeded_transactional_db):
    application = authorized(user("proponent"))
    issue_verified(application=application, acting_user=user("federal.approver"), vintage=2026, quantity=100)
    outcomes: list[str] = []
    barrier = threading.Barrier(8)

    def transfer() -> None:
        try:
            barrier.wait()
            transfer_itmos(application=application, acting_user=user("federal.approver"), vintage=2026, quantity=30,
                           to_party=Party.objects.get(code="KOR"))
            outcomes.append("moved")
        except ValidationError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=transfer) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["moved"] * 3 + ["refused"] * 5
    assert sum(Block.objects.filter(account__key="KOR:party").values_list("quantity", flat=True)) == 90
    assert sum(Action.objects.filter(action_type=ActionType.FIRST_TRANSFER).values_list("quantity", flat=True)) == 90
    assert balance_differences() == []


@pytest.mark.django_db(transaction=True)
def test_concurrent_issuances_against_one_verification_issue_once(seeded_transactional_db):
    application = authorized(user("proponent"))
    report = verified_report(application, vintage=2026, quantity=500)
    outcomes: list[str] = []
    barrier = threading.Barrier(6)

    def issue() -> None:
        try:
            barrier.wait()
            issue_itmos(application=application, acting_user=user("federal.approver"), vintage=2026, quantity=500,
                        monitoring_report=report)
            outcomes.append("issued")
        except LedgerConflict:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=issue) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["issued"] + ["refused"] * 5
    assert Action.objects.filter(action_type=ActionType.ISSUANCE).count() == 1
