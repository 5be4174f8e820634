"""The whole Malaysia journey by clicking, in a real browser, in English and in Bahasa Melayu."""
from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from apps.authorizations.models import Application
from ..pdf_corpus import CLEAN as CLEAN_PDF

pytestmark = pytest.mark.usefixtures("seeded_transactional_db")

PDF_BYTES = CLEAN_PDF  # a minimal PDF the parser reads as one page

TEXT = {
    "en": {"queue": "My queue", "authorized": "Authorized", "recorded": "Recorded", "ca_review": "CA review",
           "loa_review": "LoA review", "new": "New application"},
    "ms": {"queue": "Baris gilir saya", "authorized": "Dibenarkan", "recorded": "Direkodkan", "ca_review": "Semakan CA",
           "loa_review": "Semakan LoA", "new": "Permohonan baharu"},
}


class Journey:
    def __init__(self, page, base_url: str, folder):
        self.page, self.base_url, self.folder, self.step = page, base_url, folder, 0

    def shot(self, name: str) -> None:
        self.step += 1
        self.page.screenshot(path=str(self.folder / f"{self.step:02d}-{name}.png"), full_page=True)

    def sign_in(self, username: str) -> None:
        self.page.goto(self.base_url + "/accounts/login/")
        self.page.fill("#id_username", username)
        self.page.fill("#id_password", "demo")
        self.page.click("main form button[type=submit]")

    def sign_out(self) -> None:
        self.page.click(".who form button")


@pytest.mark.parametrize("language", ["en", "ms"])
def test_the_malaysia_journey_by_clicking(page, live_server, screenshot_dir, language):
    text = TEXT[language]
    folder = screenshot_dir / language
    folder.mkdir(exist_ok=True)
    journey = Journey(page, live_server.url, folder)
    page.set_viewport_size({"width": 1280, "height": 900})

    # The language switcher on the sign-in page.
    page.goto(live_server.url + "/accounts/login/")
    page.select_option("#language-select", language)
    page.click(".language button")
    assert page.locator("html").get_attribute("lang") == language
    journey.shot("sign-in")

    # The proponent creates a Sabah application, attaches a document and submits it.
    journey.sign_in("proponent")
    page.click(f"text={text['new']}")
    page.select_option("#id_host_party", "MYS")
    page.click("main form button[type=submit]")
    page.fill("#id_title", "Kinabatangan corridor restoration")
    page.select_option("#id_jurisdiction", "MY-12")
    page.check("input[name=acquiring_parties][value=KOR]")
    page.fill("#id_sector", "Forestry and other land use")
    page.fill("#id_mitigation_type", "Removal")
    page.fill("#id_activity_type", "Afforestation, reforestation and revegetation")
    page.fill("#id_requested_quantity", "40000")
    page.fill("#id_vintage_from", "2026")
    page.fill("#id_vintage_to", "2028")
    page.select_option("#id_purposes", "NDC")
    page.select_option("#id_first_transfer_definition", "First international transfer")
    journey.shot("proponent-form")
    page.click("main form button[type=submit]")
    reference = Application.objects.get(title="Kinabatangan corridor restoration").reference
    page.set_input_files("#id_file", files=[{"name": "map.pdf", "mimeType": "application/pdf", "buffer": PDF_BYTES}])
    page.fill("#id_title", "Project map")
    page.click("form[enctype] button[type=submit]")
    assert page.locator(".documents").inner_text().count("Project map") == 1
    page.click("form.decision-submit button")
    page.click("form.confirm-decision button[type=submit]")  # the check-and-confirm step
    assert page.locator("#application-state").inner_text() == text["loa_review"]
    journey.shot("proponent-submitted")
    journey.sign_out()

    # The Sabah approver finds it in the queue and issues the LoA.
    journey.sign_in("sabah.approver")
    assert page.locator("h1").inner_text() == text["queue"]
    journey.shot("sabah-queue")
    page.click(f"text={reference}")
    assert page.input_value("#id_issue_loa-authorized_quantity") == "40000"
    journey.shot("sabah-application")
    page.click("form.decision-issue_loa button")
    page.click("form.confirm-decision button[type=submit]")  # the check-and-confirm step
    assert text["recorded"] in page.locator(".messages").inner_text()
    assert page.locator("#application-state").inner_text() == text["ca_review"]
    journey.shot("sabah-issued")
    journey.sign_out()

    # The federal approver approves the corresponding adjustment.
    journey.sign_in("federal.approver")
    page.click(f"text={reference}")
    page.click("form.decision-approve_ca button")
    page.click("form.confirm-decision button[type=submit]")  # the check-and-confirm step
    assert page.locator("#application-state").inner_text() == text["authorized"]
    journey.shot("federal-approved")
    journey.sign_out()

    # The proponent sees "authorized" and downloads the letter.
    journey.sign_in("proponent")
    page.goto(f"{live_server.url}/applications/{reference}/")
    assert page.locator("#application-state").inner_text() == text["authorized"]
    journey.shot("proponent-authorized")
    with page.expect_download() as download:
        page.click("#download-loa")
    pdf = PdfReader(io.BytesIO(open(download.value.path(), "rb").read()))
    content = "".join(p.extract_text() for p in pdf.pages).replace("\n", "")
    assert reference in content and "40,000" in content
    # Anyone can check the letter.
    letter = Application.objects.get(reference=reference).loa
    page.goto(f"{live_server.url}/letters/check/{letter.fingerprint}/")
    assert page.locator(".check-ok").count() == 1
    journey.shot("letter-check")
