import asyncio


async def producer(q, n):
    for i in range(n):
        await q.put(i * 10)
        await asyncio.sleep(0.01)
    await q.put(None)


async def consumer(q):
    seen = []
    while (item := await q.get()) is not None:
        seen.append(item)
    print('consumed', seen, 'last', item)


def scores(data):
    # A comprehension's assignment expression binds in the function around it.
    kept = [y for x in data if (y := x * 2) > 4]
    print('kept', kept, 'y', y)
    total = 0
    pairs = [(total := total + v) for v in data]
    print('running', pairs, total)
    return [[(z := a + b) for a in range(2)] for b in range(2)], z


counter = 0


def bump():
    global counter
    [counter := counter + i for i in range(4)]
    return counter


def closure():
    found = None

    def look(items):
        nonlocal found
        return any((found := it) > 2 for it in items)

    print('any', look([1, 2, 5, 7]), found)
    print('all', all((found := it) < 2 for it in [1, 3, 0]), found)
    print('none', any((found := it) > 9 for it in [4, 5]), found)


async def main():
    q = asyncio.Queue()
    await asyncio.gather(producer(q, 4), consumer(q))
    if (n := len('hello')) > 3:
        print('long', n)
    print(scores([1, 2, 3]))
    print('bump', bump(), counter)
    closure()
    print([m := 5, m ** 2], m)
    print(sorted({s := 'a', s + 'b'}))
    f = lambda v: (w := v + 1) * w
    print('lambda', f(3))
    print(max(t := [3, 9, 4]), t)
    data = {'k': 3}
    if (v := data.get('k')) is not None and (u := v + 1):
        print('both', v, u)
    print((r := 1, r + 1))
    x = 0
    while (x := x + 1) < 3:
        print('x', x)
    print(f'{(q2 := 7)} {q2}')
    print(f'{x:=6}')


asyncio.run(main())


def outer():
    # In a class body an assignment expression binds a class attribute, not outer's variable.
    y = 'outer'

    class A:
        (y := 5)
    x = [10, 20, 30]
    return A.y, y, x[i := 1], i, x[(n := 1):], n


print(outer())
