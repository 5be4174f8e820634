"""An auditor's check of a letter: the fingerprint recomputed, the terms matched against the audit event."""
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from apps.authorizations.models import LetterOfAuthorization

from ..factories import make_application

pytestmark = pytest.mark.django_db


def test_an_issued_letter_checks_out_by_number_and_by_fingerprint(proponent):
    letter = make_application(proponent, state="ca_review").loa
    for key in (letter.number, letter.fingerprint):
        out = StringIO()
        call_command("verify_letter", key, stdout=out)
        assert f"Letter {letter.number} checks out (in force)." in out.getvalue()
        assert "by sabah.approver" in out.getvalue()


def test_a_letter_edited_behind_the_triggers_is_caught(proponent):
    letter = make_application(proponent, state="ca_review").loa
    with connection.cursor() as cursor:
        cursor.execute("SET session_replication_role = replica")  # a superuser switching every trigger off
        cursor.execute("UPDATE authorizations_letterofauthorization SET authorized_quantity = 999999 WHERE id = %s", [letter.pk])
        cursor.execute("SET session_replication_role = DEFAULT")
    with pytest.raises(CommandError, match="no longer matches its fingerprint"):
        call_command("verify_letter", letter.number, stdout=StringIO())


def test_an_unknown_letter_is_named(db):
    with pytest.raises(CommandError, match="no such letter"):
        call_command("verify_letter", "LOA-NOPE", stdout=StringIO())
    assert not LetterOfAuthorization.objects.filter(number="LOA-NOPE").exists()
