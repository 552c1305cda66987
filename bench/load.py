"""Load benchmark (`make bench`): learners' pages and quiz attempts under gunicorn, on SQLite and PostgreSQL.

Pages (driven by wrk): requests per second and latency percentiles at 1 and 8 concurrent clients for the
dashboard, a course page and a module page, beside `/healthz` of the same server. Quiz attempts (bench/quiz_flow.py,
one Python process per learner): complete attempts per second at 1 and 8 learners, through the pages' flow and
through the API, checked against the database afterwards. Then whether the aims of the issues hold.
Settings: BENCH_WORKERS, BENCH_THREADS (more than 1 selects gthread workers), BENCH_SECONDS, BENCH_BACKENDS
("sqlite,postgres"), BENCH_SECTIONS ("pages,quiz") and LMS_BENCH_POSTGRES_URL.
"""
import http.client
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

import quiz_flow
import sqlalchemy as sa
from cpu import CpuClock, CpuShares
from seed import Seeded, seed_database
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
LUA = Path(__file__).resolve().parent / "learners.lua"
BIN = Path(sys.executable).parent
SLUG = "serving-citizens"
PASSWORD = "bench-" + secrets.token_hex(4)
PAGES = [("healthz", "/healthz"), ("dashboard", "/"), ("course", f"/courses/{SLUG}"),
         ("module", f"/courses/{SLUG}/modules/2")]
CLIENTS = (1, 8)
SECONDS = int(os.environ.get("BENCH_SECONDS", "8"))
WORKERS = int(os.environ.get("BENCH_WORKERS", "4"))  # sync workers, as in the production command of README.md
THREADS = int(os.environ.get("BENCH_THREADS", "1"))
BACKENDS = os.environ.get("BENCH_BACKENDS", "sqlite,postgres").split(",")
SECTIONS = os.environ.get("BENCH_SECTIONS", "pages,quiz").split(",")
POSTGRES_URL = os.environ.get("LMS_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/lms_bench")
AIM_RATIO = 5  # every page's p50 within 5x the health check's
AIM_RPS = 500  # at 8 clients
DISTURBED = 0.3  # cores used by other processes during a run, beyond which the run is taken again


@dataclass(frozen=True)
class Server:
    port: int
    pid: int  # the gunicorn master's
    database: str | None  # PostgreSQL's database name, to count its backends' CPU
    others: tuple[int, ...] = ()  # more processes of the server side (bench/cluster.py: HAProxy, the other servers)
    ports: tuple[int, ...] = ()  # bench/cluster.py: each server's own, behind the balancer's `port`

    @property
    def processes(self) -> tuple[int, ...]:
        return (self.pid, *self.others)


@dataclass(frozen=True)
class Figures:
    page: str
    clients: int
    rps: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    cpu: CpuShares


def main() -> int:
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # so that gunicorn is stopped on the way out
    print(f"{cpu_model()}, {os.cpu_count()} CPUs; gunicorn {WORKERS} worker(s) x {THREADS} thread(s); "
          f"{SECONDS} s per run")
    unknown = set(SECTIONS) - {"pages", "quiz"}
    if unknown:
        raise SystemExit(f"unknown section(s) {', '.join(sorted(unknown))}: use pages and/or quiz")
    sound = True
    for name in BACKENDS:
        with database(name) as url:
            if url is not None:
                sound &= bench_backend(name, url)
    if not sound:
        print("\nquiz attempts: errors, or the database disagrees with the clients (see above)")
    return 0 if sound else 1


def cpu_model() -> str:
    with open("/proc/cpuinfo") as info:
        return next((line.split(":", 1)[1].strip() for line in info if line.startswith("model name")), "?")


@contextmanager
def database(name: str):
    """An empty database for one backend, or None when that backend is not available here."""
    if name == "sqlite":
        with tempfile.TemporaryDirectory(prefix="lms-bench-") as tmp:
            yield f"sqlite:///{Path(tmp) / 'lms.sqlite3'}"
    elif name == "postgres":
        yield recreate_postgres(POSTGRES_URL)
    else:
        raise SystemExit(f"unknown backend {name!r}: use sqlite and/or postgres")


def recreate_postgres(url: str) -> str | None:
    """Drop and create the benchmark's database, so every run starts from the same state."""
    parsed = make_url(url)
    admin = sa.create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)'))
            conn.execute(sa.text(f'CREATE DATABASE "{parsed.database}"'))
    except sa.exc.OperationalError as error:
        print(f"\nPostgreSQL does not answer ({error.orig}): skipping the PostgreSQL run")
        return None
    finally:
        admin.dispose()
    return url


