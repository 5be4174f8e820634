"""Transition throughput (1 and 2 processes) against raw psycopg replaying the same writes, and queries per transition.

Tierflow: submit → issue_loa → approve_ca through the services, each in its own transaction. The
application and the acting users are loaded before the clock starts (a request has them before it calls
the service); each transition gets its own user instance and an application without per-request caches.
Baseline: the INSERT/UPDATE statements Django sent for one such chain (captured with their
parameters through `connection.execute_wrapper`), replayed per transaction on a raw psycopg
connection for other seeded drafts, with the per-application values (id, reference, LoA fingerprint,
notification keys) substituted. Reads, permission checks, the FSM and Python are what the ratio prices.
"""
from __future__ import annotations

import copy
import multiprocessing
import re
import secrets
import time

import psycopg
from django.contrib.auth import get_user_model
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.authorizations import services
from apps.authorizations.models import Application, LetterOfAuthorization
from apps.governance.models import Authority, Membership, Role
from apps.notifications.models import Notification

from .common import Row, fmt
from .seed import seed_drafts

User = get_user_model()
ACTORS = {"submit": "proponent", "issue_loa": "sabah.approver", "approve_ca": "federal.approver"}
SERVICES = {
    "submit": (services.submit_application, {}),
    "issue_loa": (services.issue_loa, {"authorized_quantity": 1000}),
    "approve_ca": (services.approve_ca, {}),
}
WRITES = re.compile(r"^\s*(INSERT|UPDATE|DELETE|WITH)\b", re.IGNORECASE)
# Transaction control: BEGIN/COMMIT outside a test, SAVEPOINT/RELEASE inside one.
CONTROL = re.compile(r"^\s*(BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE SAVEPOINT)\b", re.IGNORECASE)
HEX64 = re.compile(r"^[0-9a-f]{64}$")


def load_chain(application_id: int) -> tuple[Application, list]:
    """What a request has in hand before it calls the service: the application and the authenticated user
    (a separate user instance per transition, so nothing is cached from one transition to the next)."""
    users = {u.username: u.pk for u in User.objects.filter(username__in=set(ACTORS.values()))}
    actors = [User.objects.get(pk=users[ACTORS[name]]) for name in SERVICES]
    return Application.objects.get(pk=application_id), actors


def _as_loaded(application: Application) -> Application:
    """The application as a fresh read of its row would give it: same field values, no per-request caches."""
    fresh = copy.copy(application)
    fresh._state = copy.copy(application._state)
    fresh._state.fields_cache = {}
    for attribute in ("_open_stage", "_unmet_requirements", "_prefetched_objects_cache"):
        fresh.__dict__.pop(attribute, None)
    return fresh


def run_loaded(loaded: tuple[Application, list], on_step=None) -> None:
    application, actors = loaded
    for (name, (service, parameters)), actor in zip(SERVICES.items(), actors):
        application = _as_loaded(application)
        if on_step is None:
            service(application, acting_user=actor, **parameters)
        else:
            with on_step(name):
                service(application, acting_user=actor, **parameters)


def run_chain(application_id: int, on_step=None) -> None:
    run_loaded(load_chain(application_id), on_step)


def capture_writes(application_id: int) -> list[list[tuple[str, object]]]:
    """The write statements of one chain, grouped per transaction (transition)."""
    transactions: list[list[tuple[str, object]]] = []

    def on_step(name):
        statements: list[tuple[str, object]] = []
        transactions.append(statements)

        def wrapper(execute, sql, params, many, context):
            if WRITES.match(sql):
                statements.append((sql, params))
            return execute(sql, params, many, context)

        return connection.execute_wrapper(wrapper)

    run_chain(application_id, on_step)
    return transactions


def substitute(value, template_id: int, template_ref: str, target_id: int, target_ref: str, token: str,
               renumbered: dict | None = None):
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int):
        if value == template_id:
            return target_id
        return (renumbered or {}).get(value, value)
    if isinstance(value, str):
        if HEX64.match(value):
            return secrets.token_hex(32)  # the LoA fingerprint is unique
        if value.startswith("audit:"):
            return token + value  # notification idempotency keys are unique
        return value.replace(template_ref, target_ref)
    if isinstance(value, (list, tuple)):
        return type(value)(substitute(v, template_id, template_ref, target_id, target_ref, token, renumbered) for v in value)
    if isinstance(value, dict):
        return {k: substitute(v, template_id, template_ref, target_id, target_ref, token, renumbered) for k, v in value.items()}
    return value


def _dsn() -> str:
    settings = connection.settings_dict
    return psycopg.conninfo.make_conninfo(dbname=settings["NAME"], user=settings["USER"], password=settings["PASSWORD"] or None,
                                          host=settings["HOST"] or None, port=settings["PORT"] or None)


def replay(script, template, targets: list[tuple[int, str]]) -> float:
    """Replay the captured transactions for each target on a raw psycopg connection; returns seconds."""
    template_id, template_ref, template_letter_id = template
    letter_insert = f'INSERT INTO "{LetterOfAuthorization._meta.db_table}"'
    with psycopg.connect(_dsn(), cursor_factory=psycopg.ClientCursor) as raw:
        start = time.perf_counter()
        for target_id, target_ref in targets:
            renumbered: dict[int, int] = {}  # the template's letter id → this target's (the application points at it)
            for statements in script:
                with raw.transaction(), raw.cursor() as cursor:
                    for sql, params in statements:
                        cursor.execute(sql, substitute(params, template_id, template_ref, target_id, target_ref,
                                                       f"r{target_id}:", renumbered))
                        if sql.startswith(letter_insert) and "RETURNING" in sql:
                            renumbered[template_letter_id] = cursor.fetchone()[0]
        return time.perf_counter() - start


