"""Pages carry a strict CSP, deny framing, keep referrers in, and never need inline script or style."""
import re
from pathlib import Path

import pytest

pytestmark = pytest.mark.django_db
TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
PAGES = ["/accounts/login/", "/applications/", "/account/", "/admin/", "/api/docs/", "/letters/check/" + "0" * 64 + "/"]


@pytest.fixture
def signed_in(client, admin_user):
    client.force_login(admin_user)
    return client


@pytest.mark.parametrize("path", PAGES)
def test_every_page_denies_framing_sniffing_and_foreign_referrers(signed_in, path):
    response = signed_in.get(path)
    assert response.status_code == 200, path
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


@pytest.mark.parametrize("path", PAGES)
def test_every_page_has_a_csp_without_unsafe_inline_and_no_inline_script(signed_in, path):
    response = signed_in.get(path)
    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "frame-ancestors 'none'" in policy and "object-src 'none'" in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    html = response.content.decode()
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), f"{path} has an inline <script>"
    assert not re.search(r"\son[a-z]+\s*=", html), f"{path} has an inline event handler"


def test_no_web_template_uses_inline_script_or_style():
    offenders = []
    for template in [*TEMPLATES.rglob("*.html"), *TEMPLATES.parent.glob("apps/*/templates/**/*.html")]:
        if template.parts[-2] == "letters" and template.name == "letter_of_authorization.html":
            continue  # rendered to PDF by WeasyPrint, never served as a page
        text = template.read_text()
        if re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text) or re.search(r"\sstyle\s*=", text) or re.search(r"\son[a-z]+\s*=", text):
            offenders.append(str(template.relative_to(TEMPLATES.parent)))
    assert offenders == []


def test_the_csrf_and_session_cookies_are_httponly(client, proponent):
    proponent.set_password("correct horse battery")
    proponent.save()
    client.get("/accounts/login/")
    response = client.post("/accounts/login/", {"username": "proponent", "password": "correct horse battery"})
    assert response.cookies["sessionid"]["httponly"]
    assert response.cookies["csrftoken"]["httponly"]
    assert response.cookies["sessionid"]["samesite"] == "Lax"


def test_a_form_posted_without_the_csrf_token_is_refused(proponent):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(proponent)
    assert client.post("/account/tokens/api/revoke/").status_code == 403
