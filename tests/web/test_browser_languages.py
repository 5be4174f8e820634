"""Each language end to end in a real browser: an officer who chose it finds no English UI text left on the queue or
the application page. "English" means any msgid of the catalogue, except where the translator kept the word, alone or in a phrase (a
code, a loanword) and the proper names below."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.utils.translation import to_locale

from apps.accounts.models import Profile
from tests.factories import make_application

pytestmark = pytest.mark.usefixtures("seeded_transactional_db")

LANGUAGES = ["ms", "id", "th", "vi", "zh-hant"]
# Names and codes that are English in every language: they are what the thing is called, not UI text.
PROPER_NAMES = {"Tierflow", "URL", "SLA (days)", "SHA-256", "Token"}
PLACEHOLDER = re.compile(r"%\((\w+)\)s|%%")


def catalogue(code: str) -> dict[str, str]:
    """msgid (and msgid_plural) → msgstr of the language's .po (the header left out)."""
    text = Path(f"locale/{to_locale(code)}/LC_MESSAGES/django.po").read_text(encoding="utf-8")
    entries: dict[str, str] = {}
    for block in text.split("\n\n"):
        msgid = re.search(r'^msgid "(.*)"$', block, re.M)
        msgstr = re.search(r'^msgstr(?:\[0\])? "(.*)"$', block, re.M)
        plural = re.search(r'^msgid_plural "(.*)"$', block, re.M)
        if msgid and msgstr and msgid.group(1):
            for english in (msgid, plural) if plural else (msgid,):
                entries[english.group(1).replace('\\"', '"')] = msgstr.group(1).replace('\\"', '"')
    return entries


def english_patterns(code: str) -> list[tuple[str, re.Pattern]]:
    """One pattern per English msgid worth looking for: placeholders match any text, words match whole words only."""
    patterns = []
    for msgid, msgstr in catalogue(code).items():
        literal = PLACEHOLDER.sub("", msgid)
        if msgid in msgstr or msgid in PROPER_NAMES or len(re.sub(r"\W", "", literal)) < 2 or "<" in msgid:
            continue
        parts = [re.escape(part) for part in PLACEHOLDER.split(msgid)[::2]]
        body = r".{1,80}?".join(parts)
        patterns.append((msgid, re.compile(rf"(?<!\w){body}(?!\w)")))
    return patterns


def english_left(text: str, patterns) -> list[str]:
    return sorted({msgid for msgid, pattern in patterns if pattern.search(text)})


@pytest.mark.parametrize("language", LANGUAGES)
def test_an_officer_reading_their_own_language_finds_no_english_ui_text(page, live_server, screenshot_dir, language):
    folder = screenshot_dir / language
    folder.mkdir(exist_ok=True)
    proponent = get_user_model().objects.get(username="proponent")
    application = make_application(proponent, state="loa_review", title="Ulu Segama", description="")
    Profile.objects.filter(user__username="sabah.approver").delete()  # a first sign-in: the switcher's choice is kept
    patterns = english_patterns(language)
    assert english_left("Stages waiting for a decision: 3 days left", patterns) == ["%(days)s days left", "Stages waiting for a decision"]
    page.set_viewport_size({"width": 1280, "height": 900})

    page.goto(live_server.url + "/accounts/login/")
    page.select_option("#language-select", language)
    page.click(".language button")
    assert page.locator("html").get_attribute("lang") == language
    page.screenshot(path=str(folder / "01-sign-in.png"), full_page=True)
    assert english_left(page.inner_text("main"), patterns) == []

    page.fill("#id_username", "sabah.approver")
    page.fill("#id_password", "demo")
    page.click("main form button[type=submit]")
    assert page.url.rstrip("/").endswith("/queue") or page.locator(f"text={application.reference}").count()
    page.screenshot(path=str(folder / "02-queue.png"), full_page=True)
    assert english_left(page.inner_text("body"), patterns) == []
    assert Profile.objects.get(user__username="sabah.approver").language == language

    page.click(f"text={application.reference}")
    page.wait_for_selector("#application-state")
    page.screenshot(path=str(folder / "03-application.png"), full_page=True)
    assert english_left(page.inner_text("body"), patterns) == []
