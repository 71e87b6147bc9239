//! The budget: every limit that keeps an accepted input cheap (about a second and a few hundred MB
//! in the browser), stated once.
//!
//! Scenario parsing ([`Scenario::parse`]) enforces the scenario limits, so the URL, the form,
//! `window.awaitlab`, postMessage and the scenario of an imported run all refuse the same things
//! with the same message. The limits on imported runs are derived from the scenario limits
//! ([`max_events`], [`max_event_ms`], [`MAX_RUN_BYTES`]), so every run a valid scenario can make
//! is small enough to import back.
//!
//! The bounds below mirror what each pattern records (the table in `patterns/mod.rs`);
//! `tests/core_budget.rs` runs scenarios and checks that no run ever exceeds them.

use super::event::Kind;
use super::patterns::retry::MAX_PAUSE_MS;
use super::scenario::{Backoff, ClockKind, Offload, Pattern, Preset, Scenario, Source, MAX_TASKS};
use super::workload::{Workload, BREAKFAST};

/// Most events a scenario may plan: a run of 1,000,000 events takes about half a second on the
/// virtual clock and about 200 MB in the page. Every pattern but retry records at most 9 events a
/// task, so this admits every one of them at 100,000 tasks; retry is limited by its attempts.
pub const MAX_EVENTS: u64 = 1_000_000;

/// Most `key=value` pairs in a scenario's parameters (the URL has 24 scenario and view keys).
pub const MAX_KEYS: usize = 64;
/// Longest key, in bytes (the longest known key has 8).
pub const MAX_KEY_BYTES: usize = 64;
/// Longest value, in bytes (the longest known value, `url`, may have 2,000 after trimming).
pub const MAX_VALUE_BYTES: usize = 4096;

/// Longest program a code scenario (`pattern=code`) may have, in bytes of UTF-8 source: the
/// article's longest example is 3 KB, and the parser and interpreter stay well under a second on
/// this much. The `code` key is the one value allowed past [`MAX_VALUE_BYTES`].
pub const MAX_SOURCE_BYTES: usize = 64 * 1024;
/// Longest `code` value in a link (compressed and base64url-encoded, see `scenario::program`):
/// room for the link of any program within [`MAX_SOURCE_BYTES`], even one that does not compress
/// (bounded by 9 bits a byte, more than DEFLATE's fixed codes or stored blocks spend, and base64's
/// 4 characters per 3 bytes); typical Python deflates 3–4× (a 20 KB program is a 7.3 KB link). The inflated size is
/// capped at [`MAX_SOURCE_BYTES`] while inflating, so a small value cannot expand into a big one.
pub const MAX_CODE_LINK_BYTES: usize = 1 + (MAX_SOURCE_BYTES * 9 + 10).div_ceil(8).div_ceil(3) * 4;

/// Longest link awaitlab copies without a word of warning: nginx's default limit for a request
/// line (8 KB; Node's whole header limit is 16 KB). A long program makes a longer link, which the
/// page still opens from any static host that takes it.
pub const SAFE_LINK_CHARS: usize = 8_000;

/// What to say beside a copied link of `chars` characters that some servers refuse, if it is one.
pub fn long_link_note(chars: usize) -> Option<String> {
    (chars > SAFE_LINK_CHARS).then(|| {
        format!(
            "This link is {} characters long: some servers refuse addresses over {} (nginx's default). \
             If yours does, share the Run JSON (Export) instead.",
            thousands(chars as u64),
            thousands(SAFE_LINK_CHARS as u64)
        )
    })
}

/// `n` with a comma every three digits (`28,397`), for messages.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Most `what_if` overrides in a scenario (its value is within [`MAX_VALUE_BYTES`] too).
pub const MAX_OVERRIDES: usize = 32;

