#!/usr/bin/env python3
"""CPython asyncio reference runs of awaitlab's canonical scenarios.

Runs the same workloads as awaitlab's patterns with real asyncio (Python 3.11+, standard library
only) and prints one JSON line per scenario with the measured makespans in milliseconds, so a
measured browser run can be set beside CPython on the same workload.

Only deterministic workloads are used (min == max, fail 0 or 1): then awaitlab's seeded plan and
this script run exactly the same durations and failures. `predicted_ms` is what awaitlab's virtual
clock gives for the query (the native tests check these figures on the Rust side).

    python3 scripts/asyncio_reference.py [--repeat N] [--only PATTERN ...]

With --virtual it is the reference of tests/core_asyncio_matrix.rs instead: CPython's event loop on
a virtual clock runs every pattern on awaitlab's seeded plans and prints the events, to be compared
with awaitlab's virtual clock event for event (see run_virtual below). Python 3.11+ (TaskGroup).
"""

import argparse
import asyncio
import json
import platform
import statistics
import sys
import time
import warnings
from urllib.parse import parse_qsl

from armed_timers import call_at_armed

# (awaitlab query, awaitlab's predicted makespan in ms)
SCENARIOS = [
    ("pattern=sequential&tasks=5&min=100&max=100", 500),
    ("pattern=gather&tasks=50&min=200&max=200", 200),
    ("pattern=semaphore&limit=3&tasks=12&min=100&max=100", 400),
    ("pattern=retry&retries=3&delay=40&backoff=constant&tasks=10&min=50&max=50&fail=1", 230),
    ("pattern=retry&retries=4&delay=40&backoff=exponential&factor=2&tasks=5&min=50&max=50&fail=1", 480),
    ("pattern=retry&retries=2&delay=40&tasks=4&min=50&max=50&fail=1&limit=2&hold=1", 280),
    ("pattern=retry&retries=2&delay=40&tasks=4&min=50&max=50&fail=1&limit=2&hold=0", 200),
    ("pattern=resource&acquire=30&release=20&tasks=3&min=100&max=100&fail=1", 150),
    ("pattern=pipeline&process=20&save=10&tasks=4&min=100&max=100&limit=2", 260),
    ("pattern=timeout&timeout=250&tasks=5&min=300&max=300", 250),
    ("pattern=race&tasks=5&min=100&max=100", 100),
    ("pattern=as_completed&process=20&tasks=3&min=100&max=100", 160),
]


class SimulatedError(Exception):
    pass


class Params:
    """The query's values, with awaitlab's defaults for the keys it leaves out."""

    def __init__(self, query: str):
        p = dict(parse_qsl(query))
        self.pattern = p["pattern"]
        self.tasks = int(p.get("tasks", 10))
        self.ms = int(p.get("min", 100))
        if int(p.get("max", self.ms)) != self.ms:
            raise ValueError(f"{query}: the reference runs fixed durations only (min == max)")
        self.fail = float(p.get("fail", 0))
        if self.fail not in (0.0, 1.0):
            raise ValueError(f"{query}: the reference runs fail=0 or fail=1 only")
        limit = p.get("limit", "3" if self.pattern == "semaphore" else "none")
        self.limit = None if limit == "none" else int(limit)
        self.hold = p.get("hold", "1") == "1"
        self.retries = int(p.get("retries", 3))
        self.delay = int(p.get("delay", 100))
        self.backoff = p.get("backoff", "constant")
        self.factor = float(p.get("factor", 2))
        self.acquire = int(p.get("acquire", 100))
        self.release = int(p.get("release", 50))
        self.process = int(p.get("process", 20))
        self.save = int(p.get("save", 10))
        self.timeout = int(p.get("timeout", 250))


