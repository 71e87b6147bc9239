//! Sorting through `<` alone, as CPython's `list.sort` does (Objects/listobject.c), for `sorted`,
//! `list.sort` and `reprlib`'s sorted sets and dicts.
//!
//! Not `slice::sort_by`: its comparison must be a total order, and the reader's values need not
//! give one. Every comparison with a NaN is false, and a mixed list (`[1, "a"]`) fails part way,
//! so the standard sorts may panic ("does not correctly implement a total order"): the whole
//! interpreter would stop. These sorts never panic, whatever `lt` answers, and stop at its first
//! error.
//!
//! A list under 64 items is sorted as CPython 3.12 sorts it: its first run (ascending, or
//! strictly descending and reversed), then a binary insertion of each other item, asking `lt` the
//! same questions in the same order: bare floats with NaNs among them land where CPython puts them
//! (3.13 changed `count_run`). A longer list is merge sorted: with a total order any stable sort
//! gives CPython's result; with NaNs among 64 or more items the order, and for a mixed list which
//! pair's `TypeError` is raised, may differ from CPython's timsort. Tuples holding the same NaN
//! object may sort differently too: CPython's tuple comparison takes an object as equal to itself,
//! the interpreter's values have no identity.

/// Below this length CPython's timsort is one run extended by binary insertion (its `minrun` is
/// the whole list).
const SMALL: usize = 64;

/// `items` sorted, stable, by `lt` ("sorts before"); with `reverse`, as CPython: the list is
/// reversed, sorted and reversed again, so equal items keep their order.
pub fn sort_by_lt<T, E>(
    mut items: Vec<T>,
    reverse: bool,
    lt: &mut dyn FnMut(&T, &T) -> Result<bool, E>,
) -> Result<Vec<T>, E> {
    if reverse {
        items.reverse();
    }
    let mut items = sorted(items, lt)?;
    if reverse {
        items.reverse();
    }
    Ok(items)
}

fn sorted<T, E>(items: Vec<T>, lt: &mut dyn FnMut(&T, &T) -> Result<bool, E>) -> Result<Vec<T>, E> {
    if items.len() < SMALL {
        return small(items, lt);
    }
    let mut left = items;
    let right = left.split_off(left.len() / 2);
    let (left, right) = (sorted(left, lt)?, sorted(right, lt)?);
    merge(left, right, lt)
}

/// CPython's sort of a short list: `count_run`, then `binarysort` from the run's end.
fn small<T, E>(mut v: Vec<T>, lt: &mut dyn FnMut(&T, &T) -> Result<bool, E>) -> Result<Vec<T>, E> {
    let n = v.len();
    if n < 2 {
        return Ok(v);
    }
    let mut run = 2;
    if lt(&v[1], &v[0])? {
        while run < n && lt(&v[run], &v[run - 1])? {
            run += 1;
        }
        v[..run].reverse();
    } else {
        while run < n && !lt(&v[run], &v[run - 1])? {
            run += 1;
        }
    }
    for start in run..n {
        // After every item it does not sort before: stable.
        let (mut lo, mut hi) = (0, start);
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            if lt(&v[start], &v[mid])? {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        v[lo..=start].rotate_right(1);
    }
    Ok(v)
}

/// Two sorted halves as one: an item of `right` goes first only if it sorts before.
fn merge<T, E>(left: Vec<T>, right: Vec<T>, lt: &mut dyn FnMut(&T, &T) -> Result<bool, E>) -> Result<Vec<T>, E> {
    let mut out = Vec::with_capacity(left.len() + right.len());
    let (mut a, mut b) = (left.into_iter().peekable(), right.into_iter().peekable());
    while let (Some(x), Some(y)) = (a.peek(), b.peek()) {
        let next = if lt(y, x)? { b.next() } else { a.next() };
        out.extend(next);
    }
    out.extend(a);
    out.extend(b);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn by_lt(v: Vec<f64>, reverse: bool) -> Vec<f64> {
        sort_by_lt::<f64, ()>(v, reverse, &mut |a, b| Ok(a < b)).unwrap()
    }

    #[test]
    fn a_total_order_sorts_stably_short_or_long() {
        for n in [0, 1, 2, 5, 63, 64, 65, 200, 1000] {
            let v: Vec<(u32, u32)> = (0..n).map(|i| ((i * 7919) % 13, i)).collect();
            let mut want = v.clone();
            want.sort_by_key(|p| p.0);
            let got = sort_by_lt::<_, ()>(v.clone(), false, &mut |a, b| Ok(a.0 < b.0)).unwrap();
            assert_eq!(got, want, "n = {n}");
            // CPython's reverse: descending, equal items in their first order.
            let mut want_rev = v.clone();
            want_rev.sort_by_key(|p| std::cmp::Reverse(p.0));
            assert_eq!(sort_by_lt::<_, ()>(v, true, &mut |a, b| Ok(a.0 < b.0)).unwrap(), want_rev, "n = {n}");
        }
    }

    #[test]
    fn nans_never_make_it_panic_and_an_error_stops_it() {
        let nan = f64::NAN;
        for n in [3, 40, 64, 300, 5000] {
            let v: Vec<f64> = (0..n).map(|i| if i % 7 == 3 { nan } else { ((i * 37) % 101) as f64 }).collect();
            assert_eq!(by_lt(v.clone(), false).len(), n);
            assert_eq!(by_lt(v, true).len(), n);
        }
        let mut calls = 0;
        let failed = sort_by_lt::<u32, &str>((0..500).rev().collect(), false, &mut |a, b| {
            calls += 1;
            if calls == 100 {
                Err("TypeError")
            } else {
                Ok(a < b)
            }
        });
        assert_eq!((failed, calls), (Err("TypeError"), 100));
    }
}
