#!/usr/bin/env python3
"""CPython's own event loop, on the virtual clock of asyncio_reference.py, with CPU-bound work:
what `VirtualClock::block` must reproduce (tests/core_cpu.rs checks the same scenarios).

A task "computes" by moving the loop's clock on while it holds the loop (`loop._now += ms`), as a
real coroutine calling a CPU-bound function does. Prints each scenario's log as JSON lines.

    python3 scripts/cpu_block_reference.py
"""

import asyncio
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from asyncio_reference import VirtualLoop  # noqa: E402


def run(main):
    loop = VirtualLoop()
    log = []
    try:
        loop.run_until_complete(main(loop, log))
    finally:
        loop.close()
    return log


async def sleep_beside_cpu(loop, log):
    """gather(sleep 100, compute 200, compute 200): the sleep's timer fires 300 ms late."""

    async def sleeper():
        await asyncio.sleep(100)
        log.append(["sleeper", loop.time()])

    async def cpu(i):
        loop._now += 200
        log.append([f"cpu{i}", loop.time()])

    await asyncio.gather(sleeper(), cpu(1), cpu(2))


async def timer_after_block_vs_ready_steps(loop, log):
    """A timer that came due during a block wakes its task after the steps already queued, one
    iteration later than they (its callback runs first, then the task)."""

    async def sleeper():
        await asyncio.sleep(10)
        log.append(["sleeper", loop.time()])

    async def blocker():
        loop._now += 50
        for step in range(1, 4):
            await asyncio.sleep(0)
            log.append([f"step{step}", loop.time()])

    await asyncio.gather(sleeper(), blocker())


async def block_as_the_last_ready_task(loop, log):
    """Nothing else is ready after the block: the late timer fires without the clock jumping on."""

    async def sleeper(ms):
        await asyncio.sleep(ms)
        log.append([f"sleeper{ms}", loop.time()])

    async def blocker():
        await asyncio.sleep(5)
        loop._now += 100
        log.append(["blocked", loop.time()])

    await asyncio.gather(sleeper(20), sleeper(300), blocker())


if __name__ == "__main__":
    for name, main in [
        ("sleep_beside_cpu", sleep_beside_cpu),
        ("timer_after_block_vs_ready_steps", timer_after_block_vs_ready_steps),
        ("block_as_the_last_ready_task", block_as_the_last_ready_task),
    ]:
        print(json.dumps({"scenario": name, "log": run(main)}))
