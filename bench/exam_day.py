"""Exam day (`make bench-exam`): N staff sign in within one minute, start the same timed quiz, take it as its page's
script does, and submit; on this machine's two cores, the load generator included.

Open loop: each taker arrives at a random moment of the window (EXAM_WINDOW, 60 s) whether or not the server has
kept up with those before. A taker then does what a browser does, one request at a time: GET /login, POST /login
(302), GET / (the dashboard it lands on), GET the quiz's page, POST its start form (302), GET the attempt page;
thinks 30-90 s per question (EXAM_THINK, times EXAM_THINK_SCALE: 0.1 by default, or a run of 5,000 takers lasts
16 minutes; the arrival rate is kept, so the server sees ten times the saves a second that it would), saves the
answer as the page's script does (JSON, with its sequence number); with one question per page (layout "one") it
then sends the page's form to go on (302) and GETs the next page; at the end "Finish attempt" (the form, 302), the
confirmation page, the submission (302) and the result page. Static files are not fetched (a browser keeps them,
and nginx would serve them).

It reports, per backend, layout and N: p50/p95/p99 of sign-in (the POST), start (the POST), page (the attempt's
pages), save (the page script's saves and the form's) and submit (the POST); errors (any answer other than the one
a browser expects, timeouts included); the cores used by gunicorn, PostgreSQL and this generator. Then the
database: each taker one attempt, finished by the taker and graded, with its 10 questions, every answer stored
with the sequence number of the last save that carried it (so none was lost, applied twice or out of order).
A run holds when p95 start < 3 s, p95 save < 1 s, p95 submit < 3 s, with no error and nothing wrong in the
database; the N figure is the largest that holds.

Settings: EXAM_TAKERS ("500,1000,2000,5000"), EXAM_LAYOUTS ("all,one"), EXAM_WINDOW, EXAM_THINK ("30-90"),
EXAM_THINK_SCALE, BENCH_BACKENDS, BENCH_WORKERS (gunicorn sync workers, 4), LMS_BENCH_POSTGRES_URL; EXAM_GO_ON=1
tries the larger N even after one missed. EXAM_SIGN_IN_EARLY=1: everyone signs in before the window (a waiting room
from 8:45 for a quiz opening at 9:00), the window then holding the rest of each arrival. EXAM_SERVERS=2: two
servers behind HAProxy on PostgreSQL and Redis (bench/cluster.py), each taker's requests going to both; afterwards
a print stack is asked of the first server and laid out by the second's job consumer.
"""
import asyncio
import json
import os
import random
import re
import resource
import sys
import time
from dataclasses import dataclass, field
from urllib.parse import urlencode

import cluster
import load
import quiz_flow
import sqlalchemy as sa
from cpu import CpuClock, CpuShares, Memory, MemoryPeak
from quiz_flow import (
    FORM,
    Failed,
    Reply,
    answer_for,
    csrf_of,
    form_fields,
    parse_reply,
    questions_from_page,
    request_bytes,
)
from seed import add_takers, seed_database

from lms.courses.models import Course
from lms.quizzes.models import AttemptQuestion, QuizAttempt

SLUG = quiz_flow.SLUG
QUESTIONS = quiz_flow.QUESTIONS
TAKERS = [int(n) for n in os.environ.get("EXAM_TAKERS", "500,1000,2000,5000").split(",")]
LAYOUTS = os.environ.get("EXAM_LAYOUTS", "all,one").split(",")
WINDOW = float(os.environ.get("EXAM_WINDOW", "60"))
THINK = tuple(float(x) for x in os.environ.get("EXAM_THINK", "30-90").split("-"))
THINK_SCALE = float(os.environ.get("EXAM_THINK_SCALE", "0.1"))
GO_ON = os.environ.get("EXAM_GO_ON") == "1"
EARLY = os.environ.get("EXAM_SIGN_IN_EARLY") == "1"  # the second design: everyone signed in before the window
SERVERS = int(os.environ.get("EXAM_SERVERS", "1"))  # more than 1: behind HAProxy (bench/cluster.py), PostgreSQL only
TIMEOUT = 120  # seconds a request may take before it counts as an error
STEPS = ("sign-in", "start", "page", "save", "submit")
AIMS_MS = {"start": 3000, "save": 1000, "submit": 3000}  # p95


