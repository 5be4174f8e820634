"""The public register in a real browser (Debian Chromium), signed out: filter by Party, follow a letter to its check."""
from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from tests.factories import make_application

pytestmark = pytest.mark.usefixtures("seeded_transactional_db")


def test_a_reader_filters_the_register_by_party_and_checks_a_letter(page, live_server, screenshot_dir):
    application = make_application(get_user_model().objects.get(username="proponent"), state="authorized",
                                   title="Sabah mangrove restoration")
    letter = application.loa
    page.goto(live_server.url + "/register/")
    assert page.locator("table.register tbody tr").count() == 1

    page.select_option("#id_party", "IDN")
    page.click("form.filters button[type=submit]")
    assert "party=IDN" in page.url
    assert page.locator("table.register").count() == 0

    page.select_option("#id_party", "MYS")
    page.click("form.filters button[type=submit]")
    row = page.locator("table.register tbody tr", has_text=letter.number)
    assert row.count() == 1 and "In force" in row.inner_text()
    page.screenshot(path=str(screenshot_dir / "register-filtered.png"), full_page=True)

    row.locator("a.fingerprint").click()
    page.wait_for_url(f"**/letters/check/{letter.fingerprint}/")
    assert "Genuine and in force." in page.locator("main").inner_text()
