"""Property-based: random sequences of ledger operations never break the ledger's invariants (PostgreSQL)."""
from __future__ import annotations

from collections import Counter
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from apps.authorizations.models import Application
from apps.authorizations.services import revoke_authorization
from apps.governance.models import Party
from apps.ledger.models import Action, ActionType, Block
from apps.ledger.selectors import adjustments_for, balance_differences, first_transfer_differences
from apps.ledger.services import LedgerConflict, cancel_itmos, transfer_itmos, use_itmos

from ..factories import issue_verified
from .conftest import authorized

AUTHORIZED = 500
vintages = st.sampled_from([2026, 2027])
quantities = st.integers(min_value=1, max_value=220)
operations = st.lists(
    st.one_of(
        st.tuples(st.just("issue"), vintages, quantities),
        st.tuples(st.just("transfer"), vintages, quantities),
        st.tuples(st.just("use"), vintages, quantities),
        st.tuples(st.just("cancel"), vintages, quantities),
        st.tuples(st.just("onward"), vintages, quantities),
        st.tuples(st.just("revoke"), vintages, quantities),
    ),
    min_size=1, max_size=12,
)


def _overlapping_blocks() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM ledger_block a JOIN ledger_block b ON a.id < b.id AND a.registry_id = b.registry_id"
            " AND int8range(a.first_id, a.last_id, '[]') && int8range(b.first_id, b.last_id, '[]')")
        return cursor.fetchone()[0]


def _ca_from_scratch(party_code: str) -> dict[int, int]:
    figures: Counter = Counter()
    zone = ZoneInfo(Party.objects.get(code=party_code).timezone)
    for action in Action.objects.filter(party_id=party_code):
        if action.action_type == ActionType.FIRST_TRANSFER:
            figures[action.at.astimezone(zone).year] += action.quantity
        elif action.action_type == ActionType.USE and action.purpose == "NDC":
            figures[action.year_used] -= action.quantity
    return {year: q for year, q in figures.items() if q}


@pytest.mark.parametrize("purposes,definition,pacm", [
    ("NDC", "First international transfer", False),
    ("OIMP", "Use or cancellation", False),
    ("NDC and OIMP", "Issuance", True),
])
def test_random_operations_keep_every_invariant(proponent, federal_approver, korea_operator, purposes, definition, pacm):
    application = authorized(proponent, requested_quantity=AUTHORIZED, purposes=purposes,
                             first_transfer_definition=definition, article_6_4=pacm)
    mys, kor, che = (Party.objects.get(code=c) for c in ("MYS", "KOR", "CHE"))

    @settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
    @given(steps=operations)
    def run(steps):
        savepoint = transaction.savepoint_create()
        try:
            for name, vintage, quantity in steps:
                app = Application.objects.get(pk=application.pk)
                try:
                    if name == "issue":
                        issue_verified(application=app, acting_user=federal_approver, vintage=vintage, quantity=quantity)
                    elif name == "transfer":
                        transfer_itmos(application=app, acting_user=federal_approver, vintage=vintage, quantity=quantity, to_party=kor)
                    elif name == "onward":
                        transfer_itmos(application=app, acting_user=korea_operator, vintage=vintage, quantity=quantity,
                                       to_party=che, from_party=kor)
                    elif name == "use":
                        use_itmos(application=app, acting_user=korea_operator, party=kor, vintage=vintage, quantity=quantity,
                                  year_used=2030)
                    elif name == "cancel":
                        cancel_itmos(application=app, acting_user=federal_approver, party=mys, vintage=vintage, quantity=quantity)
                    elif app.state == "authorized":
                        revoke_authorization(app, acting_user=federal_approver, comment="Property test")
                except (ValidationError, LedgerConflict):
                    pass  # a refusal; the invariants below must still hold
            issued = sum(Action.objects.filter(action_type=ActionType.ISSUANCE).values_list("quantity", flat=True))
            assert issued <= AUTHORIZED
            assert _overlapping_blocks() == 0
            first = list(Action.objects.filter(action_type=ActionType.FIRST_TRANSFER).values_list("first_id", "last_id"))
            serials = [s for a, b in first for s in range(a, b + 1)]
            assert len(serials) == len(set(serials)), "an ITMO was first-transferred twice"
            assert first_transfer_differences() == []
            assert balance_differences() == []
            for party in (mys, kor):
                computed = {y.year: y.corresponding_adjustment for y in adjustments_for(party).years if y.corresponding_adjustment}
                assert computed == _ca_from_scratch(party.code)
        finally:
            transaction.savepoint_rollback(savepoint)

    run()