@dataclass
class Taker:
    username: str
    cookie: str = ""
    csrf: str = ""
    seq: int = 1  # the next save's number, as the page's script counts it
    attempt_id: int | None = None
    last_seq: dict[int, int] = field(default_factory=dict)  # question id: number of the last save that carried it
    done: bool = False
    servers: set[str] = field(default_factory=set)  # the servers that answered its attempt (bench/cluster.py)


@dataclass
class Tally:
    latencies: dict[str, list[float]] = field(default_factory=lambda: {step: [] for step in (*STEPS, "other")})
    requests: int = 0
    errors: int = 0
    messages: dict[str, int] = field(default_factory=dict)  # kind of error: how many

    def error(self, message: str) -> None:
        self.errors += 1
        kind = re.sub(r"\d+", "N", message)[:160]
        self.messages[kind] = self.messages.get(kind, 0) + 1

    def percentile(self, step: str, p: float) -> float:
        values = sorted(self.latencies[step])
        return values[min(len(values) - 1, int(p / 100 * len(values)))] * 1000 if values else float("nan")


class Client:
    """One request per connection, as a browser's to gunicorn's sync workers (which close each one)."""

    def __init__(self, port: int, tally: Tally):
        self.port, self.host, self.tally = port, f"Host: 127.0.0.1:{port}", tally

    async def call(self, taker: Taker, step: str, expect: int, method: str, path: str, body: bytes = b"",
                   headers: tuple[str, ...] = ()) -> Reply:
        cookie = (f"Cookie: session={taker.cookie}",) if taker.cookie else ()
        message = request_bytes(self.host, method, path, body, (*cookie, *headers))
        started = time.perf_counter()
        self.tally.requests += 1
        try:
            reply = await asyncio.wait_for(self._exchange(message), TIMEOUT)
        except (TimeoutError, OSError, ValueError, IndexError) as error:
            raise Failed(f"{step} {method} {re.sub(r'/[0-9]+', '/N', path)}: {error!r}") from error
        self.tally.latencies[step].append(time.perf_counter() - started)
        if taker.attempt_id and (server := reply.headers.get("x-served-by")):
            taker.servers.add(server)
        if reply.session:
            taker.cookie = reply.session
        if reply.status != expect:
            raise Failed(f"{step} {method} {re.sub(r'/[0-9]+', '/N', path)}: HTTP {reply.status}, expected {expect}")
        return reply

    async def _exchange(self, message: bytes) -> Reply:
        reader, writer = await asyncio.open_connection("127.0.0.1", self.port)
        try:
            writer.write(message)
            return parse_reply(await reader.read())  # to the end: the server closes the connection
        finally:
            writer.close()


def think(rng: random.Random) -> float:
    return rng.uniform(*THINK) * THINK_SCALE


async def sign_in(client: Client, taker: Taker) -> None:
    page = (await client.call(taker, "other", 200, "GET", "/login")).body.decode()
    form = urlencode({"identifier": taker.username, "password": load.PASSWORD, "csrf_token": csrf_of(page),
                      "next": ""}).encode()
    await client.call(taker, "sign-in", 302, "POST", "/login", form, (FORM,))


async def sign_in_early(port: int, takers: list[Taker]) -> None:
    """A waiting room: everyone signs in before the window opens (four at a time, not counted in the run), so the
    window holds only the dashboard, the quiz, the start and the attempt."""
    client, waiting = Client(port, Tally()), asyncio.Semaphore(4)

    async def one(taker: Taker) -> None:
        async with waiting:
            await sign_in(client, taker)

    await asyncio.gather(*(one(taker) for taker in takers))