async def run_pattern(p: Params) -> None:
    """Runs one scenario's pattern to the end (errors are results, as in awaitlab)."""

    async def work(i: int) -> str:
        await asyncio.sleep(p.ms / 1000)
        if p.fail == 1.0:
            raise SimulatedError(f"simulated error after {p.ms} ms")
        return f"{p.ms} ms"

    sem = asyncio.Semaphore(p.limit) if p.limit is not None else None

    async def bounded(coro_fn, i):
        if sem is None:
            return await coro_fn(i)
        async with sem:
            return await coro_fn(i)

    async def gather(coro_fn):
        return await asyncio.gather(*(coro_fn(i) for i in range(p.tasks)), return_exceptions=True)

    async def with_retry(i: int) -> str:
        async def attempts():
            for attempt in range(1, p.retries + 1):
                try:
                    if sem is not None and not p.hold:
                        async with sem:
                            return await work(i)
                    return await work(i)
                except SimulatedError:
                    if attempt == p.retries:
                        raise
                    pause = p.delay if p.backoff == "constant" else p.delay * p.factor ** (attempt - 1)
                    await asyncio.sleep(min(pause, 600_000) / 1000)

        if sem is not None and p.hold:
            async with sem:
                return await attempts()
        return await attempts()

    class Resource:
        async def __aenter__(self):
            await asyncio.sleep(p.acquire / 1000)
            return self

        async def __aexit__(self, *exc):
            await asyncio.sleep(p.release / 1000)
            return False

    async def use_resource(i: int) -> str:
        async with Resource():
            return await work(i)

    async def process_item(i: int) -> str:
        data = await work(i)  # fetch
        await asyncio.sleep(p.process / 1000)  # process
        await asyncio.sleep(p.save / 1000)  # save
        return data

    async def with_deadline(i: int) -> str:
        return await asyncio.wait_for(work(i), timeout=p.timeout / 1000)

    # The pattern itself, as in awaitlab's src/core/patterns/<pattern>.rs.
    if p.pattern == "sequential":
        for i in range(p.tasks):
            try:
                await work(i)
            except SimulatedError:
                pass
    elif p.pattern == "gather":
        await gather(work)
    elif p.pattern == "semaphore":
        await gather(lambda i: bounded(work, i))
    elif p.pattern == "retry":
        await gather(with_retry)
    elif p.pattern == "resource":
        await gather(lambda i: bounded(use_resource, i))
    elif p.pattern == "pipeline":
        await gather(lambda i: bounded(process_item, i))
    elif p.pattern == "timeout":
        await gather(with_deadline)
    elif p.pattern == "race":
        tasks = [asyncio.create_task(work(i)) for i in range(p.tasks)]
        _, pending = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        for t in pending:
            t.cancel()
        await asyncio.gather(*pending, return_exceptions=True)
    elif p.pattern == "as_completed":
        tasks = [asyncio.create_task(work(i)) for i in range(p.tasks)]
        for next_done in asyncio.as_completed(tasks):
            try:
                await next_done
            except SimulatedError:
                continue
            await asyncio.sleep(p.process / 1000)
    else:
        raise ValueError(f"no reference for pattern {p.pattern}")


def measure(p: Params) -> float:
    """Makespan of one run, ms: from the pattern's start to its end on a fresh event loop (the
    loop's own start-up and shutdown excluded, as awaitlab's run starts at its first event)."""

    async def timed() -> float:
        start = time.perf_counter()
        await run_pattern(p)
        return (time.perf_counter() - start) * 1000

    return asyncio.run(timed())


# ------------------------------------------------------------------------------------------------
# Virtual mode: CPython's own event loop on a virtual clock, event for event.
#
#     python3 scripts/asyncio_reference.py --virtual < plans.jsonl > events.jsonl
#
# Each input line is a scenario as awaitlab plans it: the query, its parameters and the seeded plan
# (every task's attempts as [ms, fails], and the jitter draws), written by
# tests/core_asyncio_matrix.rs. Each output line holds the events asyncio recorded for it, in the
# order they happened: [t_ms, task, attempt, kind, phase, cancelled]. The loop is stock
# BaseEventLoop (its ready queue, timer heap and cancelled-timer housekeeping); only its clock is
# virtual: it reads milliseconds, and when nothing is ready it jumps to the earliest timer instead
# of sleeping. So `asyncio.sleep(ms)` here sleeps `ms` units of that clock, and no wall time passes.
# ------------------------------------------------------------------------------------------------