def bench_backend(name: str, url: str) -> bool:
    """Migrate, seed, serve and measure one backend; False when the quiz runs saw errors or failed their checks."""
    print(f"\n== {name} ==")
    secret = secrets.token_hex(32)
    started = time.monotonic()
    migrate(url, secret)
    seeded = seed_database(url, ROOT / "courses", SLUG, PASSWORD)
    print(f"seeded {seeded.users} staff, {seeded.enrollments} enrolments, {seeded.completions} module completions "
          f"in {time.monotonic() - started:.1f} s")
    results, runs = [], []
    with gunicorn(url, secret) as server:
        cookies = sign_in_all(server.port, seeded)
        if "pages" in SECTIONS:
            check_pages(server.port, cookies)
            warm_up(server.port, cookies)
            results = [measure(server, page, path, clients, cookies) for clients in CLIENTS for page, path in PAGES]
        if "quiz" in SECTIONS:
            learners = quiz_flow.prepare(server.port, seeded.quiz_learners, PASSWORD, sign_in)
            health = measure(server, "healthz", "/healthz", max(CLIENTS), [], seconds=4)  # the yardstick, just before
            runs = quiz_flow.bench(server, url, learners, SECONDS, DISTURBED)
    if results:
        print_table(name, results)
    if not runs:
        return True
    return quiz_flow.print_table(name, runs, DISTURBED, health)


def server_env(url: str, secret: str) -> dict:
    return {**os.environ, "LMS_ENV": "production", "LMS_SECRET_KEY": secret, "LMS_ISSUER_KEY_PASSPHRASE": secret,
            "LMS_DATABASE_URL": url}


def migrate(url: str, secret: str) -> None:
    """The schema comes from the Alembic history, as in production."""
    done = subprocess.run([sys.executable, "-m", "flask", "--app", "lms", "db", "upgrade"], cwd=ROOT,
                          env=server_env(url, secret), capture_output=True, text=True, timeout=120)
    if done.returncode:
        raise RuntimeError(f"flask db upgrade failed:\n{done.stderr[-3000:]}")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def gunicorn_command(port: int) -> list[str]:
    command = [str(BIN / "gunicorn"), "--workers", str(WORKERS), "--bind", f"127.0.0.1:{port}"]
    if THREADS > 1:
        command += ["--threads", str(THREADS)]  # gunicorn switches to gthread workers, which keep connections
    return [*command, "lms:create_app()"]


