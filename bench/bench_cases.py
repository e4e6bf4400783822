"""Benchmark: the caseload and family pages under 20 concurrent key workers, with 100,000 families and
1,000,000 case events in PostgreSQL; prints p50/p95/p99 latency per page.

Starts a private PostgreSQL cluster in a temporary folder on a free loopback port (never a shared database;
as the `postgres` user when run as root), migrates, loads the data with COPY, serves the app with gunicorn
on 127.0.0.1, and drives it from a second process: 20 threads, each signed in as a different key worker,
alternating their caseload page and one of their families' pages. Figures are printed, not judged
(the target is p95 under 300 ms).

    .venv/bin/python bench/bench_cases.py [--families 100000] [--events 1000000] [--users 20] [--seconds 60]
        [--workers 4] [--database-url postgresql://...] [--keep]
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing
import os
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PASSWORD = "bench-only-password-not-secret"  # noqa: S105
DISTRICTS = ("Northmoor", "Southvale", "Eastwick", "Westford", "Highcliffe", "Lowbridge", "Ashdale", "Brookside")
SURNAMES = ("Testperson", "Exampleton", "O'Sample", "Fictional", "Madeup", "Nobody", "Placeholder", "Dummy")
EVENT_CODES = (
    "case_opened",
    "member_added",
    "stage_changed",
    "allocated",
    "assessment_recorded",
    "plan_agreed",
    "goal_added",
    "review_held",
    "taf_meeting_held",
    "consent_recorded",
)
# Stage mix: most families past closure over a programme's years; about a quarter open with a key worker.
STAGE_MIX = (
    ("closed", 0.55),
    ("plan_active", 0.16),
    ("review", 0.03),
    ("assessment", 0.04),
    ("allocated", 0.03),
    ("awaiting_allocation", 0.05),
    ("information_gathering", 0.07),
    ("identified", 0.07),
)
ALLOCATED = {"allocated", "assessment", "plan_active", "review"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def pg_bin(name: str) -> str:
    for folder in ("/usr/lib/postgresql/15/bin", "/usr/lib/postgresql/16/bin", "/usr/lib/postgresql/17/bin"):
        if Path(folder, name).exists():
            return str(Path(folder, name))
    found = shutil.which(name)
    if found is None:
        raise SystemExit(f"{name} not found: install PostgreSQL or pass --database-url")
    return found


def as_postgres(command: list[str]) -> list[str]:
    """initdb refuses to run as root: run the cluster's commands as the postgres user then."""
    if os.geteuid() != 0:
        return command
    return ["su", "postgres", "-s", "/bin/sh", "-c", " ".join(f"'{part}'" for part in command)]


@contextmanager
def private_postgres(folder: Path) -> Iterator[str]:
    data = folder / "pgdata"
    data.mkdir()
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres")
        shutil.chown(data, "postgres")
    port = free_port()
    subprocess.run(
        as_postgres([pg_bin("initdb"), "-D", str(data), "-A", "trust", "-U", "postgres"]),
        check=True,
        capture_output=True,
    )
    options = f"-p {port} -k {data} -c listen_addresses=127.0.0.1 -c shared_buffers=512MB -c max_connections=60"
    subprocess.run(
        as_postgres([pg_bin("pg_ctl"), "-D", str(data), "-o", options, "-l", str(data / "log"), "-w", "start"]),
        check=True,
        capture_output=True,
    )
    try:
        subprocess.run(
            ["psql", "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", "-c", "CREATE DATABASE bench"],
            check=True,
            capture_output=True,
        )
        yield f"postgresql://postgres@127.0.0.1:{port}/bench"
    finally:
        subprocess.run(as_postgres([pg_bin("pg_ctl"), "-D", str(data), "-m", "fast", "stop"]), capture_output=True)


