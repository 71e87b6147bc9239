//! The code panel's Python, part one: this scenario's plan written out as data, and the `work(i)`
//! that plays it. Run with `python3`, the generated program sleeps the same durations and fails the
//! same attempts as awaitlab's seeded plan (and, for retry, pauses the same jittered backoffs), so
//! its makespan is the predicted one, give or take the real timers' lateness.
//!
//! - One attempt per task (every pattern but retry): `DURATIONS_MS = [...]`, plus `FAILING = {...}`
//!   when some tasks fail. Equal values are written `[100] * N`, every task failing `set(range(N))`.
//! - retry: `PLAN = [[(ms, fails), ...], ...]`, each task's attempts up to its first success, and
//!   with `jitter` the seeded draws `JITTER = [[u, ...], ...]`, one per pause (after each failed
//!   attempt but the last), as exact floats: the pause is Python's own arithmetic on them.
//! - The breakfast preset keeps its `JOBS` table of labels and seconds.
//! - `source=cpu` (seeded plan): `work` calls `compute(ms)`, a hashing loop, inline (it holds the
//!   event loop) or with `offload=workers` through `loop.run_in_executor` on a process pool. The
//!   program sizes a unit itself at start, as the page does (`runtime::cpu::chunks_per_ms`): the
//!   loop timed in 8 windows of 10 ms, the fastest counting, gives `ROUNDS_PER_MS`.
//!
//! A list that would hold more than [`PLAN_CAP`] tasks of differing values is elided: a comment
//! says so and the list is a *stand-in* drawn from Python's `random`, seeded with the scenario's
//! seed, in the same ranges. That program still runs the pattern, but not awaitlab's values.

use super::patterns::retry::JITTER_PURPOSE;
use super::scenario::{Offload, Pattern, Preset, Scenario, Source};
use super::workload::{Workload, BREAKFAST};

/// The most tasks whose differing plan values the Python writes out; past it, a seeded stand-in.
pub const PLAN_CAP: u32 = 200;

/// Longest line of a data list (Python's black style).
const WIDTH: usize = 88;

/// Milliseconds as Python seconds: `40` → `0.04`, `3000` → `3`.
pub(crate) fn secs(ms: u32) -> String {
    format!("{}", f64::from(ms) / 1000.0)
}

/// `True` / `False`.
fn py_bool(b: bool) -> &'static str {
    if b {
        "True"
    } else {
        "False"
    }
}

/// `NAME = [a, b, c]` on one line if it fits, else packed several to a line (or, with `one_per_line`,
/// one item a line with a `# task i` comment); `open`/`close` are the brackets.
fn py_list(name: &str, open: char, close: char, items: &[String], one_per_line: bool) -> String {
    let single = format!("{name} = {open}{}{close}\n", items.join(", "));
    if single.len() <= WIDTH + 1 {
        return single;
    }
    let mut out = format!("{name} = {open}\n");
    if one_per_line {
        for (i, item) in items.iter().enumerate() {
            out.push_str(&format!("    {item},  # task {i}\n"));
        }
    } else {
        let mut line = String::new();
        for item in items {
            if !line.is_empty() && 4 + line.len() + item.len() + 2 > WIDTH {
                out.push_str(&format!("    {}\n", line.trim_end()));
                line.clear();
            }
            line.push_str(item);
            line.push_str(", ");
        }
        out.push_str(&format!("    {}\n", line.trim_end().trim_end_matches(',')));
    }
    out.push_str(&format!("{close}\n"));
    out
}

/// `NAME = [x] * N` when every item is the same (and there are several), else the full list.
fn py_items(name: &str, items: &[String], one_per_line: bool) -> String {
    match items.split_first() {
        Some((first, rest)) if !rest.is_empty() && rest.iter().all(|x| x == first) => {
            format!("{name} = [{first}] * N\n")
        }
        _ => py_list(name, '[', ']', items, one_per_line),
    }
}

/// Whether `items` are too many to write out and not all alike.
fn elided(items: &[String]) -> bool {
    items.len() > PLAN_CAP as usize && items.iter().any(|x| *x != items[0])
}

/// A retry task's attempts as planned, up to its first success or its last attempt.
fn retry_attempts(w: &Workload, task: u32, retries: u32) -> Vec<(u32, bool)> {
    let mut out = Vec::new();
    for attempt in 1..=retries.max(1) {
        let a = w.attempt(task, attempt);
        out.push((a.duration_ms, a.fails));
        if !a.fails {
            break;
        }
    }
    out
}