/// Longest event detail, in bytes: the recorder shortens longer ones (an error message from a
/// server, say), so an event's size in a Run JSON is bounded.
pub const MAX_DETAIL_BYTES: usize = 100;
/// Longest line of the reader's output (a `print`) kept whole, in bytes of JSON: a printed list
/// of results reads as printed, while the run's longer lines add up to [`MAX_LONG_PRINT_BYTES`].
pub const MAX_PRINT_BYTES: usize = 2_000;
/// What a run's print lines may take beyond [`MAX_DETAIL_BYTES`] each, in all, bytes of JSON;
/// past it every print is cut at [`MAX_DETAIL_BYTES`] like any detail ([`DetailRoom`]).
pub const MAX_LONG_PRINT_BYTES: usize = 1 << 20;
/// Longest lane label of an imported run, in bytes.
pub const MAX_LABEL_BYTES: usize = 100;

/// Longest `time.sleep(s)` a program may call, ms: it blocks the event loop, and in the browser
/// the page's thread, which draws nothing and answers no click meanwhile (the interpreter raises
/// a `ValueError` naming the limit past it).
pub const MAX_TIME_SLEEP_MS: f64 = 5_000.0;
/// Most time a program's `time.sleep` calls may block the event loop in all, ms: the page
/// freezes for at most this long even if they come one after another, under Firefox's 10 s
/// slow-script warning (a call that would go past it raises a `ValueError`).
pub const MAX_BLOCKED_MS: f64 = 8_000.0;

/// The CPU work an inline CPU scenario (`source=cpu&offload=inline`) plans, ms (1 unit = 1 ms):
/// on the browser clock it holds the page's thread that long, as `time.sleep` does. Every
/// attempt counts until the one that succeeds (a retry's); `None` for other scenarios.
pub fn inline_cpu_ms(s: &Scenario) -> Option<f64> {
    if s.source != Source::Cpu || s.offload != Offload::Inline {
        return None;
    }
    // The attempts [`planned_attempts`] counts, each drawn once here (through it, twice: a
    // 10,000-task retry took 3.5 ms natively against 1.6, on the status line's every render).
    let (w, attempts) = (s.workload(), if s.pattern == Pattern::Retry { s.retries.max(1) } else { 1 });
    let mut ms = 0.0;
    for task in 0..w.len() {
        for a in 1..=attempts {
            let plan = w.attempt(task, a);
            ms += f64::from(plan.duration_ms);
            if !plan.fails {
                break;
            }
        }
    }
    Some(ms)
}

/// The message refusing `s` on the browser clock when its inline CPU work would freeze the page
/// longer than a program's `time.sleep` may ([`MAX_BLOCKED_MS`]): a link of 30 s of it froze the
/// tab for 30 s, with nothing on the page saying so beforehand. The link still opens, predicted
/// only (`Scenario::unmeasurable`): a parse error would refuse Run JSON files measured before.
pub fn check_inline_cpu(s: &Scenario) -> Result<(), String> {
    match inline_cpu_ms(s).filter(|ms| *ms > MAX_BLOCKED_MS) {
        None => Ok(()),
        Some(ms) => Err(format!(
            "inline CPU work holds the page's thread, and these tasks compute {:.1} s in all: the browser clock runs at most {:.0} s of it (fewer or shorter tasks, offload=workers, or clock=virtual to predict it only)",
            ms / 1000.0,
            MAX_BLOCKED_MS / 1000.0
        )),
    }
}

/// Whether `s` may start on the browser clock: every way to start a measured run but the form's
/// Run (off while [`Scenario::unmeasurable`] says why) asks this first (`awaitlab.run`, a posted
/// `run`, an embed's autoplay).
pub fn check_browser_run(s: &Scenario) -> Result<(), String> {
    match s.clock {
        ClockKind::Browser => check_inline_cpu(s),
        ClockKind::Virtual => Ok(()),
    }
}

/// How much later than planned a browser run may end: timers in a background tab or on a
/// suspended machine fire late, by minutes or more. A week is more than any real recording.
pub const BROWSER_LATENESS_MS: f64 = 7.0 * 86_400_000.0;

