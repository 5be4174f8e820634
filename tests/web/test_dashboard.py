"""The dashboard's numbers are written on the bars, listed as a table, and lead to the cases behind them."""
import re

import pytest
from django.test import Client

from ..factories import make_application

pytestmark = pytest.mark.django_db


def test_bars_carry_their_labels_and_values_and_a_table_lists_them(federal_approver, proponent):
    make_application(proponent, state="loa_review")
    make_application(proponent, state="loa_review", title="Second")
    client = Client()
    client.force_login(federal_approver)
    html = client.get("/dashboard/").content.decode()
    svg = re.search(r'<figcaption>Applications by jurisdiction</figcaption>\s*<svg.*?</svg>', html, re.S).group(0)
    assert 'class="bar-label">MY-12 Sabah</text>' in svg and 'class="bar-value">2</text>' in svg
    assert '<a href="/applications/?jurisdiction=MY-12">MY-12 Sabah</a>' in html


def test_a_count_links_to_the_filtered_list_that_holds_exactly_those_cases(federal_approver, proponent):
    reviewed = [make_application(proponent, state="loa_review", title=f"Review {i}") for i in range(2)]
    other = make_application(proponent, state="ca_review", title="Further on")
    client = Client()
    client.force_login(federal_approver)
    html = client.get("/dashboard/").content.decode()
    link = re.search(r'<a href="(/applications/\?jurisdiction=MY-12&amp;state=loa_review)">2</a>', html)
    assert link, "the LoA review count is not a link"
    listed = client.get(link.group(1).replace("&amp;", "&")).content.decode()
    assert all(a.reference in listed for a in reviewed) and other.reference not in listed


def test_a_period_keeps_only_applications_made_in_it_in_the_counts_the_links_and_the_csv(federal_approver, proponent):
    from datetime import timedelta

    from django.utils import timezone

    from apps.authorizations.models import Application

    old = make_application(proponent, state="loa_review", title="Old one")
    Application.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=400))
    new = make_application(proponent, state="loa_review", title="New one")
    client = Client()
    client.force_login(federal_approver)
    start = (timezone.now() - timedelta(days=30)).date().isoformat()
    html = client.get("/dashboard/", {"created_from": start}).content.decode()
    link = re.search(r'<a href="(/applications/\?jurisdiction=MY-12&amp;state=loa_review&amp;created_from=[0-9-]+)">1</a>', html)
    assert link, "the period's single LoA review is not counted and linked"
    listed = client.get(link.group(1).replace("&amp;", "&")).content.decode()
    assert new.reference in listed and old.reference not in listed
    csv_text = b"".join(client.get("/dashboard/export.csv", {"created_from": start}).streaming_content).decode("utf-8-sig")
    assert "MYS,MY-12,Sabah,loa_review,1" in csv_text
    everything = b"".join(client.get("/dashboard/export.csv").streaming_content).decode("utf-8-sig")
    assert "MYS,MY-12,Sabah,loa_review,2" in everything


def test_a_period_that_ends_before_it_starts_is_refused_on_the_page_and_in_the_csv(federal_approver):
    client = Client()
    client.force_login(federal_approver)
    response = client.get("/dashboard/", {"created_from": "2026-06-01", "created_to": "2026-01-01"})
    assert response.status_code == 400 and "The end of the period cannot be before its start." in response.content.decode()
    assert client.get("/dashboard/export.csv", {"created_from": "2026-06-01", "created_to": "2026-01-01"}).status_code == 400