/// The plan's data lines (`N`, the lists); a stand-in starts with `random.seed(...)`.
fn random_data(s: &Scenario, w: &Workload) -> String {
    let n = w.len();
    let (min, max, fail) = (s.min, s.max, s.fail);
    let mut lines = String::new();
    let mut stand_in = false;
    let mut stand = |lines: &mut String, code: String| {
        stand_in = true;
        lines.push_str(&code);
    };
    if s.pattern == Pattern::Retry {
        let plans: Vec<Vec<(u32, bool)>> = (0..n).map(|t| retry_attempts(w, t, s.retries)).collect();
        let items: Vec<String> = plans
            .iter()
            .map(|p| {
                let a: Vec<String> = p.iter().map(|&(ms, f)| format!("({ms}, {})", py_bool(f))).collect();
                format!("[{}]", a.join(", "))
            })
            .collect();
        lines.push_str("# each task's attempts, (ms, fails), up to its first success\n");
        if elided(&items) {
            stand(
                &mut lines,
                format!(
                    "PLAN = [\n    [(random.randint({min}, {max}), random.random() < {fail}) for _ in range({})]\n    \
                     for _ in range(N)\n]\n",
                    s.retries.max(1)
                ),
            );
        } else {
            lines.push_str(&py_items("PLAN", &items, n <= 20));
        }
        if s.jitter > 0.0 {
            let draws: Vec<String> = (0..n)
                .zip(&plans)
                .map(|(t, p)| {
                    // a pause follows every failed attempt but the last allowed one
                    let pauses = p.iter().filter(|a| a.1).count().min(s.retries.max(1) as usize - 1) as u32;
                    let u: Vec<String> = (1..=pauses).map(|a| format!("{}", w.unit(t, a, JITTER_PURPOSE))).collect();
                    format!("[{}]", u.join(", "))
                })
                .collect();
            lines.push_str("# the seeded jitter draws, one for each pause (after a failed attempt but the last)\n");
            if elided(&draws) {
                stand(
                    &mut lines,
                    format!(
                        "JITTER = [[random.random() for _ in range({})] for _ in range(N)]\n",
                        s.retries.max(1) - 1
                    ),
                );
            } else {
                lines.push_str(&py_items("JITTER", &draws, n <= 20));
            }
        }
    } else {
        let durations: Vec<String> = (0..n).map(|t| w.attempt(t, 1).duration_ms.to_string()).collect();
        lines.push_str("# how long each task takes, ms\n");
        if elided(&durations) {
            stand(&mut lines, format!("DURATIONS_MS = [random.randint({min}, {max}) for _ in range(N)]\n"));
        } else {
            lines.push_str(&py_items("DURATIONS_MS", &durations, false));
        }
        let failing: Vec<u32> = (0..n).filter(|&t| w.attempt(t, 1).fails).collect();
        if failing.len() as u32 == n {
            lines.push_str("FAILING = set(range(N))  # every task fails\n");
        } else if !failing.is_empty() {
            let of = if s.source == Source::Cpu { "computation" } else { "sleep" };
            lines.push_str(&format!("# the tasks that fail (they raise at the end of their {of})\n"));
            if n > PLAN_CAP {
                stand(&mut lines, format!("FAILING = {{i for i in range(N) if random.random() < {fail}}}\n"));
            } else {
                let items: Vec<String> = failing.iter().map(u32::to_string).collect();
                lines.push_str(&py_list("FAILING", '{', '}', &items, false));
            }
        }
    }
    let head = if stand_in {
        format!(
            "# awaitlab's plan for these {n} tasks is elided (it is written out up to {PLAN_CAP} tasks):\n\
             # below is a stand-in drawn from Python's random with the same seed and ranges, whose\n\
             # values differ from awaitlab's.\nrandom.seed({})\n",
            s.seed
        )
    } else {
        format!("# awaitlab's seeded plan (seed {}), written out\n", s.seed)
    };
    format!("N = {n}\n{head}{lines}")
}

/// The call of one attempt's work in the pattern's code: `work(i, attempt)` for retry on a seeded
/// plan, `work(i)` otherwise.
pub fn python_work_call(s: &Scenario) -> &'static str {
    if s.pattern == Pattern::Retry && s.preset == Preset::Random {
        "work(i, attempt)"
    } else {
        "work(i)"
    }
}

