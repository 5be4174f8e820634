"""`seed_ledger_demo` walks each demo activity through the real services, once."""
from __future__ import annotations

from io import StringIO

from django.core.management import call_command

from apps.authorizations.models import Application
from apps.governance.models import Party
from apps.ledger.models import Action, ActionType, Block, Subtype, Verification
from apps.ledger.selectors import adjustments_for, balance_differences


def test_the_demo_ledger_has_verified_issuances_and_a_zimbabwe_article_6_4_activity(db):
    call_command("seed_ledger_demo", stdout=StringIO())
    call_command("seed_ledger_demo", stdout=StringIO())  # idempotent
    cookstoves = Application.objects.get(title__contains="cookstoves")
    assert (cookstoves.host_party_id, cookstoves.mechanism, cookstoves.state) == ("ZWE", "article_6_4", "authorized")
    assert Verification.objects.filter(monitoring_report__application=cookstoves, verified_quantity=1000).count() == 1
    shares = dict(Action.objects.filter(application=cookstoves, action_type__in=[ActionType.TRANSFER, ActionType.CANCELLATION])
                  .values_list("subtype", "quantity"))
    assert shares == {Subtype.ADAPTATION_FUND: 50, Subtype.OMGE: 20}
    assert adjustments_for(Party.objects.get(code="ZWE")).years and any(
        y.first_transferred == 930 for y in adjustments_for(Party.objects.get(code="ZWE")).years)
    biogas = Application.objects.get(title__contains="biogas")
    assert set(Block.objects.filter(application=biogas).values_list("mitigation_contribution", flat=True)) == {True}
    assert not Action.objects.filter(application=biogas, action_type=ActionType.FIRST_TRANSFER).exists()
    assert Action.objects.filter(action_type=ActionType.ISSUANCE, verification__isnull=True).count() == 0
    assert balance_differences() == []
