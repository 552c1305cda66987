"""Loaded by every Python process of `make test-sqlite` (the Makefile puts this folder on PYTHONPATH).

libfaketime moves the wall clock a year ahead but leaves the monotonic clock alone (DONT_FAKE_MONOTONIC): a faked
monotonic clock makes every timed wait on a lock (Event.wait, Timer, Queue.get) wait for a year, because glibc's
sem_clockwait is not faked. libfaketime then rejects the absolute monotonic deadline of time.sleep's
clock_nanosleep (EINVAL), so time.sleep waits on select's relative timeout instead."""
import select
import time


def _sleep(seconds: float) -> None:
    if seconds < 0:
        raise ValueError("sleep length must be non-negative")
    select.select([], [], [], seconds)


time.sleep = _sleep
