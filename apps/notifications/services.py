"""The notification outbox: rows written inside the change's transaction, delivered by a worker after commit.

Nothing is lost: the rows are the source of truth and the broker only carries
"go look at row N". If the broker is down at commit, the row stays pending and
the republish sweep (every minute) publishes it again. Nothing is sent twice:
a delivery first claims its row with a conditional UPDATE (pending → sending),
so a second message for the same row finds nothing to claim.
"""
from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage
from django.db import connection, transaction
from django.db.models import F, Min, Q, QuerySet
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.accounts.models import Profile
from apps.authorizations.models import Application
from apps.authorizations.workflow import APPLICATION, State
from apps.governance.models import Authority, Jurisdiction, Membership, ProponentOrganisation, Role
from apps.translations.models import Translation
from apps.translations.services import translated

from .models import Channel, DeliveryStatus, Notification
from .publisher import send

logger = logging.getLogger(__name__)
User = get_user_model()

STAFF_ROLES = (Role.REVIEWER, Role.APPROVER)
CHANNELS = (Channel.IN_APP, Channel.EMAIL)
REPUBLISH_AFTER = timedelta(seconds=60)


class DeliveryFailed(Exception):
    """The channel refused or failed; the row is pending again (or failed, on the last attempt)."""


# --- recipients -------------------------------------------------------------


class Recipients:
    """Active users with the given roles at the given authorities, the staff of an application's acquiring Parties,
    and a proponent organisation's members, as SQL text `notify` embeds (no round trip of its own).

    Plain SQL rather than a QuerySet: building and compiling the ORM's OR of joins cost more per transition
    than the INSERT that embeds it.
    """

    def __init__(self, authority_roles: Iterable[tuple[int | None, Iterable[str]]] = (), organisation_id: int | None = None,
                 acquiring_staff_of: tuple[int, Iterable[str]] | None = None) -> None:
        self.authority_roles = [(int(a), [str(r) for r in roles]) for a, roles in authority_roles if a is not None and roles]
        self.organisation_id = organisation_id
        self.acquiring_staff_of = (None if acquiring_staff_of is None
                                   else (int(acquiring_staff_of[0]), [str(r) for r in acquiring_staff_of[1]]))

    def sql_with_params(self) -> tuple[str, list]:
        quote = connection.ops.quote_name
        memberships = quote(Membership._meta.db_table)
        conditions, params = [], []
        for authority_id, roles in self.authority_roles:
            conditions.append(f"(m.authority_id = %s AND m.role IN ({', '.join(['%s'] * len(roles))}))")
            params += [authority_id, *roles]
        if self.acquiring_staff_of is not None:
            application_id, roles = self.acquiring_staff_of
            # The authorities at the top of each acquiring Party's tree.
            conditions.append(
                f"(m.role IN ({', '.join(['%s'] * len(roles))}) AND m.authority_id IN (SELECT a.id FROM "
                f"{quote(Authority._meta.db_table)} a JOIN {quote(Jurisdiction._meta.db_table)} j ON j.code = a.jurisdiction_id "
                f"WHERE j.parent_id IS NULL AND j.party_id IN (SELECT ap.party_id FROM "
                f"{quote(Application.acquiring_parties.through._meta.db_table)} ap WHERE ap.application_id = %s)))")
            params += [*roles, application_id]
        parts = []
        if conditions:
            parts.append(f"SELECT m.user_id FROM {memberships} m WHERE {' OR '.join(conditions)}")
        if self.organisation_id is not None:
            members = quote(ProponentOrganisation.members.through._meta.db_table)
            parts.append(f"SELECT o.user_id FROM {members} o WHERE o.proponentorganisation_id = %s")
            params.append(int(self.organisation_id))
        if not parts:
            return f"SELECT u.id FROM {quote(User._meta.db_table)} u WHERE 1 = 0", []
        return (f"SELECT u.id FROM {quote(User._meta.db_table)} u WHERE u.is_active AND u.id IN ({' UNION '.join(parts)})",
                params)

    def __iter__(self):
        sql, params = self.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return iter([row[0] for row in cursor.fetchall()])


