"""Case work in a real browser (Debian Chromium): errors that show and take focus, confirmations, links that land."""
from __future__ import annotations

from pathlib import Path

import pytest

from apps.authorizations.models import Application
from tests.factories import make_application

pytestmark = pytest.mark.usefixtures("seeded_transactional_db")


def sign_in(page, base_url: str, username: str) -> None:
    page.goto(base_url + "/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "demo")
    page.click("main form button[type=submit]")


def in_viewport(page, selector: str) -> bool:
    return page.evaluate("""(selector) => {
        const box = document.querySelector(selector).getBoundingClientRect();
        return box.top >= -2 && box.bottom <= window.innerHeight + 2;  // sub-pixel scroll positions
    }""", selector)


def test_on_a_phone_a_refused_decision_shows_the_summary_focused_and_its_link_reaches_the_box(page, live_server, screenshot_dir):
    from django.contrib.auth import get_user_model

    application = make_application(get_user_model().objects.get(username="proponent"), state="loa_review")
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, live_server.url, "sabah.approver")
    page.goto(f"{live_server.url}/applications/{application.reference}/")
    page.click("form.decision-reject button[type=submit]")

    assert page.title().startswith("Error: ")
    focused = page.evaluate("document.activeElement.className")
    assert "error-summary" in focused
    assert in_viewport(page, ".error-summary")
    assert "Enter the reason for rejecting" in page.locator(".error-summary").inner_text()
    page.screenshot(path=str(screenshot_dir / "mobile-error-summary.png"))

    page.click(".error-summary a[href='#id_reject-comment']")
    assert page.evaluate("document.activeElement.id") == "id_reject-comment"
    assert in_viewport(page, "#id_reject-comment")
    assert in_viewport(page, "label[for='id_reject-comment']")
    # The focus ring is drawn: an outline on the focused box.
    assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") == "solid"
    assert Application.objects.get(pk=application.pk).state == "loa_review"


def test_issuing_a_letter_goes_through_a_check_page_before_anything_is_recorded(page, live_server, screenshot_dir):
    from django.contrib.auth import get_user_model

    application = make_application(get_user_model().objects.get(username="proponent"), state="loa_review")
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page, live_server.url, "sabah.approver")
    page.goto(f"{live_server.url}/applications/{application.reference}/")
    page.fill("#id_issue_loa-authorized_quantity", "2500")
    page.fill("#id_issue_loa-comment", "Within the State quota.")
    page.click("form.decision-issue_loa button[type=submit]")

    assert page.locator("h1").inner_text() == "Check before you issue the Letter of Authorization"
    assert "2,500 tCO2e" in page.locator(".consequences").inner_text()
    assert "Within the State quota." in page.locator("dl.details").inner_text()
    page.screenshot(path=str(screenshot_dir / "confirm-issue-letter.png"), full_page=True)
    assert Application.objects.get(pk=application.pk).state == "loa_review"

    page.click("form.confirm-decision button[type=submit]")
    assert "Recorded" in page.locator(".messages").inner_text()
    assert page.locator("#application-state").inner_text() == "CA review"
    assert Application.objects.get(pk=application.pk).loa.authorized_quantity == 2500


def _offline(page, base_url: str) -> list[str]:
    """Abort every request that leaves the site (the network is blocked); return the addresses refused."""
    refused = []

    def route(route):
        if route.request.url.startswith(base_url):
            route.continue_()
        else:
            refused.append(route.request.url)
            route.abort()

    page.context.route("**/*", route)
    return refused


def _csp_violations(page) -> list[str]:
    violations = []
    page.on("console", lambda message: violations.append(message.text)
            if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text else None)
    return violations


@pytest.mark.parametrize("path,ready", [("/api/docs/", ".swagger-ui .opblock-tag"), ("/api/redoc/", "[role=search], .api-content")])
def test_the_api_docs_render_with_the_network_blocked_and_nothing_refused_by_the_csp(page, live_server, path, ready, screenshot_dir):
    refused = _offline(page, live_server.url)
    violations = _csp_violations(page)
    page.goto(live_server.url + path)
    page.wait_for_selector(ready, timeout=15000)
    assert "applications" in page.content().lower()
    # ReDoc's "by Redocly" logo comes from its CDN: the policy blocks it and ReDoc removes the image on the error.
    violations = [text for text in violations if "cdn.redoc.ly/redoc/logo-mini.svg" not in text]
    assert refused == [] and violations == [], (refused, violations)
    page.screenshot(path=str(screenshot_dir / f"api-docs{path.strip('/').replace('/', '-')}.png"))


def test_a_notification_link_opens_its_application_and_marks_it_read(page, live_server):
    from django.contrib.auth import get_user_model

    from apps.notifications.models import Channel, DeliveryStatus, Notification
    from apps.notifications.services import deliver_notification

    proponent = get_user_model().objects.get(username="proponent")
    application = make_application(proponent, state="ca_review", title="Upper Kinabatangan forest conservation")
    for pk in Notification.objects.filter(status=DeliveryStatus.PENDING, channel=Channel.IN_APP).values_list("pk", flat=True):
        deliver_notification(pk)
    subject = "Sabah Forestry Department issued the Letter of Authorization for Upper Kinabatangan forest conservation"

    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, live_server.url, "proponent")
    page.goto(live_server.url + "/notifications/")
    unread_before = int(page.locator("#unread-count").inner_text().split()[0])
    assert unread_before >= 1
    page.click(f"text={subject}")

    assert page.url == f"{live_server.url}/applications/{application.reference}/"
    assert page.locator("h1").inner_text() == "Upper Kinabatangan forest conservation"
    assert page.locator("#unread-count").inner_text().startswith("0 ")
    assert not Notification.objects.filter(recipient=proponent, application=application, channel=Channel.IN_APP,
                                           read_at__isnull=True).exists()
    page.goto(live_server.url + "/notifications/")
    assert page.locator(".notifications li.unread").count() == 0


