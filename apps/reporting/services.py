"""The report workflow (one service per transition, each one transaction with its audit event) and the AEF export."""
from __future__ import annotations

import csv
import hashlib
import io
import json
import zipfile

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.audit.events import Event
from apps.audit.services import record_event
from apps.governance.models import Party
from apps.ledger.models import Action
from apps.permissions import prepares_reports_of
from apps.workflow import engine
from apps.workflow.engine import Subject, TransitionNotAvailable

from .aef import TABLE_NAMES, AEFBuilder, headings, validate
from .models import OPEN_STATES, Report, ReportCorrection, ReportState
from .workflow import REPORT

def _party(party: Party | str) -> Party:
    return party if isinstance(party, Party) else Party.objects.get(code=party)


def available_transitions(user, report: Report) -> list[str]:
    return engine.available_transitions(REPORT, user, report)


def _audit(report: Report, event: Event, *, acting_user, at, data: dict) -> None:
    record_event(event=event, subject_type="report", subject_id=report.pk, acting_user=acting_user,
                 party=report.party_id, at=at, data={"year": report.year, "version": report.version, **data})


@transaction.atomic(durable=True)
def create_report(*, party: Party | str, year: int, acting_user) -> Report:
    """Open the Party's report for the year: version 1.0, or the next minor version after an approved one."""
    party = _party(party)
    if not prepares_reports_of(acting_user, party):
        raise PermissionDenied(_("Only staff of the report approval holder of %(party)s may prepare its report.") % {"party": party.code})
    if not isinstance(year, int) or not 2021 <= year <= timezone.now().year:
        raise ValidationError({"year": _("Report a year from 2021 to this year.")})
    # Lock the Party's reports of the year: two preparers cannot open two drafts.
    existing = list(Report.objects.select_for_update().filter(party=party, year=year).order_by("-id"))
    if any(r.state in OPEN_STATES for r in existing):
        raise TransitionNotAvailable(_("A %(year)s report of %(party)s is already open; finish or return it first.") % {
            "year": year, "party": party.code})
    version = "1.0"
    if existing:
        major, minor = existing[0].version.split(".")
        version = f"{major}.{int(minor) + 1}"
    try:
        with transaction.atomic():
            report = Report.objects.create(party=party, year=year, version=version, created_by=acting_user)
    except IntegrityError:
        raise TransitionNotAvailable(_("Another report of this year was opened at the same moment.")) from None
    _audit(report, Event.REPORT_CREATED, acting_user=acting_user, at=report.created_at, data={})
    return report


def _subject(report: Report) -> Subject:
    return Subject("report", report.pk, report.party_id, {"year": report.year, "version": report.version})


def _run(report: Report, name: str, *, acting_user, comment: str = "", before=None) -> Report:
    """Run row `name` of `workflow.REPORT` on the locked report; `before(locked, now)` checks and prepares it."""
    locked = Report.objects.select_for_update().get(pk=report.pk)
    return engine.run(REPORT, locked, name, acting_user=acting_user, comment=comment, subject=_subject, before=before)


@REPORT.service("submit_for_review")
@transaction.atomic(durable=True)
def submit_for_review(report: Report, *, acting_user, comment: str = "") -> Report:
    """Freeze the ledger cut-off and send the report to the approver, only if its AEF validates."""

    def freeze_and_validate(locked: Report, now) -> dict:
        locked.frozen_through_action_id = Action.objects.aggregate(m=Max("id"))["m"] or 0
        issues = validate(AEFBuilder(locked))
        if issues:
            raise ValidationError({"aef": [str(issue) for issue in issues]})
        return {"frozen_through_action_id": locked.frozen_through_action_id}

    return _run(report, "submit_for_review", acting_user=acting_user, comment=comment, before=freeze_and_validate)


@REPORT.service("return_to_draft")
@transaction.atomic(durable=True)
def return_to_draft(report: Report, *, acting_user, comment: str) -> Report:
    """The approver sends the report back; the ledger cut-off is lifted."""

    def unfreeze(locked: Report, now) -> dict:
        locked.frozen_through_action_id = None
        return {}

    return _run(report, "return_to_draft", acting_user=acting_user, comment=comment, before=unfreeze)


@REPORT.service("approve")
@transaction.atomic(durable=True)
def approve_report(report: Report, *, acting_user, comment: str = "") -> Report:
    """The report approval holder approves; the AEF's fingerprint is recorded and the report is frozen."""

    def seal(locked: Report, now) -> dict:
        locked.approved_by, locked.approved_at = acting_user, now
        digest = hashlib.sha256()
        export_report(locked, fmt="json", stream=_HashingStream(digest))
        locked.fingerprint = digest.hexdigest()
        return {"fingerprint": locked.fingerprint}

    return _run(report, "approve", acting_user=acting_user, comment=comment, before=seal)