/// The most one event of a valid run takes in a Run JSON: 105 bytes of keys, numbers and names,
/// and its detail, whose JSON form the recorder keeps within [`MAX_DETAIL_BYTES`] ([`tidy_detail`]:
/// it keeps no character JSON escapes but a print's `"` and `\\`, counted two bytes each).
pub const MAX_EVENT_JSON_BYTES: usize = 105 + MAX_DETAIL_BYTES;
/// The most a Run JSON's fields other than events and labels take (its scenario's parameters, a
/// code run's program among them, which JSON may write up to 6 bytes a byte: `\u0001`).
pub const MAX_HEADER_JSON_BYTES: usize = 64 * 1024 + 6 * MAX_SOURCE_BYTES;

/// Largest Run JSON read: room for the most events and lane labels a valid scenario's run has
/// (226.8 MB). Real files stay well below: half a run's events begin spans, with no detail,
/// and the largest valid virtual runs write about 70 MB.
pub const MAX_RUN_BYTES: usize = MAX_HEADER_JSON_BYTES
    + MAX_TASKS as usize * (2 * MAX_LABEL_BYTES + 3)
    + MAX_EVENTS as usize * MAX_EVENT_JSON_BYTES
    + MAX_LONG_PRINT_BYTES;

// A Run JSON of the largest valid run stays a few hundred MB.
const _: () = assert!(MAX_RUN_BYTES < 250_000_000);

/// Most events one task records, whatever its attempts do: retry makes up to `retries` attempts,
/// each a `work` span and (under a limit) a `wait` span, with a `backoff` span between them.
fn events_per_task(s: &Scenario, attempts: u64) -> u64 {
    let waits = u64::from(s.effective_limit().is_some());
    // source=cpu on workers: each attempt also waits for a worker (a `wait` span).
    let queue = if s.source == Source::Cpu && s.offload == Offload::Workers { 2 * attempts } else { 0 };
    queue
        + match s.pattern {
            Pattern::Sequential | Pattern::Gather | Pattern::Fallback | Pattern::Timeout | Pattern::Race => 3,
            Pattern::Semaphore => 5,
            Pattern::AsCompleted => 5,
            Pattern::Resource | Pattern::Pipeline => 2 * waits + 7,
            // Counted as if the permit were given back before each pause (`hold=0`), the larger of
            // the two, so the history's hold-versus-release comparison stays inside the budget too.
            Pattern::Retry => 2 * waits * attempts + 2 * attempts + 2 * (attempts - 1) + 1,
            // A program's events cannot be counted ahead (its loops depend on its data): the
            // interpreter stops a run at MAX_EVENTS itself; see max_events.
            Pattern::Code => 0,
        }
}

/// Attempts `task` makes when its attempts fail as the workload plans (retry only).
fn planned_attempts(s: &Scenario, workload: &Workload, task: u32) -> u64 {
    let failed = (1..s.retries).take_while(|&a| workload.attempt(task, a).fails).count() as u64;
    failed + 1
}

/// Most events any run of `s` records when every attempt fails: what a browser run of real
/// requests may need, whose failures are the network's, not the plan's.
pub fn worst_events(s: &Scenario) -> u64 {
    let attempts = if s.pattern == Pattern::Retry { u64::from(s.retries.max(1)) } else { 1 };
    u64::from(s.workload().len()) * events_per_task(s, attempts)
}

/// Most events a run of `s` records when its attempts fail as planned, counted task by task and
/// stopped as soon as it passes `cap` (so a huge retry scenario costs at most `cap` draws).
pub fn planned_events(s: &Scenario, cap: u64) -> u64 {
    let worst = worst_events(s);
    if worst <= cap || s.pattern != Pattern::Retry {
        return worst;
    }
    let (workload, mut total) = (s.workload(), 0);
    for task in 0..workload.len() {
        total += events_per_task(s, planned_attempts(s, &workload, task));
        if total > cap {
            break;
        }
    }
    total
}

