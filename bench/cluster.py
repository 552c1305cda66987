"""Two application servers behind one load balancer, as several machines run them (bench/exam_day.py with
EXAM_SERVERS=2, PostgreSQL only).

Each server is a gunicorn of its own, with its own instance folder (nothing shared on disk) and the settings of the
README's "Several servers": the same LMS_SECRET_KEY and LMS_ISSUER_KEY_PASSPHRASE, one PostgreSQL, Redis for the
limits (LMS_RATELIMIT_STORAGE_URL) and the jobs (LMS_JOBS_URL), one seal's PKCS#12 file (LMS_SEAL_PKCS12), and
LMS_TRUSTED_PROXIES=1 behind the balancer. HAProxy (Debian's) sends each request to the next server in turn, with no
stickiness, and names the one that answered (X-Served-By): a taker's requests go to both servers within one attempt.
One job consumer runs, started with the second server's settings: a print stack asked of the first server is laid
out by it (`print_across`).
"""
import io
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack, contextmanager
from pathlib import Path
from urllib.parse import urlencode

from load import BIN, ROOT, WORKERS, Server, free_port, gunicorn_command, server_env, sign_in, stop, wait_healthy
from pypdf import PdfReader
from quiz_flow import FORM, Http, csrf_of
from sqlalchemy.engine import make_url

REDIS = os.environ.get("LMS_BENCH_REDIS_URL", "redis://127.0.0.1:6379")
LIMITS_DB, JOBS_DB = 2, 3  # Redis databases emptied before each cluster starts
HR_USERNAME = "staff0099"  # bench/seed.py: every hundredth member of staff from the 99th is HR
PRINTED = 20  # certificates in the print stack asked of the first server

HAPROXY = """global
    maxconn 4000
defaults
    mode http
    option forwardfor
    timeout connect 5s
    timeout client 180s
    timeout server 180s
    timeout queue 120s
frontend exam
    bind 127.0.0.1:{port}
    default_backend lms
backend lms
    balance roundrobin
    http-response set-header X-Served-By %s
{servers}
"""


def cluster_env(url: str, secret: str, instance: str, seal: Path) -> dict:
    return {**server_env(url, secret), "LMS_INSTANCE_PATH": instance, "LMS_TRUSTED_PROXIES": "1",
            "LMS_RATELIMIT_STORAGE_URL": f"{REDIS}/{LIMITS_DB}", "LMS_JOBS_URL": f"{REDIS}/{JOBS_DB}",
            "LMS_SEAL_PKCS12": str(seal)}


@contextmanager
def cluster(url: str, secret: str, servers: int = 2):
    """`servers` gunicorns (BENCH_WORKERS sync workers each; HAProxy sends each at most that many requests at once
    and queues the rest) and one jobs consumer: a Server whose port is HAProxy's and whose processes are all of
    them. Stopped however the block ends."""
    haproxy = shutil.which("haproxy") or "/usr/sbin/haproxy"
    _empty_redis()
    with ExitStack() as stack:
        logs = stack.enter_context(tempfile.TemporaryDirectory(prefix="lms-bench-cluster-"))
        seal = _shared_seal(url, secret, Path(logs))
        ports, processes, envs = [], [], []
        for n in range(servers):
            port = free_port()
            instance = stack.enter_context(tempfile.TemporaryDirectory(prefix=f"lms-bench-server{n + 1}-"))
            env = cluster_env(url, secret, instance, seal)
            log = stack.enter_context(open(Path(logs) / f"server{n + 1}.log", "w+"))
            process = _start(stack, gunicorn_command(port), env, log)
            wait_healthy(port, process, log)
            ports.append(port)
            processes.append(process)
            envs.append(env)
        consumer_log = stack.enter_context(open(Path(logs) / "consumer.log", "w+"))
        consumer = _start(stack, [str(BIN / "huey_consumer"), "lms.tasks.huey", "--workers", "1"], envs[-1],
                          consumer_log)
        port = free_port()
        config = Path(logs) / "haproxy.cfg"
        config.write_text(HAPROXY.format(port=port, servers="\n".join(
            f"    server server{n + 1} 127.0.0.1:{p} maxconn {WORKERS}" for n, p in enumerate(ports))))
        balancer_log = stack.enter_context(open(Path(logs) / "haproxy.log", "w+"))
        balancer = _start(stack, [haproxy, "-db", "-f", str(config)], os.environ.copy(), balancer_log)
        wait_healthy(port, balancer, balancer_log)
        database = make_url(url).database
        yield Server(port, processes[0].pid, database, (*(p.pid for p in processes[1:]), consumer.pid, balancer.pid),
                     ports=tuple(ports))