def recipients_query(*, authority_roles: Iterable[tuple[int, Iterable[str]]] = (), organisation_id: int | None = None,
                     acquiring_staff_of: tuple[int, Iterable[str]] | None = None) -> Recipients:
    """Active users with the given roles at the given authorities, plus the proponent organisation's members and,
    with `acquiring_staff_of=(application id, roles)`, those roles at the top authority of each acquiring Party.

    A query, not a list: `notify` embeds it, so resolving recipients costs no round trip of its own.
    """
    return Recipients(authority_roles, organisation_id, acquiring_staff_of)


def recipients_for(*, authority_roles: Iterable[tuple[int, Iterable[str]]] = (), organisation_id: int | None = None) -> list[int]:
    """The same recipients as a list of user ids."""
    return sorted(set(recipients_query(authority_roles=authority_roles, organisation_id=organisation_id)))


# --- writing ----------------------------------------------------------------


class PerLanguage:
    """A notification text written once per language: each recipient's row gets the text in their own language."""

    def __init__(self, render: Callable[[], str], data: dict | None = None) -> None:
        self._render = render
        # token → (object, field): the INSERT replaces the token with that field in the recipient's language
        # (apps.translations), so translated configuration data costs no statement of its own.
        self.data = data or {}

    def render(self, language: str) -> str:
        with translation.override(language):
            return str(self._render())

    def __str__(self) -> str:  # the active language's text, for callers that want one string
        text = str(self._render())
        for token, (obj, field) in self.data.items():
            text = text.replace(token, translated(obj, field))
        return text


def _when(moment) -> str:
    """A deadline in the active language's date and time format (2 Disember 2026 17:00, 2 ธันวาคม 2026, 17:00)."""
    return formats.date_format(moment, "DATETIME_FORMAT")


AUTHORITY_MARK = "\ue000authority\ue000"  # a private-use mark no text contains: an authority's name per language, in SQL


def application_url(application) -> str:
    """The application's own page, absolute, for e-mails (the inbox links the same page)."""
    return settings.SITE_URL.rstrip("/") + reverse("application", kwargs={"reference": application.reference})


def _state_label(state: str):
    """The state's lazy label (rendered in the active language): get_state_display() would hash every choice's
    label, a gettext call each, for every language of every notification."""
    return State(state).label if state in State.values else state


def transition_subject(application, name: str, *, authority=None) -> PerLanguage:
    """A subject a person would write, in each recipient's language: "Sabah Forestry Department issued the Letter of
    Authorization for Upper Kinabatangan forest conservation", or "Submitted: …" for the proponent's own steps."""
    row = APPLICATION[name] if name in APPLICATION else None

    def render() -> str:
        if row is not None and row.notice and authority is not None:
            return row.notice % {"authority": AUTHORITY_MARK, "title": application.title}
        label = row.event_label if row is not None else _state_label(application.state)
        return _("%(what)s: %(title)s") % {"what": label, "title": application.title}
    return PerLanguage(render, {AUTHORITY_MARK: (authority, "name")} if authority is not None else None)


def escalation_subject(application, stage, level: int) -> PerLanguage:
    def render() -> str:
        text = (_("Overdue, called to supervisors: %(duty)s for %(title)s") if level == 1
                else _("Overdue, called to the next tier up: %(duty)s for %(title)s"))
        return text % {"duty": stage.get_duty_display(), "title": application.title}
    return PerLanguage(render)


def reminder_subject(application, stage) -> PerLanguage:
    return PerLanguage(lambda: _("Decision due %(due)s: %(duty)s for %(title)s") % {
        "due": _when(stage.due_at_local), "duty": stage.get_duty_display(), "title": application.title})


def transition_body(application, *, comment: str = "", stage=None) -> PerLanguage:
    """The text of a workflow notification: what happened, the comment, and the deadline in local time."""
    holder = "\ue000holder\ue000"  # a private-use mark no text contains: the authority's name per language, in SQL

    # What reads the same in every language is worked out once, not once per language.
    url = application_url(application)
    state = _state_label(application.state)

    def render() -> str:
        lines = [f"{application.reference} — {application.title}",
                 _("Status: %(state)s") % {"state": state},
                 _("Requested: %(quantity)s tCO2e") % {"quantity": formats.number_format(
                     application.requested_quantity, use_l10n=True, force_grouping=True)}]
        if comment:
            lines.append(_("Comment: %(comment)s") % {"comment": comment})
        if stage is not None:
            lines.append(_("With: %(authority)s") % {"authority": holder})
            lines.append(_("Due: %(due)s (%(time_zone)s)") % {"due": _when(stage.due_at_local), "time_zone": stage.timezone_name})
        lines.append(url)
        return "\n".join(lines)
    return PerLanguage(render, {holder: (stage.authority, "name")} if stage is not None else None)


