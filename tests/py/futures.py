import asyncio

async def set_after(fut, delay, value):
    await asyncio.sleep(delay)
    fut.set_result(value)

def report(fut):
    print('callback:', fut.done(), fut.cancelled(), fut.result() if not fut.cancelled() else None)

async def waiter(name, fut):
    try:
        print(name, 'got', await fut)
    except asyncio.CancelledError:
        print(name, 'cancelled')
        raise
    except ValueError as e:
        print(name, 'ValueError', e)

async def main():
    loop = asyncio.get_running_loop()
    fut = loop.create_future()
    print(fut, fut.done())
    fut.add_done_callback(report)
    loop.create_task(set_after(fut, 1, '... world'))
    print('hello ...')
    t = asyncio.create_task(waiter('w1', fut))
    print(await fut, fut)
    await t
    try:
        fut.set_result(2)
    except asyncio.InvalidStateError as e:
        print('InvalidStateError', e)
    f2 = asyncio.Future()
    try:
        f2.result()
    except asyncio.InvalidStateError as e:
        print('InvalidStateError', e)
    loop.call_later(0.5, f2.set_exception, ValueError('boom'))
    await asyncio.gather(waiter('a', f2), waiter('b', f2))
    print(f2, type(f2.exception()).__name__)
    f3 = loop.create_future()
    tw = asyncio.create_task(waiter('c', f3))
    await asyncio.sleep(0.1)
    print(f3.cancel('stop'), f3.cancel(), f3.cancelled(), f3)
    try:
        await tw
    except asyncio.CancelledError:
        print('tw cancelled', tw.cancelled())
    f4 = loop.create_future()
    t4 = asyncio.create_task(waiter('d', f4))
    await asyncio.sleep(0.1)
    t4.cancel()
    try:
        await t4
    except asyncio.CancelledError:
        pass
    print(f4.cancelled(), f4.remove_done_callback(report))
    f5 = asyncio.Future()
    f5.add_done_callback(report)
    f5.add_done_callback(report)
    print(f5.remove_done_callback(report))
    try:
        f5.set_exception(StopIteration())
    except TypeError as e:
        print('TypeError', e)
    f5.set_exception(KeyError)
    print(repr(f5.exception()))

asyncio.run(main())


async def more():
    loop = asyncio.get_running_loop()
    fut = loop.create_future()
    loop.call_later(0.1, fut.set_result, 7)
    print(await asyncio.gather(fut), await asyncio.shield(fut), await asyncio.ensure_future(fut))
    print(isinstance(fut, asyncio.Future), isinstance(asyncio.current_task(), asyncio.Future), isinstance(7, asyncio.Future))
    f2 = loop.create_future()
    loop.call_later(0.1, f2.set_result, 8)
    print(await asyncio.wait_for(f2, 1), [await c for c in asyncio.as_completed([f2])])
    f3 = loop.create_future()
    try:
        await asyncio.wait_for(f3, 0.1)
    except TimeoutError:
        print('timeout', f3.cancelled())


asyncio.run(more())


async def reprs():
    # A future inside its own result is `...`, as reprlib.recursive_repr writes it; a long chain
    # of futures is shortened as reprlib shortens each level.
    fut = asyncio.Future()
    fut.set_result(fut)
    f2 = asyncio.Future()
    f2.set_result([f2, f2])
    a, b = asyncio.Future(), asyncio.Future()
    a.set_result(b)
    b.set_result(a)
    print(fut, f2, a)
    last = asyncio.Future()
    last.set_result(1)
    for _ in range(2000):
        f = asyncio.Future()
        f.set_result(last)
        last = f
    print(last)


asyncio.run(reprs())


async def kinds():
    q = asyncio.Queue()
    sleeper = asyncio.sleep(0)
    waiting = asyncio.wait_for(asyncio.sleep(0), 1)
    getting = q.get()
    print([asyncio.iscoroutine(c) for c in (sleeper, waiting, getting, asyncio.Future(), 5)])
    await sleeper
    await waiting
    q.put_nowait(1)
    print(await getting)


asyncio.run(kinds())
