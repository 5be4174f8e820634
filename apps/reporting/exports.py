"""The AEF as a file for download (web and API): written to a spooled temporary file, streamed, and audited."""
from __future__ import annotations

import tempfile

from django.http import FileResponse

from apps.audit.services import record_export

from . import services
from .models import Report

EXPORTS = {
    "json": ("application/json", "json"),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
    "csv": ("application/zip", "csv.zip"),
}


def aef_file_response(report: Report, fmt: str, *, acting_user=None) -> FileResponse:
    """Write the export to a temporary file (memory flat whatever the size) and stream it back; audited."""
    content_type, extension = EXPORTS[fmt]
    spool = tempfile.SpooledTemporaryFile(max_size=4 * 1024 * 1024)
    rows = services.export_report(report, fmt=fmt, stream=spool)
    record_export(acting_user=acting_user, what="aef", party=report.party_id, rows=rows,
                  parameters={"report": report.pk, "year": report.year, "version": str(report.version), "format": fmt})
    size = spool.tell()
    spool.seek(0)
    response = FileResponse(spool, content_type=content_type, as_attachment=True,
                            filename=f"AEF-{report.party_id}-{report.year}-v{report.version}.{extension}")
    response["Content-Length"] = str(size)
    return response
