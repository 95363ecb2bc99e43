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
import struct
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from multiprocessing.context import BaseContext
from typing import Any

_HEADER = struct.Struct("!Q")


class WorkerDied(Exception):
    """The worker process running a task exited (crashed, killed) before answering."""


def _serve(fn: Callable[..., Any], tasks: Connection, results: Connection) -> None:
    """A worker's loop: read a task, run it, write the result; stop when the parent goes away."""
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
    writer: asyncio.WriteTransport | None = None
    pending: dict[int, tuple[asyncio.Future[Any], bytes]] = field(default_factory=dict)
    ready: asyncio.Future[None] | None = None
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

    def __init__(self, fn: Callable[..., Any], workers: int, context: BaseContext) -> None:
        self.fn, self.size, self.context = fn, workers, context
        self.workers: list[_Worker] = []
        self.ids = itertools.count()
        self.closed = False
        self.spawning: set[asyncio.Future[None]] = set()
        self.reporting: set[asyncio.Future[None]] = set()
        self.restarts_left = 2 * workers  # a worker that cannot start must not respawn forever
        self.backlog: list[tuple[int, asyncio.Future[Any], bytes]] = []  # while none is alive

    @classmethod
    async def start(
        cls, fn: Callable[..., Any], workers: int, preload: Sequence[str] = ()
    ) -> WorkerPool:
        context = multiprocessing.get_context("forkserver")
        # Each worker re-imports the main module (multiprocessing's spawn rules); preloading
        # "__main__" in the forkserver does that once, and the workers forked from it skip it.
        context.set_forkserver_preload(["__main__", *preload])
        pool = cls(fn, workers, context)
        try:
            # one after the other: Process.start is not documented as safe from two threads
            started = [await pool._spawn() for _ in range(workers)]
            await asyncio.gather(*(w.ready for w in started if w.ready is not None))
        except BaseException:
            await pool.close()
            raise
        return pool

    async def _spawn(self) -> _Worker:
        """Start one worker; tasks may be sent to it at once (they wait in its pipe)."""
        loop = asyncio.get_running_loop()
        task_read, task_write = self.context.Pipe(duplex=False)
        result_read, result_write = self.context.Pipe(duplex=False)
        process = self.context.Process(  # type: ignore[attr-defined]
            target=_serve, args=(self.fn, task_read, result_write), daemon=True
        )
        await asyncio.to_thread(process.start)  # blocks while the forkserver starts
        task_read.close()  # the child's ends: ours would keep the pipes open after it dies
        result_write.close()
        worker = _Worker(process, ready=loop.create_future())
        worker.writer, _ = await loop.connect_write_pipe(asyncio.Protocol, task_write)
        await loop.connect_read_pipe(lambda: _Results(self, worker), result_read)
        self.workers.append(worker)
        backlog, self.backlog = self.backlog, []
        for task in backlog:
            self._dispatch(*task)
        return worker

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
            if worker.ready is not None and not worker.ready.done():
                worker.ready.set_result(None)
            return
        future, _ = worker.pending.pop(task_id)
        if future.done():
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
        if worker.ready is not None and not worker.ready.done():
            worker.ready.set_exception(WorkerDied("a parse worker did not start"))
        if self.closed:
            return
        queued = list(worker.pending.items())
        worker.pending.clear()
        if self.restarts_left > 0:
            self.restarts_left -= 1
            task = asyncio.ensure_future(self._replace())
            self.spawning.add(task)
            task.add_done_callback(self._spawned)
        for i, (task_id, (future, payload)) in enumerate(queued):
            if i == 0:  # tasks run in order: the first one is the one it died on
                report = asyncio.ensure_future(self._died_on(worker, future))
                self.reporting.add(report)
                report.add_done_callback(self.reporting.discard)
            else:
                self._dispatch(task_id, future, payload)

    async def _died_on(self, worker: _Worker, future: asyncio.Future[Any]) -> None:
        await asyncio.to_thread(worker.process.join, 5)  # the exit code, without blocking the loop
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

    async def _replace(self) -> None:
        # the remaining workers carry on meanwhile; run() says so when none is left
        with contextlib.suppress(Exception):
            worker = await self._spawn()
            assert worker.ready is not None
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