/// Most events a run of `s` on `clock` can have: the plan's on the virtual clock and for timer
/// sleeps, every attempt failing for real requests in the browser.
pub fn max_events(s: &Scenario, clock: ClockKind) -> u64 {
    if s.pattern == Pattern::Code {
        return MAX_EVENTS;
    }
    if clock == ClockKind::Browser && s.source == Source::Fetch {
        worst_events(s)
    } else {
        planned_events(s, MAX_EVENTS)
    }
}

/// The message refusing `s` when its runs could exceed [`MAX_EVENTS`].
pub fn check_events(s: &Scenario) -> Result<(), String> {
    check_events_on(s, s.clock)
}

/// The message refusing `s`'s runs on `clock` when they could exceed [`MAX_EVENTS`].
pub fn check_events_on(s: &Scenario, clock: ClockKind) -> Result<(), String> {
    let events = max_events(s, clock);
    if events <= MAX_EVENTS {
        return Ok(());
    }
    let per_task = if s.pattern == Pattern::Retry { " (fewer tasks or retries)" } else { " (fewer tasks)" };
    let why =
        if clock == ClockKind::Browser && s.source == Source::Fetch { "if every request failed" } else { "as planned" };
    Err(format!(
        "this scenario would record more than {MAX_EVENTS} events {why}, the most one run may record; ask for less{per_task}"
    ))
}

/// The longest one task can take from its start, ms, when every attempt takes `work` ms (the
/// longest planned) and fails.
fn task_ms(s: &Scenario, work: f64) -> f64 {
    let ms = |v: u32| f64::from(v);
    match s.pattern {
        Pattern::Timeout => work.min(ms(s.timeout)),
        Pattern::Resource => ms(s.acquire) + work + ms(s.release),
        Pattern::Pipeline => work + ms(s.process) + ms(s.save),
        Pattern::AsCompleted => work + ms(s.process),
        Pattern::Retry => f64::from(s.retries) * work + (1..s.retries).map(|n| pause_bound(s, n)).sum::<f64>(),
        _ => work,
    }
}

/// The longest pause after failed attempt `n`: as `retry::pause_ms` with no jitter (jitter only
/// shortens it).
fn pause_bound(s: &Scenario, n: u32) -> f64 {
    let delay = f64::from(s.delay);
    let base = match s.backoff {
        Backoff::Constant => delay,
        Backoff::Exponential => delay * s.factor.powi(n.saturating_sub(1) as i32),
    };
    base.min(MAX_PAUSE_MS).round()
}

/// The latest a run of `s` can end on the virtual clock, ms. Tasks that share a semaphore of `L`
/// permits (first come, first served) never leave a permit idle while one waits, so each ends
/// within its own length plus the others' time holding permits divided by `L`.
pub fn max_makespan_ms(s: &Scenario) -> f64 {
    // A program's sleeps are its own numbers: only the interpreter's limits bound its time.
    if s.pattern == Pattern::Code {
        return f64::MAX;
    }
    let tasks = f64::from(s.workload().len());
    let work = match s.preset {
        Preset::Breakfast => BREAKFAST.iter().map(|t| f64::from(t.duration_ms)).fold(0.0, f64::max),
        Preset::Random => f64::from(s.max),
    };
    let one = task_ms(s, work);
    // source=cpu: inline jobs hold the loop one at a time (nothing overlaps them), a pool of k
    // workers bounds the jobs as a semaphore of k would.
    if s.source == Source::Cpu {
        let k = s.effective_limit().map_or(s.workers, |l| l.min(s.workers));
        return match s.offload {
            Offload::Inline => tasks * one,
            Offload::Workers => one + tasks * one / f64::from(k.max(1)),
        };
    }
    match (s.pattern, s.effective_limit()) {
        (Pattern::Sequential, _) => tasks * one,
        // Every task runs at once; the consumer then processes one result at a time.
        (Pattern::AsCompleted, _) => work + tasks * f64::from(s.process),
        (_, Some(limit)) => one + tasks * one / f64::from(limit),
        (_, None) => one,
    }
}