def wholefamily(*args: str, env: dict[str, str]) -> None:
    result = subprocess.run([sys.executable, "-m", "wholefamily.cli", *args], env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise SystemExit(f"wholefamily {' '.join(args)} failed:\n{result.stderr[-3000:]}")


# --- Data ------------------------------------------------------------------------------------------------------


def load_data(families: int, events: int, users: int, workers_per_team: int) -> dict[str, Any]:
    """Teams, staff and families with members and case events, loaded with COPY. Returns the bench users."""
    import django

    django.setup()
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import Group, User
    from django.db import connection, transaction

    from wholefamily.governance.models import StaffProfile, Team

    rng = random.Random(7)
    started = time.perf_counter()
    with transaction.atomic():
        key_worker_group, _ = Group.objects.get_or_create(name="key_worker")
        manager_group, _ = Group.objects.get_or_create(name="team_manager")
        teams = [Team.objects.create(name=f"{d} Family Support", district=d, caseload_limit=100) for d in DISTRICTS]
        password = make_password(PASSWORD)
        staff = []
        for team in teams:
            for n in range(workers_per_team + 1):
                staff.append(
                    (
                        team,
                        n == 0,
                        User(
                            username=f"{team.district.lower()}.{n}",
                            first_name="Bench",
                            last_name=f"Worker {n}",
                            password=password,
                        ),
                    )
                )
        User.objects.bulk_create([user for _, _, user in staff], batch_size=1000)
        by_name = {u.username: u for u in User.objects.filter(username__in=[u.username for _, _, u in staff])}
        through = User.groups.through
        through.objects.bulk_create(
            [
                through(
                    user_id=by_name[user.username].pk, group_id=(manager_group if is_manager else key_worker_group).pk
                )
                for _, is_manager, user in staff
            ],
            batch_size=5000,
        )
        StaffProfile.objects.bulk_create(
            [StaffProfile(user=by_name[user.username], team=team, job_title="Bench") for team, _, user in staff],
            batch_size=1000,
        )
    workers_by_team = {
        team.pk: [by_name[u.username].pk for t, is_manager, u in staff if t == team and not is_manager]
        for team in teams
    }
    print(f"  staff: {len(staff)} in {len(teams)} teams ({time.perf_counter() - started:.1f} s)")

    now = datetime.now(UTC)
    today = date.today()
    stages = [stage for stage, _ in STAGE_MIX]
    weights = [weight for _, weight in STAGE_MIX]
    connection.ensure_connection()
    raw = connection.connection  # psycopg 3
    case_rows = []
    for i in range(families):
        team = teams[i % len(teams)]
        stage = rng.choices(stages, weights)[0]
        worker = rng.choice(workers_by_team[team.pk]) if stage in ALLOCATED or stage == "closed" else None
        opened = today - timedelta(days=rng.randint(30, 1500))
        plan_on = opened + timedelta(days=40) if stage in {"plan_active", "review", "closed"} else None
        review_on = today + timedelta(days=rng.randint(-20, 90)) if stage in {"plan_active", "review"} else None
        case_rows.append(
            (
                f"F-{i + 1:06d}",
                f"the {SURNAMES[i % len(SURNAMES)]} family {i}",
                f"H{i:010d}",
                "supporting_families",
                team.pk,
                "cohort",
                "Bench family",
                stage,
                now,
                1 + i % 3,
                now if stage == "awaiting_allocation" else None,
                worker,
                opened,
                plan_on,
                review_on,
                opened + timedelta(days=300) if stage == "closed" else None,
                "outcomes_achieved" if stage == "closed" else "",
                "",
                now,
            )
        )
    started = time.perf_counter()
    with raw.cursor() as cursor:
        with cursor.copy(
            "COPY cases_case (reference, family_name, household_id, programme, team_id, origin, evidence_summary, "
            "stage, stage_changed_at, priority, waiting_since_at, key_worker_id, opened_on, plan_agreed_on, "
            "next_review_due_on, closed_on, closure_destination, closure_reason, created_at) FROM STDIN"
        ) as copy:
            for row in case_rows:
                copy.write_row(row)
        cursor.execute("SELECT id, key_worker_id, stage FROM cases_case ORDER BY id")
        cases = cursor.fetchall()
        with cursor.copy(
            "COPY cases_member (case_id, person_id, display_name, born_on, role, start_on, end_on, end_reason, "
            "version) FROM STDIN"
        ) as copy:
            for case_id, _, _ in cases:
                for n, role in enumerate(("parenting_adult", "child", "child")):
                    born = today - timedelta(days=365 * (35 if n == 0 else 5 + 4 * n))
                    copy.write_row(
                        (case_id, f"P{case_id:06d}{n}", f"Person {case_id}-{n}", born, role, today, None, "", 1)
                    )
        per_case = max(1, events // len(cases))
        written = 0
        with cursor.copy(
            "COPY cases_caseevent (case_id, code, occurred_at, by_id, summary, detail) FROM STDIN"
        ) as copy:
            for case_id, worker, _ in cases:
                for n in range(per_case):
                    code = EVENT_CODES[n % len(EVENT_CODES)]
                    copy.write_row(
                        (
                            case_id,
                            code,
                            now - timedelta(days=per_case - n),
                            worker,
                            f"Bench event {n} of case {case_id}",
                            "{}",
                        )
                    )
                    written += 1
        with cursor.copy(
            "COPY cases_plan (case_id, aims, agreed_on, agreement_signed_on, version, updated_at, updated_by_id) "
            "FROM STDIN"
        ) as copy:
            for case_id, worker, stage in cases:
                if stage in {"plan_active", "review"} and worker is not None:
                    copy.write_row((case_id, "Children in school every day", today, None, 1, now, worker))
        cursor.execute("ANALYZE")
    raw.commit()
    print(
        f"  families: {len(cases):,}, members: {3 * len(cases):,}, case events: {written:,} "
        f"({time.perf_counter() - started:.1f} s)"
    )

    open_by_worker: dict[int, list[int]] = {}
    for case_id, worker, stage in cases:
        if worker is not None and stage in ALLOCATED:
            open_by_worker.setdefault(worker, []).append(case_id)
    names = {user.pk: user.username for user in by_name.values()}
    chosen = sorted(open_by_worker, key=lambda w: -len(open_by_worker[w]))[:users]
    return {
        "users": [
            {"username": names[w], "cases": open_by_worker[w][:200], "open": len(open_by_worker[w])} for w in chosen
        ]
    }


# --- Load (the second process) -----------------------------------------------------------------------------------


class Session:
    """A signed-in browser, reduced to cookies over one keep-alive HTTP connection."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.cookies: dict[str, str] = {}
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

    def request(self, method: str, path: str, body: dict[str, str] | None = None) -> tuple[int, str]:
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()), "Host": "127.0.0.1"}
        data = None
        if body is not None:
            data = urllib.parse.urlencode(body)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = f"http://127.0.0.1:{self.port}{path}"
        try:
            self.connection.request(method, path, body=data, headers=headers)
            response = self.connection.getresponse()
        except (ConnectionError, http.client.HTTPException):
            self.connection.close()
            self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
            self.connection.request(method, path, body=data, headers=headers)
            response = self.connection.getresponse()
        text = response.read().decode("utf-8", "replace")
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name] = rest.split(";", 1)[0]
        return response.status, text

    def sign_in(self, username: str) -> None:
        _, page = self.request("GET", "/sign-in/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        if token is None:
            raise RuntimeError("no CSRF token on the sign-in page")
        status, _ = self.request(
            "POST", "/sign-in/", {"csrfmiddlewaretoken": token.group(1), "username": username, "password": PASSWORD}
        )
        if status != 302:
            raise RuntimeError(f"sign-in of {username} answered {status}")


def drive(port: int, users: list[dict[str, Any]], seconds: float, think: float, results: Any) -> None:
    """Runs in the second process: one thread per user, each alternating caseload and family pages."""
    timings: dict[str, list[float]] = {"caseload": [], "family": []}
    errors: list[str] = []
    lock = threading.Lock()
    deadline: list[float] = [0.0]

    def start_clock() -> None:  # run once, before any thread is released: every user then sees the deadline
        deadline[0] = time.perf_counter() + seconds

    ready = threading.Barrier(len(users) + 1, action=start_clock)

    def user_loop(user: dict[str, Any]) -> None:
        rng = random.Random(user["username"])
        session = Session(port)
        try:
            session.sign_in(user["username"])
        finally:
            ready.wait()
        while time.perf_counter() < deadline[0]:
            for page, path in (("caseload", "/families/"), ("family", f"/families/{rng.choice(user['cases'])}/")):
                started = time.perf_counter()
                status, _ = session.request("GET", path)
                elapsed = time.perf_counter() - started
                with lock:
                    if status == 200:
                        timings[page].append(elapsed)
                    else:
                        errors.append(f"{status} {path}")
                if think:
                    time.sleep(rng.expovariate(1 / think))

    threads = [threading.Thread(target=user_loop, args=(user,), daemon=True) for user in users]
    for thread in threads:
        thread.start()
    ready.wait()
    for thread in threads:
        thread.join(seconds + 120)
    results.put({"timings": timings, "errors": errors[:20], "error_count": len(errors)})


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def report(figures: dict[str, Any], seconds: float, users: int, think: float) -> None:
    pause = f", {think:g} s think time" if think else ", no think time"
    print(
        f"\nLoad: {users} concurrent signed-in key workers for {seconds:.0f} s{pause}, "
        "from a second process on loopback"
    )
    print(f"{'page':<10}{'requests':>10}{'req/s':>8}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'max ms':>9}")
    for page, values in figures["timings"].items():
        if not values:
            print(f"{page:<10}{0:>10}")
            continue
        ms = [v * 1000 for v in values]
        print(
            f"{page:<10}{len(ms):>10}{len(ms) / seconds:>8.1f}{statistics.median(ms):>9.0f}"
            f"{percentile(ms, 0.95):>9.0f}{percentile(ms, 0.99):>9.0f}{max(ms):>9.0f}"
        )
    print(f"errors: {figures['error_count']} {figures['errors'][:5] if figures['errors'] else ''}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--families", type=int, default=100_000)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--users", type=int, default=20, help="concurrent users at the highest level")
    parser.add_argument("--levels", default="1,20", help="concurrency levels to run in turn, e.g. 1,5,20")
    parser.add_argument("--think", type=float, default=0.0, help="seconds each user waits between pages")
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn worker processes")
    parser.add_argument(
        "--workers-per-team",
        type=int,
        default=400,
        help="key workers per team: 400 gives about 8 open families each (the default caseload limit); 60 about 70",
    )
    parser.add_argument("--database-url", default="", help="an empty PostgreSQL database to use instead")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    options = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="wf-bench-cases-"))
    os.chmod(folder, 0o755)  # noqa: S103 (the postgres user must enter it when we run as root)
    try:
        with private_postgres(folder) if not options.database_url else _given(options.database_url) as url:
            return run(options, folder, url)
    finally:
        if not options.keep:
            shutil.rmtree(folder, ignore_errors=True)


@contextmanager
def _given(url: str) -> Iterator[str]:
    yield url


def run(options: argparse.Namespace, folder: Path, url: str) -> int:
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "WHOLEFAMILY_VAR_DIR": str(folder / "var"),
        "WHOLEFAMILY_ENV": "development",
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "WHOLEFAMILY_INPROCESS_WORKER": "0",
        "DEBUG": "0",
        "AXES_FAILURE_LIMIT": "1000",
    }
    os.environ.update(env)
    print(f"PostgreSQL: {url.rsplit('@', 1)[-1]}")
    started = time.perf_counter()
    wholefamily("migrate", "--no-input", env=env)
    print(f"  migrated ({time.perf_counter() - started:.1f} s)")
    levels = [int(n) for n in options.levels.split(",") if n.strip()]
    setup = load_data(options.families, options.events, max([options.users, *levels]), options.workers_per_team)
    users = setup["users"]
    print(
        f"  bench users: {len(users)} key workers with {min(u['open'] for u in users)}-"
        f"{max(u['open'] for u in users)} open families each"
    )

    port = free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "config.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(options.workers),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.2)
        context = multiprocessing.get_context("spawn")
        results = context.Queue()
        warmup = context.Process(target=drive, args=(port, users[:2], 3.0, 0.0, results))
        warmup.start()
        results.get(timeout=300)
        warmup.join()
        for level in [int(n) for n in options.levels.split(",") if n.strip()]:
            loader = context.Process(target=drive, args=(port, users[:level], options.seconds, options.think, results))
            loader.start()
            figures = results.get(timeout=options.seconds + 600)
            loader.join()
            report(figures, options.seconds, min(level, len(users)), options.think)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(30)
    print(f"machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at the end")
    print(json.dumps({"families": options.families, "events": options.events, "workers": options.workers}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
