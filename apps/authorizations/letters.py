"""The Letter of Authorization as a document: its PDF, and the public check of a fingerprint."""
from __future__ import annotations

from dataclasses import dataclass

from django.template.loader import render_to_string
from django.urls import reverse

from .models import LetterOfAuthorization


def verification_path(letter: LetterOfAuthorization) -> str:
    """Where anyone can check that a letter with this fingerprint was issued and is in force."""
    return reverse("letter-check", kwargs={"fingerprint": letter.fingerprint})


def render_letter_html(letter: LetterOfAuthorization, *, base_url: str = "") -> str:
    application = letter.application
    return render_to_string("letters/letter_of_authorization.html", {
        "letter": letter,
        "application": application,
        "host_party": application.host_party,
        "verification_url": base_url.rstrip("/") + verification_path(letter),
    })


def render_letter_pdf(letter: LetterOfAuthorization, *, base_url: str = "") -> bytes:
    """The signed-letter rendering (WeasyPrint); imported lazily, since only this needs its native libraries."""
    from weasyprint import HTML

    return HTML(string=render_letter_html(letter, base_url=base_url)).write_pdf()


@dataclass(frozen=True)
class LetterCheck:
    letter: LetterOfAuthorization | None

    @property
    def issued(self) -> bool:
        return self.letter is not None

    @property
    def in_force(self) -> bool:
        return self.letter is not None and self.letter.revoked_at is None


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