/// The latest event time a run of `s` on `clock` may have, ms: the virtual clock's bound, and
/// for a browser run twice that plus [`BROWSER_LATENESS_MS`] (its timers may fire late).
pub fn max_event_ms(s: &Scenario, clock: ClockKind) -> f64 {
    let planned = max_makespan_ms(s);
    match clock {
        ClockKind::Virtual => planned,
        ClockKind::Browser => 2.0 * planned + BROWSER_LATENESS_MS,
    }
}

/// How long the details of a run's next events may be: [`MAX_DETAIL_BYTES`], and up to
/// [`MAX_PRINT_BYTES`] for a print while the run's long prints fit [`MAX_LONG_PRINT_BYTES`].
/// The recorder keeps one per run and an import one per file, each taking the events in order, so
/// a run reads back as it was recorded.
#[derive(Debug, Default)]
pub struct DetailRoom {
    long_prints: std::cell::Cell<usize>,
}

impl DetailRoom {
    /// [`tidy_detail`] within this run's room, which the kept detail then uses up.
    pub fn tidy(&self, kind: Kind, detail: &str) -> Option<String> {
        // A short print uses none of the room: its JSON, each byte escaped at worst, fits 100.
        if kind != Kind::Print || detail.len() <= MAX_DETAIL_BYTES / 2 {
            return tidy_detail(kind, detail);
        }
        let used = self.long_prints.get();
        let max = MAX_PRINT_BYTES.min(MAX_DETAIL_BYTES + MAX_LONG_PRINT_BYTES - used);
        let tidy = tidy_within(kind, detail, max);
        let kept = tidy.as_deref().unwrap_or(detail);
        let json = print_json_len(kept);
        self.long_prints.set(used + json.saturating_sub(MAX_DETAIL_BYTES));
        tidy
    }
}

/// `detail` as the recorder keeps it for an event of `kind`: control characters become spaces
/// (a print keeps its tabs), `"` and `\\` become `'` and `/` (so JSON writes it unescaped) except
/// in a [`Kind::Print`]'s text (the reader's own output, kept as printed: JSON escapes each in two
/// bytes), and anything whose JSON form would pass [`MAX_DETAIL_BYTES`] is cut at a character
/// boundary (not inside a backtick-quoted span, but for a print's text: [`outside_quotes`]) and
/// ends in `…`. `None` when it is already so (the common case: no copy).
pub fn tidy_detail(kind: Kind, detail: &str) -> Option<String> {
    tidy_within(kind, detail, MAX_DETAIL_BYTES)
}

/// [`tidy_detail`] with `max` bytes of JSON room.
fn tidy_within(kind: Kind, detail: &str, max: usize) -> Option<String> {
    // Nearly every detail is short printable ASCII without quotes ("523 ms"): one tight pass.
    if detail.len() <= max && detail.bytes().all(|b| matches!(b, 0x20..=0x7E) && b != b'"' && b != b'\\') {
        return None;
    }
    // The reader's output keeps its quotes, backslashes and tabs (tab-aligned columns).
    let keeps_quotes = kind == Kind::Print;
    let needs_tidy =
        |c: char| c.is_control() && !(keeps_quotes && c == '\t') || !keeps_quotes && (c == '"' || c == '\\');
    // Bytes first (every event's detail passes here): a control character is a byte below 0x20,
    // 0x7F, or U+0080..U+009F, which UTF-8 writes as 0xC2 0x80..0x9F; only then decode chars.
    let suspect = |b: &u8| *b < 0x20 || matches!(*b, 0x7F | 0xC2) || !keeps_quotes && matches!(*b, b'"' | b'\\');
    let json_len = |t: &str| if keeps_quotes { print_json_len(t) } else { t.len() };
    let fits = json_len(detail) <= max;
    if fits && (!detail.as_bytes().iter().any(suspect) || !detail.chars().any(needs_tidy)) {
        return None;
    }
    let cut = if fits {
        detail.len()
    } else {
        let room = max - '…'.len_utf8();
        let cut = (0..=room.min(detail.len()))
            .rev()
            .find(|&i| detail.is_char_boundary(i) && json_len(&detail[..i]) <= room)
            .unwrap_or(0);
        if kind == Kind::Print {
            cut
        } else {
            outside_quotes(&detail[..cut])
        }
    };
    let mut out: String = detail[..cut]
        .chars()
        .map(|c| match c {
            '"' if !keeps_quotes => '\'',
            '\\' if !keeps_quotes => '/',
            '\t' if keeps_quotes => '\t',
            c if c.is_control() => ' ',
            c => c,
        })
        .collect();
    if cut < detail.len() {
        out.push('…');
    }
    Some(out)
}

