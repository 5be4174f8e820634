"""/account/tokens/: create, name, list and revoke personal API tokens from the browser."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from .models import PersonalToken
from .services import create_personal_token, revoke_personal_token


@login_required
@require_http_methods(["GET", "POST"])
def personal_tokens(request: HttpRequest) -> HttpResponse:
    new_token, errors = None, []
    if request.method == "POST":
        if "revoke" in request.POST:
            token = get_object_or_404(PersonalToken, pk=request.POST.get("revoke") or 0, user=request.user)
            revoke_personal_token(user=request.user, token=token)
            messages.success(request, _("Token “%(name)s” revoked.") % {"name": token.name})
            return redirect("personal-tokens")
        try:
            _token, new_token = create_personal_token(user=request.user, name=request.POST.get("name", ""))
        except ValidationError as error:
            errors = error.messages
    tokens = PersonalToken.objects.filter(user=request.user)
    status = 400 if errors else 200
    return render(request, "api/personal_tokens.html", {"tokens": tokens, "new_token": new_token, "errors": errors}, status=status)