@REPORT.service("mark_submitted")
@transaction.atomic(durable=True)
def mark_submitted(report: Report, *, acting_user, comment: str = "") -> Report:
    """Record that the approved AEF was submitted to the UNFCCC."""

    def stamp(locked: Report, now) -> dict:
        locked.submitted_at = now
        return {}

    return _run(report, "mark_submitted", acting_user=acting_user, comment=comment, before=stamp)


TRANSITION_SERVICES = REPORT.services


@transaction.atomic(durable=True)
def set_correction(report: Report, *, acting_user, table: str, row_key: str, column: str, value: str) -> ReportCorrection:
    """Set one AEF cell of a draft (what validation flagged); an approved report cannot change."""
    locked = Report.objects.select_for_update().get(pk=report.pk)
    if locked.state != ReportState.DRAFT:
        raise TransitionNotAvailable(_("Only a draft report can be corrected; this one is %(state)s. A later correction is a new version.")
                                     % {"state": locked.get_state_display()})
    if not prepares_reports_of(acting_user, locked.party_id):
        raise PermissionDenied(_("You may not correct this report."))
    if table == "Authorizations" and column == "Mitigation type":
        column = "_mitigation_type"  # not an Authorizations column: the value its Actions and Holdings rows carry
    elif table not in TABLE_NAMES or column not in headings(table):
        raise ValidationError({"column": _("%(table)s has no column '%(column)s'.") % {"table": table, "column": column}})
    correction, _created = ReportCorrection.objects.update_or_create(
        report=locked, table=table, row_key=row_key, column=column, defaults={"value": value.strip(), "set_by": acting_user})
    _audit(locked, Event.REPORT_CORRECTED, acting_user=acting_user, at=timezone.now(),
           data={"table": table, "row": row_key, "column": column, "value": value.strip()})
    return correction


# --- export ----------------------------------------------------------------------------


class _HashingStream:
    def __init__(self, digest):
        self.digest = digest

    def write(self, data):
        self.digest.update(data if isinstance(data, bytes) else data.encode())
        return len(data)


def export_report(report: Report, *, fmt: str, stream) -> int:
    """Write the report's AEF to a binary stream: "json", "xlsx" (one sheet per table) or "csv" (zip, one file per table).

    Rows are generated and written one at a time, so memory stays flat with the number of actions.
    Returns the number of rows written (all tables, headings excluded).
    """
    builder = AEFBuilder(report)
    if fmt == "json":
        return _write_json(builder, stream)
    if fmt == "xlsx":
        return _write_xlsx(builder, stream)
    if fmt == "csv":
        return _write_csv_zip(builder, stream)
    raise ValueError(f"unknown AEF format {fmt!r}: use csv, xlsx or json")


def export_aef(*, party, year: int, fmt: str, stream) -> int:
    """The latest version of the Party's report for the year, or a draft view of it."""
    party = _party(party)
    report = Report.objects.filter(party=party, year=year).order_by("-id").first() or Report(party=party, year=year)
    return export_report(report, fmt=fmt, stream=stream)


def _write_json(builder: AEFBuilder, stream) -> int:
    count = 0
    stream.write(b"{")
    for t, table in enumerate(TABLE_NAMES):
        columns = headings(table)
        stream.write((("," if t else "") + json.dumps(table) + ":[").encode())
        for n, (_key, row) in enumerate(builder.rows(table)):
            stream.write((("," if n else "") + json.dumps({c: row.get(c, "") for c in columns}, ensure_ascii=False)).encode())
            count += 1
        stream.write(b"]")
    stream.write(b"}")
    return count


def _write_xlsx(builder: AEFBuilder, stream) -> int:
    import xlsxwriter

    # XlsxWriter's constant-memory mode flushes each row as it is written (memory flat with the row count) and
    # writes cells about twice as fast as openpyxl's write-only mode. Values are text as reported: never
    # reinterpreted as numbers, formulas or links.
    workbook = xlsxwriter.Workbook(stream, {"constant_memory": True, "strings_to_numbers": False,
                                            "strings_to_formulas": False, "strings_to_urls": False})
    count = 0
    for table in TABLE_NAMES:
        sheet = workbook.add_worksheet(table)
        columns = headings(table)
        sheet.write_row(0, 0, columns)
        for count_in_table, (_key, row) in enumerate(builder.rows(table), start=1):
            sheet.write_row(count_in_table, 0, [row.get(c) or None for c in columns])  # None: no cell for an empty value
            count += 1
    workbook.close()
    return count


def _write_csv_zip(builder: AEFBuilder, stream) -> int:
    count = 0
    with zipfile.ZipFile(stream, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for table in TABLE_NAMES:
            columns = headings(table)
            with archive.open(f"{table}.csv", "w", force_zip64=True) as raw:
                text = io.TextIOWrapper(raw, encoding="utf-8", newline="")
                writer = csv.writer(text)
                writer.writerow(columns)
                for _key, row in builder.rows(table):
                    writer.writerow([row.get(c, "") for c in columns])
                    count += 1
                text.flush()
                text.detach()
    return count
