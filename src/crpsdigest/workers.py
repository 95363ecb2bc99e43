"""Worker processes driven straight from the event loop, for parsing feeds on every core.

Why not ``concurrent.futures.ProcessPoolExecutor``: every task and every result passes through
two threads of the parent (the executor's manager and its queue feeder). Each hop needs the GIL,
which the event loop holds while it reads hundreds of responses, so a hop waits up to the
interpreter's switch interval (5 ms), about as long as parsing a feed takes; and the executor
queues only one task beyond those running. The workers sat idle for a good part of a cold run.
Here the loop writes each task into a worker's pipe itself (as many as it likes) and reads the
results from the pipes itself: no thread in between.

Tasks and results are pickled, framed by an 8-byte length. A worker that dies fails the task it
was running with :class:`WorkerDied`; the tasks queued behind it go to the other workers, and a
replacement is started.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import multiprocessing
import os
import pickle
import signal
import struct
import sys
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from typing import Any

_HEADER = struct.Struct("!Q")


class WorkerDied(Exception):
    """The worker process running a task exited (crashed, killed) before answering."""


def _serve(
    fn: Callable[..., Any], tasks: Connection, results: Connection, inherited: Sequence[int] = ()
) -> None:
    """A worker's loop: read a task, run it, write the result; stop when the parent goes away.

    ``inherited``: the parent's ends of the pipes, which a forked worker holds copies of and
    must close, or a worker would never see its task pipe close.
    """
    for fd in inherited:
        with contextlib.suppress(OSError):
            os.close(fd)
    # Ctrl-C reaches the whole process group: the parent decides, and its closing the task pipe
    # ends this loop (a forked worker would otherwise run the parent's asyncio SIGINT handler).
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    rfile = open(tasks.fileno(), "rb", closefd=False)  # noqa: SIM115 (lives as long as the loop)
    wfile = open(results.fileno(), "wb", closefd=False)  # noqa: SIM115

    def send(message: object) -> None:
        try:
            payload = pickle.dumps(message, pickle.HIGHEST_PROTOCOL)
        except Exception as exc:  # an unpicklable result or exception: say so instead
            task_id = message[0] if isinstance(message, tuple) else None
            error = RuntimeError(f"unpicklable result: {type(exc).__name__}: {exc}")
            payload = pickle.dumps((task_id, False, error), pickle.HIGHEST_PROTOCOL)
        wfile.write(_HEADER.pack(len(payload)) + payload)
        wfile.flush()

    send((None, True, os.getpid()))  # ready
    while True:
        header = rfile.read(_HEADER.size)
        if len(header) < _HEADER.size:
            return  # the parent closed the pipe: the run is over
        (size,) = _HEADER.unpack(header)
        task_id, args = pickle.loads(rfile.read(size))
        try:
            send((task_id, True, fn(*args)))
        except Exception as exc:
            send((task_id, False, exc))


@dataclass(eq=False)
class _Worker:
    process: Any
    ready: asyncio.Future[None]  # set when the worker says it is up
    writer: asyncio.WriteTransport | None = None
    pending: dict[int, tuple[asyncio.Future[Any], bytes]] = field(default_factory=dict)
    alive: bool = True


class _Results(asyncio.Protocol):
    """Reads one worker's result pipe: frames → the futures of its tasks."""

    def __init__(self, pool: WorkerPool, worker: _Worker) -> None:
        self.pool, self.worker = pool, worker
        self.buffer = bytearray()

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while len(self.buffer) >= _HEADER.size:
            (size,) = _HEADER.unpack_from(self.buffer)
            end = _HEADER.size + size
            if len(self.buffer) < end:
                return
            task_id, ok, value = pickle.loads(self.buffer[_HEADER.size : end])
            del self.buffer[:end]
            self.pool._answer(self.worker, task_id, ok, value)

    def connection_lost(self, exc: Exception | None) -> None:
        self.pool._lost(self.worker)