/// The bytes JSON writes for a print's tidy text: each `"`, `\\` or tab it keeps takes two.
fn print_json_len(text: &str) -> usize {
    text.len() + text.bytes().filter(|b| matches!(b, b'"' | b'\\' | b'\t')).count()
}

/// Where `kept`, the start of a longer text, should end so that no backtick-quoted span is left
/// open ("an `await…" read as a broken quote): before the last span's opening backtick when
/// it is unclosed, else at its end. Only ever shorter, and at a backtick, a character boundary.
/// (Not for a print: the program's own output keeps its backticks, whatever they mean.)
fn outside_quotes(kept: &str) -> usize {
    let (mut open, mut last) = (false, kept.len());
    for (i, b) in kept.bytes().enumerate() {
        if b == b'`' {
            (open, last) = (!open, i);
        }
    }
    if open {
        last
    } else {
        kept.len()
    }
}

/// A lane label as an import keeps it: control characters (which JSON writes six bytes long)
/// become spaces.
pub fn tidy_label(label: &str) -> Option<String> {
    label.chars().any(char::is_control).then(|| label.chars().map(|c| if c.is_control() { ' ' } else { c }).collect())
}

#[cfg(test)]
mod tests {

    #[test]
    fn a_link_past_what_common_servers_take_gets_a_note() {
        assert_eq!(long_link_note(SAFE_LINK_CHARS), None);
        let note = long_link_note(28_397).expect("a 28 KB link");
        assert!(
            note.starts_with("This link is 28,397 characters long: some servers refuse addresses over 8,000"),
            "{note}"
        );
    }

    use super::*;

    #[test]
    fn details_are_cut_at_a_character_boundary_and_control_characters_dropped() {
        let tidy = |d: &str| tidy_detail(Kind::Fail, d);
        assert_eq!(tidy("HTTP 404, 12 bytes"), None);
        assert_eq!(tidy("a\nb \"c\\d\"").as_deref(), Some("a b 'c/d'"));
        assert_eq!(tidy("a\u{85}b \u{7f}é").as_deref(), Some("a b  é"), "C1 and DEL controls too");
        let long = "é".repeat(200);
        let cut = tidy(&long).unwrap();
        assert!(cut.len() <= MAX_DETAIL_BYTES && cut.ends_with('…'), "{} bytes", cut.len());
        assert_eq!(tidy(&cut), None, "a tidy detail stays as it is");
    }

    /// Text cut inside a backtick-quoted span is cut before the span's opening backtick: the step
    /// limit's message ended "an `await…", a quote left open. Spans closed before the cut stay;
    /// the cut stays within the limit and on a character boundary, and a cut text stays as it is.
    #[test]
    fn a_cut_never_leaves_a_backtick_quoted_span_open() {
        for line in [3, 12, 123, 1234, 12345] {
            let stop = format!(
                "stopped: the program ran 5,000,000 steps without awaiting anything that waits (line {line}): an `await`-free loop never lets the event loop run"
            );
            let cut = tidy_detail(Kind::Failed, &stop).expect("cut");
            assert!(cut.ends_with("): an …"), "{cut}");
        }
        let texts = [
            format!("`a` and `b` {}", "é".repeat(200)),
            format!("{} `{}` done", "x".repeat(40), "é".repeat(60)),
            format!("é`{}`", "ü".repeat(100)),
            "`".repeat(300),
            format!("{}`", "x".repeat(200)),
        ];
        for text in &texts {
            for kind in [Kind::Fail, Kind::Failed, Kind::End] {
                let cut = tidy_detail(kind, text).expect("cut");
                assert!(cut.len() <= MAX_DETAIL_BYTES && cut.ends_with('…'), "{} bytes: {cut}", cut.len());
                assert_eq!(cut.matches('`').count() % 2, 0, "{cut}");
                assert!(text.starts_with(cut.trim_end_matches('…')), "{cut}");
                assert_eq!(tidy_detail(kind, &cut), None, "a cut text stays as it is");
            }
        }
        assert!(tidy_detail(Kind::Fail, &texts[0]).is_some_and(|c| c.starts_with("`a` and `b` éé")));
        // A print is the program's own output, cut where it falls: its backticks are its own.
        let printed = format!("{}`{}", "x".repeat(20), "y".repeat(MAX_PRINT_BYTES));
        let cut = tidy_detail(Kind::Print, &printed).expect("cut");
        assert!(cut.len() > MAX_DETAIL_BYTES - 8 && cut.contains('`'), "{cut}");
    }