async def take_exam(client: Client, taker: Taker, layout: str, arrive_at: float, rng: random.Random) -> None:
    await asyncio.sleep(max(0.0, arrive_at - time.monotonic()))
    if not taker.cookie:
        await sign_in(client, taker)
    await client.call(taker, "other", 200, "GET", "/")
    taker.csrf = csrf_of((await client.call(taker, "other", 200, "GET", f"/courses/{SLUG}/quiz")).body.decode())
    reply = await client.call(taker, "start", 302, "POST", f"/courses/{SLUG}/quiz/attempts",
                              urlencode({"csrf_token": taker.csrf}).encode(), (FORM,))
    found = re.fullmatch(r"/quiz/attempts/(\d+)", reply.headers.get("location", ""))
    if found is None:
        raise Failed(f"start redirected to {reply.headers.get('location')!r}, not to an attempt")
    taker.attempt_id = int(found.group(1))
    location, pages = f"/quiz/attempts/{taker.attempt_id}", QUESTIONS if layout == "one" else 1
    for number in range(1, pages + 1):
        page = (await client.call(taker, "page", 200, "GET", location)).body.decode()
        questions = questions_from_page(page)
        if len(questions) != QUESTIONS // pages:
            raise Failed(f"the attempt page shows {len(questions)} questions, not {QUESTIONS // pages}")
        taker.csrf, taker.seq = csrf_of(page), int(re.search(r'name="seq" value="(\d+)"', page).group(1))
        fields = [("csrf_token", taker.csrf), ("page", str(number))]
        for question in questions:
            await asyncio.sleep(think(rng))
            answer = answer_for(question, rng)
            await save(client, taker, {str(question["id"]): answer}, [question["id"]])
            fields += form_fields(question, answer)
        go = str(number + 1) if number < pages else "finish"
        fields += [("seq", str(taker.seq)), ("go", go)]
        reply = await client.call(taker, "save", 302, "POST", f"/quiz/attempts/{taker.attempt_id}",
                                  urlencode(fields).encode(), (FORM,))
        for question in questions:
            taker.last_seq[question["id"]] = taker.seq
        taker.seq += 1
        location = reply.headers.get("location", "")
        expected = f"/quiz/attempts/{taker.attempt_id}" + ("/submit" if go == "finish" else f"?page={go}")
        if location != expected:
            raise Failed(f"the page's form went to {re.sub(r'[0-9]+', 'N', location)!r}")
    page = (await client.call(taker, "other", 200, "GET", f"/quiz/attempts/{taker.attempt_id}/submit")).body
    reply = await client.call(taker, "submit", 302, "POST", f"/quiz/attempts/{taker.attempt_id}/submit",
                              urlencode({"csrf_token": csrf_of(page.decode())}).encode(), (FORM,))
    if reply.headers.get("location") != f"/quiz/attempts/{taker.attempt_id}/result":
        raise Failed("the submission did not lead to the result")
    await client.call(taker, "other", 200, "GET", f"/quiz/attempts/{taker.attempt_id}/result")
    taker.done = True


async def save(client: Client, taker: Taker, answers: dict, question_ids: list[int]) -> None:
    """An autosave as quiz.js sends it: refused ones are not retried here, they count as errors."""
    body = json.dumps({"answers": answers, "seq": taker.seq}).encode()
    await client.call(taker, "save", 200, "POST", f"/quiz/attempts/{taker.attempt_id}/answers", body,
                      ("Content-Type: application/json", "Accept: application/json", f"X-CSRFToken: {taker.csrf}"))
    for question_id in question_ids:
        taker.last_seq[question_id] = taker.seq
    taker.seq += 1


async def one_taker(client: Client, taker: Taker, layout: str, arrive_at: float, seed: int) -> None:
    try:
        await take_exam(client, taker, layout, arrive_at, random.Random(seed))
    except Failed as error:
        client.tally.error(str(error))
    except Exception as error:  # a page without what a browser needs, say: counted, and the others go on
        client.tally.error(repr(error))


@dataclass(frozen=True)
class Run:
    backend: str
    layout: str
    takers: int
    seconds: float
    tally: Tally
    cpu: CpuShares
    generator: float  # cores used by this process
    finished: int
    problems: list[str]
    servers: int = 1
    switched: int = 0  # takers whose attempt was answered by more than one server
    memory: tuple[Memory, Memory] = (Memory(0, 0), Memory(0, 0))  # the server side's before the run, and its peak

    @property
    def holds(self) -> bool:
        return not self.tally.errors and not self.problems and all(
            self.tally.percentile(step, 95) < limit for step, limit in AIMS_MS.items())


