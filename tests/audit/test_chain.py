"""The audit chain links every event to the one before, and `verify_audit` notices a break."""
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from apps.audit.models import AuditEvent
from apps.audit.services import verify_chain

from ..factories import make_application

pytestmark = pytest.mark.django_db


def test_every_event_links_to_the_previous_one(proponent):
    make_application(proponent, state="authorized")
    events = list(AuditEvent.objects.order_by("seq"))
    assert [e.prev_hash for e in events[1:]] == [e.hash for e in events[:-1]]
    out = StringIO()
    call_command("verify_audit", stdout=out)
    assert f"{len(events)} events verified" in out.getvalue()


def test_postgresql_refuses_to_edit_or_delete_an_audit_event(proponent):
    make_application(proponent, state="loa_review")
    event = AuditEvent.objects.latest("seq")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(actor_username="someone-else")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).delete()
    assert AuditEvent.objects.get(pk=event.pk).actor_username == event.actor_username


def test_an_edit_made_behind_the_triggers_is_found_and_named(proponent):
    make_application(proponent, state="ca_review")
    tampered = AuditEvent.objects.get(event="application.issue_loa", subject_id__startswith="MYS-")
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER ALL")
        cursor.execute("UPDATE audit_auditevent SET data = jsonb_set(data, '{authorized_quantity}', '999999') WHERE id = %s", [tampered.pk])
        cursor.execute("ALTER TABLE audit_auditevent ENABLE TRIGGER ALL")
    assert verify_chain()[1].seq == tampered.seq
    with pytest.raises(CommandError, match=f"event #{tampered.seq}"):
        call_command("verify_audit")


@pytest.mark.parametrize("data", [
    {},
    {"comment": 'quotes " and \\ backslash, newline\n, tab\t', "n": 3, "nested": {"b": [1, 2.5, None, True], "a": "z"}},
    {"comment": "Bahasa: ketua pengarah — “tandatangan” ✓ 森林 \U0001F333", "emoji_key_\u00e9": "é"},
])
def test_postgresql_hashes_exactly_what_python_verifies(proponent, data):
    """The link is hashed in SQL from the canonical parts; Python's verification must agree byte for byte."""
    from django.db import transaction as tx

    from apps.audit.services import record_event

    with tx.atomic():
        event = record_event(event="config.changed", subject_type="application", subject_id="X-\"1\"", acting_user=proponent,
                             party="MYS", data=data)
    stored = AuditEvent.objects.get(seq=event.seq)
    assert stored.hash == event.hash and stored.data == data
    assert verify_chain()[1] is None


def test_a_misspelt_event_type_is_refused_and_writes_nothing(proponent):
    from django.db import transaction as tx

    from apps.audit.events import UnknownEvent
    from apps.audit.models import AuditEvent
    from apps.audit.services import record_event

    before = AuditEvent.objects.count()
    with pytest.raises(UnknownEvent), tx.atomic():
        record_event(event="api_token.created", subject_type="user", subject_id="proponent", acting_user=proponent)
    assert AuditEvent.objects.count() == before
