"""Quiz attempts under load (`make bench`): learners start an attempt, load it, answer 10 questions and submit.

Each simulated learner is its own process (forked, so the learners never wait for one another's GIL) running a
closed loop for the measured time: an attempt under way when the time is up is still finished. Simulated learner
i of n takes turns over the accounts i, i + n, i + 2n... of the 32 seeded (no account is used by two at once),
and the course's attempts are deleted before every run: what a start or a submission costs grows with the
number of attempts the account has made. Two variants:

- browser: POST the start form (302 to the attempt page), GET the attempt page (HTML), one autosave POST per
  answer as the page's script sends them (JSON, X-CSRFToken), then the submission form (302 to the result).
- form: the 3 requests of a browser without JavaScript, as the outside comparison with Moodle measured them (its
  startattempt, attempt and processattempt with finishattempt): POST the start form, GET the attempt page, POST
  the page's form with the 10 answers and go=submit, which saves and submits at once (302 to the result).
- api: POST /api/v1/courses/{slug}/quiz/attempts (201), GET /api/v1/attempts/{id}, one PUT with the 10 answers,
  POST /api/v1/attempts/{id}/submission.

Answers are built from what the learner was shown (the page's controls, or the start response's JSON), never
from the key: options, subsets of options, matches, words and numbers picked at random, so some are right and
some wrong. After every run the database must agree with the clients (`verify`).
"""
import html
import json
import multiprocessing
import random
import re
import socket
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from urllib.parse import urlencode

import sqlalchemy as sa
from cpu import CpuClock, CpuShares

from lms.courses.models import Course
from lms.quizzes.models import AttemptQuestion, QuizAttempt

SLUG = "serving-citizens"  # the course of the benchmark's learners
QUESTIONS = 10  # per attempt: the bench course's quiz settings (seed.QUIZ_SETTINGS)
LEARNERS = (1, 8)
VARIANTS = ("browser", "form", "api")
STEPS = {"browser": ("start", "page", "save", "submit"), "form": ("start", "page", "save", "submit"),
         "api": ("start", "load", "save", "submit")}
REQUESTS = {"browser": QUESTIONS + 3, "form": 3, "api": 4}  # per attempt
# Complete attempts per second at 8 learners: 150 from the quizzes issue; the 3-request flow, 25 times Moodle's 8.8
# on this machine (the exam-day issue).
AIMS = {"browser": 150, "form": 220, "api": 150}
WARM_UP_SECONDS = 2
MAX_ERRORS_KEPT = 20  # messages kept per learner; every error is counted
# What a learner might type: some of these are right for the bank's short-answer and numeric questions.
WORDS = ("الإذن", "إذنه", "الرقم القومي", "رقم البطاقة", "موافقته", "التوقيع", "لا أعرف")
NUMBERS = (5, "5", "٥", 4, "3", 6.5, "٧")


@dataclass
class Learner:
    cookie: str  # signed-in session; replaced when the server sends a new one, as a browser does
    csrf: str  # the session's CSRF token, as the pages' hidden inputs carry it
    token: str  # API bearer token


@dataclass(frozen=True)
class Reply:
    status: int
    headers: dict[str, str]  # lower-case names
    body: bytes
    session: str | None  # the session cookie it set, if any


class Http:
    """One request per connection (`Connection: close`), as gunicorn's sync workers do anyway.

    Raw sockets rather than http.client, whose header parsing (email.parser) costs more than everything else
    here: the client shares the two cores with the server, so its CPU is taken from the figures. A health check
    costs this client about 0.05 ms of user and 0.12 ms of system CPU (mostly connecting and closing).
    """

    def __init__(self, port: int):
        self.address = ("127.0.0.1", port)
        self.host = f"Host: 127.0.0.1:{port}"

    def request(self, method: str, path: str, body: bytes = b"", headers: tuple[str, ...] = ()) -> Reply:
        message = request_bytes(self.host, method, path, body, headers)
        chunks = []
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:  # not create_connection: no getaddrinfo
            sock.settimeout(30)
            sock.connect(self.address)
            sock.sendall(message)
            while chunk := sock.recv(262_144):
                chunks.append(chunk)
        return parse_reply(b"".join(chunks))


def request_bytes(host: str, method: str, path: str, body: bytes = b"", headers: tuple[str, ...] = ()) -> bytes:
    """An HTTP/1.1 request that asks the server to close the connection after its answer."""
    lines = [f"{method} {path} HTTP/1.1", host, "Connection: close", *headers]
    if body or method in ("POST", "PUT"):
        lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