def run_exam(server, url: str, backend: str, layout: str, usernames: list[str]) -> Run:
    forget_attempts(url, layout)
    tally = Tally()
    client = Client(server.port, tally)
    takers = [Taker(name) for name in usernames]
    if EARLY:
        asyncio.run(sign_in_early(server.port, takers))
    rng = random.Random(len(takers))
    began = time.monotonic() + 0.5
    arrivals = [began + rng.uniform(0, WINDOW) for _ in takers]

    async def everyone() -> None:
        await asyncio.gather(*(one_taker(client, taker, layout, arrivals[n], n) for n, taker in enumerate(takers)))

    idle = Memory.read(server.processes)
    clock, own = CpuClock.read(server.processes, server.database), time.process_time()
    with MemoryPeak(server.processes) as memory:
        asyncio.run(everyone())
    seconds = time.monotonic() - began
    cpu = CpuClock.read(server.processes, server.database).shares_since(clock, seconds)
    generator = (time.process_time() - own) / seconds
    return Run(backend, layout, len(takers), seconds, tally, cpu, generator, sum(t.done for t in takers),
               check_database(url, takers), len(server.ports) or 1, sum(len(t.servers) > 1 for t in takers),
               (idle, memory.highest))


def forget_attempts(url: str, layout: str) -> None:
    """No attempts from the run before, and the quiz laid out as this run asks."""
    quiz_flow.forget_attempts(url)
    engine = sa.create_engine(url)
    try:
        with engine.begin() as conn:
            settings = dict(conn.scalar(sa.select(Course.quiz_settings).where(Course.slug == SLUG)))
            conn.execute(sa.update(Course).where(Course.slug == SLUG)
                         .values(quiz_settings={**settings, "layout": layout}))
    finally:
        engine.dispose()


def check_database(url: str, takers: list[Taker]) -> list[str]:
    """What the database says against what the takers saw: nothing lost, doubled, left open or out of order."""
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            course_id = conn.scalar(sa.select(Course.id).where(Course.slug == SLUG))
            attempts = conn.execute(sa.select(QuizAttempt.id, QuizAttempt.status, QuizAttempt.finished_by,
                                              QuizAttempt.score, QuizAttempt.number)
                                    .where(QuizAttempt.course_id == course_id)).all()
            rows = conn.execute(sa.select(AttemptQuestion.attempt_id, AttemptQuestion.question_id,
                                          AttemptQuestion.seq, AttemptQuestion.response)
                                .join(QuizAttempt).where(QuizAttempt.course_id == course_id)).all()
    finally:
        engine.dispose()
    problems = []
    started = {t.attempt_id: t for t in takers if t.attempt_id}
    if len(attempts) != len(started) or {a.id for a in attempts} != set(started):
        problems.append(f"{len(attempts)} attempts in the database, {len(started)} started by the takers")
    not_done = [a.id for a in attempts if a.status != "finished" or a.score is None
                or (a.id in started and started[a.id].done and a.finished_by != "learner")]
    if not_done:
        problems.append(f"{len(not_done)} attempts open, ungraded or not finished by their taker")
    if any(a.number != 1 for a in attempts):
        problems.append("a taker has more than one attempt")
    by_attempt: dict[int, dict[int, tuple[int, object]]] = {}
    for row in rows:
        by_attempt.setdefault(row.attempt_id, {})[row.question_id] = (row.seq, row.response)
    wrong = 0
    for attempt_id, taker in started.items():
        stored = by_attempt.get(attempt_id, {})
        if len(stored) != QUESTIONS:
            wrong += 1
            continue
        for question_id, seq in taker.last_seq.items():
            if stored.get(question_id, (None, None))[0] != seq or stored[question_id][1] is None:
                wrong += 1
                break
    if wrong:
        problems.append(f"{wrong} attempts whose stored answers are not the last ones their taker saved")
    if len(rows) != QUESTIONS * len(attempts):
        problems.append(f"{len(rows)} answer rows for {len(attempts)} attempts")
    return problems


