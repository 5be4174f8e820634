from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from apps.authorizations.letters import check_fingerprint
from apps.authorizations.permissions import visible_applications


@login_required
def home(request: HttpRequest) -> HttpResponse:
    applications = visible_applications(request.user).select_related("jurisdiction").order_by("-id")[:50]
    return render(request, "web/home.html", {"applications": applications})


def letter_check(request: HttpRequest, fingerprint: str) -> HttpResponse:
    """Public: anyone holding a letter can check it was issued here and is still in force."""
    return render(request, "letters/check.html", {"check": check_fingerprint(fingerprint), "fingerprint": fingerprint})
