# Containers that hold themselves, or hold one value many times over: printed, compared and
# hashed as CPython 3.12 prints, compares and hashes them (run live by tests/core_py_interp.rs).
# Lines stay under 100 bytes and print no double quote or backslash.
import asyncio
import json


class Job:
    def __init__(self, name):
        self.name = name

    def __repr__(self):
        return f'Job({self.name})'

    def __eq__(self, other):
        return isinstance(other, Job) and self.name == other.name

    def __lt__(self, other):
        return self.name < other.name


class Node:
    def __init__(self):
        self.children = [self]

    def __repr__(self):
        return f'Node{self.children!r}'


def tried(compare):
    try:
        return compare()
    except RecursionError as e:
        return type(e).__name__


async def main():
    a = [1]
    a.append(a)
    print(a, repr(a), str(a), f'{a}', f'{a!r}', len(repr(a)))
    d = {'k': 1}
    d['self'] = d
    print(d, (d,))
    t = ([],)
    t[0].append(t)
    print(t, t[0])
    twice = []
    twice.append(twice)
    twice.append(twice)
    print(twice, [twice, twice])
    e = {}
    e['v'] = e.values()
    e['k'] = e.keys()
    print(e)
    print(e.values())
    print(e.items())

    # The reader's __repr__ inside them, and a __repr__ that shows its own container.
    jobs = [Job('a')]
    jobs.append(jobs)
    book = {'job': Job('b')}
    book['book'] = book
    print(jobs, book, [book, jobs])
    print(Node(), [Node(), Node()])
    # A list met again nearer the top shows the reader's __repr__ deep inside it.
    deep = Job('deep')
    for _ in range(10):
        deep = [deep]
    far = deep
    for _ in range(15):
        far = [far]
    print(repr([far, deep])[-40:])

    # Equal by identity first, as CPython's containers compare their items.
    print(a == a, a in [a], twice == twice, twice.count(twice), d == d, [a] == [a])
    # (Two lists holding themselves compare unequal here: CPython raises RecursionError.)
    other = [Job('a')]
    other.append(other)
    print(tried(lambda: jobs == other), tried(lambda: jobs < other), jobs == jobs)

    # The same tuple many times over, as a key (CPython hashes all 4,096 of its tuples).
    k, m = (1,), (1,)
    for _ in range(12):
        k, m = (k, k), (m, m)
    print(len({k, m}), {k: 1}[m], hash(k) == hash(m), k == m, k < m)

    # json.dumps refuses a container that holds itself, not one that holds a list twice.
    for value in (a, d, t, [1, {'a': twice}]):
        try:
            json.dumps(value)
        except ValueError as e:
            print('json.dumps:', e)
    shared = [1, 2]
    print(json.dumps([shared, [shared], (shared,)]))

asyncio.run(main())