class Deadlock(Exception):
    pass


class _JumpingSelector:
    """A selector with no file descriptors: 'waiting' jumps the loop's clock to its next timer."""

    def __init__(self, loop):
        self._loop = loop

    def select(self, timeout):
        if timeout is None:
            raise Deadlock("nothing is ready and no timer is armed")
        if timeout > 0:
            self._loop._now = max(self._loop._now, self._loop._scheduled[0]._when)
        return []

    def close(self):
        pass

    def get_map(self):
        return {}


class VirtualLoop(asyncio.BaseEventLoop):
    """asyncio's loop with a clock in virtual milliseconds."""

    def __init__(self):
        super().__init__()
        self._now = 0.0
        # time.monotonic()'s resolution on Linux (1 ns) in this clock's milliseconds, fixed so the
        # reference does not depend on the OS.
        self._clock_resolution = 1e-6
        self._selector = _JumpingSelector(self)
        self.set_exception_handler(lambda loop, context: None)

    def time(self):
        return self._now

    def call_at(self, when, callback, *args, context=None):
        return call_at_armed(self, when, callback, *args, context=context)

    def _process_events(self, event_list):
        pass

    def _write_to_self(self):
        pass


class Plan:
    """One scenario: its parameters and awaitlab's seeded plan."""

    def __init__(self, line):
        d = json.loads(line)
        self.query = d["query"]
        p = d["params"]
        self.pattern = p["pattern"]
        self.tasks = len(d["plan"])
        self.limit = p.get("limit")
        self.hold = p.get("hold", True)
        self.retries = p.get("retries", 1)
        self.delay = p.get("delay", 0)
        self.backoff = p.get("backoff", "constant")
        self.factor = p.get("factor", 2.0)
        self.jitter = p.get("jitter", 0.0)
        self.timeout = p.get("timeout", 250)
        self.acquire = p.get("acquire", 0)
        self.release = p.get("release", 0)
        self.process = p.get("process", 0)
        self.save = p.get("save", 0)
        self.errors = p.get("errors", "collect")
        self.attempts = d["plan"]  # [task][attempt - 1] = [ms, fails]
        self.units = d["jitter_units"]  # [task][failed attempt - 1] = u in [0, 1)
        # what_if: [task, attempt, outcome, speed, cancel_ms], applied here to the plan as drawn.
        self.cancel_at = {}
        for task, attempt, outcome, speed, cancel_ms in d.get("what_if", []):
            if cancel_ms is not None:
                self.cancel_at[task] = cancel_ms
            elif attempt <= len(self.attempts[task]):
                ms, fails = self.attempts[task][attempt - 1]
                if outcome is not None:
                    fails = outcome == "fail"
                if speed == "x2":
                    ms = min(ms * 2, 600_000)
                elif speed == "half":
                    ms = ms // 2
                self.attempts[task][attempt - 1] = [ms, fails]

    def pause(self, task, failed):
        """The pause after `task`'s attempt `failed` failed: Python's own arithmetic."""
        if self.backoff == "constant":
            pause = float(self.delay)
        else:
            pause = self.delay * self.factor ** (failed - 1)
        pause = min(pause, 600_000.0)
        if self.jitter > 0:
            pause *= 1 - self.jitter * self.units[task][failed - 1]
        return pause


class SimulatedError(Exception):
    pass


