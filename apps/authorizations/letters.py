"""The Letter of Authorization as a document: its PDF, and the public check of a fingerprint."""
from __future__ import annotations

from dataclasses import dataclass

import segno
from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse

from .deadlines import jurisdiction_timezone
from .models import LetterOfAuthorization


def verification_path(letter: LetterOfAuthorization) -> str:
    """Where anyone can check that a letter with this fingerprint was issued and is in force."""
    return reverse("letter-check", kwargs={"fingerprint": letter.fingerprint})


def letter_languages(party) -> list[str]:
    """The host Party's official language beside English (configured per Party), or English alone."""
    second = party.letter_language
    return [second, "en"] if second and second != "en" else ["en"]


@dataclass(frozen=True)
class Signatory:
    name: str
    title: str


def signatory(user) -> Signatory:
    """The officer as the letter names them: full name and job title; the username only when no name is set."""
    profile = getattr(user, "profile", None) if user.pk else None
    return Signatory(name=user.get_full_name() or user.get_username(), title=profile.title if profile else "")


def qr_data_uri(url: str) -> str:
    """The check address as a QR code, a PNG data URI: WeasyPrint embeds it without fetching anything."""
    return segno.make(url, error="m").png_data_uri(scale=4, border=4)


def render_letter_html(letter: LetterOfAuthorization, *, base_url: str = "") -> str:
    """The letter in the host Party's language and English side by side, whatever the reader's own language."""
    application = letter.application
    # A scanned QR code must work off the page, so it always carries the full address.
    verification_url = (base_url or settings.SITE_URL).rstrip("/") + verification_path(letter)
    return render_to_string("letters/letter_of_authorization.html", {
        "letter": letter,
        "application": application,
        "host_party": application.host_party,
        "languages": letter_languages(application.host_party),
        "verification_url": verification_url,
        "qr_code": qr_data_uri(verification_url),
        "signatory": signatory(letter.issued_by),
        "letter_timezone": jurisdiction_timezone(letter.issuing_authority.jurisdiction).key,
    })


def render_letter_pdf(letter: LetterOfAuthorization, *, base_url: str = "") -> bytes:
    """The signed-letter rendering (WeasyPrint); imported lazily, since only this needs its native libraries."""
    from weasyprint import HTML

    return HTML(string=render_letter_html(letter, base_url=base_url)).write_pdf()


def _specimen_letter() -> LetterOfAuthorization:
    """An unsaved letter with unsaved relations: renders the real template without touching the database."""
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from apps.governance.models import Authority, Jurisdiction, Party, ProponentOrganisation

    from .models import Application

    party = Party(code="XXX", name="Specimen Party")
    application = Application(reference="SPECIMEN", title="Specimen activity", host_party=party,
                              organisation=ProponentOrganisation(name="Specimen organisation"))
    return LetterOfAuthorization(application=application, number="SPECIMEN", issuing_authority=Authority(name="Specimen authority", jurisdiction=Jurisdiction(code="XX", party=party)),
                                 issued_by=get_user_model()(username="specimen"), issued_at=timezone.now(),
                                 authorized_quantity=1, vintage_from=2026, vintage_to=2026, purposes="ndc",
                                 first_transfer_definition="authorization", acquiring_parties=["YYY"], fingerprint="0" * 64)


def warm_letter_rendering() -> float:
    """Render a specimen letter once, so this process's first real letter skips WeasyPrint's start-up; seconds taken.

    The first render loads fontconfig, Pango, WeasyPrint's user-agent stylesheets and the template (about 2 s).
    """
    import time

    start = time.perf_counter()
    render_letter_pdf(_specimen_letter())
    return time.perf_counter() - start


@dataclass(frozen=True)
class LetterCheck:
    letter: LetterOfAuthorization | None

    @property
    def issued(self) -> bool:
        return self.letter is not None

    @property
    def in_force(self) -> bool:
        return self.letter is not None and self.letter.in_force

    @property
    def status(self) -> str:
        return self.letter.status if self.letter is not None else ""


def normalise_fingerprint(text: str) -> str:
    """What was pasted, without the spaces, line breaks and case a PDF viewer's copy adds."""
    return "".join((text or "").split()).lower()


def is_fingerprint(text: str) -> bool:
    """64 hexadecimal digits: the shape of a SHA-256 fingerprint (issued or not)."""
    return len(text) == 64 and all(c in "0123456789abcdef" for c in text)


def check_fingerprint(fingerprint: str) -> LetterCheck:
    """Look a letter up by its SHA-256 fingerprint (what a buyer or registry would paste)."""
    fingerprint = normalise_fingerprint(fingerprint)
    letter = (
        LetterOfAuthorization.objects.select_related("application__host_party", "issuing_authority")
        .filter(fingerprint=fingerprint)
        .first()
        if len(fingerprint) == 64
        else None
    )
    return LetterCheck(letter)
