"""The federal tier's report pages: the list, one report with its AEF tables and actions, and the CA trace."""
from __future__ import annotations

from itertools import islice

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from apps.governance.models import Party
from apps.ledger.selectors import adjustments_for, first_transfer_actions, ndc_use_actions
from apps.permissions import parties_seen_by, prepares_reports_of, sees_ledger_of
from apps.workflow.engine import TransitionNotAvailable

from . import services
from .aef import TABLE_NAMES, AEFBuilder, headings, validate
from .exports import EXPORTS, aef_file_response
from .models import Report
from .workflow import REPORT

ROWS_SHOWN = 200
# What each report transition did, for the confirmation (the buttons' words).
def _report_for(request: HttpRequest, pk: int) -> Report:
    report = get_object_or_404(Report.objects.select_related("party", "approved_by"), pk=pk)
    if not sees_ledger_of(request.user, report.party_id):
        raise Http404
    return report


@login_required
def report_list(request: HttpRequest) -> HttpResponse:
    parties = parties_seen_by(request.user)
    reports = Report.objects.filter(party_id__in=parties).select_related("approved_by")
    preparable = [code for code in parties if prepares_reports_of(request.user, code)]
    return render(request, "reporting/report_list.html", {
        "reports": reports, "parties": parties, "preparable": preparable, "this_year": timezone.now().year,
    })


@login_required
@require_POST
def report_create(request: HttpRequest) -> HttpResponse:
    try:
        year = int(request.POST.get("year", ""))
    except ValueError:
        messages.error(request, _("Give the reported year as a number."))
        return redirect("reporting:list")
    try:
        report = services.create_report(party=request.POST.get("party", ""), year=year, acting_user=request.user)
    except (ValidationError, PermissionDenied, TransitionNotAvailable, Party.DoesNotExist) as error:
        messages.error(request, _message(error))
        return redirect("reporting:list")
    return redirect("reporting:detail", pk=report.pk)


def _message(error: Exception) -> str:
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    return str(error) or _("Not allowed.")


@login_required
def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    report = _report_for(request, pk)
    builder = AEFBuilder(report)
    tables = []
    for table in TABLE_NAMES:
        rows = builder.rows(table)
        shown = [[row.get(c, "") for c in headings(table)] for _key, row in islice(rows, ROWS_SHOWN)]
        # Actions are counted by the database; the other tables are small or already streamed.
        more = max(0, builder.count_actions() - len(shown)) if table == "Actions" else sum(1 for _ in rows)
        tables.append({"name": table, "headings": headings(table), "rows": shown, "more": more})
    issues = validate(AEFBuilder(report)) if report.state == "draft" else []
    adjustment = adjustments_for(report.party).for_year(report.year)
    return render(request, "reporting/report_detail.html", {
        "report": report, "tables": tables, "issues": issues, "adjustment": adjustment,
        "transitions": [REPORT[name] for name in services.available_transitions(request.user, report)],
        "may_correct": report.state == "draft" and prepares_reports_of(request.user, report.party_id),
        "exports": [(fmt, extension) for fmt, (_ct, extension) in EXPORTS.items()], "rows_shown": ROWS_SHOWN,
    })


@login_required
@require_POST
def report_transition(request: HttpRequest, pk: int) -> HttpResponse:
    report = _report_for(request, pk)
    name = request.POST.get("transition", "")
    service = services.TRANSITION_SERVICES.get(name)
    if service is None:
        messages.error(request, _("Unknown action."))
    else:
        try:
            service(report, acting_user=request.user, comment=request.POST.get("comment", ""))
            messages.success(request, _("%(decision)s: done.") % {"decision": REPORT[name].label})
        except (ValidationError, PermissionDenied, TransitionNotAvailable) as error:
            messages.error(request, _message(error))
    return redirect("reporting:detail", pk=report.pk)


@login_required
@require_POST
def report_correct(request: HttpRequest, pk: int) -> HttpResponse:
    report = _report_for(request, pk)
    try:
        services.set_correction(report, acting_user=request.user, table=request.POST.get("table", ""),
                                row_key=request.POST.get("row_key", ""), column=request.POST.get("column", ""),
                                value=request.POST.get("value", ""))
        messages.success(request, _("Correction saved."))
    except (ValidationError, PermissionDenied, TransitionNotAvailable) as error:
        messages.error(request, _message(error))
    return redirect("reporting:detail", pk=report.pk)


@login_required
def report_export(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    if fmt not in EXPORTS:
        raise Http404
    return aef_file_response(_report_for(request, pk), fmt, acting_user=request.user)


@login_required
def ledger_party(request: HttpRequest, party: str) -> HttpResponse:
    party_obj = get_object_or_404(Party, code=party.upper())
    if not sees_ledger_of(request.user, party_obj):
        raise Http404
    return render(request, "reporting/ledger_party.html", {"party": party_obj, "adjustments": adjustments_for(party_obj)})


@login_required
def ledger_year(request: HttpRequest, party: str, year: int) -> HttpResponse:
    party_obj = get_object_or_404(Party, code=party.upper())
    if not sees_ledger_of(request.user, party_obj):
        raise Http404
    related = ("application", "acquiring_party")
    return render(request, "reporting/ledger_year.html", {
        "party": party_obj, "year": year, "figures": adjustments_for(party_obj).for_year(year),
        "first_transfers": first_transfer_actions(party_obj.code, year).select_related(*related)[:1000],
        "uses": ndc_use_actions(party_obj.code, year).select_related(*related)[:1000],
    })
