"""Where the two cores went during a run: gunicorn, PostgreSQL and wrk share them, and so may other people's work."""
import os
import resource
import threading
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


@dataclass(frozen=True)
class Memory:
    """Memory of the server side, MiB: proportional set sizes summed (pages shared by the forked workers counted
    once, so it adds up to what the stack costs the machine), and the largest process's resident set."""

    total: float
    largest: float

    @classmethod
    def read(cls, servers: tuple[int, ...]) -> "Memory":
        pids = [pid for master in servers for pid in [master, *child_pids(master)]]
        sizes = [_kib(pid, "smaps_rollup", "Pss:") for pid in pids]
        return cls(sum(sizes) / 1024, max((_kib(pid, "status", "VmRSS:") for pid in pids), default=0) / 1024)


class MemoryPeak:
    """Samples Memory every half second in a thread of its own, keeping the highest total: `with MemoryPeak(...) as
    peak:` ... `peak.highest`."""

    def __init__(self, servers: tuple[int, ...]):
        self.servers, self.highest = servers, Memory(0, 0)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def __enter__(self) -> "MemoryPeak":
        self._thread.start()
        return self

    def __exit__(self, *_exc) -> None:
        self._stop.set()
        self._thread.join()

    def _sample(self) -> None:
        while not self._stop.wait(0.5):
            now = Memory.read(self.servers)
            if now.total > self.highest.total:
                self.highest = now


def _kib(pid: int, file: str, field: str) -> int:
    try:
        for line in Path(f"/proc/{pid}/{file}").read_text().splitlines():
            if line.startswith(field):
                return int(line.split()[1])
    except OSError:
        pass
    return 0