def parse_reply(raw: bytes) -> Reply:
    """A whole answer, read until the server closed the connection."""
    head, _, content = raw.partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    headers, session = {}, None
    for line in header_lines:
        name, _, value = line.partition(":")
        name, value = name.strip().lower(), value.strip()
        headers[name] = value
        if name == "set-cookie" and value.startswith("session="):
            session = value[len("session="):].split(";", 1)[0]
    if headers.get("transfer-encoding", "").lower() == "chunked":
        content = dechunk(content)
    return Reply(int(status_line.split(" ", 2)[1]), headers, content, session)


def dechunk(data: bytes) -> bytes:
    out, rest = [], data
    while rest:
        size_line, _, rest = rest.partition(b"\r\n")
        size = int(size_line.split(b";")[0], 16)
        if size == 0:
            break
        out.append(rest[:size])
        rest = rest[size + 2:]
    return b"".join(out)


class Failed(Exception):
    """A step's answer was not the one expected: the attempt goes on where it can, the error is counted."""


@dataclass
class Tally:
    """What one learner did and saw during a run (sent back to the parent process)."""

    latencies: dict[str, list[float]] = field(default_factory=dict)  # step: seconds
    requests: int = 0
    starts: int = 0  # attempts the server said it started (their ids are in attempt_ids)
    complete: int = 0  # attempts submitted and graded
    answers: int = 0  # answers the server said it saved
    attempt_ids: list[int] = field(default_factory=list)
    scores: dict[int, float] = field(default_factory=dict)  # the submissions' scores (api)
    errors: int = 0
    messages: list[str] = field(default_factory=list)
    ended: float = 0.0

    def call(self, http: Http, step: str, expect: int, method: str, path: str, body: bytes = b"",
             headers: tuple[str, ...] = ()) -> Reply:
        started = time.perf_counter()
        try:
            reply = http.request(method, path, body, headers)
        except OSError as error:
            raise Failed(f"{step} {method} {path}: {error!r}") from error
        finally:
            self.requests += 1
        self.latencies.setdefault(step, []).append(time.perf_counter() - started)
        if reply.status != expect:
            raise Failed(f"{step} {method} {path}: HTTP {reply.status}, expected {expect}: {reply.body[:200]!r}")
        return reply

    def error(self, message: str) -> None:
        self.errors += 1
        if len(self.messages) < MAX_ERRORS_KEPT:
            self.messages.append(message)


# -- answers --------------------------------------------------------------------------------------------------

def answer_for(question: dict, rng: random.Random):
    """A valid answer to a question as shown to the learner: {"id", "type", "options", "items", "choices"}."""
    kind, options = question["type"], question["options"]
    if kind in ("single", "truefalse"):
        return rng.choice(options)
    if kind == "multiple":
        return rng.sample(options, rng.randint(1, len(options)))
    if kind == "matching":
        return {item: rng.choice(question["choices"]) for item in question["items"]}
    if kind == "short":
        return rng.choice(WORDS)
    if kind == "numeric":
        return rng.choice(NUMBERS)
    raise Failed(f"question {question['id']}: unknown type {kind!r}")


def questions_from_json(questions: list[dict]) -> list[dict]:
    return [{"id": q["id"], "type": q["type"], "options": [o["id"] for o in q["options"]],
             "items": [i["id"] for i in q.get("items", ())], "choices": [c["id"] for c in q.get("choices", ())]}
            for q in questions]


_FIELDSET = re.compile(
    r'<fieldset class="question[^"]*"[^>]*?data-question="(\d+)"\s+data-kind="(\w+)"(.*?)</fieldset>', re.S)
_OPTION = re.compile(r'<input type="(?:radio|checkbox)" name="q-\d+" value="([^"]*)"')
_ITEM = re.compile(r'<select id="q-\d+-([^"]+)"')
_CHOICE = re.compile(r'<option value="([^"]+)"')
_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def questions_from_page(page: str) -> list[dict]:
    """The questions as a browser has them: the page's fieldsets and their controls."""
    questions = []
    for qid, kind, inner in _FIELDSET.findall(page):
        choices = list(dict.fromkeys(html.unescape(c) for c in _CHOICE.findall(inner)))
        questions.append({"id": int(qid), "type": kind, "options": [html.unescape(v) for v in _OPTION.findall(inner)],
                          "items": [html.unescape(i) for i in _ITEM.findall(inner)], "choices": choices})
    return questions