async def run_plan(p, events):
    """Runs one scenario's pattern as asyncio code, recording awaitlab's events."""
    loop = asyncio.get_running_loop()
    sem = asyncio.Semaphore(p.limit) if p.limit is not None else None

    def rec(task, attempt, kind, phase, cancelled=False):
        events.append([loop.time(), task, attempt, kind, phase, cancelled])

    async def span(task, attempt, phase, ms, fails=False):
        """A timed step recorded as a span; raises SimulatedError when it fails."""
        rec(task, attempt, "begin", phase)
        try:
            await asyncio.sleep(ms)
        except asyncio.CancelledError:
            rec(task, attempt, "cancel", phase)
            raise
        if fails:
            rec(task, attempt, "fail", phase)
            raise SimulatedError()
        rec(task, attempt, "end", phase)

    def attempt(task, n, phase="work"):
        ms, fails = p.attempts[task][n - 1]
        return span(task, n, phase, ms, fails)

    async def wait_for_permit(task, n):
        rec(task, n, "begin", "wait")
        try:
            await sem.acquire()
        except asyncio.CancelledError:
            rec(task, n, "cancel", "wait")
            raise
        rec(task, n, "end", "wait")

    async def until_cancelled(task, body):
        """what_if's `loop.call_at(MS, task.cancel)`, scoped to the task's body as awaitlab's
        Ctx::until_cancelled is: asyncio.timeout_at arms that timer before the body runs (so work
        ending in the same instant is cancelled) and turns the cancellation into TimeoutError, caught
        here and recorded as the task's 'cancelled' mark. A time already passed: the body never starts.
        Returns None when cancelled so."""
        at = p.cancel_at.get(task)
        if at is None:
            return await body
        if at - loop.time() <= 0:
            body.close()
            rec(task, 0, "failed", "task", cancelled=True)
            return None
        try:
            async with asyncio.timeout_at(at):
                return await body
        except TimeoutError:
            rec(task, 0, "failed", "task", cancelled=True)
            return None

    async def marked(task, body, raising=False):
        """The task as a whole: its done / failed mark (and, cancelled, its 'cancelled' mark)."""
        try:
            if await until_cancelled(task, finished(body)) is None:
                return False
        except SimulatedError:
            rec(task, 0, "failed", "task")
            if raising:
                raise
            return False
        except asyncio.CancelledError:
            rec(task, 0, "failed", "task", cancelled=True)
            raise
        rec(task, 0, "done", "task")
        return True

    async def finished(body):
        """`body`, then True: what until_cancelled returns for a task that was not cancelled."""
        await body
        return True

    async def bounded(task, body):
        if sem is None:
            return await body
        await wait_for_permit(task, 1)
        try:
            return await body
        finally:
            sem.release()

    async def with_retries(task):
        held = False
        n = 1
        try:
            while True:
                if sem is not None and not held:
                    await wait_for_permit(task, n)
                    held = True
                try:
                    await attempt(task, n)
                    return
                except SimulatedError:
                    if n >= p.retries:
                        raise
                if held and not p.hold:
                    sem.release()
                    held = False
                pause = p.pause(task, n)
                rec(task, n, "begin", "backoff")
                try:
                    await asyncio.sleep(pause)
                except asyncio.CancelledError:
                    rec(task, n, "cancel", "backoff")
                    raise
                rec(task, n, "end", "backoff")
                n += 1
        finally:
            if held:
                sem.release()

    async def with_resource(task):
        await span(task, 1, "acquire", p.acquire)
        try:
            await attempt(task, 1)
        finally:
            await span(task, 1, "release", p.release)

    async def process_item(task):
        await attempt(task, 1, "fetch")
        await span(task, 1, "process", p.process)
        await span(task, 1, "save", p.save)

    async def with_deadline(task):
        ms, fails = p.attempts[task][0]
        rec(task, 1, "begin", "work")

        async def work():
            await asyncio.sleep(ms)
            if fails:
                raise SimulatedError()

        try:
            await asyncio.wait_for(work(), p.timeout)
        except asyncio.CancelledError:
            rec(task, 1, "cancel", "work")
            raise
        except TimeoutError:
            rec(task, 1, "timeout", "work")
            raise SimulatedError()
        except SimulatedError:
            rec(task, 1, "fail", "work")
            raise
        rec(task, 1, "end", "work")

    async def fallback(task):
        try:
            await attempt(task, 1)
        except SimulatedError:
            rec(task, 0, "fallback", "task")
            return True
        rec(task, 0, "done", "task")
        return True

    n = p.tasks
    gather_all = lambda body: asyncio.gather(*(marked(i, body(i)) for i in range(n)))  # noqa: E731
    if p.pattern == "sequential":
        for i in range(n):
            await marked(i, attempt(i, 1))
    elif p.pattern == "gather" and p.errors == "collect":
        await gather_all(lambda i: attempt(i, 1))
    elif p.pattern == "gather" and p.errors == "raise":
        tasks = [asyncio.create_task(marked(i, attempt(i, 1), raising=True)) for i in range(n)]
        try:
            await asyncio.gather(*tasks)
        except SimulatedError:
            await asyncio.wait(tasks)
    elif p.pattern == "gather" and p.errors == "fail_fast":
        try:
            async with asyncio.TaskGroup() as tg:
                for i in range(n):
                    tg.create_task(marked(i, attempt(i, 1), raising=True))
        except* SimulatedError:
            pass
    elif p.pattern == "semaphore":
        await gather_all(lambda i: bounded(i, attempt(i, 1)))
    elif p.pattern == "retry":
        await gather_all(with_retries)
    elif p.pattern == "fallback":
        await asyncio.gather(*(until_cancelled(i, fallback(i)) for i in range(n)))
    elif p.pattern == "resource":
        await gather_all(lambda i: bounded(i, with_resource(i)))
    elif p.pattern == "pipeline":
        await gather_all(lambda i: bounded(i, process_item(i)))
    elif p.pattern == "timeout":
        await gather_all(with_deadline)
    elif p.pattern == "race":
        tasks = [asyncio.create_task(marked(i, attempt(i, 1))) for i in range(n)]
        _, pending = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        for t in pending:
            t.cancel()
        if pending:
            await asyncio.wait(pending)
    elif p.pattern == "as_completed":

        async def indexed(i):
            return i, await marked(i, attempt(i, 1))

        tasks = [asyncio.create_task(indexed(i)) for i in range(n)]
        for next_done in asyncio.as_completed(tasks):
            task, ok = await next_done
            if ok:
                await span(task, 1, "process", p.process)
    else:
        raise ValueError(f"no reference for pattern {p.pattern}")