    #[test]
    fn a_print_keeps_its_quotes_and_backslashes_within_the_json_budget() {
        let tidy = |d: &str| tidy_detail(Kind::Print, d);
        assert_eq!(tidy(r#"{"a": "b\\c"}"#), None, "kept as printed");
        // Tabs stay (a table printed with them keeps its columns); other control characters go.
        assert_eq!(tidy("name\tscore"), None);
        assert_eq!(tidy("a\u{7}b\rc").as_deref(), Some("a b c"));
        for text in
            ["\"".repeat(80), format!("x{}", "\\".repeat(60)), "é\"".repeat(40), "a".repeat(99) + "\"", "\t".repeat(80)]
        {
            let kept = tidy(&text).unwrap_or_else(|| text.clone());
            let json = serde_json::to_string(&kept).expect("JSON");
            assert!(json.len() - 2 <= MAX_DETAIL_BYTES, "{} bytes of JSON for {kept}", json.len() - 2);
            assert!(text.starts_with(kept.trim_end_matches('…')), "{kept}");
            assert_eq!(tidy(&kept), None, "a tidy print stays as it is");
        }
    }

    #[test]
    fn a_long_print_is_kept_whole_while_the_runs_long_prints_fit_their_room() {
        let room = DetailRoom::default();
        let line = format!("[{}]", "{'id': 1, 'name': 'item-1'}, ".repeat(20));
        assert!(line.len() > MAX_DETAIL_BYTES && line.len() < MAX_PRINT_BYTES);
        assert_eq!(room.tidy(Kind::Print, &line), None, "a printed list reads as printed");
        assert!(room.tidy(Kind::Fail, &line).is_some_and(|t| t.len() <= MAX_DETAIL_BYTES), "other details stay short");
        let huge = "x".repeat(5 * MAX_PRINT_BYTES);
        let cut = room.tidy(Kind::Print, &huge).expect("cut");
        assert!(cut.len() <= MAX_PRINT_BYTES && cut.len() > MAX_PRINT_BYTES - 8 && cut.ends_with('…'), "{}", cut.len());
        // The run's long prints add up to MAX_LONG_PRINT_BYTES at most; then prints are cut as any detail.
        let mut extra = 0;
        for _ in 0..2 * MAX_LONG_PRINT_BYTES / MAX_PRINT_BYTES {
            let kept = room.tidy(Kind::Print, &huge).expect("cut");
            extra += kept.len().saturating_sub(MAX_DETAIL_BYTES);
        }
        assert!(extra <= MAX_LONG_PRINT_BYTES, "{extra}");
        assert!(room.tidy(Kind::Print, &line).is_some_and(|t| t.len() <= MAX_DETAIL_BYTES), "the room is used up");
        // A file's events read in the same order keep what the recorder kept.
        let again = DetailRoom::default();
        assert_eq!(again.tidy(Kind::Print, &line), None);
        assert_eq!(again.tidy(Kind::Print, &cut), None, "a kept print stays as it is");
    }
}