def csrf_of(page: str) -> str:
    found = _CSRF.search(page)
    if found is None:
        raise Failed("no csrf_token on the page")
    return html.unescape(found.group(1))


# -- one attempt, each variant ------------------------------------------------------------------------------

FORM = "Content-Type: application/x-www-form-urlencoded"


def form_fields(question: dict, answer) -> list[tuple[str, str]]:
    """The answer as the attempt page's form sends it (what each type's from_form reads)."""
    name = f"q-{question['id']}"
    fields = [("question", str(question["id"])), (f"{name}-kind", question["type"])]
    if question["type"] == "multiple":
        return fields + [(name, value) for value in answer]
    if question["type"] == "matching":
        return fields + [(f"{name}-{item}", choice) for item, choice in answer.items()]
    return fields + [(name, str(answer))]


def _start_page(http: Http, learner: Learner, tally: Tally) -> tuple[int, str, list[dict]]:
    """The start form (302), then the attempt page: the attempt's id, the page and its questions."""
    reply = _browse(http, tally, learner, "start", 302, "POST", f"/courses/{SLUG}/quiz/attempts",
                    urlencode({"csrf_token": learner.csrf}).encode(), (FORM,))
    location = reply.headers.get("location", "")
    found = re.fullmatch(r"/quiz/attempts/(\d+)", location)
    if found is None:
        raise Failed(f"start redirected to {location!r}, not to an attempt")
    attempt_id = int(found.group(1))
    _started(tally, attempt_id)
    page = _browse(http, tally, learner, "page", 200, "GET", location).body.decode()
    questions = questions_from_page(page)
    if len(questions) != QUESTIONS:
        raise Failed(f"attempt {attempt_id}: the page shows {len(questions)} questions, not {QUESTIONS}")
    learner.csrf = csrf_of(page)
    return attempt_id, page, questions


def browser_attempt(http: Http, learner: Learner, rng: random.Random, tally: Tally) -> None:
    attempt_id, _page, questions = _start_page(http, learner, tally)
    save = ("Content-Type: application/json", "Accept: application/json", f"X-CSRFToken: {learner.csrf}")
    for question in questions:  # one autosave per answer, as the page's script sends them
        body = json.dumps({"answers": {str(question["id"]): answer_for(question, rng)}}).encode()
        try:
            _browse(http, tally, learner, "save", 200, "POST", f"/quiz/attempts/{attempt_id}/answers", body, save)
            tally.answers += 1
        except Failed as error:
            tally.error(str(error))
    reply = _browse(http, tally, learner, "submit", 302, "POST", f"/quiz/attempts/{attempt_id}/submit",
                    urlencode({"csrf_token": learner.csrf}).encode(), (FORM,))
    if reply.headers.get("location") != f"/quiz/attempts/{attempt_id}/result":
        raise Failed(f"attempt {attempt_id}: submission redirected to {reply.headers.get('location')!r}")
    tally.complete += 1


def form_attempt(http: Http, learner: Learner, rng: random.Random, tally: Tally) -> None:
    attempt_id, page, questions = _start_page(http, learner, tally)
    fields = [("csrf_token", learner.csrf), ("page", "1"),
              ("seq", re.search(r'name="seq" value="(\d+)"', page).group(1)), ("go", "submit")]
    for question in questions:
        fields += form_fields(question, answer_for(question, rng))
    reply = _browse(http, tally, learner, "submit", 302, "POST", f"/quiz/attempts/{attempt_id}",
                    urlencode(fields).encode(), (FORM,))
    if reply.headers.get("location") != f"/quiz/attempts/{attempt_id}/result":
        raise Failed(f"attempt {attempt_id}: the form redirected to {reply.headers.get('location')!r}")
    tally.answers += len(questions)
    tally.complete += 1


def _browse(http: Http, tally: Tally, learner: Learner, step: str, expect: int, method: str, path: str,
            body: bytes = b"", headers: tuple[str, ...] = ()) -> Reply:
    """A request with the learner's session cookie, which is replaced when the server sends a new one."""
    reply = tally.call(http, step, expect, method, path, body, (f"Cookie: session={learner.cookie}", *headers))
    if reply.session:
        learner.cookie = reply.session
    return reply


