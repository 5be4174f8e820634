"""Reads for the web pages: the officer's queue (keyset pages), the application page, the header."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from django.db import connection
from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from apps.audit.models import AuditEvent
from apps.authorizations.models import Application, Document, Stage
from apps.authorizations.selectors import queue_branches, visible_applications
from apps.governance.models import Membership

QUEUE_PAGE_SIZE = 25


@dataclass(frozen=True)
class QueueFilters:
    state: str = ""
    duty: str = ""
    jurisdiction: str = ""
    overdue: bool = False


@dataclass(frozen=True)
class Deadline:
    """A due time as the jurisdiction reads it: local time, days left (negative: overdue)."""

    due_local: datetime
    days_left: int
    overdue: bool
    time_zone: str

    @property
    def days_overdue(self) -> int:
        return -self.days_left

    @property
    def tone(self) -> str:
        if self.overdue:
            return "overdue"
        return "soon" if self.days_left <= 3 else "ok"


def deadline_of(stage: Stage, jurisdiction, now: datetime | None = None) -> Deadline:
    now = now or timezone.now()
    tz_name = jurisdiction.timezone or jurisdiction.party.timezone or "UTC"
    zone = ZoneInfo(tz_name)
    due_local = stage.due_at.astimezone(zone)
    days_left = (due_local.date() - now.astimezone(zone).date()).days
    return Deadline(due_local=due_local, days_left=days_left, overdue=stage.due_at <= now, time_zone=tz_name)


@dataclass(frozen=True)
class QueuePage:
    rows: list[tuple[Stage, Deadline]]
    next_cursor: str | None


EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def make_cursor(due_at: datetime, pk: int) -> str:
    """`<due_at in microseconds since 1970>_<stage id>`: URL-safe, exact."""
    return f"{(due_at - EPOCH) // timedelta(microseconds=1)}_{pk}"


def parse_cursor(cursor: str) -> tuple[datetime, int] | None:
    """The position after which the next page starts; anything malformed means the first page."""
    try:
        micros, _, pk = cursor.partition("_")
        return EPOCH + timedelta(microseconds=int(micros)), int(pk)
    except (ValueError, TypeError, OverflowError):
        return None


def queue_page(user, *, filters: QueueFilters, cursor: str = "", size: int | None = None) -> QueuePage:
    """One page of the user's queue, oldest due first, read with a keyset so page 4,000 costs what page 1 does.

    Each branch of the queue (an authority the user acts for, or escalations to it)
    is read in due order from the open-stage index and limited; PostgreSQL merges
    the branches with UNION, and a second query loads the page's rows.
    """
    size = size or QUEUE_PAGE_SIZE
    now = timezone.now()
    base = Stage.objects.filter(closed_at__isnull=True)
    if filters.state:
        base = base.filter(application__state=filters.state)
    if filters.duty:
        base = base.filter(duty=filters.duty)
    if filters.jurisdiction:
        base = base.filter(application__jurisdiction_id=filters.jurisdiction)
    if filters.overdue:
        base = base.filter(due_at__lte=now)
    after = parse_cursor(cursor) if cursor else None
    if after is not None:
        due, pk = after
        # The leading `due_at >= due` keeps the scan an index range; the OR only breaks ties.
        base = base.filter(Q(due_at__gte=due) & (Q(due_at__gt=due) | Q(due_at=due, pk__gt=pk)))
    branches = [
        base.filter(branch).order_by("due_at", "id").values_list("due_at", "id")[: size + 1]
        for branch in queue_branches(user)
    ]
    if not branches:
        return QueuePage(rows=[], next_cursor=None)
    if connection.features.supports_slicing_ordering_in_compound and len(branches) > 1:
        keys = list(branches[0].union(*branches[1:]).order_by("due_at", "id")[: size + 1])
    else:
        keys = sorted({key for branch in branches for key in branch})[: size + 1]
    next_cursor = None
    if len(keys) > size:
        keys = keys[:size]
        next_cursor = make_cursor(*keys[-1])
    stages = Stage.objects.select_related("application__jurisdiction__party", "authority").in_bulk([pk for _, pk in keys])
    rows = [stages[pk] for _, pk in keys if pk in stages]
    return QueuePage(rows=[(stage, deadline_of(stage, stage.application.jurisdiction, now)) for stage in rows],
                     next_cursor=next_cursor)


def application_for_page(user, reference: str) -> Application | None:
    """Everything the application page shows, in a fixed number of queries; None if the user may not see it."""
    queryset = visible_applications(
        user,
        Application.objects.select_related(
            "organisation", "host_party", "jurisdiction__party", "created_by",
            "loa__issuing_authority", "loa__issued_by",
        ).prefetch_related(
            "acquiring_parties",
            Prefetch("stages", queryset=Stage.objects.select_related("authority__jurisdiction", "escalation_authority")),
            Prefetch("documents", queryset=Document.objects.select_related("uploaded_by")),
            "letters",
        ),
    )
    return queryset.filter(reference=reference).first()


def timeline_of(application: Application) -> QuerySet:
    """Every audit event about the application, oldest first."""
    return AuditEvent.objects.filter(subject_type="application", subject_id=application.reference).order_by("seq")


def seats_for_header(user) -> list[Membership]:
    return list(Membership.objects.filter(user=user).select_related("authority__jurisdiction").order_by("authority__jurisdiction__path", "role"))
