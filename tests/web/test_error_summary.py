"""A form that fails says so at its top (GOV.UK error summary): every error linked to its field, the title prefixed."""
import re

import pytest
from django.test import Client

from apps.authorizations.models import Application

from ..factories import make_application

pytestmark = pytest.mark.django_db


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def title_of(html: str) -> str:
    return re.search(r"<title>(.*?)</title>", html, re.S).group(1).strip()


def summary_links(html: str) -> list[tuple[str, str]]:
    summary = re.search(r'<div class="error-summary".*?</div>', html, re.S)
    assert summary, "no error summary on the page"
    return re.findall(r'<a href="#([^"]+)">([^<]+)</a>', summary.group(0))


def test_a_decision_refused_for_its_missing_reason_is_summarised_and_linked_to_the_box(sabah_approver, proponent):
    application = make_application(proponent, state="loa_review")
    response = signed_in(sabah_approver).post(f"/applications/{application.reference}/transitions/reject/", {"reject-comment": ""})
    assert response.status_code == 400
    html = response.content.decode()
    assert title_of(html).startswith("Error: ")
    assert summary_links(html) == [("id_reject-comment", "Enter the reason for rejecting")]
    assert '<label for="id_reject-comment">Reason for rejecting' in html
    assert 'role="alert"' in html and 'tabindex="-1"' in html
    assert Application.objects.get(pk=application.pk).state == "loa_review"


def test_every_decision_form_on_a_page_names_its_box_differently(sabah_approver, proponent):
    application = make_application(proponent, state="loa_review")
    html = signed_in(sabah_approver).get(f"/applications/{application.reference}/").content.decode()
    labels = re.findall(r'<label for="id_[a-z_]+-comment">([^<]+)', html)
    assert len(labels) >= 3
    assert len(set(labels)) == len(labels), labels
    assert "Reason for rejecting" in [label.strip() for label in labels]
    assert not title_of(html).startswith("Error")
    assert "error-summary" not in html


def test_the_application_form_summarises_each_field_error_with_a_link(proponent):
    response = signed_in(proponent).post("/applications/new/", {"host_party": "MYS", "title": "", "vintage_from": "2030",
                                                                 "vintage_to": "2026"})
    assert response.status_code == 400
    html = response.content.decode()
    assert title_of(html).startswith("Error: ")
    targets = dict(summary_links(html))
    for field in ("id_title", "id_jurisdiction", "id_sector", "id_requested_quantity", "id_vintage_to"):
        assert field in targets, field
        assert f'id="{field}"' in html  # the link lands on a control that exists
    assert targets["id_vintage_to"] == "The last vintage cannot be before the first."


def test_the_check_page_summarises_a_text_that_is_not_a_fingerprint():
    html = Client().get("/letters/check/", {"fingerprint": "LOA-1"}).content.decode()
    assert title_of(html).startswith("Error: ")
    assert summary_links(html)[0][0] == "id_fingerprint"


def test_tables_that_scroll_sideways_are_focusable_named_regions(sabah_approver, proponent, federal_approver):
    make_application(proponent, state="loa_review")
    for user, path in [(sabah_approver, "/queue/"), (proponent, "/applications/"), (federal_approver, "/dashboard/")]:
        html = signed_in(user).get(path).content.decode()
        wraps = re.findall(r'<div class="table-wrap"[^>]*>', html)
        assert wraps, path
        for wrap in wraps:
            assert 'role="region"' in wrap and 'tabindex="0"' in wrap and ("aria-label=" in wrap or "aria-labelledby=" in wrap), wrap


def test_every_page_loads_the_one_script_from_a_file(proponent):
    html = signed_in(proponent).get("/applications/").content.decode()
    assert '<script src="/static/js/tierflow.js" defer></script>' in html


def test_list_cells_carry_their_column_name_for_the_stacked_phone_layout(sabah_approver, proponent):
    make_application(proponent, state="loa_review")
    for path in ("/queue/", "/applications/"):
        html = signed_in(sabah_approver).get(path).content.decode()
        row = re.search(r'<table class="[^"]*stack[^"]*">.*?<tbody>\s*<tr>(.*?)</tr>', html, re.S).group(1)
        cells = re.findall(r"<td[^>]*>", row)
        assert cells and all("data-label=" in cell for cell in cells), (path, cells)