def api_attempt(http: Http, learner: Learner, rng: random.Random, tally: Tally) -> None:
    auth = f"Authorization: Bearer {learner.token}"
    started = json.loads(tally.call(http, "start", 201, "POST", f"/api/v1/courses/{SLUG}/quiz/attempts",
                                    headers=(auth,)).body)
    attempt_id = started["id"]
    _started(tally, attempt_id)
    questions = questions_from_json(started["questions"])
    if len(questions) != QUESTIONS:
        raise Failed(f"attempt {attempt_id}: {len(questions)} questions, not {QUESTIONS}")
    loaded = json.loads(tally.call(http, "load", 200, "GET", f"/api/v1/attempts/{attempt_id}", headers=(auth,)).body)
    if loaded["id"] != attempt_id or len(loaded["questions"]) != QUESTIONS:
        raise Failed(f"attempt {attempt_id}: GET gave attempt {loaded['id']} with {len(loaded['questions'])} questions")
    answers = {str(q["id"]): answer_for(q, rng) for q in questions}
    saved = json.loads(tally.call(http, "save", 200, "PUT", f"/api/v1/attempts/{attempt_id}/answers",
                                  json.dumps({"answers": answers}).encode(),
                                  (auth, "Content-Type: application/json")).body)
    tally.answers += len(saved["saved"])
    graded = json.loads(tally.call(http, "submit", 200, "POST", f"/api/v1/attempts/{attempt_id}/submission",
                                   headers=(auth,)).body)
    if graded["state"] != "finished" or not 0 <= graded["score"] <= 100:
        raise Failed(f"attempt {attempt_id}: submission gave state {graded['state']!r}, score {graded['score']!r}")
    tally.scores[attempt_id] = graded["score"]
    tally.complete += 1


def _started(tally: Tally, attempt_id: int) -> None:
    if attempt_id in tally.attempt_ids:
        raise Failed(f"start gave attempt {attempt_id} again, which was submitted already")
    tally.starts += 1
    tally.attempt_ids.append(attempt_id)


FLOWS: dict[str, Callable] = {"browser": browser_attempt, "form": form_attempt, "api": api_attempt}


def learner_loop(variant: str, port: int, learners: list[Learner], start_at: float, stop_at: float, seed: int,
                 pipe) -> None:
    """A simulated learner's process: attempts one after the other until the time is up, under each of its
    accounts in turn (so that no account piles up attempts); the tally goes back by `pipe`."""
    rng, http, tally, flow = random.Random(seed), Http(port), Tally(), FLOWS[variant]
    time.sleep(max(0.0, start_at - time.monotonic()))
    turn = 0
    while time.monotonic() < stop_at:
        try:
            flow(http, learners[turn % len(learners)], rng, tally)
        except Failed as error:
            tally.error(str(error))
        except Exception as error:  # an answer that is not what the API documents, say: counted, and on we go
            tally.error(f"{variant}: {error!r}")
        turn += 1
    tally.ended = time.monotonic()
    pipe.send(tally)
    pipe.close()


# -- a run ----------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Run:
    variant: str
    learners: int
    seconds: float  # from the common start to the last learner's end
    tallies: list[Tally]
    cpu: CpuShares
    problems: list[str]  # what the database check found
    scores: str  # how the attempts scored, from the database

    def total(self, name: str) -> int:
        return sum(getattr(t, name) for t in self.tallies)

    @property
    def attempts_per_second(self) -> float:
        return self.total("complete") / self.seconds

    @property
    def requests_per_second(self) -> float:
        return self.total("requests") / self.seconds

    @property
    def server_ms(self) -> float:
        """CPU of gunicorn and PostgreSQL per complete attempt."""
        rate = self.attempts_per_second
        return (self.cpu.server + self.cpu.database) * 1000 / rate if rate else float("nan")

    @property
    def client_ms(self) -> float:
        rate = self.attempts_per_second
        return self.cpu.wrk * 1000 / rate if rate else float("nan")

    def percentile(self, step: str, p: float) -> float:
        values = sorted(x for t in self.tallies for x in t.latencies.get(step, ()))
        if not values:
            return float("nan")
        return values[min(len(values) - 1, int(p / 100 * len(values)))] * 1000


