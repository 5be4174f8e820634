"""An auditor's check of one letter: its fingerprint recomputed, and its terms against the audit chain."""
from __future__ import annotations

from dataclasses import dataclass, field

from apps.audit.models import AuditEvent

from .models import LetterOfAuthorization
from .services import letter_fingerprint
from .workflow import APPLICATION


@dataclass
class LetterResult:
    number: str = ""
    ok: bool = False
    revoked: bool = False
    problem: str = ""
    lines: list[str] = field(default_factory=list)


def letter_content(letter: LetterOfAuthorization) -> dict:
    """The fields the fingerprint was computed over when the letter was issued (see services.issue_loa)."""
    return {
        "number": letter.number, "version": letter.version, "application": letter.application.reference, "host_party": letter.application.host_party_id,
        "issuing_authority": letter.issuing_authority.name, "issued_at": letter.issued_at.isoformat(),
        "authorized_quantity": letter.authorized_quantity, "vintage_from": letter.vintage_from, "vintage_to": letter.vintage_to,
        "purposes": letter.purposes, "first_transfer_definition": letter.first_transfer_definition,
        "acquiring_parties": list(letter.acquiring_parties),
    }


def check_letter(number_or_fingerprint: str) -> LetterResult:
    key = (number_or_fingerprint or "").strip()
    letter = (LetterOfAuthorization.objects.select_related("application", "issuing_authority", "issued_by")
              .filter(number=key).first() or LetterOfAuthorization.objects.filter(fingerprint=key.lower()).first())
    if letter is None:
        return LetterResult(problem="no such letter")
    result = LetterResult(number=letter.number, revoked=letter.status == "revoked")
    recomputed = letter_fingerprint(letter_content(letter))
    result.lines.append(f"fingerprint stored     {letter.fingerprint}")
    result.lines.append(f"fingerprint recomputed {recomputed}")
    if recomputed != letter.fingerprint:
        result.problem = "its content no longer matches its fingerprint (edited after issue, or the authority renamed)"
        return result
    event = AuditEvent.objects.filter(event=APPLICATION["issue_loa"].event, subject_id=letter.application.reference,
                                      data__loa=letter.number).first()
    if event is None:
        result.problem = "no audit event records its issue"
        return result
    result.lines.append(f"audit event #{event.seq} by {event.actor_username} at {event.at.isoformat()}")
    recorded = (event.data.get("authorized_quantity"), event.data.get("vintage_from"), event.data.get("vintage_to"), event.at)
    on_letter = (letter.authorized_quantity, letter.vintage_from, letter.vintage_to, letter.issued_at)
    if recorded != on_letter:
        result.problem = f"the letter says {on_letter[:3]} at {on_letter[3]}, the audit event {recorded[:3]} at {recorded[3]}"
        return result
    if event.actor_username != getattr(letter.issued_by, "username", None):
        result.problem = f"issued by {letter.issued_by} but the audit event names {event.actor_username}"
        return result
    result.ok = True
    return result
