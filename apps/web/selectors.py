"""Reads for the web pages: the officer's queue (keyset pages), the application page, the header."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from apps.audit.models import AuditEvent
from apps.authorizations.models import Application, Document, Stage
from apps.authorizations.permissions import queue_condition, visible_applications
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


def parse_cursor(cursor: str) -> tuple[datetime, int] | None:
    """`<due_at ISO>_<stage id>`; anything else means the first page."""
    try:
        due, _, pk = cursor.rpartition("_")
        return datetime.fromisoformat(due), int(pk)
    except (ValueError, TypeError):
        return None


def queue_page(user, *, filters: QueueFilters, cursor: str = "", size: int = QUEUE_PAGE_SIZE) -> QueuePage:
    """One page of the user's queue, oldest due first, read with a keyset so page 4,000 costs what page 1 does."""
    now = timezone.now()
    stages = Stage.objects.filter(queue_condition(user)).select_related(
        "application__jurisdiction__party", "authority"
    )
    if filters.state:
        stages = stages.filter(application__state=filters.state)
    if filters.duty:
        stages = stages.filter(duty=filters.duty)
    if filters.jurisdiction:
        stages = stages.filter(application__jurisdiction_id=filters.jurisdiction)
    if filters.overdue:
        stages = stages.filter(due_at__lte=now)
    after = parse_cursor(cursor) if cursor else None
    if after is not None:
        due, pk = after
        stages = stages.filter(Q(due_at__gt=due) | Q(due_at=due, pk__gt=pk))
    rows = list(stages.order_by("due_at", "pk")[: size + 1])
    next_cursor = None
    if len(rows) > size:
        rows = rows[:size]
        last = rows[-1]
        next_cursor = f"{last.due_at.isoformat()}_{last.pk}"
    return QueuePage(
        rows=[(stage, deadline_of(stage, stage.application.jurisdiction, now)) for stage in rows],
        next_cursor=next_cursor,
    )


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
        ),
    )
    return queryset.filter(reference=reference).first()


def timeline_of(application: Application) -> QuerySet:
    """Every audit event about the application, oldest first."""
    return AuditEvent.objects.filter(subject_type="application", subject_id=application.reference).order_by("seq")


def my_applications(user, *, before: int | None = None, size: int = QUEUE_PAGE_SIZE) -> tuple[list[Application], int | None]:
    """Applications the user may see, newest first, keyset-paged by id."""
    queryset = visible_applications(user).select_related("jurisdiction", "host_party").order_by("-pk")
    if before:
        queryset = queryset.filter(pk__lt=before)
    rows = list(queryset[: size + 1])
    if len(rows) > size:
        return rows[:size], rows[size - 1].pk
    return rows, None


def seats_for_header(user) -> list[Membership]:
    return list(Membership.objects.filter(user=user).select_related("authority__jurisdiction").order_by("authority__jurisdiction__path", "role"))
