# dataclasses: @dataclass (init, repr, eq, order), field (default, default_factory, init, repr,
# compare), asdict, __post_init__ and a base dataclass's fields: run by tests/core_py_interp.rs,
# whose expected output is CPython 3.12's (run live by the test). Lines stay under 100 bytes and
# print no double quote or backslash: the recorder shortens and tidies event details.
import asyncio
import math
from dataclasses import dataclass, field, asdict


@dataclass
class Point:
    x: int
    y: int = 0


@dataclass(order=True)
class Job:
    priority: int
    name: str = field(compare=False)
    tags: list = field(default_factory=list, repr=False)


@dataclass
class Order:
    id: int
    items: list[str] = field(default_factory=list)
    total: float = 0.0
    done: bool = field(default=False, init=False)

    def __post_init__(self):
        self.total = round(self.total, 2)

    def add(self, item):
        self.items.append(item)


@dataclass
class Labeled(Point):
    label: str = 'p'


p = Point(1, 2)
print(p, Point(3), p == Point(1, 2), p == Point(2, 1), p != Point(1, 2))
print(Point(y=5, x=4), repr(Point(0)), Job(2, 'b') < Job(3, 'a'), Job(1, 'x') == Job(1, 'y'))
print(sorted([Job(3, 'c'), Job(1, 'a'), Job(2, 'b')]))
print(max(Job(5, 'e'), Job(4, 'd')))
o = Order(1, total=9.999)
o.add('tea')
o2 = Order(2)
print(o, o2)
print(o.items is not o2.items, Order.total, hasattr(Order, 'items'))
print(asdict(o))
print(Labeled(1), Labeled(1, 2, 'q'))
print(asdict(Labeled(7)), Point.__dataclass_fields__.keys(), isinstance(Labeled(1), Point))
for bad in [lambda: Point(), lambda: Point(1, 2, 3), lambda: Point(1, z=2), lambda: asdict(5), lambda: Job(1) < 5]:
    try:
        print(bad())
    except TypeError as e:
        print('TypeError:', e)
try:
    @dataclass
    class Bad:
        a: int = 1
        b: int
except TypeError as e:
    print('TypeError:', e)
try:
    @dataclass
    class Shared:
        items: list = []
except ValueError as e:
    print('ValueError:', e)


async def main():
    q = asyncio.PriorityQueue()
    for j in [Job(3, 'low'), Job(1, 'urgent'), Job(2, 'normal'), Job(1, 'also urgent')]:
        await q.put(j)
    while not q.empty():
        job = await q.get()
        await asyncio.sleep(0.01)
        print('ran', job)


asyncio.run(main())


@dataclass()
class Empty:
    pass


@dataclass(eq=False, repr=False)
class Plain:
    a: int


@dataclass
class Team:
    name: str
    members: list = field(default_factory=list)
    lead: 'Person' = None


@dataclass
class Person:
    name: str
    age: int = 30

    def __repr__(self):
        return f'<{self.name}>'


t = Team('core', [Person('ann'), Person('bo', 41)])
print(Empty(), Empty() == Empty(), Plain(1) == Plain(1), t)
print(Team('x', lead=Person('z')))
print(Person.__init__.__qualname__, Team.__repr__.__qualname__, Person('a') == Person('a', 30), Person('a') == ('a', 30))


@dataclass(init=False)
class Manual:
    x: int = 3


print(Manual(), Manual().x)


# A review's cases: != against another type (a dataclass's __eq__ gives NotImplemented),
# __class__ of a class, super() reaching a class method and a static method, the reader's
# __repr__ and __eq__ inside dict views, items views with unhashable values, an instance as a
# mutable default, and a list holding itself 2**40 times over compared and sorted at once
@dataclass
class P:
    x: int


class N:
    def __init__(self, n):
        self.n = n

    def __repr__(self):
        return f'N({self.n})'

    def __eq__(self, o):
        return isinstance(o, N) and o.n == self.n


print(P(1) != None, P(1) != 3, P(1) != [1], P(1) != P(1), P(1) != P(2), P(1) == P, P(1) == math)
print(P.__class__, (1, 2).__class__, 'a'.__class__, P(1).__class__)


class A:
    @classmethod
    def __init_subclass__(cls):
        print('A hook', cls.__name__)
        super().__init_subclass__()

    @classmethod
    def create(cls):
        return cls()

    @staticmethod
    def kind():
        return 'a'


class B(A):
    def __init_subclass__(cls):
        super().__init_subclass__()
        print('B hook', cls.__name__)

    @classmethod
    def create(cls):
        made = super().create()
        return (type(made).__name__, super().kind())


class C(B):
    pass


print(C.create())
d = {'a': N(1), 'b': N(2)}
print(d.values(), f'{d.items()}', N(1) in d.values(), ('a', N(1)) in d.items(), ('a', N(2)) in d.items())
print({'a': [1]}.items() == {'a': [2]}.items(), {'a': [1]}.items() == {'a': [1]}.items(), d.keys() == {'a', 'b'})
try:
    print({'a': [1]}.items() & {('a', 1)})
except TypeError as e:
    print('TypeError:', e)
try:
    @dataclass
    class Line:
        at: P = P(0)
except ValueError as e:
    print('ValueError:', e)
l = [1]
for _ in range(40):
    l = [l, l]
print(l < l, l <= l, sorted([l, l]) == [l, l])


# A dataclass's repr shows an instance met again inside it as ..., as reprlib.recursive_repr
# does in CPython's; a hand-written __repr__ shows its list as [...] there.
@dataclass
class Link:
    v: int
    nxt: object = None


ring = Link(1)
ring.nxt = ring
print(ring, [ring], Link(2, Link(3, ring)))


class Mirror:
    def __repr__(self):
        return f'Mirror({self.me!r})'


mirror = Mirror()
mirror.me = [mirror]
print(mirror, f'{mirror}')
