"""Every stored column of an audit event is inside its hash (chain version 2), version 2 continues a version-1
chain from the head it recorded without re-hashing it, and a head noted outside Tierflow catches a rewound tail."""
from __future__ import annotations

import hashlib
import importlib
import json
import logging
import subprocess
import sys
from datetime import timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.apps import apps as django_apps
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.utils import timezone

from apps.audit.chain import canonical_content, verify_chain
from apps.audit.models import AuditEvent, ChainHead, ChainVersion
from apps.audit.services import record_event

from ..factories import make_application

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


def behind_the_triggers(*statements):
    """What a database superuser can do: switch the append-only triggers off, change rows, switch them on."""
    with connection.cursor() as cursor:
        for table in ("audit_auditevent", "audit_chainversion"):
            cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER ALL")
        for sql, params in statements:
            cursor.execute(sql, params)
        for table in ("audit_auditevent", "audit_chainversion"):
            cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER ALL")


EDITS = {
    "actor_id": "actor_id = actor_id + 1",
    "actor_username": "actor_username = 'someone.else'",
    "event": "event = 'application.reject'",
    "subject_type": "subject_type = 'report'",
    "subject_id": "subject_id = 'MYS-MY12-2026-9999'",
    "party": "party = 'IDN'",
    "data": "data = jsonb_set(data, '{comment}', '\"edited\"')",
    "at": "at = at - interval '1 day'",
    "prev_hash": "prev_hash = repeat('1', 64)",
}


@pytest.mark.parametrize("column", sorted(EDITS))
def test_an_edit_to_any_column_is_found_at_that_event(proponent, column):
    make_application(proponent, state="ca_review")
    tampered = AuditEvent.objects.get(event="application.issue_loa")
    behind_the_triggers((f"UPDATE audit_auditevent SET {EDITS[column]} WHERE id = %s", [tampered.pk]))
    assert verify_chain()[1].seq == tampered.seq


def test_the_decision_takers_id_cannot_be_swapped_without_breaking_the_chain(proponent, federal_approver):
    """The finding: verify_decisions trusts actor_id, so a swapped actor_id must not pass verify_audit."""
    make_application(proponent, state="ca_review")
    decision = AuditEvent.objects.get(event="application.issue_loa")
    behind_the_triggers(("UPDATE audit_auditevent SET actor_id = %s WHERE id = %s", [federal_approver.pk, decision.pk]))
    with pytest.raises(CommandError, match=f"event #{decision.seq}"):
        call_command("verify_audit", stdout=StringIO())


def _legacy_chain(proponent, count: int = 3) -> list[AuditEvent]:
    """A deployment from before version 2: its events hashed by version 1, no version start recorded yet."""
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE audit_auditevent, audit_chainversion")  # rolled back with the test's transaction
    ChainHead.objects.update_or_create(pk=1, defaults={"seq": 0, "hash": "0" * 64})
    prev, events = "0" * 64, []
    for seq in range(1, count + 1):
        fields = dict(seq=seq, at=timezone.now() - timedelta(days=count - seq), actor_username=proponent.username,
                      event="application.created", subject_type="application", subject_id=f"MYS-MY12-2025-000{seq}",
                      party="MYS", data={"n": seq}, prev_hash=prev)
        digest = hashlib.sha256(canonical_content(**fields, version=1)).hexdigest()
        events.append(AuditEvent.objects.create(actor=proponent, hash=digest, **fields))
        prev = digest
    ChainHead.objects.filter(pk=1).update(seq=count, hash=prev)
    return events


def _start_version_2():
    migration = importlib.import_module("apps.audit.migrations.0002_chain_version")
    migration.start_version_2_at_the_current_head(django_apps, None)


