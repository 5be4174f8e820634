"""The public register: issued letters each host Party chose to publish, and nothing about the people behind them.

Reads only LetterOfAuthorization (a letter exists once issued, so drafts and applications under review never
appear) and the application's public terms; never documents, comments, users or organisations.
"""
from __future__ import annotations

import base64
import hashlib
import binascii
import json
from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Max, Q, QuerySet, Sum
from django.db.models.functions import ExtractYear
from django.utils.translation import gettext as _

from apps.authorizations.models import LetterOfAuthorization, LetterStatus, Mechanism
from apps.governance.models import Party, RegisterPublication
from apps.ledger.selectors import adjustments_for, party_zone

# What each publication choice shows; the default is the decided authorizations, in force or revoked.
PUBLISHED_STATUSES: dict[str, tuple[str, ...]] = {
    RegisterPublication.NONE: (),
    RegisterPublication.DECIDED: (LetterStatus.IN_FORCE, LetterStatus.REVOKED),
    RegisterPublication.ALL: (LetterStatus.IN_FORCE, LetterStatus.PENDING_CORRESPONDING_ADJUSTMENT, LetterStatus.LAPSED,
                              LetterStatus.REVOKED, LetterStatus.SUPERSEDED),
}

# The columns a row reads: the letter's terms and the application's public description (its state only because
# django-fsm reads it on load), no person, no document.
FIELDS = [
    "id", "number", "version", "status", "status_changed_at", "issued_at", "authorized_quantity", "vintage_from",
    "vintage_to", "purposes", "first_transfer_definition", "acquiring_parties", "fingerprint", "ca_approved_at",
    "revoked_at", "issuing_authority__id", "issuing_authority__name", "issuing_authority__short_name",
    "application__id", "application__state", "application__title", "application__mechanism", "application__cooperative_approach_id",
    "application__approach__id", "application__approach__code", "application__approach__unfccc_id",
    "application__host_party__code", "application__host_party__name",
]

# Sort keys a reader may choose: each is a column plus the id, so the keyset is unique.
SORTS = {
    "-issued": ("issued_at", True),
    "issued": ("issued_at", False),
    "-quantity": ("authorized_quantity", True),
    "quantity": ("authorized_quantity", False),
    "number": ("number", False),
}
DEFAULT_SORT = "-issued"


class BadCursor(ValueError):
    """A cursor this register did not hand out (edited, truncated, or from another sort)."""


def publication() -> dict[str, str]:
    """Each Party's publication choice (a few hundred rows at most), read first so the letters' query needs no join
    to the Parties and can walk its sort index."""
    return dict(Party.objects.order_by("code").values_list("code", "register_publication"))


def publication_filter(choices: dict[str, str] | None = None) -> Q:
    choices = publication() if choices is None else choices
    allowed = Q(pk__in=[])
    for choice, statuses in PUBLISHED_STATUSES.items():
        codes = [code for code, chosen in choices.items() if chosen == choice]
        if statuses and codes:
            allowed |= Q(application__host_party_id__in=codes, status__in=statuses)
    return allowed


def published_letters() -> QuerySet:
    return (LetterOfAuthorization.objects.filter(publication_filter())
            .select_related("application__host_party", "application__approach", "issuing_authority").only(*FIELDS))


@dataclass(frozen=True)
class RegisterFilters:
    party: str = ""
    status: str = ""
    acquiring: str = ""
    year: int | None = None
    mechanism: str = ""
    q: str = ""
    sort: str = DEFAULT_SORT


def parse_filters(params) -> tuple[RegisterFilters, dict[str, list[str]]]:
    """The query string as filters, and what was refused (shown to the reader, a 400 in the API)."""
    errors: dict[str, list[str]] = {}

    def code(name: str) -> str:
        value = (params.get(name) or "").strip().upper()
        if value and not (len(value) == 3 and value.isalpha()):
            errors[name] = [_("Use the Party's three-letter code.")]
            return ""
        return value

    status = (params.get("status") or "").strip()
    if status and status not in LetterStatus.values:
        errors["status"] = [_("Choose one of the statuses listed.")]
        status = ""
    mechanism = (params.get("mechanism") or "").strip()
    if mechanism and mechanism not in Mechanism.values:
        errors["mechanism"] = [_("Choose one of the mechanisms listed.")]
        mechanism = ""
    year = None
    raw_year = (params.get("year") or "").strip()
    if raw_year:
        if raw_year.isdigit() and 1990 <= int(raw_year) <= 2100:
            year = int(raw_year)
        else:
            errors["year"] = [_("Enter a year between 1990 and 2100.")]
    sort = (params.get("sort") or DEFAULT_SORT).strip()
    if sort not in SORTS:
        errors["sort"] = [_("Choose one of the orders listed.")]
        sort = DEFAULT_SORT
    q = (params.get("q") or "").strip()[:100].replace("\x00", "")
    return RegisterFilters(party=code("party"), status=status, acquiring=code("acquiring"), year=year,
                           mechanism=mechanism, q=q, sort=sort), errors


