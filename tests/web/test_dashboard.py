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