def run_virtual(line):
    p = Plan(line)
    events = []
    loop = VirtualLoop()
    try:
        loop.run_until_complete(run_plan(p, events))
        error = None
    except Deadlock as e:
        error = f"deadlock: {e}"
    finally:
        loop.close()
    return {"query": p.query, "events": events, "error": error}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repeat", type=int, default=5, help="runs per scenario (default 5)")
    ap.add_argument("--only", nargs="*", default=[], help="patterns to run (default: all)")
    ap.add_argument(
        "--virtual",
        action="store_true",
        help="read scenario plans (JSON lines) on stdin, run each on a virtual clock, print its events",
    )
    args = ap.parse_args()
    if args.virtual:
        # A task cancelled by what_if before it starts never awaits the steps it was given.
        warnings.filterwarnings("ignore", message="coroutine .* was never awaited", category=RuntimeWarning)
        print(json.dumps({"python": platform.python_version(), "implementation": platform.python_implementation()}))
        for line in sys.stdin:
            if line.strip():
                print(json.dumps(run_virtual(line)), flush=False)
        sys.stdout.flush()
        return 0
    for query, predicted in SCENARIOS:
        p = Params(query)
        if args.only and p.pattern not in args.only:
            continue
        runs = [round(measure(p), 2) for _ in range(max(1, args.repeat))]
        print(
            json.dumps(
                {
                    "query": query,
                    "pattern": p.pattern,
                    "predicted_ms": predicted,
                    "measured_ms": runs,
                    "median_ms": round(statistics.median(runs), 2),
                    "min_ms": min(runs),
                    "python": platform.python_version(),
                    "implementation": platform.python_implementation(),
                }
            ),
            flush=True,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