def run_flow(server, url: str, variant: str, learners: list[Learner], count: int, seconds: float) -> Run:
    context = multiprocessing.get_context("fork")  # the learners start with everything imported already
    forget_attempts(url)
    before = last_attempt_id(url)
    pipes, processes = [], []
    start_at = time.monotonic() + 0.3
    for index in range(count):  # simulated learner `index` takes turns over accounts index, index + count...
        receiver, sender = context.Pipe(duplex=False)
        process = context.Process(target=learner_loop, daemon=True, args=(
            variant, server.port, learners[index::count], start_at, start_at + seconds, 1000 * index + int(start_at),
            sender))
        process.start()
        sender.close()
        pipes.append(receiver)
        processes.append(process)
    time.sleep(max(0.0, start_at - time.monotonic()))
    clock = CpuClock.read(server.processes, server.database)
    clock_at = time.monotonic()
    tallies = [receive(pipe) for pipe in pipes]
    for process in processes:
        process.join(timeout=60)
    cpu = CpuClock.read(server.processes, server.database).shares_since(clock, time.monotonic() - clock_at)
    elapsed = max(t.ended for t in tallies) - start_at
    return Run(variant, count, elapsed, tallies, cpu, *verify(url, before, tallies))


def receive(pipe) -> Tally:
    try:
        return pipe.recv()
    except EOFError:
        tally = Tally(ended=time.monotonic())
        tally.error("a learner's process died without its tally")
        return tally


def measure(server, url: str, variant: str, learners: list[Learner], count: int, seconds: float,
            disturbed: float) -> Run:
    """One run, repeated once when other processes took CPU from the server during it (a shared machine).

    The less disturbed run is kept; what the other one's check found is kept with it.
    """
    run = run_flow(server, url, variant, learners, count, seconds)
    if run.cpu.other <= disturbed:
        return run
    print(f"  {variant} at {count} learner(s): other processes used {run.cpu.other:.2f} cores, run again")
    again = run_flow(server, url, variant, learners, count, seconds)
    kept, dropped = (run, again) if run.cpu.other <= again.cpu.other else (again, run)
    lost = [f"(the other run) {p}" for p in dropped.problems]
    if dropped.total("errors"):
        messages = [m for t in dropped.tallies for m in t.messages][:3]
        lost.append(f"(the other run) {dropped.total('errors')} errors, e.g. {messages}")
    return Run(kept.variant, kept.learners, kept.seconds, kept.tallies, kept.cpu, kept.problems + lost, kept.scores)


# -- the database must agree with the clients -----------------------------------------------------------------

def forget_attempts(url: str) -> None:
    """Delete the bench course's attempts (checked already), so that every run starts from learners without any.

    Starting and submitting cost more the more attempts the learner has made (see bench/README.md): without
    this, each run would be slower than the one before it, and every learner would have thousands.
    """
    engine = sa.create_engine(url)
    try:
        with engine.begin() as conn:
            course_id = conn.scalar(sa.select(Course.id).where(Course.slug == SLUG))
            attempts = sa.select(QuizAttempt.id).where(QuizAttempt.course_id == course_id)
            conn.execute(sa.delete(AttemptQuestion).where(AttemptQuestion.attempt_id.in_(attempts)))
            conn.execute(sa.delete(QuizAttempt).where(QuizAttempt.course_id == course_id))
    finally:
        engine.dispose()


def last_attempt_id(url: str) -> int:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return conn.scalar(sa.select(sa.func.coalesce(sa.func.max(QuizAttempt.id), 0)))
    finally:
        engine.dispose()