/// The plan as data and the `async def work(...)` that plays it.
pub fn python_work(s: &Scenario) -> String {
    if s.preset == Preset::Breakfast {
        let rows: Vec<String> =
            BREAKFAST.iter().map(|t| format!("    ({:?}, {}),", t.label, secs(t.duration_ms))).collect();
        let jitter = if s.pattern == Pattern::Retry && s.jitter > 0.0 {
            "JITTER = [[]] * N  # no job fails, so there is no pause to jitter\n"
        } else {
            ""
        };
        return format!(
            "JOBS = [\n{}\n]\nN = len(JOBS)\n{jitter}\n\nasync def work(i: int) -> str:\n    _, seconds = JOBS[i]\n    \
             await asyncio.sleep(seconds)\n    return f\"{{seconds * 1000:.0f}} ms\"\n",
            rows.join("\n")
        );
    }
    let w = s.workload();
    let data = random_data(s, &w);
    let retry = s.pattern == Pattern::Retry;
    let (signature, doc, lookup, fails) = if retry {
        (
            "work(i: int, attempt: int)",
            if s.source == Source::Cpu {
                "Attempt `attempt` of task i: computes, then succeeds or fails, as planned."
            } else {
                "Attempt `attempt` of task i: sleeps, then succeeds or fails, as planned."
            },
            "    ms, fails = PLAN[i][attempt - 1]\n",
            "fails",
        )
    } else {
        (
            "work(i: int)",
            if s.source == Source::Cpu {
                "One job: task i computes its planned time, then succeeds or fails."
            } else {
                "One request: task i sleeps its planned time, then succeeds or fails."
            },
            "    ms = DURATIONS_MS[i]\n",
            "i in FAILING",
        )
    };
    let any_failure = if retry { s.fail > 0.0 } else { data.contains("FAILING") };
    let cpu = s.source == Source::Cpu;
    let failure = if any_failure {
        let of = if cpu { " of computation" } else { "" };
        format!("    if {fails}:\n        raise RuntimeError(f\"simulated error after {{ms}} ms{of}\")\n")
    } else {
        String::new()
    };
    let (compute, call) =
        if cpu { python_cpu(s) } else { (String::new(), "    await asyncio.sleep(ms / 1000)\n".into()) };
    format!("{data}\n{compute}\nasync def {signature} -> str:\n    \"\"\"{doc}\"\"\"\n{lookup}{call}{failure}    return f\"{{ms}} ms\"\n")
}

/// `source=cpu`: the `compute` function (and the pool) before `work`, and `work`'s call of it,
/// inline (holding the event loop) or through `loop.run_in_executor` on a process pool.
fn python_cpu(s: &Scenario) -> (String, String) {
    let compute = "def spin(rounds: int) -> int:\n    \"\"\"`rounds` rounds of hashing, and no await in it.\"\"\"\n    \
                   h = 0\n    for i in range(rounds):\n        h = (h * 31 + i) & 0xFFFFFFFF\n    return h\n\n\n\
                   def rounds_per_ms() -> int:\n    \
                   \"\"\"Calibration: the rounds of spin() in 1 ms on this machine, timed in 8 windows of\n    \
                   10 ms; the fastest counts (a slower one lost the core to another process).\"\"\"\n    \
                   best = 0.0\n    for _ in range(8):\n        rounds, t0 = 0, time.perf_counter()\n        \
                   while time.perf_counter() - t0 < 0.01:\n            spin(1_000)\n            rounds += 1_000\n        \
                   best = max(best, rounds / ((time.perf_counter() - t0) * 1000))\n    return round(best)\n\n\n\
                   ROUNDS_PER_MS = rounds_per_ms()  # about 80 ms, before the run starts\n\n\n\
                   def compute(ms: int) -> int:\n    \"\"\"CPU-bound: about `ms` ms of hashing, and no await in it.\"\"\"\n    \
                   return spin(ms * ROUNDS_PER_MS)\n\n";
    match s.offload {
        Offload::Inline => (
            format!("\n{compute}"),
            "    compute(ms)  # called inline: it holds the event loop, no other task or timer runs meanwhile\n".into(),
        ),
        Offload::Workers => (
            format!(
                "\n{compute}\npool = ProcessPoolExecutor(max_workers={})  # awaitlab: a pool of Web Workers\n\n",
                s.workers
            ),
            "    loop = asyncio.get_running_loop()\n    \
             await loop.run_in_executor(pool, compute, ms)  # on a worker: the loop stays free\n"
                .into(),
        ),
    }
}

/// Whether the program needs `concurrent.futures` (a process pool of CPU work) and, since each of
/// its workers imports the program again, a `__main__` guard around the run.
pub fn python_uses_pool(s: &Scenario) -> bool {
    s.source == Source::Cpu && s.offload == Offload::Workers && s.preset == Preset::Random
}

/// The seeded jitter draw in the retry pause, as Python: `JITTER[i][attempt - 1]`.
pub const PYTHON_JITTER_DRAW: &str = "JITTER[i][attempt - 1]";
