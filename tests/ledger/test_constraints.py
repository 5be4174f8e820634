"""PostgreSQL refuses bad ledger rows even when the services are bypassed; check_ledger finds tampering."""
from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError, ProgrammingError, connection, transaction

from apps.governance.models import Party
from apps.ledger.models import Action, Block
from apps.ledger.services import transfer_itmos
from ..factories import issue_verified


@pytest.fixture
def issued(ndc_application, federal_approver):
    issue_verified(application=ndc_application, acting_user=federal_approver, vintage=2026, quantity=100)
    return Block.objects.get()


def _insert_block(block: Block, first_id: int, last_id: int) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO ledger_block (registry_id, first_id, last_id, quantity, account_id, application_id,"
            " cooperative_approach_id, first_transferring_party_id, vintage, first_transferred)"
            " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, false)",
            [block.registry_id, first_id, last_id, last_id - first_id + 1, block.account_id, block.application_id,
             "CA0001", "MYS", 2026],
        )


def test_the_exclusion_constraint_rejects_an_overlapping_block_inserted_in_sql(issued):
    with pytest.raises(IntegrityError, match="block_serials_never_overlap"), transaction.atomic():
        _insert_block(issued, 100, 150)


def test_an_adjacent_block_in_sql_is_accepted(issued):
    with transaction.atomic():
        _insert_block(issued, 101, 150)
    assert Block.objects.count() == 2


def test_non_positive_quantities_are_refused_by_the_database(issued):
    with pytest.raises(IntegrityError, match="block_quantity"), transaction.atomic():
        Block.objects.filter(pk=issued.pk).update(last_id=0, quantity=0)


def test_a_serial_cannot_be_first_transferred_twice_even_in_sql(issued, federal_approver, ndc_application):
    transfer_itmos(application=ndc_application, acting_user=federal_approver, vintage=2026, quantity=10,
                   to_party=Party.objects.get(code="KOR"))
    first = Action.objects.get(action_type="First transfer")
    duplicate = Action(**{f.attname: getattr(first, f.attname) for f in Action._meta.concrete_fields if f.attname != "id"})
    duplicate.first_id, duplicate.quantity = 5, 6  # serials 5–10 again
    with pytest.raises(IntegrityError, match="first_transfer_at_most_once"), transaction.atomic():
        duplicate.save()


def test_actions_cannot_be_edited_or_deleted(issued):
    with pytest.raises(ProgrammingError, match="Cannot update or delete"), transaction.atomic():
        Action.objects.update(quantity=1)
    with pytest.raises(ProgrammingError, match="Cannot update or delete"), transaction.atomic():
        Action.objects.all().delete()


def test_check_ledger_passes_on_a_consistent_ledger(issued, capsys):
    call_command("check_ledger")
    assert "Ledger consistent" in capsys.readouterr().out


def test_check_ledger_exits_non_zero_and_prints_a_tampered_balance(issued, capsys):
    Block.objects.filter(pk=issued.pk).update(last_id=90, quantity=90)  # ten ITMOs vanish from the holdings
    with pytest.raises(CommandError, match="difference"):
        call_command("check_ledger")
    err = capsys.readouterr().err
    assert "actions give 100, blocks hold 90" in err