def print_table(runs: list[Run]) -> None:
    print("\n| backend | servers | layout | takers | finished | errors | sign-in p50/p95/p99 ms | start | page | save "
          "| submit | req/s | cores: server side, PostgreSQL, generator, other "
          "| memory MiB: before, peak (largest process) | database | holds |")
    print("|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|")
    for r in runs:
        cells = " | ".join("/".join(f"{r.tally.percentile(step, p):.0f}" for p in (50, 95, 99)) for step in STEPS)
        database = r.problems or ["agrees"]
        if r.servers > 1:
            database = [*database, f"{r.switched} of {r.takers} attempts answered by more than one server"]
        print(f"| {r.backend} | {r.servers} | {r.layout} | {r.takers} | {r.finished} | {r.tally.errors} | {cells} "
              f"| {r.tally.requests / r.seconds:.0f} | {r.cpu.server:.2f}, {r.cpu.database:.2f}, {r.generator:.2f}, "
              f"{max(r.cpu.other - r.generator, 0):.2f} | {r.memory[0].total:.0f}, {r.memory[1].total:.0f} "
              f"({r.memory[1].largest:.0f}) | {'; '.join(database)} | {'yes' if r.holds else 'no'} |")
    for r in runs:
        for message, count in sorted(r.tally.messages.items(), key=lambda item: -item[1])[:8]:
            print(f"  {r.backend} {r.layout} {r.takers}: {count} x {message}")


def bench_backend(backend: str, url: str) -> tuple[list[Run], list[str]]:
    """The runs, and what went wrong across servers (several servers only)."""
    secret = os.urandom(32).hex()
    load.migrate(url, secret)
    seed_database(url, load.ROOT / "courses", SLUG, load.PASSWORD)
    usernames = add_takers(url, max(TAKERS), SLUG, load.PASSWORD)
    runs, problems = [], []
    with cluster.cluster(url, secret, SERVERS) if SERVERS > 1 else load.gunicorn(url, secret) as server:
        for layout in LAYOUTS:
            for count in sorted(TAKERS):
                print(f"{backend}, {SERVERS} server(s), layout {layout}: {count} takers", flush=True)
                run = run_exam(server, url, backend, layout, usernames[:count])
                runs.append(run)
                print_table([run])
                if not run.holds and not GO_ON:
                    break
        if SERVERS > 1:
            try:
                issued = cluster.issue_certificates(url, secret, usernames[:cluster.PRINTED])
                print(f"print stack across servers, {issued} certificates: {cluster.print_across(server)}")
            except RuntimeError as error:
                problems.append(f"print stack across servers: {error}")
    return runs, problems


def main() -> int:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))  # a connection per taker waiting for an answer
    print(f"exam day on {load.cpu_model()}, {os.cpu_count()} cores; {load.WORKERS} gunicorn workers; arrivals over "
          f"{WINDOW:.0f} s; thinking {THINK[0]:.0f}-{THINK[1]:.0f} s per question x {THINK_SCALE}"
          + ("; everyone signed in before the window" if EARLY else ""))
    runs, problems = [], []
    for backend in load.BACKENDS:
        if SERVERS > 1 and backend != "postgres":
            print(f"{backend}: skipped, several servers share one PostgreSQL")
            continue
        with load.database(backend) as url:
            if url:
                backend_runs, backend_problems = bench_backend(backend, url)
                runs, problems = runs + backend_runs, problems + backend_problems
    print("\nexam day, every run:")
    print_table(runs)
    for backend in load.BACKENDS:
        for layout in LAYOUTS:
            held = [r.takers for r in runs if r.backend == backend and r.layout == layout and r.holds]
            print(f"largest N that holds, {backend}, layout {layout}: {max(held) if held else 'none of those tried'}")
    for problem in problems:
        print(problem)
    return 0 if all(not r.problems for r in runs) and not problems else 1


if __name__ == "__main__":
    sys.exit(main())