def _literal(code: str) -> str:
    """A code from settings or the models (a language, an app label, a field) as an SQL literal.

    Written into the text rather than bound: the statement keeps under psycopg's 50 parameters, past which it
    re-parses the query on every execution instead of caching it.
    """
    if not _CODE.fullmatch(code):
        raise ValueError(f"not a code: {code!r}")
    return f"'{code}'"


_CODE = re.compile(r"[A-Za-z0-9_-]{1,40}")


def _per_language_sql(text, column: str, length: int | None = None) -> tuple[str, list]:
    """A plain text as one parameter; a PerLanguage text as a CASE on the recipient's language, one branch each."""
    def cut(value: str) -> str:
        return value[:length] if length else value
    if not isinstance(text, PerLanguage):
        return "%s", [cut(str(text))]
    default = _literal(settings.LANGUAGE_CODE)
    branches, params = [], []
    for code, _name in settings.LANGUAGES:
        if code != settings.LANGUAGE_CODE:
            branches.append(f"WHEN {_literal(code)} THEN %s")
            params.append(cut(text.render(code)))
    sql = f"CASE COALESCE({column}, {default}) {' '.join(branches)} ELSE %s END"
    params = [*params, cut(text.render(settings.LANGUAGE_CODE))]
    for token, (obj, field) in text.data.items():
        table = connection.ops.quote_name(Translation._meta.db_table)
        sql = (f"REPLACE({sql}, %s, COALESCE((SELECT t.text FROM {table} t JOIN django_content_type ct "
               f"ON ct.id = t.content_type_id WHERE ct.app_label = {_literal(obj._meta.app_label)} "
               f"AND ct.model = {_literal(obj._meta.model_name)} AND t.object_id = %s "
               f"AND t.field = {_literal(field)} AND t.language = COALESCE({column}, {default})), %s))")
        params = [*params, token, str(obj.pk), str(getattr(obj, field))]
    if length:  # a translated name put in by REPLACE may make the text longer than the column again
        sql = f"SUBSTR({sql}, 1, {int(length)})"
    return sql, params


