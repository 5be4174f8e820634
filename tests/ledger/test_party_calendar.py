"""Property-based: first transfers count in the host Party's own calendar year, and each AEF lists only its year's actions.

Random sequences of issuances, first transfers and uses are placed within a day and a half of
a New Year's midnight in the Party's time zone (from UTC-11 to UTC+14).
"""
from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from apps.authorizations.models import Application
from apps.governance.models import Party
from apps.ledger.models import Action, ActionType
from apps.ledger.selectors import adjustments_for, first_transfer_actions
from apps.ledger.services import LedgerConflict, transfer_itmos, use_itmos
from apps.reporting.aef import AEFBuilder
from apps.reporting.models import Report

from ..factories import issue_verified
from .conftest import authorized

ZONES = ["Asia/Bangkok", "Pacific/Kiritimati", "America/Lima", "Pacific/Pago_Pago", "Asia/Kuala_Lumpur"]
NEW_YEAR = 2027
steps = st.lists(
    st.tuples(st.sampled_from(["issue", "transfer", "use"]), st.integers(min_value=-36 * 60, max_value=36 * 60),
              st.integers(min_value=1, max_value=300)),
    min_size=1, max_size=10,
).map(lambda items: sorted(items, key=lambda item: item[1]))  # the ledger's clock only moves forward


@pytest.fixture
def at_time(monkeypatch):
    """Sets the clock the ledger services read (the actions' `at`)."""
    from django.utils import timezone

    clock = {"now": timezone.now()}
    monkeypatch.setattr(timezone, "now", lambda: clock["now"])
    return clock


@pytest.mark.parametrize("zone", ZONES)
def test_first_transfers_and_aef_actions_follow_the_partys_calendar(proponent, federal_approver, korea_operator, at_time, zone):
    Party.objects.filter(code="MYS").update(timezone=zone)
    mys, kor = Party.objects.get(code="MYS"), Party.objects.get(code="KOR")
    application = authorized(proponent, requested_quantity=100_000)
    midnight = datetime(NEW_YEAR, 1, 1, tzinfo=ZoneInfo(zone))

    @settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
    @given(sequence=steps)
    def run(sequence):
        savepoint = transaction.savepoint_create()
        try:
            for name, minutes, quantity in sequence:
                at_time["now"] = midnight + timedelta(minutes=minutes, seconds=1)
                app = Application.objects.get(pk=application.pk)
                try:
                    if name == "issue":
                        issue_verified(application=app, acting_user=federal_approver, vintage=2026, quantity=quantity)
                    elif name == "transfer":
                        transfer_itmos(application=app, acting_user=federal_approver, vintage=2026, quantity=quantity, to_party=kor)
                    else:
                        use_itmos(application=app, acting_user=korea_operator, party=kor, vintage=2026, quantity=quantity,
                                  year_used=NEW_YEAR)
                except (ValidationError, LedgerConflict):
                    pass  # nothing left to move: a refusal
            local_year = {a.pk: a.at.astimezone(ZoneInfo(zone)).year for a in Action.objects.filter(party=mys)}
            expected = Counter()
            for action in Action.objects.filter(party=mys, action_type=ActionType.FIRST_TRANSFER):
                expected[local_year[action.pk]] += action.quantity
            figures = adjustments_for(mys)
            for year in (NEW_YEAR - 1, NEW_YEAR):
                assert figures.for_year(year).first_transferred == expected[year]
                assert sum(first_transfer_actions("MYS", year).values_list("quantity", flat=True)) == expected[year]
            reported = {}
            for year in (NEW_YEAR - 1, NEW_YEAR):
                builder = AEFBuilder(Report(party=mys, year=year))
                reported[year] = {int(key) for key, _row in builder.actions()}
                assert reported[year] == {pk for pk, y in local_year.items() if y == year}
                assert all(row["Action date"].endswith(str(year)) for _key, row in builder.actions())
            assert not reported[NEW_YEAR - 1] & reported[NEW_YEAR], "a second year's AEF repeated an action"
            assert reported[NEW_YEAR - 1] | reported[NEW_YEAR] == set(local_year)
        finally:
            transaction.savepoint_rollback(savepoint)

    run()


def test_a_thai_first_transfer_at_five_in_the_morning_of_new_years_day_counts_in_the_new_year(
        proponent, federal_approver, at_time):
    Party.objects.filter(code="MYS").update(timezone="Asia/Bangkok")
    application = authorized(proponent)
    at_time["now"] = datetime(2026, 12, 30, 12, tzinfo=ZoneInfo("UTC"))
    issue_verified(application=application, acting_user=federal_approver, vintage=2026, quantity=100)
    at_time["now"] = datetime(2027, 1, 1, 5, tzinfo=ZoneInfo("Asia/Bangkok"))  # 31 December 22:00 UTC
    transfer_itmos(application=Application.objects.get(pk=application.pk), acting_user=federal_approver, vintage=2026,
                   quantity=40, to_party=Party.objects.get(code="KOR"))
    figures = adjustments_for(Party.objects.get(code="MYS"))
    assert (figures.for_year(2026).first_transferred, figures.for_year(2027).first_transferred) == (0, 40)
    [row] = [row for _k, row in AEFBuilder(Report(party_id="MYS", year=2027)).actions() if row["Action type"] == "First transfer"]
    assert row["Action date"] == "01/01/2027"