def verify(url: str, before: int, tallies: list[Tally]) -> tuple[list[str], str]:
    """What is wrong in the database after a run (the attempts it made, ids above `before`, and all of the
    course's), and how the run's attempts scored."""
    started_ids = [i for t in tallies for i in t.attempt_ids]
    scores = {i: s for t in tallies for i, s in t.scores.items()}
    problems = []
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            course_id = conn.scalar(sa.select(Course.id).where(Course.slug == SLUG))
            attempts = conn.execute(sa.select(
                QuizAttempt.id, QuizAttempt.user_id, QuizAttempt.number, QuizAttempt.status, QuizAttempt.started_at,
                QuizAttempt.finished_at, QuizAttempt.finished_by, QuizAttempt.score, QuizAttempt.is_passed,
                QuizAttempt.pass_mark).where(QuizAttempt.course_id == course_id)
                .order_by(QuizAttempt.user_id, QuizAttempt.number)).all()
            questions = {row.attempt_id: row for row in conn.execute(
                sa.select(AttemptQuestion.attempt_id, sa.func.count().label("drawn"),
                          sa.func.count(AttemptQuestion.response).label("answered"),
                          sa.func.count(AttemptQuestion.saved_at).label("saved"))
                .where(AttemptQuestion.attempt_id > before).group_by(AttemptQuestion.attempt_id))}
    finally:
        engine.dispose()
    new = [a for a in attempts if a.id > before]
    new_ids = {a.id for a in new}
    if len(new) != len(started_ids) or new_ids != set(started_ids):
        problems.append(f"{len(new)} attempts in the database, {len(started_ids)} starts counted by the clients "
                        f"({len(new_ids - set(started_ids))} unknown to them, {len(set(started_ids) - new_ids)} lost)")
    if len(set(started_ids)) != len(started_ids):
        problems.append(f"{len(started_ids) - len(set(started_ids))} attempt ids given to two starts")
    unfinished = [a.id for a in new if a.status != "finished" or a.finished_at is None or a.finished_by != "learner"]
    if unfinished:
        problems.append(f"{len(unfinished)} attempts not finished by their learner, e.g. {unfinished[:5]}")
    problems += _overlaps(attempts)
    wrong_count = [a.id for a in new if questions.get(a.id) is None or questions[a.id].drawn != QUESTIONS]
    if wrong_count:
        problems.append(f"{len(wrong_count)} attempts without exactly {QUESTIONS} questions, e.g. {wrong_count[:5]}")
    bad_scores = [a.id for a in new if a.score is None or not 0 <= a.score <= 100
                  or a.is_passed != (a.score >= a.pass_mark)]
    if bad_scores:
        problems.append(f"{len(bad_scores)} attempts with no score, a score outside 0..100 or the wrong verdict")
    differ = [a.id for a in new if a.id in scores and scores[a.id] != a.score]
    if differ:
        problems.append(f"{len(differ)} submissions answered a score other than the one stored, e.g. {differ[:5]}")
    answered = sum(questions[i].answered for i in new_ids if i in questions)
    saved = sum(questions[i].saved for i in new_ids if i in questions)
    sent = sum(t.answers for t in tallies)
    if answered != sent or saved != sent:
        problems.append(f"{answered} answers stored ({saved} with a time), {sent} saved by the clients")
    graded = [a.score for a in new if a.score is not None]
    scores = (f"scores {min(graded):.0f} to {max(graded):.0f}, mean {sum(graded) / len(graded):.0f}, "
              f"{sum(bool(a.is_passed) for a in new)} passed") if graded else "no scores"
    return problems, scores


def _overlaps(attempts) -> list[str]:
    """At most one open attempt per learner at any time: numbers 1, 2, 3... each started after the last ended."""
    problems, previous = [], None
    for a in attempts:  # by learner, then number
        first = previous is None or previous.user_id != a.user_id
        if a.number != (1 if first else previous.number + 1):
            problems.append(f"learner {a.user_id}: attempt number {a.number} follows "
                            f"{'nothing' if first else previous.number}")
        elif not first and (previous.finished_at is None or a.started_at < previous.finished_at):
            problems.append(f"learner {a.user_id}: attempt {a.number} started while attempt {previous.number} "
                            "was open")
        previous = a
    opened = {}
    for a in attempts:
        if a.status == "open":
            opened[a.user_id] = opened.get(a.user_id, 0) + 1
    problems += [f"learner {user}: {n} open attempts" for user, n in opened.items() if n > 1]
    return problems[:10]


# -- set-up and the section of `make bench` --------------------------------------------------------------------

def prepare(port: int, usernames: list[str], password: str, sign_in: Callable[[int, str], str]) -> list[Learner]:
    """Each learner signed in through the form (`sign_in` gives the session cookie), with the CSRF token of the
    quiz's overview page and an API token; four at a time, since each costs a scrypt check."""
    def one(username: str) -> Learner:
        http = Http(port)
        cookie = sign_in(port, username)
        reply = http.request("GET", f"/courses/{SLUG}/quiz", headers=(f"Cookie: session={cookie}",))
        if reply.status != 200:
            raise RuntimeError(f"the quiz overview answered HTTP {reply.status} to {username}")
        # The first page with a form puts a CSRF token in the session, which comes back as a new cookie:
        # a browser keeps it, and the token is only good with it.
        cookie = reply.session or cookie
        body = json.dumps({"username": username, "password": password}).encode()
        token = http.request("POST", "/api/v1/tokens", body, ("Content-Type: application/json",))
        if token.status != 201:
            raise RuntimeError(f"POST /api/v1/tokens answered HTTP {token.status} for {username}")
        return Learner(cookie, csrf_of(reply.body.decode()), json.loads(token.body)["token"])

    with ThreadPoolExecutor(4) as pool:
        return list(pool.map(one, usernames))


