"""Growth benchmark: HR's heaviest pages served under load with the demo organisation at two sizes.

    .venv/bin/python bench/growth.py     # BENCH_BACKENDS=sqlite,postgres; about 8 minutes

For each backend and each size, a fresh database built as bench/reports.py builds it (`flask --app lms demo-data`),
1,000 staff (12 centers, 30,000 enrolments) then ten times that (10,000 staff, 120 centers, 300,000 enrolments),
no certificates (these pages do not show them), served by gunicorn as in bench/load.py (production settings,
BENCH_WORKERS sync workers), then 8 clients (wrk, one connection each, BENCH_SECONDS per page) on: the reports
overview and the completion matrix signed in as HR of Qalyubia (`hr-qly`, about a sixth of the organisation), and
a window clerk's dashboard for comparison. The aim: no page slower than half its speed at the small size (at most
2x between the sizes).
"""
import os
import secrets
import sys
import tempfile
from dataclasses import dataclass

from load import CLIENTS, SECONDS, WORKERS, gunicorn, measure, sign_in
from reports import BACKENDS, POSTGRES_URL, build, recreate_postgres

SIZES = {"1,000 staff": ["--staff", "1000", "--centers", "12", "--courses", "60", "--progress", "30000",
                        "--no-certificates"],
         "10,000 staff": ["--staff", "10000", "--centers", "120", "--courses", "60", "--progress", "300000",
                         "--no-certificates"]}
DEMO_PASSWORD = "qalyubia-demo"  # noqa: S105  lms/config.py: every demo account's
# (page, path, who): the HR pages the issue names, a learner's for comparison
PAGES = (("reports overview (HR)", "/manage/reports", "hr-qly"),
         ("completion matrix (HR)", "/manage/reports/matrix?governorate=QLY", "hr-qly"),
         ("dashboard (window clerk)", "/", "staff00200"))
AIM_RATIO = 2
CLIENTS_AT = max(CLIENTS)


@dataclass(frozen=True)
class Row:
    backend: str
    page: str
    rps: dict  # size -> requests a second
    p95: dict  # size -> ms


def bench_size(url: str, size: list[str]) -> dict:
    seconds = build(url, size)
    print(f"  built in {seconds:.0f} s")
    secret = secrets.token_hex(32)
    figures = {}
    with gunicorn(url, secret) as server:
        cookies = {who: sign_in(server.port, who, DEMO_PASSWORD) for who in {p[2] for p in PAGES}}
        for page, path, who in PAGES:
            measure(server, page, path, 1, [cookies[who]], seconds=2)  # warm-up
            result = measure(server, page, path, CLIENTS_AT, [cookies[who]] * CLIENTS_AT, seconds=SECONDS)
            print(f"  {page}: {result.rps:.0f} req/s, p95 {result.p95_ms:.0f} ms, "
                  f"gunicorn {result.cpu.server:.2f} cores, database {result.cpu.database:.2f}")
            figures[page] = result
    return figures


def main() -> int:
    print(f"growth: gunicorn {WORKERS} workers, {CLIENTS_AT} clients, {SECONDS} s a page")
    rows = []
    for backend in BACKENDS:
        by_size = {}
        for label, size in SIZES.items():
            with tempfile.TemporaryDirectory() as folder:
                url = f"sqlite:///{folder}/bench.sqlite3" if backend == "sqlite" else recreate_postgres(POSTGRES_URL)
                if url is None:
                    break
                print(f"{backend}, {label}: building the demo organisation")
                by_size[label] = bench_size(url, size)
        if len(by_size) < len(SIZES):
            continue
        for page, _, _ in PAGES:
            rows.append(Row(backend, page, {s: by_size[s][page].rps for s in SIZES},
                            {s: by_size[s][page].p95_ms for s in SIZES}))
    small, large = SIZES
    print(f"\n| backend | page | req/s, {small} | req/s, {large} | ratio | p95 ms, {small} | p95 ms, {large} |")
    print("|---|---|---:|---:|---:|---:|---:|")
    missed = []
    for row in rows:
        ratio = row.rps[small] / row.rps[large]
        print(f"| {row.backend} | {row.page} | {row.rps[small]:.0f} | {row.rps[large]:.0f} | {ratio:.2f}x "
              f"| {row.p95[small]:.0f} | {row.p95[large]:.0f} |")
        if ratio > AIM_RATIO:
            missed.append(f"{row.backend}: {row.page} {ratio:.1f}x slower with {large} (aim: at most {AIM_RATIO}x)")
    for line in missed:
        print(f"aim missed: {line}")
    return 1 if missed else 0


if __name__ == "__main__":
    os.environ.setdefault("BENCH_SECONDS", "8")
    sys.exit(main())
