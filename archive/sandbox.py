"""Run one conversion at a time in a child process under a memory limit and a wall-clock timeout.

pdfminer inflates a PDF stream whole, python-docx reads a zip member whole, and a 50,000-page PDF
keeps any reader busy for hours: bounds inside those libraries are out of reach. So a document is
converted in a child process whose address space is capped (RLIMIT_AS) and which is killed when it
takes longer than the timeout. A hostile document then costs one child, never the crawl, `reparse`
or `parse` that asked for it; the caller gets `SandboxError` with the reason, for a `Failure` row.

The child is started once (through multiprocessing's forkserver, so it is forked from a small
clean process, never from a crawl's reactor and its threads) and reused for the next call; a child
that ran out of memory, crashed or was killed for its time is replaced on the next call. The child
ignores SIGINT (Ctrl-C reaches the whole process group; the parent decides) and arms an alarm as
long as the call may take, so a child whose parent was killed does not run on.

What crosses the pipe is this program's own calls and results (pickle between a process and the
child it started), never data from a shared queue.
"""

from __future__ import annotations

import atexit
import multiprocessing
import os
import resource
import signal
import threading
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any, TypeVar

__all__ = ["Crashed", "OutOfMemory", "Sandbox", "SandboxError", "TimedOut", "default_sandbox"]

T = TypeVar("T")
_PRELOAD = ["archive.documents"]  # imported once by the forkserver, shared by every child


class SandboxError(Exception):
    """The call did not complete; the message is a reason a person can act on."""


class TimedOut(SandboxError):
    pass


class OutOfMemory(SandboxError):
    pass


class Crashed(SandboxError):
    pass


def _child(conn: Connection, memory: int) -> None:
    """The child's loop: run each (function, args, seconds) sent, send back ("ok"|"error"|"memory", value)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    os.setsid()  # its own process group: a converter it starts (LibreOffice) is killed with it
    if memory:
        # Soft limit only: a converter the call starts (LibreOffice) may set its own, larger one.
        _, hard = resource.getrlimit(resource.RLIMIT_AS)
        resource.setrlimit(resource.RLIMIT_AS, (memory, hard))
    while True:
        try:
            fn, args, seconds = conn.recv()
        except (EOFError, OSError):
            return
        signal.alarm(int(seconds) + 5 if seconds else 0)  # outlives its parent by seconds at most
        try:
            result: tuple[str, Any] = ("ok", fn(*args))
        except MemoryError:
            result = ("memory", None)
        except BaseException as exc:  # every failure goes back to the caller
            result = ("error", exc)
        signal.alarm(0)
        try:
            conn.send(result)
        except Exception as exc:  # an exception that cannot be pickled: its text is enough
            conn.send(("error", RuntimeError(f"{type(result[1]).__name__}: {result[1]} ({exc})")))
        if result[0] == "memory":
            return  # a process that ran out of memory is not trusted with the next document


class Sandbox:
    """One child at a time, `memory` bytes of address space, `timeout` seconds per call."""

    def __init__(self, *, memory: int, timeout: float) -> None:
        self.memory = memory
        self.timeout = timeout
        self._lock = threading.Lock()
        self._process: multiprocessing.process.BaseProcess | None = None
        self._conn: Connection | None = None

    def call(self, fn: Callable[..., T], *args: Any, timeout: float | None = None) -> T:
        """`fn(*args)` in the child; its exceptions are re-raised here, bounds as `SandboxError`."""
        seconds = self.timeout if timeout is None else timeout
        with self._lock:
            conn = self._start()
            try:
                conn.send((fn, args, seconds))
                ready = conn.poll(seconds)
            except (OSError, EOFError) as err:
                self._stop()
                raise Crashed(f"the converter process could not be reached ({err})") from err
            if not ready:
                self._stop()
                raise TimedOut(f"conversion timed out after {seconds:g} s")
            try:
                status, value = conn.recv()
            except (EOFError, OSError) as err:
                code = self._stop()
                if code in (-signal.SIGKILL, -signal.SIGSEGV, -signal.SIGBUS, -signal.SIGABRT):
                    raise OutOfMemory(
                        f"the converter process died ({_signal_name(code)}), most likely out of memory "
                        f"(limit {self.memory // 2**20} MiB)"
                    ) from err
                raise Crashed(f"the converter process died (exit {code})") from err
        if status == "ok":
            return value
        if status == "memory":
            self._reap_after_memory()
            raise OutOfMemory(f"conversion ran out of memory (limit {self.memory // 2**20} MiB)")
        raise value

    def close(self) -> None:
        with self._lock:
            self._stop()

    def _start(self) -> Connection:
        if self._process is not None and self._process.is_alive() and self._conn is not None:
            return self._conn
        self._stop()
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(_PRELOAD)
        parent, child = context.Pipe()
        process = context.Process(
            target=_child, args=(child, self.memory), daemon=True, name="nianbao-sandbox"
        )
        process.start()
        child.close()
        self._process, self._conn = process, parent
        return parent

    def _stop(self) -> int | None:
        process, conn = self._process, self._conn
        self._process = self._conn = None
        if conn is not None:
            conn.close()
        if process is None:
            return None
        if process.pid is not None:
            try:
                os.killpg(process.pid, signal.SIGKILL)  # the child and any converter it started
            except (ProcessLookupError, PermissionError):
                pass
        process.join(5)
        return process.exitcode

    def _reap_after_memory(self) -> None:
        with self._lock:
            self._stop()


def _signal_name(code: int | None) -> str:
    if code is not None and code < 0:
        try:
            return signal.Signals(-code).name
        except ValueError:
            pass
    return f"exit {code}"


_default: Sandbox | None = None
_default_lock = threading.Lock()


def default_sandbox() -> Sandbox:
    """The process's sandbox, with the bounds of `archive.limits.limits()`; its child starts on first use."""
    global _default
    with _default_lock:
        if _default is None:
            from archive.limits import limits

            bounds = limits()
            _default = Sandbox(memory=bounds.conversion_memory, timeout=bounds.conversion_timeout)
            atexit.register(_default.close)
        return _default
