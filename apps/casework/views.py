"""Case ownership and internal notes on the application page: each a POST to one service, then back to the page."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from apps.web.selectors import application_for_page

from . import services
from .selectors import my_cases


def _application(request, reference):
    application = application_for_page(request.user, reference)
    if application is None:
        raise Http404(_("No application %(reference)s that you may see.") % {"reference": reference})
    return application


def _run(request, reference, action, success: str) -> HttpResponse:
    application = _application(request, reference)
    try:
        action(application)
    except PermissionDenied as error:
        messages.error(request, str(error) or _("You may not do this."))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, success)
    return redirect("application", reference=reference)


@login_required
@require_POST
def claim(request: HttpRequest, reference: str) -> HttpResponse:
    return _run(request, reference, lambda a: services.claim_case(a, acting_user=request.user), _("You have this case now."))


@login_required
@require_POST
def assign(request: HttpRequest, reference: str) -> HttpResponse:
    try:
        assignee_id = int(request.POST.get("assignee", ""))
    except ValueError:
        assignee_id = 0
    return _run(request, reference, lambda a: services.assign_case(a, acting_user=request.user, assignee_id=assignee_id),
                _("Case assigned."))


@login_required
@require_POST
def release(request: HttpRequest, reference: str) -> HttpResponse:
    return _run(request, reference, lambda a: services.release_case(a, acting_user=request.user), _("Nobody has this case now."))


@login_required
@require_POST
def note(request: HttpRequest, reference: str) -> HttpResponse:
    return _run(request, reference, lambda a: services.add_internal_note(a, acting_user=request.user, text=request.POST.get("text", "")),
                _("Internal note added."))


@login_required
@require_POST
def nudge(request: HttpRequest, reference: str) -> HttpResponse:
    return _run(request, reference, lambda a: services.nudge_case(a, acting_user=request.user, message=request.POST.get("message", "")),
                _("The staff have been nudged."))


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    return render(request, "casework/my_cases.html", {"cases": my_cases(request.user)})
