//! Sets iterate, print and `pop` in CPython 3.12's order (its table, `set_table.rs`), and
//! `hash()` of numbers and tuples is CPython's: a deterministic generator writes programs of
//! random set operations over ints, floats, big ints, tuples, None and bools (never strings,
//! whose hashes CPython randomizes), CPython runs them, the interpreter runs them, and every
//! printed line must agree.
//!
//! `AWAITLAB_PY_SET_CASES` sets how many programs to generate, `AWAITLAB_PY_SET_SEED` the seed.
//!
//! It fails when the table is broken on purpose (400 programs, seed 1): an add reusing the
//! first dummy on its path instead of the last, 2 programs differ; the table growing at three
//! quarters full instead of three fifths, 241; a copy inserting anew instead of copying the
//! layout, 136; `a - b` never copying `a` when it is over four times bigger, 42; an
//! intersection walking the bigger set, 11. Seeds 1 to 4 of 1,000 programs each run clean.

mod common;

use std::fmt::Write as _;

use awaitlab::core::event::Kind;
use awaitlab::core::py::interp::run_virtual;
use awaitlab::core::scenario::Scenario;

/// xorshift64*: the generator's only randomness, so a seed writes the same programs anywhere.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

/// An element: mostly small ints (they collide in small tables), sometimes others.
fn element(r: &mut Rng) -> String {
    match r.below(20) {
        0 => format!("{}.5", r.below(40) as i64 - 10),
        1 => format!("({}, {})", r.below(6), r.below(6)),
        2 => format!("{}", (1i64 << 40) + r.below(64) as i64 * 8),
        3 => format!("-{}", (1i64 << 62) - r.below(3) as i64),
        4 => r.pick(&["None", "True", "False", "1e20", "0.1", "-0.0", "2.0"]).to_string(),
        5..=7 => format!("{}", r.below(200) as i64 * 8),
        _ => format!("{}", r.below(48) as i64 - 8),
    }
}

fn elements(r: &mut Rng, most: usize) -> String {
    let n = r.below(most + 1);
    (0..n).map(|_| element(r)).collect::<Vec<_>>().join(", ")
}

/// Something a set method takes: a list, a set, a dict, a range or another of the sets.
fn iterable(r: &mut Rng, sets: &[&str]) -> String {
    match r.below(6) {
        0 => format!("[{}]", elements(r, 12)),
        1 => format!("{{{}}}", elements(r, 12)).replace("{}", "set()"),
        2 => format!("dict.fromkeys([{}])", elements(r, 8)),
        3 => format!("range({}, {}, {})", r.below(20), 20 + r.below(60), 1 + r.below(7)),
        _ => r.pick(sets).to_string(),
    }
}

/// One program: three sets changed by random operations, each printed after each.
fn program(r: &mut Rng, steps: usize) -> String {
    let sets = ["a", "b", "c"];
    let mut src = String::new();
    for s in sets {
        let _ = writeln!(src, "{s} = {{{}}}", elements(r, 9).replace("{}", "set()"));
        if src.ends_with("{}\n") {
            src.truncate(src.len() - 3);
            src.push_str("set()\n");
        }
    }
    for _ in 0..steps {
        let (s, t) = (r.pick(&sets), r.pick(&sets));
        let line = match r.below(19) {
            0..=3 => format!("{s}.add({})", element(r)),
            4 => format!("{s}.discard({})", element(r)),
            5 => format!("if {s}: print('pop', {s}.pop())"),
            6 => format!("{s}.update({}, {})", iterable(r, &sets), iterable(r, &sets)),
            7 => format!("{s} = {t} {} {}", r.pick(&["|", "&", "-", "^"]), r.pick(&sets)),
            8 => format!("{s} {}= {}", r.pick(&["|", "&", "-", "^"]), r.pick(&sets)),
            9 => format!("{s} = {t}.union({})", iterable(r, &sets)),
            10 => format!("{s} = {t}.intersection({}, {})", iterable(r, &sets), iterable(r, &sets)),
            11 => format!("{s} = {t}.difference({})", iterable(r, &sets)),
            12 => format!("{s} = {t}.difference({}, {})", iterable(r, &sets), iterable(r, &sets)),
            13 => format!("{s} = {t}.copy()"),
            14 => format!("{s} = set({})", iterable(r, &sets)),
            15 => format!("{s} = {{x for x in {} if x != {}}}", iterable(r, &sets), element(r)),
            16 => format!("{s}.clear()"),
            17 => format!("x = {}\nif x in {s}: {s}.remove(x)", element(r)),
            _ => format!("print('hash', hash({}), [hash(v) for v in {s}])", element(r)),
        };
        let _ = writeln!(src, "{line}\nprint('{s}', {s}, len({s}), list({s}) == [v for v in {s}])");
    }
    src
}

/// What the interpreter prints for each program (a program is at most 64 KiB here), on a stack
/// big enough for a debug build.
fn ours(programs: Vec<String>) -> Vec<Vec<String>> {
    std::thread::Builder::new()
        .stack_size(256 << 20)
        .spawn(move || {
            let scenario = Scenario::from_query("pattern=gather").expect("a scenario");
            let run = |src: &String| {
                let (events, fin) = run_virtual(&scenario, src);
                assert!(fin.stopped.is_none(), "{:?}", fin.stopped);
                events.iter().filter(|e| e.kind == Kind::Print).map(|e| e.detail.to_string()).collect()
            };
            programs.iter().map(run).collect()
        })
        .expect("a thread")
        .join()
        .expect("the runs do not panic")
}

fn cpython(src: &str) -> Vec<String> {
    let path = std::env::temp_dir().join(format!("awaitlab_sets_{}.py", std::process::id()));
    std::fs::write(&path, src).expect("the program written");
    let out = std::process::Command::new(common::python::interpreter()).arg(&path).output().expect("CPython ran");
    let _ = std::fs::remove_file(&path);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).expect("UTF-8").lines().map(String::from).collect()
}

fn env(name: &str, default: u64) -> u64 {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

#[test]
fn sets_iterate_print_and_pop_in_cpythons_order() {
    let (cases, seed) = (env("AWAITLAB_PY_SET_CASES", 400), env("AWAITLAB_PY_SET_SEED", 1));
    let mut r = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
    let programs: Vec<String> = (0..cases).map(|_| program(&mut r, 24)).collect();
    // CPython runs them all in one process, each in a function of its own.
    let mut all = String::new();
    for (case, body) in programs.iter().enumerate() {
        let _ = writeln!(all, "def case_{case}():\n    print('case {case}')");
        for line in body.lines() {
            let _ = writeln!(all, "    {line}");
        }
        let _ = writeln!(all, "case_{case}()");
    }
    let mut want: Vec<Vec<String>> = Vec::new();
    for line in cpython(&all) {
        match line.starts_with("case ") {
            true => want.push(Vec::new()),
            false => want.last_mut().expect("a case first").push(line),
        }
    }
    let got = ours(programs.clone());
    assert_eq!(want.len(), got.len());
    let differing: Vec<usize> = (0..got.len()).filter(|&i| want[i] != got[i]).collect();
    if let Some(&first) = differing.first() {
        let at = want[first].iter().zip(&got[first]).position(|(w, g)| w != g).unwrap_or(0);
        let line = |out: &[String]| out.get(at).cloned().unwrap_or_default();
        eprintln!("case {first}, line {at}: CPython {:?}, awaitlab {:?}", line(&want[first]), line(&got[first]));
        eprintln!("{}", programs[first]);
    }
    assert!(differing.is_empty(), "{} of {cases} programs differ: {differing:?}", differing.len());
}