def notify(*, event: str, event_key: str, recipient_ids, application=None, subject: str | PerLanguage,
           body: str | PerLanguage = "",
           channels: Iterable[str] = CHANNELS) -> list[int]:
    """Write one row per recipient × channel in ONE statement and publish their deliveries after commit.

    `recipient_ids` is a list of user ids or `recipients_query(...)`,
    which is embedded as a sub-select. The idempotency key (event × recipient ×
    channel) makes a repeated event write nothing. Users without an email
    address get no email row. A PerLanguage subject or body is written in each
    recipient's language (a CASE in the same statement). Returns the ids of the rows written.
    """
    channels = list(channels)
    if isinstance(recipient_ids, Recipients):
        recipient_sql, recipient_params = recipient_ids.sql_with_params()
    else:
        ids = sorted({int(pk) for pk in recipient_ids})
        if not ids:
            return []
        recipient_sql, recipient_params = ", ".join(["%s"] * len(ids)), ids
    if not channels:
        return []
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    user_table = connection.ops.quote_name(User._meta.db_table)
    profile_table = connection.ops.quote_name(Profile._meta.db_table)
    table = connection.ops.quote_name(Notification._meta.db_table)
    # No profile, or a language not chosen yet (""): the default language.
    subject_sql, subject_params = _per_language_sql(subject, "NULLIF(p.language, '')", 200)
    body_sql, body_params = _per_language_sql(body, "NULLIF(p.language, '')")
    channel_rows = " UNION ALL ".join(["SELECT %s AS channel"] * len(channels))
    sql = f"""
        INSERT INTO {table}
            (recipient_id, event, application_id, channel, idempotency_key, subject, body,
             status, attempts, created_at, available_at, last_error)
        SELECT u.id, %s, %s, c.channel, %s || ':' || CAST(u.id AS varchar(20)) || ':' || c.channel, {subject_sql}, {body_sql},
               %s, 0, %s, %s, ''
        FROM {user_table} u LEFT JOIN {profile_table} p ON p.user_id = u.id CROSS JOIN ({channel_rows}) c
        WHERE u.is_active AND u.id IN ({recipient_sql}) AND (c.channel <> %s OR u.email <> '')
        ORDER BY u.id, c.channel
        ON CONFLICT (idempotency_key) DO NOTHING
        RETURNING id
    """
    params = [
        event, getattr(application, "pk", application), event_key, *subject_params, *body_params,
        DeliveryStatus.PENDING, now, now, *[str(c) for c in channels], *recipient_params, Channel.EMAIL,
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        written = [row[0] for row in cursor.fetchall()]
    if written:
        if connection.in_atomic_block:
            _commit_batch().extend(written)
        else:  # autocommit: the INSERT has committed already
            publish_after_commit(written)
    return written


class _CommitBatch(list):
    """The notification ids one transaction wrote, published as ONE message when it commits."""

    def __call__(self) -> None:
        publish_after_commit(list(self))


def _commit_batch() -> _CommitBatch:
    """This transaction's batch, registered with on_commit once; a rollback discards it with the callback."""
    for _savepoints, callback, _robust in connection.run_on_commit:
        if isinstance(callback, _CommitBatch):
            return callback
    batch = _CommitBatch()
    transaction.on_commit(batch)
    return batch


# A batch task carries at most this many ids (the sweep's backlog is split; a transition writes far fewer).
BATCH_SIZE = 200


def publish_after_commit(notification_ids: list[int]) -> None:
    """Hand the rows to a worker without waiting on the broker: one `notifications.deliver_batch` message,
    published by the background publisher; if it cannot be published the rows stay pending for the sweep."""
    for start in range(0, len(notification_ids), BATCH_SIZE):
        send("notifications.deliver_batch", [notification_ids[start:start + BATCH_SIZE]])


def publish(notification_ids: Iterable[int]) -> int:
    """Publish the rows now, in batches over one producer, and say how many ids went out (the republish sweep's
    path: it runs in a worker, so it may wait on the broker); if the broker is unreachable, the rest stay pending."""
    from .tasks import deliver_batch

    published = 0
    notification_ids = list(notification_ids)
    try:
        with deliver_batch.app.producer_or_acquire() as producer:
            for start in range(0, len(notification_ids), BATCH_SIZE):
                chunk = notification_ids[start:start + BATCH_SIZE]
                deliver_batch.apply_async((chunk,), retry=False, producer=producer)
                published += len(chunk)
    except Exception as exc:  # the broker is down: the rows stay pending and are swept up later
        logger.warning("Could not publish notifications %s.. of %s (%s); the republish sweep will retry.",
                       published + 1, len(notification_ids), exc)
    return published


# --- delivering ---------------------------------------------------------------


def claim_timeout() -> timedelta:
    return timedelta(seconds=settings.NOTIFICATION_CLAIM_TIMEOUT)


_CLAIM_SQL = """
UPDATE {table}
SET status = CASE WHEN channel = %(in_app)s THEN %(delivered)s ELSE %(sending)s END,
    delivered_at = CASE WHEN channel = %(in_app)s THEN %(now)s ELSE delivered_at END,
    claimed_at = %(now)s, attempts = attempts + 1
WHERE id = %(id)s AND (status = %(pending)s OR (status = %(sending)s AND claimed_at < %(stale)s))
RETURNING channel, subject, body, (SELECT email FROM {user_table} WHERE id = recipient_id)
"""


def _claim(notification_id: int, now: datetime):
    """One statement: pending → sending (email), or pending → delivered (in-app: the row becoming visible IS the
    delivery); also takes over a claim so old its worker must have died. Returns (channel, subject, body, email)
    or None when there is nothing to claim."""
    ops = connection.ops
    sql = _CLAIM_SQL.format(table=ops.quote_name(Notification._meta.db_table), user_table=ops.quote_name(User._meta.db_table))
    with connection.cursor() as cursor:
        cursor.execute(sql, {
            "id": notification_id, "now": ops.adapt_datetimefield_value(now),
            "stale": ops.adapt_datetimefield_value(now - claim_timeout()),
            "in_app": Channel.IN_APP, "pending": DeliveryStatus.PENDING, "sending": DeliveryStatus.SENDING,
            "delivered": DeliveryStatus.DELIVERED,
        })
        return cursor.fetchone()


def _send_email(notification_id: int, *, subject: str, body: str, address: str) -> None:
    message = EmailMessage(
        subject=subject, body=body, to=[address],
        headers={"Message-ID": f"<notification-{notification_id}@{settings.NOTIFICATION_MESSAGE_ID_DOMAIN}>"},
    )
    message.send(fail_silently=False)


def deliver_notification(notification_id: int, *, retry_in: timedelta | None = None, final: bool = False) -> str:
    """Deliver one row at most once (one statement for in-app, two around the send for email).

    Returns "delivered"; "done" when there is nothing left to do (delivered
    already, failed for good, or no such row); "busy" when another worker holds
    a fresh claim on it (the caller should look again once the claim may have
    gone stale: that worker may have died).

    On a channel failure the row goes back to pending, available again after
    `retry_in` (or to failed when `final`), and DeliveryFailed is raised so the
    task retries.
    """
    now = timezone.now()
    claimed = _claim(notification_id, now)
    if claimed is None:
        busy = Notification.objects.filter(pk=notification_id, status=DeliveryStatus.SENDING).exists()
        return "busy" if busy else "done"
    channel, subject, body, address = claimed
    if channel == Channel.IN_APP:
        return "delivered"
    try:
        _send_email(notification_id, subject=subject, body=body, address=address)
    except Exception as exc:
        Notification.objects.filter(pk=notification_id, status=DeliveryStatus.SENDING, claimed_at=now).update(
            status=DeliveryStatus.FAILED if final else DeliveryStatus.PENDING,
            available_at=now + (retry_in or timedelta(0)), claimed_at=None, last_error=f"{type(exc).__name__}: {exc}"[:2000],
        )
        raise DeliveryFailed(f"notification {notification_id}: {exc}") from exc
    Notification.objects.filter(pk=notification_id, status=DeliveryStatus.SENDING, claimed_at=now).update(
        status=DeliveryStatus.DELIVERED, delivered_at=timezone.now(), last_error="",
    )
    return "delivered"


_BATCH_IN_APP_SQL = """
UPDATE {table}
SET status = %(delivered)s, delivered_at = %(now)s, claimed_at = %(now)s, attempts = attempts + 1
WHERE id IN ({ids}) AND channel = %(in_app)s
  AND (status = %(pending)s OR (status = %(sending)s AND claimed_at < %(stale)s))
RETURNING id
"""
# PostgreSQL: the rows are found by primary key first (a materialised CTE), so a backlog of pending rows under stale
# statistics cannot turn each batch into a scan of the whole undelivered index; and the statement's transaction
# commits without waiting for the disk: a "delivered" mark lost in a crash leaves the row pending, and the sweep
# delivers it again, which for an in-app row only sets the same mark.
_BATCH_IN_APP_SQL_POSTGRESQL = """
WITH batch AS MATERIALIZED (SELECT id FROM {table} WHERE id IN ({ids}))
UPDATE {table} AS n
SET status = %(delivered)s, delivered_at = %(now)s, claimed_at = %(now)s, attempts = n.attempts + 1
FROM batch
WHERE n.id = batch.id AND n.channel = %(in_app)s
  AND (n.status = %(pending)s OR (n.status = %(sending)s AND n.claimed_at < %(stale)s))
  AND set_config('synchronous_commit', 'off', true) = 'off'
RETURNING n.id
"""


def deliver_batch(notification_ids: Iterable[int], *, on_email=None) -> dict[str, int]:
    """Deliver a transaction's rows: every in-app row in ONE statement, then each email row as `deliver_notification`.

    `on_email(notification_id)` delivers one email row (the task passes one that schedules a retry on
    failure); by default `deliver_notification`. Returns counts by outcome.
    """
    ids = sorted({int(pk) for pk in notification_ids})
    outcome = {"delivered": 0, "done": 0, "busy": 0, "failed": 0}
    if not ids:
        return outcome
    now = timezone.now()
    ops = connection.ops
    # One placeholder per id (IN, not = ANY(array)): the same statement runs on SQLite, for `make run`.
    placeholders = {f"id_{n}": pk for n, pk in enumerate(ids)}
    template = _BATCH_IN_APP_SQL_POSTGRESQL if connection.vendor == "postgresql" else _BATCH_IN_APP_SQL
    sql = template.format(table=ops.quote_name(Notification._meta.db_table), ids=", ".join(f"%({name})s" for name in placeholders))
    with connection.cursor() as cursor:
        cursor.execute(sql, {
            **placeholders, "now": ops.adapt_datetimefield_value(now),
            "stale": ops.adapt_datetimefield_value(now - claim_timeout()), "in_app": Channel.IN_APP,
            "pending": DeliveryStatus.PENDING, "sending": DeliveryStatus.SENDING, "delivered": DeliveryStatus.DELIVERED,
        })
        in_app = {row[0] for row in cursor.fetchall()}
    outcome["delivered"] += len(in_app)
    rest = [pk for pk in ids if pk not in in_app]
    if rest:
        emails = set(Notification.objects.filter(pk__in=rest, channel=Channel.EMAIL).values_list("pk", flat=True))
        outcome["done"] += len(rest) - len(emails)  # in-app rows delivered already, or no such row
        for pk in sorted(emails):
            try:
                result = (on_email or deliver_notification)(pk)
            except DeliveryFailed:
                result = "failed"
            outcome[result] += 1
    return outcome


def undelivered(*, now: datetime | None = None, older_than: timedelta = REPUBLISH_AFTER) -> QuerySet:
    """Rows a worker should have delivered by now: pending for over `older_than`, or claimed by a worker that died."""
    now = now or timezone.now()
    return Notification.objects.filter(
        Q(status=DeliveryStatus.PENDING, available_at__lte=now - older_than)
        | Q(status=DeliveryStatus.SENDING, claimed_at__lt=now - claim_timeout())
    )


def republish_pending(*, now: datetime | None = None, older_than: timedelta = REPUBLISH_AFTER, limit: int = 1000) -> int:
    """Publish again every row still undelivered (the broker was down, or a worker died); returns how many."""
    now = now or timezone.now()
    ids = list(undelivered(now=now, older_than=older_than).order_by("available_at").values_list("pk", flat=True)[:limit])
    published = publish(ids)
    if published:
        # Not again for another minute, even if the queue is slow to drain: the claim makes duplicates harmless anyway.
        Notification.objects.filter(pk__in=ids[:published], status=DeliveryStatus.PENDING).update(available_at=now)
    return published


def stuck_notifications(*, now: datetime | None = None, older_than: timedelta) -> QuerySet:
    """Pending, sending or failed rows created more than `older_than` ago, oldest first (for operators)."""
    now = now or timezone.now()
    return (
        Notification.objects.filter(
            status__in=[DeliveryStatus.PENDING, DeliveryStatus.SENDING, DeliveryStatus.FAILED], created_at__lte=now - older_than,
        )
        .select_related("recipient", "application")
        .order_by("created_at", "id")
    )


def oldest_pending_age(*, now: datetime | None = None) -> float | None:
    """Seconds since the oldest undelivered row was written, or None when all are delivered."""
    now = now or timezone.now()
    oldest = Notification.objects.filter(status__in=[DeliveryStatus.PENDING, DeliveryStatus.SENDING]).aggregate(
        oldest=Min("created_at"))["oldest"]
    return None if oldest is None else max(0.0, (now - oldest).total_seconds())


# --- the inbox --------------------------------------------------------------


def inbox_for(user) -> QuerySet:
    """The user's delivered in-app notifications, newest first."""
    return Notification.objects.filter(
        recipient_id=user.pk, channel=Channel.IN_APP, status=DeliveryStatus.DELIVERED,
    ).select_related("application__jurisdiction__party")


def unread_count(user) -> int:
    return inbox_for(user).filter(read_at__isnull=True).count()


def mark_read(*, user, notification_ids: Iterable[int]) -> int:
    """Mark the user's own notifications read; ids of other people's rows change nothing. Returns rows changed."""
    ids = [int(pk) for pk in notification_ids]
    if not ids:
        return 0
    return inbox_for(user).filter(pk__in=ids, read_at__isnull=True).update(read_at=timezone.now())


def mark_application_read(*, user, application) -> int:
    """Opening an application reads its notifications: the inbox keeps only what the user has not seen."""
    return inbox_for(user).filter(application_id=application.pk, read_at__isnull=True).update(read_at=timezone.now())


def mark_all_read(*, user) -> int:
    return inbox_for(user).filter(read_at__isnull=True).update(read_at=timezone.now())