def filtered(filters: RegisterFilters) -> QuerySet:
    letters = published_letters()
    if filters.party:
        letters = letters.filter(application__host_party_id=filters.party)
    if filters.status:
        letters = letters.filter(status=filters.status)
    if filters.acquiring:
        if connection.vendor == "postgresql":
            letters = letters.filter(acquiring_parties__contains=[filters.acquiring])
        else:  # SQLite (`make run`) has no JSON containment: the code as a quoted list item
            letters = letters.filter(acquiring_parties__icontains=f'"{filters.acquiring}"')
    if filters.year:
        letters = letters.filter(issued_at__year=filters.year)
    if filters.mechanism:
        letters = letters.filter(application__mechanism=filters.mechanism)
    if filters.q:
        letters = letters.filter(Q(application__title__icontains=filters.q) | Q(number__icontains=filters.q))
    return letters


def ordered(letters: QuerySet, sort: str) -> QuerySet:
    column, descending = SORTS[sort]
    return letters.order_by(f"-{column}", "-id") if descending else letters.order_by(column, "id")


def encode_cursor(sort: str, letter: LetterOfAuthorization) -> str:
    column, _descending = SORTS[sort]
    value = getattr(letter, column)
    payload = [sort, value.isoformat() if isinstance(value, datetime) else value, letter.pk]
    return base64.urlsafe_b64encode(json.dumps(payload, separators=(",", ":")).encode()).decode().rstrip("=")


def after_cursor(letters: QuerySet, sort: str, cursor: str) -> QuerySet:
    """The rows after the cursor's (value, id) in the sort's order: an index range, however deep the page."""
    column, descending = SORTS[sort]
    try:
        payload = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        cursor_sort, value, pk = payload
        if cursor_sort != sort or not isinstance(pk, int) or isinstance(pk, bool):
            raise BadCursor
        value = LetterOfAuthorization._meta.get_field(column).to_python(value)
        if value is None:
            raise BadCursor
    except (ValueError, TypeError, binascii.Error, ValidationError) as error:
        raise BadCursor from error
    if descending:
        return letters.filter(Q(**{f"{column}__lt": value}) | Q(**{column: value}, id__lt=pk))
    return letters.filter(Q(**{f"{column}__gt": value}) | Q(**{column: value}, id__gt=pk))


@dataclass
class RegisterPage:
    letters: list
    next_cursor: str
    filters: RegisterFilters


def register_page(filters: RegisterFilters, cursor: str = "", size: int = 50) -> RegisterPage:
    """One page in one query: size + 1 rows tell whether a next page exists."""
    letters = ordered(filtered(filters), filters.sort)
    if cursor:
        letters = after_cursor(letters, filters.sort, cursor)
    rows = list(letters[: size + 1])
    next_cursor = encode_cursor(filters.sort, rows[size - 1]) if len(rows) > size else ""
    return RegisterPage(letters=rows[:size], next_cursor=next_cursor, filters=filters)


def iter_letters(filters: RegisterFilters, chunk_size: int = 1000):
    """Every row of the filtered view, read in keyset chunks: memory holds one chunk, whatever the total."""
    cursor = ""
    while True:
        page = register_page(filters, cursor, size=chunk_size)
        letters, cursor = page.letters, page.next_cursor
        page = None
        yield from letters
        letters = None  # released before the next chunk is fetched, so two chunks are never held at once
        if not cursor:
            return


@dataclass(frozen=True)
class Freshness:
    last_modified: datetime | None
    version: str  # what else moves the view: the Parties' publication choices, the ledger

    @property
    def etag(self) -> str:
        return f"{self.version}-{self.last_modified.timestamp() if self.last_modified else 0}"