@contextmanager
def gunicorn(url: str, secret: str):
    """A production-mode server on a free port; stopped however the block ends."""
    port = free_port()
    with tempfile.TemporaryFile("w+") as log, tempfile.TemporaryDirectory(prefix="lms-bench-instance-") as instance:
        env = {**server_env(url, secret), "LMS_INSTANCE_PATH": instance}  # its own, as a server of its own machine
        process = subprocess.Popen(gunicorn_command(port), cwd=ROOT, env=env,
                                   stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            wait_healthy(port, process, log)
            yield Server(port, process.pid, make_url(url).database if url.startswith("postgresql") else None)
        finally:
            stop(process)
            report_problems(log)


SERVER_PROBLEMS = ("[CRITICAL]", "[ERROR]", "WORKER TIMEOUT", "Traceback", "Error:")


def report_problems(log, lines: int = 40) -> None:
    """Prints what the server's log says went wrong (worker timeouts, tracebacks), which the figures alone do not
    show; the log itself goes with its temporary file."""
    log.seek(0)
    problems = [line.rstrip() for line in log if any(mark in line for mark in SERVER_PROBLEMS)]
    if problems:
        print(f"  gunicorn's log: {len(problems)} lines of problems, the last {min(lines, len(problems))}:")
        for line in problems[-lines:]:
            print(f"    {line}")


def wait_healthy(port: int, process: subprocess.Popen, log, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            break
        try:
            if get(port, "/healthz")[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    log.seek(0)
    raise RuntimeError(f"gunicorn did not become healthy:\n{log.read()[-3000:]}")


def stop(process: subprocess.Popen) -> None:
    """Graceful stop first (SIGTERM to the master), then kill its process group."""
    if process.poll() is None:
        process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


def get(port: int, path: str, cookie: str | None = None) -> tuple[int, str]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("GET", path, headers={"Cookie": f"session={cookie}"} if cookie else {})
        response = conn.getresponse()
        return response.status, response.read().decode()
    finally:
        conn.close()


def session_cookie(response: http.client.HTTPResponse) -> str | None:
    """The `session` cookie set by a response; it is marked Secure, but we send it over http ourselves."""
    jar = SimpleCookie()
    for header in response.headers.get_all("Set-Cookie") or []:
        jar.load(header)
    return jar["session"].value if "session" in jar else None


def sign_in(port: int, username: str, password: str = PASSWORD) -> str:
    """Sign in through the real form (CSRF token and all); return the signed-in session cookie."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("GET", "/login")
        response = conn.getresponse()
        page, cookie = response.read().decode(), session_cookie(response)
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
        if token is None or cookie is None:
            raise RuntimeError(f"GET /login gave no CSRF token or no session cookie (HTTP {response.status})")
        form = urlencode({"identifier": username, "password": password, "csrf_token": token.group(1), "next": ""})
        conn.request("POST", "/login", body=form, headers={
            "Cookie": f"session={cookie}", "Content-Type": "application/x-www-form-urlencoded"})
        response = conn.getresponse()
        response.read()
        signed_in = session_cookie(response)
    finally:
        conn.close()
    if response.status != 302 or response.getheader("Location") != "/" or not signed_in:
        raise RuntimeError(f"signing in as {username} failed: HTTP {response.status}")
    return signed_in


def sign_in_all(port: int, seeded: Seeded) -> list[str]:
    return [sign_in(port, username) for username in seeded.learners]


def check_pages(port: int, cookies: list[str]) -> None:
    """Every page must answer 200 to every learner, not a redirect to /login, or the figures mean nothing."""
    for cookie in cookies:
        for page, path in PAGES:
            status, _ = get(port, path, cookie)
            if status != 200:
                raise RuntimeError(f"{page} ({path}) answered HTTP {status} to a signed-in learner")


def warm_up(port: int, cookies: list[str]) -> None:
    """Every worker compiles its templates and caches its statements before anything is measured."""
    for _, path in PAGES:
        wrk(port, path, max(CLIENTS), cookies, seconds=2)


def wrk(port: int, path: str, clients: int, cookies: list[str], seconds: int) -> dict[str, int]:
    """One wrk run, one thread per connection so that each connection is its own learner."""
    args = cookies[:clients] if path != "/healthz" else []
    command = ["wrk", f"-t{clients}", f"-c{clients}", f"-d{seconds}s", "-s", str(LUA),
               f"http://127.0.0.1:{port}{path}", "--", *args]
    output = subprocess.run(command, capture_output=True, text=True, check=True, timeout=seconds + 30).stdout
    line = next((x for x in output.splitlines() if x.startswith("FIGURES ")), None)
    if line is None:
        raise RuntimeError(f"wrk printed no figures:\n{output}")
    figures = {key: int(value) for key, value in (item.split("=") for item in line.split()[1:])}
    if figures["not_ok"] or figures["socket_errors"]:
        raise RuntimeError(f"{path}: {figures['not_ok']} answers were not 200, "
                           f"{figures['socket_errors']} socket errors")
    return figures


def run_wrk(server: Server, page: str, path: str, clients: int, cookies: list[str], length: int = SECONDS) -> Figures:
    start = CpuClock.read(server.processes, server.database)
    raw = wrk(server.port, path, clients, cookies, length)
    seconds = raw["duration_us"] / 1e6
    cpu = CpuClock.read(server.processes, server.database).shares_since(start, seconds)
    return Figures(page, clients, raw["requests"] / seconds, raw["p50_us"] / 1000, raw["p95_us"] / 1000,
                   raw["p99_us"] / 1000, cpu)


def measure(server: Server, page: str, path: str, clients: int, cookies: list[str], seconds: int = SECONDS) -> Figures:
    """One run, repeated once when other processes took CPU from the server during it (a shared machine)."""
    figures = run_wrk(server, page, path, clients, cookies, seconds)
    if figures.cpu.other > DISTURBED:
        print(f"  {page} at {clients} client(s): other processes used {figures.cpu.other:.2f} cores, run again")
        again = run_wrk(server, page, path, clients, cookies, seconds)
        figures = min(figures, again, key=lambda f: f.cpu.other)
    return figures


def print_table(backend: str, results: list[Figures]) -> None:
    """The figures as a Markdown table (for bench/README.md), then the verdict on each aim."""
    health = {f.clients: f.p50_ms for f in results if f.page == "healthz"}
    print(f"\n{backend}: {WORKERS} worker(s) x {THREADS} thread(s)\n")
    print("| page | clients | req/s | p50 ms | p95 ms | p99 ms | p50 / healthz p50 "
          "| cores: gunicorn, PostgreSQL, wrk, other |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for f in results:
        cpu = f.cpu
        print(f"| {f.page} | {f.clients} | {f.rps:.0f} | {f.p50_ms:.2f} | {f.p95_ms:.2f} | {f.p99_ms:.2f} "
              f"| {f.p50_ms / health[f.clients]:.1f}x "
              f"| {cpu.server:.2f}, {cpu.database:.2f}, {cpu.wrk:.2f}, {cpu.other:.2f} |")
    missed = [m for f in results if f.page != "healthz" for m in missed_aims(f, health[f.clients])]
    print()
    for f in results:
        if f.cpu.other > DISTURBED:
            print(f"disturbed: {f.page} at {f.clients} client(s) shared the CPUs with other processes "
                  f"({f.cpu.other:.2f} cores)")
    for message in missed:
        print(f"aim missed: {message}")
    if not missed:
        print(f"aims hold: every page within {AIM_RATIO}x the health check's p50, over {AIM_RPS} req/s "
              f"at {max(CLIENTS)} clients")


def missed_aims(f: Figures, health_p50: float) -> list[str]:
    """Why this page misses the issue's aims, if it does."""
    where = f"{f.page} at {f.clients} client(s)"
    ratio = f.p50_ms / health_p50
    missed = []
    if ratio > AIM_RATIO:
        missed.append(f"{where}: p50 is {ratio:.1f}x the health check's (aim: within {AIM_RATIO}x)")
    if f.clients == max(CLIENTS) and f.rps <= AIM_RPS:
        missed.append(f"{where}: {f.rps:.0f} req/s (aim: over {AIM_RPS})")
    return missed


if __name__ == "__main__":
    sys.exit(main())