def test_version_2_continues_a_version_1_chain_from_the_recorded_head_without_rehashing(proponent):
    legacy = _legacy_chain(proponent)
    _start_version_2()
    start = ChainVersion.objects.get()
    assert (start.version, start.first_seq, start.anchor_seq, start.anchor_hash) == (2, 4, 3, legacy[-1].hash)
    with transaction.atomic():
        new = record_event(event="application.created", subject_type="application", subject_id="MYS-MY12-2026-0001",
                           acting_user=proponent, party="MYS", data={})
    assert new.prev_hash == legacy[-1].hash
    assert list(AuditEvent.objects.filter(seq__lte=3).values_list("hash", flat=True)) == [e.hash for e in legacy]
    assert verify_chain() == (4, None)


def test_the_version_start_cannot_be_moved(proponent):
    _legacy_chain(proponent)
    _start_version_2()
    with transaction.atomic():
        for n in range(2):
            record_event(event="application.created", subject_type="application", subject_id=f"X{n}", acting_user=proponent)
    behind_the_triggers(("UPDATE audit_chainversion SET first_seq = first_seq + 1", []))
    assert verify_chain()[1] is not None


def test_a_recorded_head_catches_a_deleted_tail_with_the_head_row_rewound(proponent):
    make_application(proponent, state="authorized")
    noted = ChainHead.objects.get(pk=1)  # e.g. the line the nightly verification wrote to the log
    make_application(proponent, state="loa_review")
    keep = noted.seq - 2
    kept_hash = AuditEvent.objects.get(seq=keep).hash
    behind_the_triggers(("DELETE FROM audit_auditevent WHERE seq > %s", [keep]))
    ChainHead.objects.filter(pk=1).update(seq=keep, hash=kept_hash)
    assert verify_chain()[1] is None  # consistent on its own: only an outside record shows what is gone
    with pytest.raises(CommandError, match=f"recorded head #{noted.seq} is not in the log, which ends at #{keep}"):
        call_command("verify_audit", "--head", f"{noted.seq}:{noted.hash}", stdout=StringIO())


def test_a_recorded_head_that_still_holds_passes_and_a_rewritten_one_does_not(proponent):
    make_application(proponent, state="authorized")
    noted = ChainHead.objects.get(pk=1)
    make_application(proponent, state="loa_review")
    out = StringIO()
    call_command("verify_audit", "--head", f"#{noted.seq} {noted.hash}", stdout=out)
    assert f"the recorded head #{noted.seq} is in it" in out.getvalue()
    with pytest.raises(CommandError, match="no longer has the recorded head's hash"):
        call_command("verify_audit", "--head", f"{noted.seq}:{'a' * 64}", stdout=StringIO())
    with pytest.raises(CommandError, match="SEQ:HASH"):
        call_command("verify_audit", "--head", "yesterday", stdout=StringIO())


def test_the_nightly_verification_logs_the_head(proponent, caplog):
    from apps.audit.tasks import verify_chain_task

    make_application(proponent)
    head = ChainHead.objects.get(pk=1)
    with caplog.at_level(logging.INFO, logger="apps.audit.tasks"):
        assert verify_chain_task()["ok"]
    assert f"audit chain head #{head.seq} {head.hash}" in caplog.text


def test_the_offline_script_checks_version_2_rows_including_the_actor_id(proponent, tmp_path):
    make_application(proponent, state="authorized")
    export = tmp_path / "audit.json"
    call_command("export_audit", "--all", format="json", output=str(export), stderr=StringIO())
    rows = json.loads(export.read_text())
    assert {row["v"] for row in rows} == {2} and all("actor_id" in row for row in rows)
    script = ROOT / "scripts" / "verify_audit_export.py"
    assert subprocess.run([sys.executable, str(script), str(export)], capture_output=True).returncode == 0
    rows[3]["actor_id"] = (rows[3]["actor_id"] or 0) + 1
    export.write_text(json.dumps(rows))
    broken = subprocess.run([sys.executable, str(script), str(export)], capture_output=True, text=True)
    assert broken.returncode == 1 and f"event #{rows[3]['seq']} does not match its hash" in broken.stdout
