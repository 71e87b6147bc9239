# String formatting with the reader's own methods, as CPython formats: run by
# tests/core_py_interp.rs against CPython 3.12. Printed lines stay under 100 bytes (the
# recorder cuts a longer print's event detail).


class P:
    def __str__(self):
        return 'P!'

    def __repr__(self):
        return 'P()'


class S:
    def __str__(self):
        return 'S!'


class Item:
    name = 'widget'


p = P()
print('%s %r' % (p, p), '%s' % p, '%s' % S(), '%r' % [p])
print('{} {!r} {!s}'.format(p, p, p), '{}'.format(S()), format(S()), format(p, ''))
print(f'{p}|{p!r}|{S()}', str(p), repr(p), [p])
# %: alignment, flags, width and precision from the arguments, mappings
print('[%5s]' % 'ab', '[%-5s]' % 'ab', '[%-5d]' % 42, '[%05d]' % -42, '[%+d]' % 5, '[% d]' % 5)
print('[%5.2s]' % 'abc', '[%.2s]' % 12345, '[%*d]' % (5, 3), '[%-*d]' % (4, 3), '[%.*f]' % (2, 3.14159))
print('%d' % (2 ** 62 + 1), '%d' % 3.9, '%d' % True, '%i' % -7, '%x %X %o' % (255, 255, 8))
print('%#x %#o' % (255, 8), '%c%c' % (65, 'b'), '%e' % 12345.678, '%g' % 0.00001, '%.3d' % 5)
print('%(name)s is %(age)d' % {'name': 'Ann', 'age': 30}, '%s' % {'a': 1}, 'x' % {}, 'x' % [])
print('%s' % ((1, 2),), '%s' % [1, 2], '%.1f%%' % 99.5, '%5.1f|%-6.2f|' % (2.25, 2.5))
print(len('%.150s' % ('a' * 200)), len('{:.150}'.format('a' * 200)), '%.4d' % -5, '%+.3d' % 7)
s = 'n=%d'
s %= 4
print(s)
# str.format: named, numbered, attributes, items, nested specs, conversions
d = {'k': 2}
print('Hello {name}'.format(name='Ann'), '{0}{1}{0}'.format('a', 'b'), '{d[k]}'.format(d=d))
print('{0.name}'.format(Item()), '{0[1]}'.format([5, 6]), '[{:>{}}]'.format('a', 4))
print('[{:{fill}^{w}}]'.format('x', fill='*', w=5), '{!r:>6}'.format('ab'), '{:.2%}'.format(0.25))
# format() with a spec on objects that take none, and the errors CPython gives
bad = [
    lambda: '%s %s' % (1,),
    lambda: '%s' % (1, 2),
    lambda: 'x' % 5,
    lambda: '%d items' % '3',
    lambda: '%x' % 3.0,
    lambda: '%f' % 'a',
    lambda: '%c' % 'ab',
    lambda: '%q' % 1,
    lambda: 'abc %' % (),
    lambda: '%(a)s' % (1,),
    lambda: '%(a)d' % {'b': 1},
    lambda: '%i' % float('nan'),
    lambda: '{0}{}'.format(1, 2),
    lambda: '{}{0}'.format(1, 2),
    lambda: '{2}'.format(1),
    lambda: '{x}'.format(y=1),
    lambda: '{!x}'.format(1),
    lambda: '{:{:{}}}'.format(1, 2, 3),
    lambda: '{:d}'.format('a'),
    lambda: format(None, '>5'),
    lambda: f'{S():>5}',
    lambda: format([1], 'x'),
    lambda: 'count: ' + 3,
    lambda: '{0[a]x}'.format({'a': 1}),
    lambda: '{0[a]é}'.format({'a': 1}),
    lambda: '{0.}'.format(1),
    lambda: '{'.format(),
    lambda: 'a{0'.format(1),
    lambda: [1] + (2,),
]
for b in bad:
    try:
        print('no error:', b())
    except (TypeError, ValueError, KeyError, IndexError, OverflowError) as e:
        print(type(e).__name__, e)
# a tab printed stays a tab: columns line up as in a terminal
print('name\tscore', 'a' + chr(9) + 'b')
# a class of the program's is __main__'s


class Dog:
    class Tail:
        pass


def make():
    class Local:
        pass
    return Local


print(type(Dog()), Dog, Dog.Tail, make(), repr(Dog), str(ValueError), type(ValueError('x')))


# the 0 flag with a precision, signed index keys, a class's own __format__


class Money:
    def __init__(self, v):
        self.v = v

    def __format__(self, spec):
        return '$' + format(self.v, spec or '.2f')


m = Money(12.345)
print('%06.3d|%+06.3d|%-6.3d|' % (5, 5, 5), '{0[-1]} {0[1]}'.format({-1: 'i', '-1': 's', 1: 'one'}))
print(f'{m}', f'{m:.1f}', format(m), '{}'.format(m), '{:.3f}'.format(m))
# inf, nan and -0.0 in float presentations
inf, nan = float('inf'), float('nan')
print(f'{nan:.2f} {inf:.2f} {-inf:e} {inf:G} {nan:%} {inf:,.1f} {inf:08.1f} {-0.0:.1f}', '%f' % nan)
print(f'{-0.0:e} {-0.0:g}', '%.1f %g' % (-0.0, -0.0), f'{nan} {-inf}')

# A float with a precision and no type: `g`, but with an exponent one digit sooner and a fixed
# point keeping one digit after it (awaitlab printed 123.0 for f'{123.456:.3}')
for x in (123.456, 100.0, 1234.5, 12.0, 2.0, 1.5, 0.0001, 0.00001, 0.0, -99.5, 5.0, 1e16, 0.5):
    print(f'{x:.3}|{x:.1}|{x:8.2}|{x:.6}', '{:.4}'.format(x), format(x, '.2'))
