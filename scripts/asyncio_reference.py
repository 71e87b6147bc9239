#!/usr/bin/env python3
"""CPython asyncio reference runs of awaitlab's canonical scenarios.

Runs the same workloads as awaitlab's patterns with real asyncio (Python 3.11+, standard library
only) and prints one JSON line per scenario with the measured makespans in milliseconds, so a
measured browser run can be set beside CPython on the same workload.

Only deterministic workloads are used (min == max, fail 0 or 1): then awaitlab's seeded plan and
this script run exactly the same durations and failures. `predicted_ms` is what awaitlab's virtual
clock gives for the query (the native tests check these figures on the Rust side).

    python3 scripts/asyncio_reference.py [--repeat N] [--only PATTERN ...]
"""

import argparse
import asyncio
import json
import platform
import statistics
import sys
import time
from urllib.parse import parse_qsl

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


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repeat", type=int, default=5, help="runs per scenario (default 5)")
    ap.add_argument("--only", nargs="*", default=[], help="patterns to run (default: all)")
    args = ap.parse_args()
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