def _start(stack: ExitStack, command: list[str], env: dict, log) -> subprocess.Popen:
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                               start_new_session=True)
    stack.callback(stop, process)
    return process


def _empty_redis() -> None:
    import redis  # the redis extra (make bench-exam installs it)

    for number in (LIMITS_DB, JOBS_DB):
        redis.Redis.from_url(f"{REDIS}/{number}").flushdb()


def _shared_seal(url: str, secret: str, folder: Path) -> Path:
    """The demo authority's seal made once, given to every server as a licensed provider's file would be (each
    server would otherwise make its own demo authority in its own instance folder)."""
    env = {**server_env(url, secret), "LMS_INSTANCE_PATH": str(folder)}
    code = ("from lms import create_app\nfrom lms.certificates.signing.seal import demo_authority\n"
            "with create_app().app_context():\n    print(demo_authority().seal_p12)")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=120)
    if done.returncode:
        raise RuntimeError(f"the demo seal could not be made:\n{done.stderr[-2000:]}")
    return Path(done.stdout.strip().splitlines()[-1])


def issue_certificates(url: str, secret: str, usernames: list[str]) -> int:
    """Certificates for these takers' courses (their enrolments marked complete): what the print stack prints."""
    env = {**server_env(url, secret), "LMS_INSTANCE_PATH": tempfile.mkdtemp(prefix="lms-bench-issuer-")}
    code = f"""
import sqlalchemy as sa
from lms import create_app
from lms.accounts.models import User
from lms.certificates.issuing import issue_certificate
from lms.core.db import begin_write
from lms.core.models import utcnow
from lms.extensions import db
from lms.progress.models import Enrollment
with create_app().app_context():
    begin_write()  # a write transaction, as every use case opens one
    rows = db.session.scalars(sa.select(Enrollment).join(User, User.id == Enrollment.user_id)
                              .where(User.username.in_({usernames!r}))).all()
    for enrollment in rows:
        enrollment.completed_at = utcnow()
        issue_certificate(enrollment)
    db.session.commit()
    print(len(rows))
"""
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    if done.returncode:
        raise RuntimeError(f"certificates could not be issued:\n{done.stderr[-2000:]}")
    return int(done.stdout.split()[-1])


def print_across(server: Server, timeout: float = 180) -> str:
    """HR asks the first server for a print stack of every certificate; the stack is laid out by the consumer
    started with the second server's settings and downloaded from the second server. What happened, in words;
    RuntimeError when it did not."""
    first, second = (Http(port) for port in server.ports[:2])
    cookie = sign_in(server.ports[0], HR_USERNAME)
    search = first.request("GET", "/manage/certificates", headers=(f"Cookie: session={cookie}",))
    cookie = search.session or cookie
    reply = first.request("POST", "/manage/certificates/batches",
                          urlencode({"csrf_token": csrf_of(search.body.decode()), "language": "ar"}).encode(),
                          (FORM, f"Cookie: session={cookie}"))
    found = re.fullmatch(r"/manage/certificates/batches/(\d+)", reply.headers.get("location", ""))
    if reply.status != 302 or found is None:
        raise RuntimeError(f"the print stack was not queued: HTTP {reply.status}, {reply.headers.get('location')}")
    began, path = time.monotonic(), f"/manage/certificates/batches/{found.group(1)}.pdf"
    while time.monotonic() - began < timeout:
        pdf = second.request("GET", path, headers=(f"Cookie: session={cookie}",))
        if pdf.status == 200 and pdf.body.startswith(b"%PDF"):
            pages = len(PdfReader(io.BytesIO(pdf.body)).pages)
            return (f"a stack of {pages} pages asked of server 1, laid out by the consumer of server 2 in "
                    f"{time.monotonic() - began:.0f} s, downloaded from server 2")
        if pdf.status != 404:
            raise RuntimeError(f"the print stack's PDF answered HTTP {pdf.status} on server 2")
        time.sleep(1)
    raise RuntimeError(f"the print stack was not laid out within {timeout:.0f} s")
