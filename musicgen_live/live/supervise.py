"""Failures on the engine's loop, never silent: a long-lived task that ends with an error, an
exception nothing caught in a callback, and one that ends the session each reach the user as
one line."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from typing import Any

from musicgen_live.live.engine import Engine
from musicgen_live.live.events import Failed

LoopErrorHandler = Callable[[asyncio.AbstractEventLoop, dict[str, Any]], None]


def start_task(
    tasks: set[asyncio.Task[None]],
    work: Coroutine[Any, Any, None],
    engine: Engine,
    what: str | None = None,
) -> asyncio.Task[None]:
    """Run `work` as a task kept in `tasks` until it ends. An error it ends with is one line
    saying `what` stopped, or, without `what`, handled as `Engine.crashed` (every note
    silenced); a cancelled task is not an error."""
    task = asyncio.get_running_loop().create_task(work)
    tasks.add(task)

    def ended(task: asyncio.Task[None]) -> None:
        tasks.discard(task)
        if task.cancelled() or (error := task.exception()) is None:
            return
        if what is None:
            engine.crashed(error)
        else:
            text = f"{what}: {type(error).__name__}: {error}"
            engine.notice("error", text)

    task.add_done_callback(ended)
    return task


async def stop_tasks(tasks: set[asyncio.Task[None]]) -> None:
    """Cancel every task and wait until each has ended (its `finally` done)."""
    running = list(tasks)
    for task in running:
        task.cancel()
    await asyncio.gather(*running, return_exceptions=True)


def report_loop_errors(engine: Engine) -> LoopErrorHandler:
    """A loop exception handler: an uncaught error becomes one line and every note is
    silenced (`Engine.crashed`); anything else the loop complains of, a warning."""

    def handle(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        error = context.get("exception")
        if isinstance(error, Exception):
            engine.crashed(error)
        else:
            engine.notice("warning", str(context.get("message")))

    return handle


async def serve_reporting_errors(engine: Engine, serve: Coroutine[Any, Any, None]) -> bool:
    """Run `serve` with `report_loop_errors` as the loop's handler; an error that ends it is
    reported as Failed (the engine silenced every note on its way out). True: no error."""
    loop = asyncio.get_running_loop()
    previous = loop.get_exception_handler()
    loop.set_exception_handler(report_loop_errors(engine))
    try:
        await serve
    except Exception as error:  # noqa: BLE001 - shown as the session's end, not a traceback
        engine.emit(Failed(engine.clock.now(), f"{type(error).__name__}: {error}"))
        return False
    finally:
        loop.set_exception_handler(previous)
    return True