def freshness(letters: QuerySet) -> Freshness:
    """The latest issue or status change among the rows, and what the Parties publish: a mirror's conditional GET
    compares them. Index lookups, not a count of the rows."""
    choices = publication()
    # Each latest value read down its own index (one MAX over both would scan every row).
    issued = letters.order_by("-issued_at").values_list("issued_at", flat=True).first()
    changed = (letters.filter(status_changed_at__isnull=False).order_by("-status_changed_at")
               .values_list("status_changed_at", flat=True).first())
    values = [v for v in (issued, changed) if v is not None]
    version = hashlib.sha256(repr(sorted(choices.items())).encode()).hexdigest()[:16]
    return Freshness(last_modified=max(values) if values else None, version=version)


def published_parties() -> QuerySet:
    return Party.objects.filter(is_host=True).exclude(register_publication=RegisterPublication.NONE).order_by("code")


@dataclass
class PartyYear:
    year: int
    authorized: int = 0
    first_transferred: int = 0
    corresponding_adjustment: int = 0


def party_years(party: Party) -> list[PartyYear]:
    """Per year: tonnes authorized in the published letters issued that year (superseded versions not counted twice),
    and the ledger's recorded first transfers and corresponding adjustments."""
    authorized = dict(
        LetterOfAuthorization.objects.filter(publication_filter(), application__host_party=party)
        .exclude(status=LetterStatus.SUPERSEDED)
        .annotate(y=ExtractYear("issued_at", tzinfo=party_zone(party))).order_by().values("y")
        .annotate(q=Sum("authorized_quantity")).values_list("y", "q"))
    ledger = {row.year: row for row in adjustments_for(party).years}
    years = sorted(set(authorized) | {y for y, row in ledger.items() if row.first_transferred or row.used})
    result = []
    for year in years:
        row = ledger.get(year)
        result.append(PartyYear(year=year, authorized=authorized.get(year, 0) or 0,
                                first_transferred=row.first_transferred if row else 0,
                                corresponding_adjustment=row.corresponding_adjustment if row else 0))
    return result


def status_changes(party: Party, limit: int = 50) -> list:
    """The Party's published letters by their latest event (issue or status change), newest first, for the feed."""
    from django.db.models.functions import Coalesce, Greatest

    return list(published_letters().filter(application__host_party=party)
                .annotate(updated=Greatest("issued_at", Coalesce("status_changed_at", "issued_at")))
                .order_by("-updated", "-id")[:limit])


COLUMNS = ["number", "version", "status", "host_party", "host_party_name", "issuing_authority", "title", "mechanism",
           "cooperative_approach_id", "acquiring_parties", "authorized_quantity", "vintage_from", "vintage_to",
           "purposes", "first_transfer_definition", "issued_at", "ca_approved_at", "status_changed_at", "revoked_at",
           "fingerprint", "check_url"]


def public_record(letter: LetterOfAuthorization) -> dict:
    """A letter as the open data publishes it: the same keys in JSON and CSV (COLUMNS)."""
    from django.urls import reverse

    application = letter.application
    return {
        "number": letter.number, "version": letter.version, "status": letter.status,
        "host_party": application.host_party.code, "host_party_name": application.host_party.name,
        "issuing_authority": letter.issuing_authority.name, "title": application.title,
        "mechanism": application.mechanism, "cooperative_approach_id": application.approach_identifier,
        "acquiring_parties": list(letter.acquiring_parties), "authorized_quantity": letter.authorized_quantity,
        "vintage_from": letter.vintage_from, "vintage_to": letter.vintage_to, "purposes": letter.purposes,
        "first_transfer_definition": letter.first_transfer_definition, "issued_at": letter.issued_at,
        "ca_approved_at": letter.ca_approved_at, "status_changed_at": letter.status_changed_at,
        "revoked_at": letter.revoked_at, "fingerprint": letter.fingerprint,
        "check_url": reverse("letter-check", kwargs={"fingerprint": letter.fingerprint}),
    }


def party_freshness(party: Party) -> Freshness:
    """The Party page moves with its letters and with its ledger (a first transfer changes no letter)."""
    from apps.ledger.models import Action

    letters = freshness(filtered(RegisterFilters(party=party.code)))
    ledger = Action.objects.filter(party=party).aggregate(at=Max("at"), last=Max("id"))
    latest = max([v for v in (letters.last_modified, ledger["at"]) if v is not None], default=None)
    return Freshness(last_modified=latest, version=f"{letters.version}-{ledger['last'] or 0}")
