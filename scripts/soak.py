"""`make soak`: the production topology on one machine, mixed API traffic, and the failures it must survive.

Starts a Redis of its own (no persistence, so a restart loses every queued message), 2 gunicorn workers,
2 Celery workers and beat against a PostgreSQL database of its own (dropped and recreated), drives
create / upload / submit / decide / read traffic and webhooks to a local receiver for SOAK_SECONDS, and on
the way kills a Celery worker (SIGKILL, restarted), restarts Redis and kills a gunicorn worker (SIGKILL,
the master forks another). Then it waits for the outboxes to drain and checks: no notification or webhook
delivery lost or sent twice, every acknowledged transition in the audit chain, `verify_audit` and
`check_ledger` clean, no 5xx outside the web kill. Prints a summary table (also var/soak/summary.md) and
exits 1 when a check fails.

Environment: SOAK_SECONDS (600), SOAK_DATABASE_URL (postgres://postgres@127.0.0.1:5432/tierflow_soak),
SOAK_REDIS_PORT (6390), SOAK_WEB_PORT (8390), SOAK_RECEIVER_PORT (8391), SOAK_CLIENTS (4),
SOAK_DRAIN_SECONDS (360).
"""
from __future__ import annotations

import collections
import hashlib
import hmac
import io
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
SECONDS = int(os.environ.get("SOAK_SECONDS", "600"))
DATABASE_URL = os.environ.get("SOAK_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/tierflow_soak")
REDIS_PORT = int(os.environ.get("SOAK_REDIS_PORT", "6390"))
WEB_PORT = int(os.environ.get("SOAK_WEB_PORT", "8390"))
RECEIVER_PORT = int(os.environ.get("SOAK_RECEIVER_PORT", "8391"))
CLIENTS = int(os.environ.get("SOAK_CLIENTS", "4"))
DRAIN_SECONDS = int(os.environ.get("SOAK_DRAIN_SECONDS", "360"))
BASE = f"http://127.0.0.1:{WEB_PORT}"
WORK = ROOT / "var" / "soak"
MAIL = WORK / "mail"
WEB_KILL_GRACE = 10.0  # seconds after the web kill in which a 5xx is expected

ENV = {
    **os.environ,
    "DATABASE_URL": DATABASE_URL,
    "CELERY_BROKER_URL": f"redis://127.0.0.1:{REDIS_PORT}/0",
    # DEBUG: the webhook receiver is on loopback, which only DEBUG lets a webhook reach; the rest is production's.
    "DEBUG": "1", "TIERFLOW_DEMO": "1", "TIERFLOW_REQUIRE_2FA": "1",
    "SECRET_KEY": "soak-" + "k" * 50,
    "TIERFLOW_VAR_DIR": str(WORK / "var"),
    "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend", "EMAIL_FILE_PATH": str(MAIL),
    "SITE_URL": BASE, "LOG_LEVEL": "WARNING",
    # The soak measures durability, not throttling: a few client threads on one token would hit 1200/min.
    "TIERFLOW_API_RATE": "100000/min",
    # A claim of a killed worker is taken over after a minute instead of five, so the drain is short.
    "NOTIFICATION_CLAIM_TIMEOUT_SECONDS": "60",
}

processes: dict[str, subprocess.Popen] = {}
RESTARTERS = {}  # name → how to start it again; filled as the services start
restarts: list[tuple[float, str, int]] = []  # (when, what, exit status): the supervisor's restarts
killing: set[str] = set()  # killed on purpose: the chaos thread restarts these itself
log = collections.defaultdict(list)
events: list[tuple[float, str]] = []
started_at = time.monotonic()


def say(message: str) -> None:
    print(f"[soak {time.monotonic() - started_at:6.1f}s] {message}", flush=True)


def start(name: str, command: list[str]) -> subprocess.Popen:
    out = open(WORK / f"{name}.log", "ab")
    processes[name] = subprocess.Popen(command, cwd=ROOT, env=ENV, stdout=out, stderr=subprocess.STDOUT,
                                       start_new_session=True)
    return processes[name]


