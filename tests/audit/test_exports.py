"""Auditors take out the events of one application or one Party; each row re-hashes to its stored hash."""
import csv
import json
from io import StringIO

import pytest
from django.core.management import call_command

from apps.audit.auditors import is_auditor
from apps.audit.models import AuditEvent
from apps.audit.services import row_hash

from ..factories import UserFactory, make_application

pytestmark = pytest.mark.django_db


@pytest.fixture
def auditor(db):
    user = UserFactory(username="auditor")
    call_command("grant_auditor", "auditor", stdout=StringIO())
    return user


def test_the_json_export_of_an_application_re_hashes_row_by_row(proponent):
    application = make_application(proponent, state="authorized")
    make_application(proponent, state="draft")  # another application's events stay out
    out = StringIO()
    call_command("export_audit", application=application.reference, format="json", stdout=out)
    rows = json.loads(out.getvalue())
    assert [r["event"] for r in rows] == ["application.created", "application.submit", "application.issue_loa", "application.approve_ca"]
    assert all(row_hash(row) == row["hash"] for row in rows)
    altered = {**rows[2], "data": {**rows[2]["data"], "authorized_quantity": 1}}
    assert row_hash(altered) != altered["hash"]


def test_the_csv_export_of_a_party_holds_only_that_partys_events(proponent):
    make_application(proponent, state="loa_review")
    out = StringIO()
    call_command("export_audit", party="mys", format="csv", stdout=out)
    rows = list(csv.DictReader(StringIO(out.getvalue())))
    assert rows and {r["party"] for r in rows} == {"MYS"}
    assert len(rows) == AuditEvent.objects.filter(party="MYS", event__startswith="application.").count()
    first = {**rows[0], "seq": int(rows[0]["seq"]), "data": json.loads(rows[0]["data"])}
    assert row_hash(first) == first["hash"]


def test_an_auditor_downloads_an_attachment_and_the_export_is_recorded(client, auditor, proponent):
    application = make_application(proponent, state="loa_review")
    client.force_login(auditor)
    response = client.get("/audit/export/", {"application": application.reference, "format": "csv"})
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="audit-{application.reference}.csv"'
    assert application.reference in response.content.decode()
    exported = AuditEvent.objects.filter(event="audit.exported").get()
    assert (exported.actor_username, exported.data["rows"]) == ("auditor", 2)


@pytest.mark.parametrize("persona", ["proponent", "sabah.approver", "admin"])
def test_nobody_outside_the_auditors_group_may_export(client, persona, proponent):
    from django.contrib.auth import get_user_model

    application = make_application(proponent, state="loa_review")
    client.force_login(get_user_model().objects.get(username=persona))
    assert client.get("/audit/export/", {"application": application.reference, "format": "csv"}).status_code == 403
    assert client.get("/audit/").status_code == 403
    assert not AuditEvent.objects.filter(event="audit.exported").exists()


def test_an_export_naming_nothing_says_what_is_missing_and_writes_nothing(client, auditor):
    client.force_login(auditor)
    response = client.get("/audit/export/", {"format": "xml"})
    assert response.status_code == 400
    assert "Name one application reference or one Party code" in response.content.decode()
    assert not AuditEvent.objects.filter(event="audit.exported").exists()


def test_grant_auditor_puts_the_user_in_the_group_and_records_it(auditor):
    assert is_auditor(auditor)
    assert AuditEvent.objects.filter(event="auditor.granted", subject_id="auditor").exists()
    call_command("grant_auditor", "auditor", "--revoke", stdout=StringIO())
    assert not is_auditor(auditor)


def test_the_offline_script_checks_a_whole_chain_export_and_names_an_edited_row(proponent, tmp_path):
    import subprocess
    import sys
    from pathlib import Path

    from apps.audit.models import ChainHead

    make_application(proponent, state="authorized")
    head = ChainHead.objects.get(pk=1)  # what the /audit/ page shows before the export (which is itself an event)
    export = tmp_path / "audit.json"
    call_command("export_audit", "--all", format="json", output=str(export), stderr=StringIO())
    script = Path(__file__).resolve().parents[2] / "scripts" / "verify_audit_export.py"
    ok = subprocess.run([sys.executable, str(script), str(export), "--head", f"{head.seq}:{head.hash}"], capture_output=True, text=True)
    assert ok.returncode == 0 and "OK:" in ok.stdout, ok.stdout + ok.stderr
    rows = json.loads(export.read_text())
    rows[2]["data"]["authorized_quantity"] = 999_999
    export.write_text(json.dumps(rows))
    broken = subprocess.run([sys.executable, str(script), str(export)], capture_output=True, text=True)
    assert broken.returncode == 1 and f"event #{rows[2]['seq']} does not match its hash" in broken.stdout