def bench(server, url: str, learners: list[Learner], seconds: float, disturbed: float) -> list[Run]:
    """Warm-up (checked too), then each variant at 1 and 8 learners."""
    runs = []
    for variant in VARIANTS:
        warm = run_flow(server, url, variant, learners, max(LEARNERS), WARM_UP_SECONDS)
        if warm.total("errors") or warm.problems:
            runs.append(Run(f"{variant} (warm-up)", warm.learners, warm.seconds, warm.tallies, warm.cpu,
                            warm.problems, warm.scores))
    for count in LEARNERS:
        for variant in VARIANTS:
            runs.append(measure(server, url, variant, learners, count, seconds, disturbed))
    return runs


def print_table(backend: str, runs: list[Run], disturbed: float, health) -> bool:
    """The figures as a Markdown table, the checks, and whether the aim holds; False when anything went wrong.

    `health`: /healthz at 8 clients just before (bench/load.py's Figures), the yardstick of this machine's speed.
    """
    print(f"\n{backend}: quiz attempts ({QUESTIONS} questions each)\n")
    print("| variant | learners | attempts/s | req/s | start p50 / p95 ms | page or load p50 / p95 ms "
          "| save p50 / p95 ms | submit p50 / p95 ms | errors | CPU ms per attempt: server, client "
          "| cores: gunicorn, PostgreSQL, client, other |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in runs:
        start, load, save, submit = STEPS[r.variant.split()[0]]
        cells = [f"{r.percentile(s, 50):.1f} / {r.percentile(s, 95):.1f}" for s in (start, load, save, submit)]
        print(f"| {r.variant} | {r.learners} | {r.attempts_per_second:.1f} | {r.requests_per_second:.0f} "
              f"| {' | '.join(cells)} | {r.total('errors')} | {r.server_ms:.1f}, {r.client_ms:.1f} "
              f"| {r.cpu.server:.2f}, {r.cpu.database:.2f}, {r.cpu.wrk:.2f}, {r.cpu.other:.2f} |")
    print()
    sound = True
    for r in runs:
        where = f"{r.variant} at {r.learners} learner(s)"
        print(f"checked {where}: {r.total('starts')} attempts started, {r.total('complete')} submitted, "
              f"{r.total('answers')} answers saved ({r.scores}): "
              + ("; ".join(r.problems) if r.problems else "the database agrees"))
        for message in sorted({m for t in r.tallies for m in t.messages})[:MAX_ERRORS_KEPT]:
            print(f"  error: {message}")
        if r.problems or r.total("errors"):
            sound = False
        if r.cpu.other > disturbed:
            print(f"disturbed: {where} shared the CPUs with other processes ({r.cpu.other:.2f} cores)")
    # Two cores give 2,000 ms of CPU a second: CPU per attempt says what the machine could do at best, and
    # varies less than attempts per second when the shared machine is disturbed.
    health_ms = (health.cpu.server + health.cpu.database) * 1000 / health.rps
    print(f"yardstick: /healthz at {health.clients} clients just before, {health.rps:.0f} req/s, {health_ms:.2f} ms "
          "of server CPU each; even if every quiz request cost no more, two cores would give at most "
          + ", ".join(f"{2000 / (n * health_ms):.0f} {v} attempts/s ({n} requests)" for v, n in REQUESTS.items()))
    for r in runs:
        if r.learners == max(LEARNERS) and "warm-up" not in r.variant and r.attempts_per_second:
            aim = AIMS[r.variant]
            verdict = "holds" if r.attempts_per_second >= aim else "missed"
            print(f"aim {verdict}: {r.variant} at {r.learners} learners, {r.attempts_per_second:.1f} complete "
                  f"attempts/s (aim: at least {aim}); an attempt took {r.server_ms + r.client_ms:.1f} ms "
                  f"of CPU ({r.server_ms / health_ms:.0f} health checks), {aim}/s on two cores allows "
                  f"{2000 / aim:.1f}")
    return sound
