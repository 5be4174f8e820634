"""The auditor's pages: the chain's head and last verification, and extracts for one application or one Party."""
from __future__ import annotations

import io

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from .auditors import is_auditor
from .models import ChainHead, VerificationRun
from .services import events_for, record_export, write_export

CONTENT_TYPES = {"csv": "text/csv; charset=utf-8", "json": "application/json"}


def _require_auditor(request: HttpRequest) -> None:
    if not is_auditor(request.user):
        raise PermissionDenied(_("Only members of the Auditors group may read the audit log."))


@login_required
def audit_index(request: HttpRequest) -> HttpResponse:
    _require_auditor(request)
    return render(request, "audit/index.html", {
        "head": ChainHead.objects.filter(pk=1).first(),
        "last_run": VerificationRun.objects.order_by("-started_at", "-id").first(),
    })


@login_required
def audit_export(request: HttpRequest) -> HttpResponse:
    _require_auditor(request)
    application = request.GET.get("application", "").strip()
    party = request.GET.get("party", "").strip().upper()
    fmt = request.GET.get("format", "csv")
    if fmt not in CONTENT_TYPES or bool(application) == bool(party):
        return render(request, "audit/index.html", {
            "error": _("Name one application reference or one Party code, and a format of CSV or JSON."),
            "head": ChainHead.objects.filter(pk=1).first(),
            "last_run": VerificationRun.objects.order_by("-started_at", "-id").first(),
        }, status=400)
    buffer = io.StringIO()
    rows = write_export(events_for(application=application or None, party=party or None), fmt=fmt, stream=buffer)
    record_export(acting_user=request.user, what="audit", party=party,
                  parameters={"application": application, "party": party, "format": fmt, "via": "web"}, rows=rows)
    response = HttpResponse(buffer.getvalue(), content_type=CONTENT_TYPES[fmt])
    name = (application or party).replace("/", "-")
    response["Content-Disposition"] = f'attachment; filename="audit-{name}.{fmt}"'
    return response
