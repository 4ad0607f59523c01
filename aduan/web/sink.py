"""Durable intake for webhooks: group commit of concurrent requests.

A webhook may answer 2xx only after its raw rows are committed. One commit
per request caps a single writer at a few thousand requests per second, so
concurrent requests share commits: each waits on a future while one writer
task drains everything queued so far and commits it in one transaction (in a
worker thread). Under light load a batch holds one request and nothing waits.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field

from sqlalchemy import Engine

from aduan.channels.base import RawMessage
from aduan.logs import get_logger
from aduan.store import SaveResult, save_batch

log = get_logger("aduan.web.sink")

MAX_ROWS_PER_COMMIT = 500


@dataclass
class _Item:
    raws: list[RawMessage]
    future: asyncio.Future[SaveResult] = field(repr=False)


class RawSink:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._queue: asyncio.Queue[_Item] | None = None
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        if self._task is None:
            self._queue = asyncio.Queue()
            self._task = asyncio.create_task(self._writer(), name="raw-sink")

    async def stop(self) -> None:
        if self._task is not None and self._queue is not None:
            await self._queue.join()
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None

    async def submit(self, raws: list[RawMessage]) -> SaveResult:
        """Commit ``raws``; returns what was new for these rows only."""
        await self.start()
        assert self._queue is not None
        future: asyncio.Future[SaveResult] = asyncio.get_running_loop().create_future()
        await self._queue.put(_Item(raws, future))
        return await future

    async def _writer(self) -> None:
        assert self._queue is not None
        queue = self._queue
        while True:
            items = [await queue.get()]
            rows = len(items[0].raws)
            while rows < MAX_ROWS_PER_COMMIT and not queue.empty():
                item = queue.get_nowait()
                items.append(item)
                rows += len(item.raws)
            raws = [raw for item in items for raw in item.raws]
            started = time.perf_counter()
            try:
                result = await asyncio.to_thread(save_batch, self.engine, raws)
            except Exception as exc:
                for item in items:
                    if not item.future.done():
                        item.future.set_exception(exc)
            else:
                for item in items:
                    if not item.future.done():
                        item.future.set_result(_share(item.raws, result))
                if raws:
                    log.info(
                        "raws_committed",
                        sources=sorted({f"{raw.channel}/{raw.account}" for raw in raws}),
                        requests=len(items),
                        new=len(result.inserted),
                        duplicates=len(result.duplicates),
                        rejected=len(result.rejected),
                        ms=round(1000 * (time.perf_counter() - started), 1),
                    )
            finally:
                for _ in items:
                    queue.task_done()


def _share(raws: list[RawMessage], result: SaveResult) -> SaveResult:
    mine = SaveResult()
    bad = {id(raw): error for raw, error in result.rejected}
    for raw in raws:
        key = (raw.channel, raw.account, raw.external_id)
        if id(raw) in bad:
            mine.rejected.append((raw, bad[id(raw)]))
        elif key in result.inserted:
            mine.inserted.add(key)
            mine.new[raw.external_id] = result.new[raw.external_id]
        else:
            mine.duplicates.append(raw.external_id)
    return mine
