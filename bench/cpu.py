"""Where the two cores went during a run: gunicorn, PostgreSQL and wrk share them, and so may other people's work."""
import os
import resource
from dataclasses import dataclass
from pathlib import Path

TICKS = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class CpuShares:
    """Cores used on average during a run."""

    server: float  # gunicorn, master and workers (SQLite runs inside them); with two servers, both, HAProxy and the
    # jobs consumer
    database: float  # the PostgreSQL backends serving the benchmark's database
    wrk: float
    other: float  # everything else: figures taken while this is high were disturbed


@dataclass(frozen=True)
class CpuClock:
    """CPU seconds used so far, by the whole machine and by each party."""

    machine: float
    server: float
    database: float
    children: float  # finished children of this process: wrk (gunicorn is not waited for until the end)

    @classmethod
    def read(cls, servers: tuple[int, ...], database: str | None) -> "CpuClock":
        """`servers`: the processes counted as the server, with their children (gunicorn's workers)."""
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        return cls(machine_busy(), sum(process_cpu(pid) for master in servers for pid in [master, *child_pids(master)]),
                   sum(process_cpu(pid) for pid in postgres_backends(database)) if database else 0.0,
                   usage.ru_utime + usage.ru_stime)

    def shares_since(self, start: "CpuClock", seconds: float) -> CpuShares:
        server, database = self.server - start.server, self.database - start.database
        wrk = self.children - start.children
        other = self.machine - start.machine - server - database - wrk
        return CpuShares(server / seconds, database / seconds, wrk / seconds, max(other, 0.0) / seconds)


def machine_busy() -> float:
    """CPU seconds spent on anything but idling since boot, over all cores."""
    with open("/proc/stat") as stat:
        fields = [int(x) for x in stat.readline().split()[1:]]
    return (sum(fields[:8]) - fields[3] - fields[4]) / TICKS  # idle and iowait are not work; guest is in user


def child_pids(pid: int) -> list[int]:
    try:
        return [int(x) for x in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def postgres_backends(database: str) -> list[int]:
    """Backends show their database in their process title: "postgres: 15/main: user database host state"."""
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            title = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace").split()
        except OSError:
            continue
        if title[:1] == ["postgres:"] and database in title:
            pids.append(int(entry.name))
    return pids


def process_cpu(pid: int) -> float:
    """User and system CPU seconds of a live process (0 when it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICKS
