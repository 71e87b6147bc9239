# asyncio's order of events: run by tests/core_py_interp.rs, whose expected output is CPython's
# (run live by the test with CPython 3.12), in order and at what time.
import asyncio

log = []

async def step(name, delay):
    print("start", name)
    await asyncio.sleep(delay)
    print("end", name)
    return name

async def fails(delay):
    await asyncio.sleep(delay)
    raise ConnectionError(f"failed after {delay}")

class Resource:
    def __init__(self, name):
        self.name = name
    async def __aenter__(self):
        print("enter", self.name)
        await asyncio.sleep(0.01)
        return self
    async def __aexit__(self, exc_type, exc, tb):
        print("exit", self.name, exc_type.__name__ if exc_type else None)
        await asyncio.sleep(0.01)
        return False

async def main():
    t1 = asyncio.create_task(step("a", 0.03))
    t2 = asyncio.create_task(step("b", 0.01))
    print("created")
    await asyncio.sleep(0)
    print("after yield", t1.done(), t2.done())
    print(await t1, await t2, t1.result())
    res = await asyncio.gather(step("c", 0.02), fails(0.01), step("d", 0.01), return_exceptions=True)
    print([r if isinstance(r, str) else type(r).__name__ for r in res], res[1])
    try:
        await asyncio.gather(step("e", 0.03), fails(0.01))
    except ConnectionError as e:
        print("gather raised", e)
    await asyncio.sleep(0.05)
    # Tasks, not coroutines: as_completed starts coroutines in set order (by address) in CPython.
    ts = [asyncio.create_task(step(n, d)) for n, d in [("x", 0.03), ("y", 0.01), ("z", 0.02)]]
    for coro in asyncio.as_completed(ts):
        print("completed", await coro)
    tasks = [asyncio.create_task(step(f"w{i}", 0.01 * (3 - i))) for i in range(3)]
    done, pending = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    print("first", [t.result() for t in done], len(pending))
    done, pending = await asyncio.wait(pending)
    print("rest", sorted(t.result() for t in done), len(pending))
    ev = asyncio.Event()
    async def waiter(i):
        await ev.wait()
        print("woken", i)
    ws = [asyncio.create_task(waiter(i)) for i in range(3)]
    await asyncio.sleep(0.01)
    ev.set()
    await asyncio.gather(*ws)
    lock = asyncio.Lock()
    async def locked(i):
        async with lock:
            print("in lock", i)
            await asyncio.sleep(0.01)
            print("out lock", i)
    await asyncio.gather(*(locked(i) for i in range(3)))
    async with Resource("r1") as r:
        print("using", r.name)
    try:
        async with Resource("r2"):
            raise KeyError("k")
    except KeyError:
        print("keyerror passed through")
    q = asyncio.Queue(maxsize=2)
    async def producer():
        for i in range(5):
            await q.put(i)
            print("put", i)
        await q.put(None)
    async def consumer():
        while True:
            item = await q.get()
            if item is None:
                break
            print("got", item)
            await asyncio.sleep(0.01)
    await asyncio.gather(producer(), consumer())
    async def stubborn():
        try:
            await asyncio.sleep(1)
        except asyncio.CancelledError:
            print("stubborn cancelled, cleaning up")
            await asyncio.sleep(0.01)
            print("cleanup done")
            raise
    t = asyncio.create_task(stubborn())
    await asyncio.sleep(0.01)
    print("cancel returns", t.cancel())
    try:
        await t
    except asyncio.CancelledError:
        print("t cancelled", t.cancelled(), t.done())
    async def quick():
        return 42
    print(await asyncio.wait_for(quick(), 1))
    bg = asyncio.create_task(step("background", 10))
    print("main returns")
    return "done"

print("module level")
print(asyncio.run(main()))
print("after run")

async def cancel_with_message():
    async def sleeper():
        try:
            await asyncio.sleep(1)
        except asyncio.CancelledError as e:
            print("sleeper got", repr(e.args))
            raise
    t = asyncio.create_task(sleeper())
    await asyncio.sleep(0.01)
    t.cancel("shutting down")
    try:
        await t
    except asyncio.CancelledError:
        print("cancelled", t.cancelled())

asyncio.run(cancel_with_message())

async def timers():
    # loop.call_later / call_at and their TimerHandle; a coroutine closed before it starts. CPython
    # runs this on a real clock, late by a few ms (more on a busy machine): every instant is 50 ms
    # from the next and printed to the nearest 50 ms, so the order and the figures hold under load.
    loop = asyncio.get_running_loop()
    t0 = loop.time()
    def at():  # ms since t0, to the nearest 50
        return int((loop.time() - t0) * 1000 / 50 + 0.5) * 50
    async def worker(name, delay):
        try:
            await asyncio.sleep(delay)
            print(name, "finished at", at())
            return name
        except asyncio.CancelledError:
            print(name, "cancelled at", at())
            raise
    a = asyncio.create_task(worker("a", 0.4))
    ha = loop.call_later(0.1, a.cancel)
    b = asyncio.create_task(worker("b", 0.2))
    hb = loop.call_later(0.05, b.cancel)
    hb.cancel()
    c = asyncio.create_task(worker("c", 0.4))
    now = loop.time()
    hc = loop.call_at(now + 0.3, c.cancel)
    print("c's timer in", round((hc.when() - now) * 1000), hc.cancelled(), hb.cancelled())
    d = asyncio.create_task(worker("d", 0.4))
    loop.call_later(0, d.cancel)
    loop.call_later(0.35, lambda: print("lambda at", at()))
    loop.call_later(0.45, print, "print called with", 1, 2)
    results = await asyncio.gather(a, b, c, d, return_exceptions=True)
    print(results, ha.cancelled(), a.cancelled(), b.cancelled())
    never = worker("never", 1)
    never.close()
    try:
        await never
    except RuntimeError as e:
        print("closed coroutine:", e)
    async def gives_up():
        await asyncio.sleep(0.1)
        raise asyncio.CancelledError
    g = asyncio.create_task(gives_up())
    try:
        await g
    except asyncio.CancelledError as e:
        print("gives_up:", repr(e), g.cancelled(), at())
    await asyncio.sleep(0.1)
    print("done at", at())

asyncio.run(timers())


async def loop_state():
    # A running loop says so; asyncio.run's debug=False (or None) is its default.
    print("running:", asyncio.get_running_loop().is_running())


asyncio.run(loop_state(), debug=False)
asyncio.run(loop_state(), debug=None)


async def set_after(done, delay, value):
    await asyncio.sleep(delay)
    print("set", value, done.is_set())
    done.set()


async def loop_tasks():
    # loop.create_task, as the docs' event loop examples write it.
    loop = asyncio.get_running_loop()
    done = asyncio.Event()
    task = loop.create_task(set_after(done, 0.5, "world"), name="setter")
    print("hello", task.get_name())
    await done.wait()
    print(await task, task.done())


asyncio.run(loop_tasks())
