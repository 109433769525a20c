"""Worker processes for a parallel build, made to stop at once and quietly.

concurrent.futures' pool does not do this: a SIGTERM'd worker raises SystemExit,
which its loop catches and reports as a job's result before it takes the next job,
and a signal during a worker's initializer prints a traceback. Here:

- the workers are forked with SIGINT and SIGTERM blocked, and unblock them only
  once SIGINT is ignored (Ctrl-C reaches the whole terminal's process group; the
  parent decides) and SIGTERM ends the worker with os._exit: no Python unwinding,
  no traceback, no further job;
- a worker checks the parent's stop flag, and that its parent still lives, before
  it takes each task;
- each worker has its own pipe for results, and the parent watches the pipes and
  the processes together, so a worker that dies is noticed at once.

Stopping leaves no partial output only together with the caller, which removes the
temporary files of the jobs that were cut short (see build._sweep_temporaries).
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import time
from collections.abc import Callable, Sequence
from multiprocessing.connection import Connection, wait
from typing import Any, cast

STOPPED = 143  # a worker's exit status when the parent stopped it
_SIGNALS = {signal.SIGINT, signal.SIGTERM}


class WorkerDied(RuntimeError):
    """A worker ended without being asked to (killed from outside, out of memory)."""


def run(
    tasks: Sequence[Any],
    work: Callable[[Any], Any],
    workers: int,
    record: Callable[[Any], None],
    grace: float = 1.0,
) -> None:
    """Run `work(task)` for every task in `workers` forked processes; call
    `record(result)` here as each one ends. An exception in a task (a bug) stops
    the others and is raised here; so is KeyboardInterrupt."""
    ctx = multiprocessing.get_context("fork")  # the workers share the loaded catalogue
    stop = ctx.RawValue("b", 0)
    taken = ctx.Value("i", 0)
    procs: dict[Connection, multiprocessing.process.BaseProcess] = {}
    try:
        before = signal.pthread_sigmask(signal.SIG_BLOCK, _SIGNALS)
        try:
            for _ in range(workers):
                reader, writer = ctx.Pipe(duplex=False)
                proc = ctx.Process(
                    target=_worker,
                    args=(tasks, work, stop, taken, writer, os.getpid()),
                    daemon=True,
                )
                proc.start()
                writer.close()
                procs[reader] = proc
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, before)  # a pending signal lands here
        _collect(procs, record)
    except BaseException:
        stop.value = 1
        _stop(list(procs.values()), grace)
        raise
    finally:
        for reader in procs:
            reader.close()


def _collect(procs: dict, record: Callable[[Any], None]) -> None:
    running = dict(procs)
    while running:
        for ready in wait(list(running)):
            reader = cast(Connection, ready)  # wait() gives back what it was given
            try:
                kind, value = reader.recv()
            except EOFError:  # the worker is done, or died
                proc = running.pop(reader)
                proc.join()
                if proc.exitcode in (STOPPED, -signal.SIGTERM):
                    # Told to stop from outside (e.g. SIGTERM to the process group, which
                    # may reach a worker first): the build stops as if interrupted.
                    raise KeyboardInterrupt from None
                if proc.exitcode != 0:
                    raise WorkerDied(
                        f"a worker process ended unexpectedly (exit status {proc.exitcode})"
                    ) from None
                continue
            if kind == "error":
                raise cast(BaseException, value)
            record(value)


def _stop(procs: list, grace: float) -> None:
    """SIGTERM every worker, SIGKILL those still alive after `grace` seconds."""
    for proc in procs:
        if proc.is_alive():
            proc.terminate()
    deadline = time.monotonic() + grace
    for proc in procs:
        proc.join(max(0.0, deadline - time.monotonic()))
    for proc in procs:
        if proc.is_alive():
            proc.kill()
            proc.join()


def _on_sigterm(signum: int, frame: object) -> None:
    os._exit(STOPPED)


def _worker(
    tasks: Sequence[Any], work: Callable, stop, taken, conn: Connection, parent: int
) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, _on_sigterm)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, _SIGNALS)
    try:
        # A parent killed outright (SIGKILL, out of memory) can stop nobody: a worker
        # whose parent is gone takes no further job.
        while not stop.value and os.getppid() == parent:
            with taken.get_lock():
                index = taken.value
                taken.value += 1
            if index >= len(tasks):
                break
            conn.send(("ok", work(tasks[index])))
    except Exception as e:  # a bug: the parent reports it
        _send_error(conn, e)
    finally:
        conn.close()


def _send_error(conn: Connection, error: Exception) -> None:
    try:
        conn.send(("error", error))
    except Exception:  # not picklable: its text is enough
        conn.send(("error", RuntimeError(f"{type(error).__name__}: {error}")))
