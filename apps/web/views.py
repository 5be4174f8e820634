"""Staff and proponent pages. Each view parses, calls one service or selector, and renders (POST-redirect-GET)."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from apps.authorizations import documents as document_services
from apps.authorizations.letters import check_fingerprint, is_fingerprint, normalise_fingerprint, render_letter_pdf
from apps.authorizations.models import State
from apps.authorizations.selectors import available_transitions
from apps.authorizations.workflow import APPLICATION
from apps.permissions import (
    filing_organisation_of, is_officer, is_proponent_member, is_top_tier_officer, loa_of, may_edit, open_stage_of,
    organisation_ids_of, seats_of,
)
from apps.authorizations.requirements import fields_asked, unmet_requirements
from apps.authorizations.services import (
    EDITABLE_STATES, TRANSITION_SERVICES, TransitionNotAvailable, check_editable, create_application, update_application,
)
from apps.casework.selectors import case_panel
from apps.governance.models import Jurisdiction, Party
from apps.ledger.models import MonitoringReport
from apps.notifications.services import inbox_for, mark_all_read, mark_application_read

from . import dashboard as dashboard_selectors
from . import monitoring
from .application_list import ApplicationListForm, PeriodForm, csv_rows, filtered_applications, jurisdictions_seen, page_of
from .confirmation import CONFIRMED_TRANSITIONS, review_of
from .decision_labels import last_decision_of
from .forms import (
    ApplicationForm, DocumentForm, QueueFilterForm, apply_service_errors, transition_form,
)
from .selectors import (
    QUEUE_PAGE_SIZE, QueueFilters, application_for_page, deadline_of, queue_page, timeline_of,
)


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Officers start at their queue; proponents at their applications (rendered here, no redirect)."""
    if is_officer(request.user):
        return queue(request)
    return applications(request)


@login_required
def queue(request: HttpRequest) -> HttpResponse:
    """The stages the user's authority holds and their role may act on, oldest due first."""
    jurisdictions = _queue_jurisdictions(request.user)
    form = QueueFilterForm(request.GET or None, jurisdictions=jurisdictions)
    filters = QueueFilters()
    if form.is_bound and form.is_valid():
        filters = QueueFilters(**form.cleaned_data)
    page = queue_page(request.user, filters=filters, cursor=request.GET.get("after", ""))
    query = request.GET.copy()
    query.pop("after", None)
    return render(request, "web/queue.html", {
        "form": form, "page": page, "filter_query": query.urlencode(), "is_officer": is_officer(request.user),
        "paged": "after" in request.GET,
    })


def _queue_jurisdictions(user) -> list[Jurisdiction]:
    """The jurisdictions in or under the user's authorities that have an authority (the ones with stages)."""
    paths = {seat.jurisdiction_path for seat in seats_of(user)}
    if not paths:
        return []
    condition = Q()
    for path in paths:
        condition |= Q(path__startswith=path)
    return list(Jurisdiction.objects.filter(condition).order_by("code"))


@login_required
def applications(request: HttpRequest) -> HttpResponse:
    """Applications the user may see: searched, filtered and sorted by the query string, keyset-paged."""
    form = ApplicationListForm(request.GET or None, jurisdictions=jurisdictions_seen(request.user))
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    descending = (filters.get("sort") or "newest") == "newest"
    cursor_name = "before" if descending else "after"
    try:
        cursor = int(request.GET.get(cursor_name, "") or 0) or None
    except ValueError:
        cursor = None
    rows, next_cursor = page_of(filtered_applications(request.user, filters), after=cursor, descending=descending,
                                size=QUEUE_PAGE_SIZE)
    query = request.GET.copy()
    for name in ("before", "after"):
        query.pop(name, None)
    return render(request, "web/applications.html", {
        "applications": rows, "next_cursor": next_cursor, "cursor_name": cursor_name, "paged": cursor is not None,
        "may_create": is_proponent_member(request.user), "form": form, "filter_query": query.urlencode(),
        "filtered": any(filters.get(name) for name in ("q", "state", "jurisdiction", "created_from", "created_to")),
    })