class WorkerPool:
    """``workers`` processes running ``fn``; :meth:`run` sends one call to the least busy one.

    Start with :meth:`start` (blocking for as long as the processes take to be ready, about half
    a second: the forkserver imports ``preload``), use from one event loop, :meth:`close` at the end.
    """

    def __init__(self, fn: Callable[..., Any], workers: int, preload: Sequence[str] = ()) -> None:
        self.fn, self.size = fn, workers
        self.context = multiprocessing.get_context("forkserver")
        # Each worker re-imports the main module (multiprocessing's spawn rules); preloading
        # "__main__" in the forkserver does that once, and the workers forked from it skip it.
        self.context.set_forkserver_preload(["__main__", *preload])
        self.workers: list[_Worker] = []
        self.ids = itertools.count()
        self.closed = False
        self.spawning: set[asyncio.Future[None]] = set()
        self.reporting: set[asyncio.Future[None]] = set()
        self.restarts_left = 2 * workers  # a worker that cannot start must not respawn forever
        self.backlog: list[tuple[int, asyncio.Future[Any], bytes]] = []  # while none is alive
        self.forked: list[tuple[Any, Connection, Connection]] = []  # not attached to the loop yet

    @classmethod
    async def start(
        cls, fn: Callable[..., Any], workers: int, preload: Sequence[str] = ()
    ) -> WorkerPool:
        """Start the workers from the forkserver (a fresh interpreter that imports ``preload``:
        half a second, more on a busy machine) and wait until each is ready."""
        pool = cls(fn, workers, preload)
        try:
            # one after the other: Process.start is not documented as safe from two threads
            started = [await pool._spawn() for _ in range(workers)]
            await asyncio.gather(*(w.ready for w in started))
        except BaseException:
            await pool.close()
            raise
        return pool

    @classmethod
    def fork(cls, fn: Callable[..., Any], workers: int) -> WorkerPool | None:
        """Fork the workers from this process now (milliseconds: everything is imported already);
        then ``await pool.ready()``. None where that is not safe, so use :meth:`start`.

        Safe only while this process has no other thread (a lock held by one would stay locked
        in the child) and no socket a worker must not hold open: call it before the run opens
        any connection. Linux only (elsewhere fork is not the platform's way to start processes).
        """
        if sys.platform != "linux" or threading.active_count() != 1:
            return None
        pool = cls(fn, workers)
        pool.forked = pool._fork_all()
        return pool

    async def ready(self) -> WorkerPool:
        """Attach forked workers to the running loop and wait until each is ready."""
        try:
            started = [await self._attach(*forked) for forked in self.forked]
            self.forked = []
            await asyncio.gather(*(w.ready for w in started))
        except BaseException:
            await self.close()
            raise
        return self

    def _fork_all(self) -> list[tuple[Any, Connection, Connection]]:
        """Fork every worker now, with no await in between (no socket may open meanwhile)."""
        context = multiprocessing.get_context("fork")
        pipes = [(context.Pipe(duplex=False), context.Pipe(duplex=False)) for _ in range(self.size)]
        ours = [fd for (_, task_write), (result_read, _) in pipes
                for fd in (task_write.fileno(), result_read.fileno())]  # fmt: skip
        processes = []
        for (task_read, _), (_, result_write) in pipes:
            process = context.Process(
                target=_serve, args=(self.fn, task_read, result_write, ours), daemon=True
            )
            process.start()
            processes.append(process)
        for (task_read, _), (_, result_write) in pipes:
            task_read.close()  # the children's ends
            result_write.close()
        return [
            (process, task_write, result_read)
            for process, ((_, task_write), (result_read, _)) in zip(processes, pipes, strict=True)
        ]

    async def _attach(
        self, process: Any, task_write: Connection, result_read: Connection
    ) -> _Worker:
        """Our ends of a started worker's pipes, written and read by the loop; tasks may be sent
        at once (they wait in the pipe until the worker is ready)."""
        loop = asyncio.get_running_loop()
        worker = _Worker(process, loop.create_future())
        worker.writer, _ = await loop.connect_write_pipe(asyncio.Protocol, task_write)
        await loop.connect_read_pipe(lambda: _Results(self, worker), result_read)
        self.workers.append(worker)
        backlog, self.backlog = self.backlog, []
        for task in backlog:
            self._dispatch(*task)
        return worker

    async def _spawn(self) -> _Worker:
        """Start one worker from the forkserver."""
        task_read, task_write = self.context.Pipe(duplex=False)
        result_read, result_write = self.context.Pipe(duplex=False)
        process = self.context.Process(
            target=_serve, args=(self.fn, task_read, result_write), daemon=True
        )
        await asyncio.to_thread(process.start)  # blocks while the forkserver starts
        task_read.close()  # the child's ends: ours would keep the pipes open after it dies
        result_write.close()
        return await self._attach(process, task_write, result_read)

    async def run(self, *args: Any) -> Any:
        """``fn(*args)`` in a worker; its exception re-raised here."""
        if self.closed:
            raise WorkerDied("the parse workers are closed")
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        task_id = next(self.ids)
        self._dispatch(task_id, future, pickle.dumps((task_id, args), pickle.HIGHEST_PROTOCOL))
        return await future

    def _dispatch(self, task_id: int, future: asyncio.Future[Any], payload: bytes) -> None:
        """To the live worker with the fewest tasks; held back while only a new one is starting."""
        live = [w for w in self.workers if w.alive]
        if not live:
            if self.spawning:
                self.backlog.append((task_id, future, payload))
            elif not future.done():
                future.set_exception(WorkerDied("no parse worker is running"))
            return
        worker = min(live, key=lambda w: len(w.pending))
        worker.pending[task_id] = (future, payload)
        assert worker.writer is not None
        worker.writer.write(_HEADER.pack(len(payload)) + payload)

    def _answer(self, worker: _Worker, task_id: int | None, ok: bool, value: Any) -> None:
        if task_id is None:
            if not worker.ready.done():
                worker.ready.set_result(None)
            return
        future, _ = worker.pending.pop(task_id, (None, b""))
        if future is None or future.done():
            return  # cancelled meanwhile
        if ok:
            future.set_result(value)
        else:
            future.set_exception(value)

    def _lost(self, worker: _Worker) -> None:
        """A worker's result pipe closed: it exited. Fail its running task, move the rest."""
        worker.alive = False
        if worker.writer is not None:
            worker.writer.close()
        if not worker.ready.done():
            worker.ready.set_exception(WorkerDied("a parse worker did not start"))
        if self.closed:
            return
        queued = list(worker.pending.items())
        worker.pending.clear()
        # Reap the dead worker before starting its replacement: starting a process polls every
        # child, and a poll racing this join for the exit code reads it as 255.
        joined = asyncio.ensure_future(asyncio.to_thread(worker.process.join, 5))
        if self.restarts_left > 0:
            self.restarts_left -= 1
            task = asyncio.ensure_future(self._replace(joined))
            self.spawning.add(task)
            task.add_done_callback(self._spawned)
        for i, (task_id, (future, payload)) in enumerate(queued):
            if i == 0:  # tasks run in order: the first one is the one it died on
                report = asyncio.ensure_future(self._died_on(worker, future, joined))
                self.reporting.add(report)
                report.add_done_callback(self.reporting.discard)
            else:
                self._dispatch(task_id, future, payload)

    async def _died_on(
        self, worker: _Worker, future: asyncio.Future[Any], joined: asyncio.Future[None]
    ) -> None:
        await joined  # the exit code, without blocking the loop
        if not future.done():
            future.set_exception(WorkerDied(
                f"the parse worker died (exit code {worker.process.exitcode}) on this feed"
            ))

    def _spawned(self, task: asyncio.Future[None]) -> None:
        self.spawning.discard(task)
        if not self.spawning and not any(w.alive for w in self.workers):
            backlog, self.backlog = self.backlog, []
            for task_id, future, payload in backlog:
                self._dispatch(task_id, future, payload)  # fails them: nothing can run them

    async def _replace(self, joined: asyncio.Future[None]) -> None:
        # the remaining workers carry on meanwhile; run() says so when none is left
        with contextlib.suppress(Exception):
            await joined
            worker = await self._spawn()
            await worker.ready

    async def close(self) -> None:
        """Close the pipes (each worker then exits) and wait for the processes."""
        self.closed = True
        for task in [*self.spawning, *self.reporting]:
            await asyncio.wait([task])
        for worker in self.workers:
            if worker.writer is not None:
                worker.writer.close()
        await asyncio.to_thread(self._join)

    def _join(self) -> None:
        for worker in self.workers:
            worker.process.join(5)
            if worker.process.is_alive():
                worker.process.kill()
                worker.process.join()