def test_a_filtered_list_is_a_link_and_downloads_as_csv(page, live_server):
    import csv
    import io

    from django.contrib.auth import get_user_model

    proponent = get_user_model().objects.get(username="proponent")
    kept = make_application(proponent, state="ca_review", title="Sandakan mangrove")
    make_application(proponent, state="loa_review", title="Kinabatangan corridor")
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page, live_server.url, "sabah.approver")
    page.goto(live_server.url + "/applications/")
    page.fill("#id_q", "mangrove")
    page.click("form.filters button[type=submit]")
    assert "q=mangrove" in page.url
    assert page.locator("table tbody tr").count() == 1
    with page.expect_download() as download:
        page.click("#export-csv")
    rows = list(csv.reader(io.StringIO(open(download.value.path(), encoding="utf-8-sig").read())))
    assert [row[0] for row in rows[1:]] == [kept.reference]


def test_the_dashboard_drills_down_from_a_count_to_its_cases_on_a_phone(page, live_server, screenshot_dir):
    from django.contrib.auth import get_user_model

    proponent = get_user_model().objects.get(username="proponent")
    reviewed = make_application(proponent, state="loa_review", title="Segama peat")
    make_application(proponent, state="ca_review", title="Tawau hills")
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, live_server.url, "federal.approver")
    page.goto(live_server.url + "/dashboard/")
    page.screenshot(path=str(screenshot_dir / "mobile-dashboard.png"), full_page=True)
    assert page.locator("svg .bar-value").first.inner_html() != ""
    page.click("a[href='/applications/?jurisdiction=MY-12&state=loa_review']")
    assert page.locator("#id_state").input_value() == "loa_review"
    rows = page.locator("table tbody tr")
    assert rows.count() == 1 and reviewed.reference in rows.first.inner_text()


AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"


def _serious_violations(page) -> list[str]:
    # evaluate() runs through the DevTools protocol, which the page's CSP does not govern (no inline script is added).
    page.evaluate(AXE.read_text())
    result = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
    return [f"{v['id']} ({v['impact']}): {v['nodes'][0]['target']}" for v in result["violations"]
            if v["impact"] in ("serious", "critical")]


@pytest.mark.parametrize("width", [1280, 390])
def test_axe_finds_no_serious_violation_on_the_queue_application_decision_and_dashboard(page, live_server, width):
    if not AXE.exists():
        pytest.skip("axe-core is not installed (make browser-tools runs npm ci)")
    from django.contrib.auth import get_user_model

    application = make_application(get_user_model().objects.get(username="proponent"), state="loa_review")
    page.set_viewport_size({"width": width, "height": 900})
    found = {}
    sign_in(page, live_server.url, "sabah.approver")
    page.goto(live_server.url + "/queue/")
    found["queue"] = _serious_violations(page)
    page.goto(f"{live_server.url}/applications/{application.reference}/")
    found["application"] = _serious_violations(page)
    page.click("form.decision-reject button[type=submit]")  # the refused decision, with its error summary
    found["decision error"] = _serious_violations(page)
    page.goto(f"{live_server.url}/applications/{application.reference}/")
    page.click("form.decision-issue_loa button[type=submit]")
    found["decision check page"] = _serious_violations(page)
    page.click(".who form button")
    sign_in(page, live_server.url, "federal.approver")
    page.goto(live_server.url + "/dashboard/")
    found["dashboard"] = _serious_violations(page)
    assert {name: v for name, v in found.items() if v} == {}


def test_an_officer_claims_a_case_and_a_supervisor_reassigns_it(page, live_server):
    from django.contrib.auth import get_user_model

    from apps.authorizations.models import Stage

    application = make_application(get_user_model().objects.get(username="proponent"), state="loa_review")
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, live_server.url, "sabah.reviewer")
    page.goto(f"{live_server.url}/applications/{application.reference}/")
    assert page.locator("#case-owner").inner_text() == "Nobody has this case yet."
    page.click("#claim-case")
    assert page.locator("#case-owner").inner_text() == "Farah Gimbang has this case."
    page.goto(live_server.url + "/cases/mine/")
    assert application.reference in page.locator("table").inner_text()
    page.click(".who form button")

    Stage.objects.filter(application=application, closed_at__isnull=True).update(escalation_level=1)
    sign_in(page, live_server.url, "sabah.supervisor")
    page.click(f"text={application.reference}")  # from the supervisor's queue of escalated work
    page.select_option("#id_assignee", label="Aminah Binti Yusof")
    page.click("#assign-case")
    assert page.locator("#case-owner").inner_text() == "Aminah Binti Yusof has this case."