def stop(name: str, sig=signal.SIGTERM, wait: float = 15) -> None:
    process = processes.get(name)
    if process is None or process.poll() is not None:
        return
    os.killpg(process.pid, sig)
    try:
        process.wait(timeout=wait)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def manage(*args: str, check: bool = True, **env: str) -> subprocess.CompletedProcess:
    result = subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env={**ENV, **env}, capture_output=True, text=True)
    if check and result.returncode:
        raise SystemExit(f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result


# --- setup ------------------------------------------------------------------------------------------------

def fresh_database() -> None:
    parts = urlsplit(DATABASE_URL)
    name = parts.path.strip("/")
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')


def start_redis() -> None:
    start("redis", ["redis-server", "--port", str(REDIS_PORT), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"])
    for _ in range(100):
        if subprocess.run(["redis-cli", "-p", str(REDIS_PORT), "ping"], capture_output=True, text=True).stdout.strip() == "PONG":
            return
        time.sleep(0.1)
    raise SystemExit("redis-server did not start")


SETUP = r"""
import json
from django.contrib.auth import get_user_model
from django_otp.plugins.otp_totp.models import TOTPDevice
from apps.accounts.contract_tokens import token_for
User = get_user_model()
tokens = {}
for name in ("proponent", "sabah.approver", "federal.approver", "sabah.reviewer"):
    user = User.objects.get(username=name)
    TOTPDevice.objects.get_or_create(user=user, name="soak", defaults={"confirmed": True})
    tokens[name] = token_for(user)[0]
print("TOKENS=" + json.dumps(tokens))
"""


def setup() -> dict[str, str]:
    shutil.rmtree(WORK, ignore_errors=True)
    (WORK / "var").mkdir(parents=True)
    MAIL.mkdir()
    say(f"database {urlsplit(DATABASE_URL).path.strip('/')} (fresh), Redis on :{REDIS_PORT}, web on :{WEB_PORT}")
    fresh_database()
    start_redis()
    manage("migrate", "--noinput")
    manage("seed_demo")
    manage("seed_ledger_demo", TIERFLOW_REQUIRE_2FA="0")  # the demo's decisions are taken before any device exists
    out = manage("shell", "-c", SETUP).stdout
    return json.loads(re.search(r"TOKENS=(.*)", out).group(1))


def supervise(until: threading.Event) -> None:
    """What systemd's Restart=always does in production: a service that exits is started again (and counted)."""
    while not until.wait(1.0):
        for name, restart in RESTARTERS.items():
            process = processes.get(name)
            if name not in killing and process is not None and process.poll() is not None:
                restarts.append((time.monotonic(), name, process.returncode))
                say(f"{name} exited with status {process.returncode}; started again")
                restart()


def start_web() -> None:
    RESTARTERS["web"] = start_web
    start("web", [PYTHON, "-m", "gunicorn", "config.wsgi", "--workers", "2", "--bind", f"127.0.0.1:{WEB_PORT}",
                  "--timeout", "30", "--graceful-timeout", "5"])


def start_worker(n: int) -> None:
    RESTARTERS[f"worker{n}"] = lambda: start_worker(n)
    start(f"worker{n}", [PYTHON, "-m", "celery", "-A", "config", "worker", "--concurrency", "2", "-n", f"soak{n}@%h",
                         "--loglevel", "WARNING", "--without-gossip", "--without-mingle"])


def start_beat() -> None:
    RESTARTERS["beat"] = start_beat
    start("beat", [PYTHON, "-m", "celery", "-A", "config", "beat", "--loglevel", "WARNING",
                   "-s", str(WORK / "celerybeat-schedule")])


# --- the webhook receiver --------------------------------------------------------------------------------

class Receiver:
    """Verifies signatures; answers 500 to the first attempt of one event in ten, so retries are exercised."""

    def __init__(self):
        self.secrets: dict[str, str] = {}
        self.accepted = collections.Counter()  # (path, event id) → 200s answered
        self.refused_once: set[tuple[str, str]] = set()
        self.bad_signatures = 0
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                fields = dict(part.split("=", 1) for part in self.headers.get("Tierflow-Signature", "").split(",") if "=" in part)
                secret = receiver.secrets.get(self.path, "")
                expected = hmac.new(secret.encode(), f"{fields.get('t', '')}.".encode() + body, hashlib.sha256).hexdigest()
                key = (self.path, self.headers.get("Tierflow-Event-Id", ""))
                with receiver.lock:
                    if not hmac.compare_digest(expected, fields.get("v1", "")):
                        receiver.bad_signatures += 1
                        status = 401
                    elif key not in receiver.refused_once and random.random() < 0.1:
                        receiver.refused_once.add(key)
                        status = 500
                    else:
                        receiver.accepted[key] += 1
                        status = 200
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", RECEIVER_PORT), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


# --- the client ------------------------------------------------------------------------------------------

def small_pdf() -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


PDF = small_pdf()
APPLICATION = {
    "title": "Soak restoration", "description": "Mixed traffic.", "host_party": "MYS", "jurisdiction": "MY-12",
    "acquiring_parties": ["KOR"], "sector": "Forestry and other land use", "mitigation_type": "Removal",
    "activity_type": "Afforestation, reforestation and revegetation", "requested_quantity": 1000,
    "vintage_from": 2026, "vintage_to": 2030, "purposes": "NDC", "first_transfer_definition": "First international transfer",
}


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.requests = collections.Counter()  # (kind, status or error) → n
        self.five_xx: list[tuple[float, str, int]] = []
        self.errors: list[tuple[float, str, str]] = []
        self.transitions: list[tuple[str, str]] = []  # acknowledged with a 200
        self.latency = collections.defaultdict(list)

    def record(self, kind: str, status, seconds: float) -> None:
        with self.lock:
            self.requests[(kind, status)] += 1
            self.latency[kind].append(seconds)
            now = time.monotonic()
            if isinstance(status, int) and status >= 500:
                self.five_xx.append((now, kind, status))
            elif not isinstance(status, int):
                self.errors.append((now, kind, status))


def call(stats: Stats, kind: str, token: str, method: str, path: str, body=None, headers=None):
    headers = {"Authorization": f"Token {token}", **(headers or {})}
    data = None
    if isinstance(body, dict):
        data, headers["Content-Type"] = json.dumps(body).encode(), "application/json"
    elif isinstance(body, bytes):
        data = body
    request = urllib.request.Request(BASE + path, data=data, headers=headers, method=method)
    began = time.monotonic()
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            status, payload = response.status, response.read()
    except urllib.error.HTTPError as error:
        status, payload = error.code, error.read()
    except (urllib.error.URLError, OSError) as error:
        stats.record(kind, type(getattr(error, "reason", error)).__name__, time.monotonic() - began)
        return None, None
    stats.record(kind, status, time.monotonic() - began)
    try:
        return status, json.loads(payload or b"null")
    except ValueError:
        return status, None


def multipart(fields: dict, file_bytes: bytes) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode() for k, v in fields.items()]
    parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="evidence.pdf"\r\n'
                 f"Content-Type: application/pdf\r\n\r\n".encode() + file_bytes + b"\r\n")
    return b"".join(parts) + f"--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


def client(stats: Stats, tokens: dict[str, str], until: float, seed: int) -> None:
    rng = random.Random(seed)
    proponent, loa, ca = tokens["proponent"], tokens["sabah.approver"], tokens["federal.approver"]
    reviewer = tokens["sabah.reviewer"]

    def transition(token: str, reference: str, name: str, **more) -> bool:
        status, _ = call(stats, "transition", token, "POST", f"/api/v1/applications/{reference}/transitions/",
                         {"transition": name, **more})
        if status == 200:
            with stats.lock:
                stats.transitions.append((reference, name))
        return status == 200

    while time.monotonic() < until:
        status, body = call(stats, "create", proponent, "POST", "/api/v1/applications/", APPLICATION,
                            {"Idempotency-Key": str(uuid.uuid4())})
        if status != 201:
            time.sleep(0.5)
            continue
        reference = body["reference"]
        payload, content_type = multipart({"title": "Evidence"}, PDF)
        call(stats, "upload", proponent, "POST", f"/api/v1/applications/{reference}/documents/", payload,
             {"Content-Type": content_type})
        if rng.random() < 0.05:
            transition(proponent, reference, "withdraw")
            continue
        if not transition(proponent, reference, "submit"):
            continue
        for _ in range(rng.randint(1, 3)):  # officers and the proponent read while it waits
            call(stats, "read", rng.choice([proponent, reviewer, loa]), "GET", f"/api/v1/applications/{reference}/")
        call(stats, "read", reviewer, "GET", "/api/v1/queue/")
        call(stats, "read", proponent, "GET", "/api/v1/applications/?page_size=20")
        roll = rng.random()
        if roll < 0.1:
            transition(loa, reference, "request_changes", comment="Please add the baseline study.")
            continue
        if roll < 0.15:
            transition(loa, reference, "reject", comment="Not additional.")
            continue
        if not transition(loa, reference, "issue_loa", authorized_quantity=rng.randint(100, 1000)):
            continue
        call(stats, "read", proponent, "GET", f"/api/v1/applications/{reference}/history/")
        transition(ca, reference, "approve_ca")


# --- the failures ----------------------------------------------------------------------------------------

def chaos(until_start: float) -> None:
    """At a quarter, half and three quarters of the run: a Celery worker, Redis, a gunicorn worker."""
    moments = [(0.25, "kill celery worker"), (0.5, "restart redis"), (0.75, "kill web worker")]
    for fraction, what in moments:
        time.sleep(max(0.0, until_start + SECONDS * fraction - time.monotonic()))
        events.append((time.monotonic(), what))
        if what == "kill celery worker":
            say("SIGKILL to Celery worker 1 (its pool included); restarted in 5 s")
            killing.add("worker1")
            os.killpg(processes["worker1"].pid, signal.SIGKILL)
            processes["worker1"].wait()
            time.sleep(5)
            start_worker(1)
            killing.discard("worker1")
        elif what == "restart redis":
            say("Redis stopped (no persistence: every queued message is lost); started again in 5 s")
            stop("redis")
            time.sleep(5)
            start_redis()
        else:
            children = subprocess.run(["pgrep", "-P", str(processes["web"].pid)], capture_output=True, text=True).stdout.split()
            say(f"SIGKILL to gunicorn worker {children[0]} (the master forks another)")
            os.kill(int(children[0]), signal.SIGKILL)


# --- the checks ------------------------------------------------------------------------------------------

def sql(query: str, *params):
    with psycopg.connect(DATABASE_URL) as connection:
        return connection.execute(query, params).fetchall()


def undelivered() -> tuple[int, int]:
    notifications = sql("SELECT count(*) FROM notifications_notification WHERE status IN ('pending', 'sending')")[0][0]
    deliveries = sql("SELECT count(*) FROM webhooks_delivery WHERE status = 'pending'")[0][0]
    return notifications, deliveries


def drain() -> float:
    began = time.monotonic()
    while time.monotonic() - began < DRAIN_SECONDS:
        if undelivered() == (0, 0):
            break
        time.sleep(2)
    return time.monotonic() - began


def mailed() -> collections.Counter:
    counts = collections.Counter()
    for path in MAIL.glob("*"):
        for match in re.finditer(r"Message-ID: <notification-(\d+)@", path.read_text(errors="replace")):
            counts[int(match.group(1))] += 1
    return counts


def baseline() -> tuple[int, int]:
    """The last audit event and notification of the seeding: the checks look at what came after."""
    return (sql("SELECT coalesce(max(seq), 0) FROM audit_auditevent")[0][0],
            sql("SELECT coalesce(max(id), 0) FROM notifications_notification")[0][0])


def checks(stats: Stats, receiver: Receiver, endpoints: dict[str, list[str]], drained: float,
           since: tuple[int, int]) -> list[tuple[str, str, bool]]:
    rows: list[tuple[str, str, bool]] = []
    first_seq, first_notification = since
    transition_events = sql("SELECT seq, subject_id, data->>'transition', event FROM audit_auditevent "
                            "WHERE subject_type = 'application' AND data ? 'transition' AND seq > %s ORDER BY seq", first_seq)
    in_chain = collections.Counter((subject, name) for _, subject, name, _ in transition_events)
    acknowledged = collections.Counter(stats.transitions)
    missing = sum(max(0, n - in_chain[key]) for key, n in acknowledged.items())
    unanswered = sum(max(0, n - acknowledged[key]) for key, n in in_chain.items())  # committed, answer lost in a kill
    rows.append(("transitions acknowledged (200) / in the audit chain", f"{sum(acknowledged.values())} / "
                 f"{len(transition_events)}; acknowledged but not in the chain: {missing}; in the chain, answer lost: "
                 f"{unanswered}", missing == 0))

    # Notifications: every transition event wrote some; every row delivered; every email row mailed once.
    statuses = dict(sql("SELECT status, count(*) FROM notifications_notification WHERE id > %s GROUP BY status",
                        first_notification))
    keyed = {row[0] for row in sql("SELECT DISTINCT split_part(idempotency_key, ':', 2)::int FROM notifications_notification "
                                   "WHERE idempotency_key LIKE 'audit:%%' AND id > %s", first_notification)}
    silent = sum(1 for seq, *_ in transition_events if seq not in keyed)
    emails = {row[0] for row in sql("SELECT id FROM notifications_notification WHERE channel = 'email' AND id > %s",
                                    first_notification)}
    sent = mailed()
    lost_mail = len([pk for pk in emails if sent[pk] == 0])
    twice = sum(1 for pk, n in sent.items() if n > 1)
    not_delivered = sum(n for status, n in statuses.items() if status != "delivered")
    rows.append(("notifications written / delivered", f"{sum(statuses.values())} / {statuses.get('delivered', 0)}",
                 not_delivered == 0))
    rows.append(("notifications lost (transition without any; email never sent; undelivered)",
                 f"{silent}; {lost_mail}; {not_delivered}", silent == 0 and lost_mail == 0 and not_delivered == 0))
    rows.append(("emails sent twice (same Message-ID)", str(twice), twice == 0))

    # Webhooks: each transition event × each endpoint wanting it has one row, delivered, accepted once.
    expected = {(path, f"audit:{seq}") for seq, _, _, event in transition_events
                for path, wanted in endpoints.items() if not wanted or event in wanted}
    rows_written = {(f"/hook/{endpoint}", event_id): status for endpoint, event_id, status in sql(
        "SELECT e.description, d.event_id, d.status FROM webhooks_delivery d JOIN webhooks_endpoint e ON e.id = d.endpoint_id")}
    no_row = len(expected - rows_written.keys())
    undelivered_rows = sum(1 for status in rows_written.values() if status != "delivered")
    never_received = sum(1 for key in rows_written if receiver.accepted[key] == 0)
    accepted_twice = sum(1 for n in receiver.accepted.values() if n > 1)
    rows.append(("webhook deliveries expected / written / delivered",
                 f"{len(expected)} / {len(rows_written)} / {sum(1 for s in rows_written.values() if s == 'delivered')}",
                 no_row == 0 and undelivered_rows == 0))
    rows.append(("webhook deliveries lost (no row; not delivered; never received)",
                 f"{no_row}; {undelivered_rows}; {never_received}", no_row == 0 and undelivered_rows == 0 and never_received == 0))
    rows.append(("webhook events accepted twice by the receiver", str(accepted_twice), accepted_twice == 0))
    rows.append(("webhook retries after a receiver 500 / bad signatures", f"{len(receiver.refused_once)} / {receiver.bad_signatures}",
                 receiver.bad_signatures == 0))

    audit = manage("verify_audit", check=False)
    rows.append(("manage.py verify_audit", (audit.stdout.strip().splitlines() or ["(no output)"])[-1][:70], audit.returncode == 0))
    ledger = manage("check_ledger", check=False)
    rows.append(("manage.py check_ledger", (ledger.stdout.strip().splitlines() or ["(no output)"])[-1][:70], ledger.returncode == 0))

    web_kill = next(at for at, what in events if what == "kill web worker")
    unexpected = [x for x in stats.five_xx if not web_kill <= x[0] <= web_kill + WEB_KILL_GRACE]
    rows.append(("5xx during the web kill / elsewhere", f"{len(stats.five_xx) - len(unexpected)} / {len(unexpected)}",
                 not unexpected))
    errors = collections.Counter(kind for _, kind, _ in stats.errors)
    rows.append(("connection errors (kind: n)", ", ".join(f"{k}: {n}" for k, n in errors.items()) or "0", True))
    rows.append(("services that exited by themselves (restarted by the supervisor)",
                 ", ".join(f"{name} (status {code}) at {at - started_at:.0f} s" for at, name, code in restarts) or "none", True))
    rows.append(("drain after the traffic stopped", f"{drained:.0f} s", True))
    return rows


def table(stats: Stats, rows, elapsed: float) -> str:
    total = sum(stats.requests.values())
    by_kind = collections.Counter()
    for (kind, _), n in stats.requests.items():
        by_kind[kind] += n
    lines = [f"Tierflow soak: {SECONDS} s of traffic, {CLIENTS} clients, 2 gunicorn workers, 2 Celery workers, beat, "
             f"PostgreSQL, Redis :{REDIS_PORT}", "",
             f"| requests | {total} ({total / SECONDS:.1f}/s) |", "|---|---|"]
    for kind, n in sorted(by_kind.items()):
        latencies = sorted(stats.latency[kind])
        p50, p95 = latencies[len(latencies) // 2], latencies[int(len(latencies) * 0.95)]
        codes = ", ".join(f"{status}: {m}" for (k, status), m in sorted(stats.requests.items(), key=str) if k == kind)
        lines.append(f"| {kind} | {n} (p50 {p50 * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms; {codes}) |")
    for at, what in events:
        lines.append(f"| {what} | at {at - started_at:.0f} s |")
    lines += ["", "| check | result | ok |", "|---|---|---|"]
    lines += [f"| {name} | {value} | {'yes' if ok else 'NO'} |" for name, value, ok in rows]
    lines.append(f"\nwall time {elapsed:.0f} s; {'PASS' if all(ok for *_, ok in rows) else 'FAIL'}")
    return "\n".join(lines)


def main() -> int:
    if not shutil.which("redis-server"):
        raise SystemExit("make soak needs redis-server on the PATH")
    try:
        tokens = setup()
        receiver = Receiver()
        start_web()
        start_worker(1)
        start_worker(2)
        start_beat()
        for _ in range(100):
            try:
                if urllib.request.urlopen(BASE + "/api/v1/health/", timeout=2).status == 200:
                    break
            except OSError:
                time.sleep(0.3)
        endpoints = {"all": [], "decisions": ["application.issue_loa", "application.approve_ca", "application.reject"]}
        for name, wanted in endpoints.items():
            request = urllib.request.Request(BASE + "/api/v1/webhooks/endpoints/", method="POST", data=json.dumps(
                {"url": f"http://127.0.0.1:{RECEIVER_PORT}/hook/{name}", "events": wanted, "description": name}).encode(),
                headers={"Authorization": f"Token {tokens['proponent']}", "Content-Type": "application/json"})
            receiver.secrets[f"/hook/{name}"] = json.loads(urllib.request.urlopen(request).read())["secret"]
        endpoints = {f"/hook/{name}": wanted for name, wanted in endpoints.items()}
        say(f"traffic for {SECONDS} s from {CLIENTS} clients")
        stats = Stats()
        since = baseline()
        began = time.monotonic()
        until = began + SECONDS
        threads = [threading.Thread(target=client, args=(stats, tokens, until, n), daemon=True) for n in range(CLIENTS)]
        threads.append(threading.Thread(target=chaos, args=(began,), daemon=True))
        supervising = threading.Event()
        threading.Thread(target=supervise, args=(supervising,), daemon=True).start()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        say("traffic stopped; waiting for the outboxes to drain")
        drained = drain()
        supervising.set()
        rows = checks(stats, receiver, endpoints, drained, since)
        summary = table(stats, rows, time.monotonic() - started_at)
        (WORK / "summary.md").write_text(summary + "\n")
        print("\n" + summary, flush=True)
        return 0 if all(ok for *_, ok in rows) else 1
    finally:
        for name in ["web", "beat", "worker1", "worker2", "redis"]:
            stop(name)


if __name__ == "__main__":
    sys.exit(main())