@login_required
def applications_csv(request: HttpRequest) -> HttpResponse:
    """The filtered list as CSV, streamed: the same query string as the page, every row rather than one page."""
    form = ApplicationListForm(request.GET, jurisdictions=jurisdictions_seen(request.user))
    if not form.is_valid():
        return HttpResponse(" ".join(str(e) for errors in form.errors.values() for e in errors), status=400,
                            content_type="text/plain; charset=utf-8")
    response = StreamingHttpResponse(csv_rows(filtered_applications(request.user, form.cleaned_data)),
                                     content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="applications.csv"'
    return response


def _page_or_404(request: HttpRequest, reference: str):
    application = application_for_page(request.user, reference)
    if application is None:
        raise Http404(_("No application %(reference)s that you may see.") % {"reference": reference})
    return application


def _detail_context(request: HttpRequest, application, forms: dict | None = None, document_form=None,
                    **monitoring_forms) -> dict:
    forms = forms or {}
    panel = [
        {"name": name, "label": APPLICATION[name].label, "confirm_first": bool(APPLICATION[name].confirm_heading),
         "form": forms.get(name) or transition_form(name, application)}
        for name in available_transitions(request.user, application)
    ]
    stage = open_stage_of(application)
    is_owner = application.organisation_id in organisation_ids_of(request.user)
    case = case_panel(request.user, application, stage)
    timeline = list(timeline_of(application))
    if not case["may_note"]:  # who holds the case and the officers' notes are internal
        timeline = [event for event in timeline if not event.event.startswith("case.")]
    unmet = {}
    if is_owner and application.state in (State.DRAFT, State.CHANGES_REQUESTED):
        unmet = unmet_requirements(application, "submit" if application.state == State.DRAFT else "resubmit")
    return {
        "application": application,
        "stage": stage,
        "deadline": deadline_of(stage, application.jurisdiction) if stage else None,
        "stages": list(application.stages.all()),
        "documents": list(application.documents.all()),
        "loa": loa_of(application),
        "letters": sorted(application.letters.all(), key=lambda letter: letter.version),
        "timeline": timeline,
        "last_decision": last_decision_of(timeline, application.state),
        "panel": panel,
        "is_owner": is_owner,
        "may_edit": may_edit(request.user, application, EDITABLE_STATES),
        "may_attach": is_owner and application.state in document_services.ATTACHABLE_STATES,
        "document_form": document_form or DocumentForm(),
        "unmet": unmet,
        "case": case,
        **monitoring.monitoring_context(request.user, application, **monitoring_forms),
    }


@login_required
def application_detail(request: HttpRequest, reference: str) -> HttpResponse:
    application = _page_or_404(request, reference)
    mark_application_read(user=request.user, application=application)  # before the header counts the unread
    return render(request, "web/application_detail.html", _detail_context(request, application))


def _decided_on_a_stale_page(request: HttpRequest, form, application) -> bool:
    """A page left open while a colleague decided must not fire on the new state: say so instead."""
    seen = form.cleaned_data["seen_state"]
    if seen and seen != application.state:
        messages.error(request, _(
            "Your decision was not recorded: another decision on this application was recorded first. "
            "The application is now: %(state)s.") % {"state": application.get_state_display()})
        return True
    return False


def _refused_decision_page(request: HttpRequest, application, name: str, form) -> HttpResponse:
    """The application page again, with the decision's form and its errors (400)."""
    context = _detail_context(request, application, forms={name: form})
    context["failed_transition"] = name
    return render(request, "web/application_detail.html", context, status=400)


@login_required
@require_POST
def application_transition(request: HttpRequest, reference: str, name: str) -> HttpResponse:
    """Run one decision through its service; a lost race or a stale page says so and shows the new state."""
    application = _page_or_404(request, reference)
    if name not in TRANSITION_SERVICES:
        raise Http404
    form = transition_form(name, application, request.POST)
    if form.is_valid():
        if _decided_on_a_stale_page(request, form, application):
            return redirect("application", reference=reference)
        try:
            TRANSITION_SERVICES[name](application, acting_user=request.user, comment=form.cleaned_data["comment"], **form.parameters())
        except TransitionNotAvailable as error:
            current = application_for_page(request.user, reference)
            state = current.get_state_display() if current else ""
            messages.error(request, _("Your decision was not recorded: %(reason)s The application is now: %(state)s.") % {
                "reason": str(error), "state": state})
            return redirect("application", reference=reference)
        except PermissionDenied as error:
            messages.error(request, str(error) or _("You may not take this decision."))
            return redirect("application", reference=reference)
        except ValidationError as error:
            apply_service_errors(form, error)
            # A refusal after the state machine fired leaves this object in the new state; the database rolled it back.
            application = _page_or_404(request, reference)
        else:
            messages.success(request, _("Recorded: %(decision)s. The application is now: %(state)s.") % {
                "decision": APPLICATION[name].label, "state": application.get_state_display()})
            return redirect("application", reference=reference)
    return _refused_decision_page(request, application, name, form)


@login_required
@require_POST
def application_transition_review(request: HttpRequest, reference: str, name: str) -> HttpResponse:
    """Check and confirm: the decision's form is validated and what will happen is shown; the action posts from there."""
    application = _page_or_404(request, reference)
    if name not in CONFIRMED_TRANSITIONS or name not in available_transitions(request.user, application):
        # Not one that asks first, or no longer open to this user: the transition view says why.
        return application_transition(request, reference, name)
    form = transition_form(name, application, request.POST)
    if form.is_valid():
        if _decided_on_a_stale_page(request, form, application):
            return redirect("application", reference=reference)
        try:
            review = review_of(application, name, form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            return render(request, "web/confirm_transition.html", {
                "application": application, "name": name, "label": APPLICATION[name].label, "form": form,
                "review": review,
            })
    return _refused_decision_page(request, application, name, form)


def _proponent_organisation(request: HttpRequest):
    organisation = filing_organisation_of(request.user)
    if organisation is None:
        raise PermissionDenied(_("Only members of a proponent organisation may create applications."))
    return organisation


@login_required
def application_create(request: HttpRequest) -> HttpResponse:
    """Step 1 chooses the host Party (its requirements decide the form); step 2 is the form itself."""
    organisation = _proponent_organisation(request)
    host_parties = Party.objects.filter(is_host=True).order_by("name")
    party_code = request.POST.get("host_party") or request.GET.get("host_party")
    if not party_code:
        return render(request, "web/application_party.html", {"host_parties": host_parties})
    host_party = host_parties.filter(pk=party_code).first()
    if host_party is None:
        return render(request, "web/application_party.html", {
            "host_parties": host_parties, "error": _("Choose one of the host Parties listed."),
        }, status=400)
    asked = fields_asked(host_party.pk, organisation)
    form = ApplicationForm(request.POST or None, host_party=host_party, asked=asked)
    if request.method == "POST" and form.is_valid():
        try:
            application = create_application(acting_user=request.user, organisation=organisation, data=form.to_input())
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Draft %(reference)s saved. Attach documents, then submit it.") % {"reference": application.reference})
            return redirect("application", reference=application.reference)
    status = 400 if request.method == "POST" else 200
    return render(request, "web/application_form.html", {"form": form, "host_party": host_party, "creating": True}, status=status)


@login_required
def application_edit(request: HttpRequest, reference: str) -> HttpResponse:
    application = _page_or_404(request, reference)
    organisation = application.organisation
    try:
        check_editable(request.user, application)
    except TransitionNotAvailable as error:
        messages.error(request, str(error))
        return redirect("application", reference=reference)
    asked = fields_asked(application.host_party_id, organisation)
    form = ApplicationForm(request.POST or None, host_party=application.host_party, asked=asked,
                           initial=ApplicationForm.initial_from(application))
    if request.method == "POST" and form.is_valid():
        try:
            update_application(application, acting_user=request.user, data=form.to_input())
        except ValidationError as error:
            apply_service_errors(form, error)
        except TransitionNotAvailable as error:
            messages.error(request, str(error))
            return redirect("application", reference=reference)
        else:
            messages.success(request, _("Changes saved."))
            return redirect("application", reference=reference)
    status = 400 if request.method == "POST" else 200
    return render(request, "web/application_form.html", {
        "form": form, "host_party": application.host_party, "application": application, "creating": False,
    }, status=status)


@login_required
@require_POST
def document_upload(request: HttpRequest, reference: str) -> HttpResponse:
    application = _page_or_404(request, reference)
    form = DocumentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            document_services.attach_document(application, acting_user=request.user, upload=form.cleaned_data["file"],
                                              title=form.cleaned_data["title"])
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Document attached."))
            return redirect("application", reference=reference)
    return render(request, "web/application_detail.html", _detail_context(request, application, document_form=form), status=400)


def _say_conflict(request: HttpRequest, form, status: int) -> None:
    """A conflict (already verified, not authorized yet) may leave no form on the page to show it: say it on top."""
    if status == 409:
        for message in form.non_field_errors():
            messages.error(request, message)


@login_required
@require_POST
def monitoring_report_submit(request: HttpRequest, reference: str) -> HttpResponse:
    application = _page_or_404(request, reference)
    form, status, done = monitoring.submit_report(request, application)
    if status == 200:
        messages.success(request, done)
        return redirect("application", reference=reference)
    _say_conflict(request, form, status)
    return render(request, "web/application_detail.html", _detail_context(request, application, monitoring_form=form), status=status)


@login_required
@require_POST
def verification_record(request: HttpRequest, reference: str, report_id: int) -> HttpResponse:
    application = _page_or_404(request, reference)
    report = get_object_or_404(MonitoringReport, pk=report_id, application=application)
    form, status, done = monitoring.record_verification(request, report)
    if status == 200:
        messages.success(request, done)
        return redirect("application", reference=reference)
    _say_conflict(request, form, status)
    context = _detail_context(request, application, verification_form=form, verification_report_id=report.pk)
    return render(request, "web/application_detail.html", context, status=status)


@login_required
def document_download(request: HttpRequest, reference: str, document_id: int) -> HttpResponse:
    application = _page_or_404(request, reference)
    document = get_object_or_404(application.documents, pk=document_id)
    return document_services.download_for(user=request.user, document=document)


@login_required
def letter_pdf(request: HttpRequest, reference: str) -> HttpResponse:
    application = _page_or_404(request, reference)
    version = request.GET.get("version", "")
    letter = loa_of(application) if not version else (
        application.letters.filter(version=int(version)).first() if version.isdigit() and len(version) < 6 else None)
    if letter is None:
        raise Http404(_("No Letter of Authorization has been issued for this application."))
    pdf = render_letter_pdf(letter, base_url=request.build_absolute_uri("/"))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{letter.number}.pdf"'
    return response


def letter_check(request: HttpRequest, fingerprint: str) -> HttpResponse:
    """Public: anyone holding a letter can check it was issued here and is still in force."""
    normalised = normalise_fingerprint(fingerprint)
    if not is_fingerprint(normalised):
        return _not_a_fingerprint(request, fingerprint)
    if normalised != fingerprint:
        return redirect("letter-check", fingerprint=normalised)
    return render(request, "letters/check.html", {"check": check_fingerprint(normalised), "fingerprint": normalised})


def letter_check_form(request: HttpRequest) -> HttpResponse:
    """Public: paste a fingerprint to check it; spaces and capitals a copy from the PDF adds are ignored."""
    pasted = request.GET.get("fingerprint") or ""
    fingerprint = normalise_fingerprint(pasted)
    if not fingerprint and "fingerprint" not in request.GET:
        return render(request, "letters/check.html", {"check": None, "fingerprint": ""})
    if not is_fingerprint(fingerprint):
        return _not_a_fingerprint(request, pasted)
    return redirect("letter-check", fingerprint=fingerprint)


def _not_a_fingerprint(request: HttpRequest, pasted: str) -> HttpResponse:
    """Not the shape of a fingerprint: say so (a typo, or a letter number pasted), rather than "not issued"."""
    error = (_("Enter the fingerprint printed on the letter: 64 characters, the digits 0–9 and the letters a–f.")
             if pasted.strip() else _("Enter the fingerprint printed on the letter."))
    return render(request, "letters/check.html", {
        "check": None, "fingerprint": pasted.strip(), "error": error, "error_items": [{"href": "id_fingerprint", "message": error}],
    }, status=400)


@login_required
def notifications(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        mark_all_read(user=request.user)
        messages.success(request, _("All notifications marked as read."))
        return redirect("notifications")
    return render(request, "web/notifications.html", {"notifications": list(inbox_for(request.user)[:100])})


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    """The top tier's view of its Party: counts, overdue stages, median days, authorized against requested."""
    if not is_top_tier_officer(request.user):
        raise PermissionDenied(_("The dashboard is for officers of a Party's top tier."))
    form = PeriodForm(request.GET or None)
    period = form.cleaned_data if form.is_bound and form.is_valid() else {}
    query = request.GET.urlencode() if period else ""
    return render(request, "web/dashboard.html", {
        "dashboards": dashboard_selectors.dashboards_for(request.user, period), "form": form, "period_query": query,
    }, status=400 if form.is_bound and not form.is_valid() else 200)


@login_required
def dashboard_csv(request: HttpRequest) -> HttpResponse:
    """The dashboard's counts by jurisdiction and state for the period, as CSV."""
    if not is_top_tier_officer(request.user):
        raise PermissionDenied(_("The dashboard is for officers of a Party's top tier."))
    form = PeriodForm(request.GET)
    if not form.is_valid():
        return HttpResponse(" ".join(str(e) for errors in form.errors.values() for e in errors), status=400,
                            content_type="text/plain; charset=utf-8")
    response = StreamingHttpResponse(
        dashboard_selectors.dashboard_csv_rows(dashboard_selectors.dashboards_for(request.user, form.cleaned_data)),
        content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="dashboard.csv"'
    return response


@login_required
def configuration_index(request: HttpRequest) -> HttpResponse:
    if not request.user.is_staff:
        raise PermissionDenied(_("The configuration page is for administrators."))
    return render(request, "web/configuration_index.html", {"parties": Party.objects.filter(is_host=True).order_by("name")})


@login_required
def party_configuration(request: HttpRequest, code: str) -> HttpResponse:
    """Read-only: tiers, jurisdictions, duty holders, SLAs and the workflow they produce."""
    if not request.user.is_staff:
        raise PermissionDenied(_("The configuration page is for administrators."))
    party = get_object_or_404(Party, pk=code)
    return render(request, "web/party_configuration.html", dashboard_selectors.configuration_of(party))