def _tierflow_worker(ids, barrier, results):
    connections.close_all()
    loaded = [load_chain(application_id) for application_id in ids]  # loading is the request's, not the service's
    barrier.wait()
    start = time.perf_counter()
    for steps in loaded:
        run_loaded(steps)
    from apps.notifications.publisher import flush

    flush(60)  # the background publishes are part of the transitions' cost: the clock waits for them
    results.put(time.perf_counter() - start)
    connections.close_all()


def _baseline_worker(script, template, targets, barrier, results):
    connections.close_all()
    barrier.wait()
    results.put(replay(script, template, targets))


def in_processes(target, shares: list[tuple]) -> float:
    """Run `target(*share, barrier, results)` in one process per share, released together; wall seconds of the slowest."""
    context = multiprocessing.get_context("fork")
    barrier, results = context.Barrier(len(shares)), context.Queue()
    connections.close_all()
    processes = [context.Process(target=target, args=(*share, barrier, results)) for share in shares]
    for process in processes:
        process.start()
    elapsed = [results.get(timeout=600) for _ in processes]
    for process in processes:
        process.join()
    return max(elapsed)


def throughput(sizes: dict) -> list[Row]:
    now = timezone.now()
    chains = sizes["chains"]
    ids = seed_drafts(chains * 4 + 2, "CHAIN", now=now)
    refs = dict(Application.objects.filter(pk__in=ids).values_list("pk", "reference"))
    template, warm = ids[0], ids[1]
    run_chain(warm)  # warm caches and connections
    script = capture_writes(template)
    tierflow_1, tierflow_2, baseline_1, baseline_2 = (ids[2 + i * chains: 2 + (i + 1) * chains] for i in range(4))
    template_pair = (template, refs[template], Application.objects.get(pk=template).loa_id)
    rows = []
    for processes, tierflow_ids, baseline_ids in ((1, tierflow_1, baseline_1), (2, tierflow_2, baseline_2)):
        half = [tierflow_ids[i::processes] for i in range(processes)]
        t_seconds = in_processes(_tierflow_worker, [(share,) for share in half])
        b_half = [[(i, refs[i]) for i in baseline_ids[j::processes]] for j in range(processes)]
        b_seconds = in_processes(_baseline_worker, [(script, template_pair, share) for share in b_half])
        t_rate, b_rate = 3 * chains / t_seconds, 3 * chains / b_seconds
        ratio = t_rate / b_rate
        rows.append(Row(
            figure=f"transition throughput, {processes} process{'es' if processes > 1 else ''}",
            tierflow=fmt(t_rate, "transitions/s"), baseline=fmt(b_rate, "transitions/s"), ratio=ratio,
            target="≥ 0.5", met=ratio >= 0.5,
            note=f"{chains} chains submit→issue_loa→approve_ca; baseline replays {sum(len(s) for s in script)} writes/chain",
            raw={"tierflow_seconds": t_seconds, "baseline_seconds": b_seconds, "chains": chains},
        ))
    return rows


def _count_chain(application_id: int) -> dict[str, tuple[int, int]]:
    counts = {}

    class Step:
        def __init__(self, name):
            self.name = name

        def __enter__(self):
            self.before = Notification.objects.count()
            self.capture = CaptureQueriesContext(connection).__enter__()

        def __exit__(self, *exc):
            self.capture.__exit__(*exc)
            captured = self.capture.captured_queries
            statements = [q for q in captured if not CONTROL.match(q["sql"])]
            counts[self.name] = (len(statements), Notification.objects.count() - self.before, len(captured))

    run_chain(application_id, Step)
    return counts


def queries(sizes: dict) -> list[Row]:
    now = timezone.now()
    warm_id, few_id, many_id = seed_drafts(3, "QUERIES", now=now)
    run_chain(warm_id)  # the first append of a fresh database also creates the chain head
    few = _count_chain(few_id)
    extra = sizes["query_recipients"]
    users = User.objects.bulk_create([User(username=f"bench.colleague{i}") for i in range(2 * extra)])
    sabah, federal = Authority.objects.get(jurisdiction_id="MY-12"), Authority.objects.get(jurisdiction_id="MY")
    Membership.objects.bulk_create([Membership(user=u, authority=sabah, role=Role.REVIEWER) for u in users[:extra]]
                                   + [Membership(user=u, authority=federal, role=Role.REVIEWER) for u in users[extra:]])
    many = _count_chain(many_id)
    rows = []
    for label, counts in (("demo recipients", few), (f"+{extra} recipients", many)):
        worst = max(n for n, _, _ in counts.values())
        detail = ", ".join(f"{name} {n} (+{total - n} BEGIN/COMMIT; {r} notified)" for name, (n, r, total) in counts.items())
        same = [n for n, _, _ in few.values()] == [n for n, _, _ in many.values()]
        rows.append(Row(
            figure=f"queries per transition, {label}", tierflow=f"{worst} (max of chain)", ratio=None,
            target="≤ 10, equal", met=worst <= 10 and same, note=detail, raw={name: list(v) for name, v in counts.items()},
        ))
    return rows
