//! What the code editor (`ui::code_editor`) decides, as plain data: Tab and Shift-Tab on a
//! selection, what the editor says about a program before it runs, and the log of a code run's
//! `print` lines and traceback under the timeline.

use super::budget::MAX_SOURCE_BYTES;
use super::event::Kind;
use super::py::CodeError;
use super::run::Run;

/// One indentation step.
pub const INDENT: &str = "    ";

/// An edit of the text: replace `start..end` (byte offsets) with `text`, then select
/// `select.0..select.1` (byte offsets in the new text).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edit {
    pub start: usize,
    pub end: usize,
    pub text: String,
    pub select: (usize, usize),
}

/// Tab (`outdent` false) or Shift-Tab on the selection `start..end` of `text` (byte offsets):
/// a caret without a selection gets spaces to the next indentation stop; a selection, or
/// Shift-Tab, indents (or outdents by up to [`INDENT`]) every line it touches, and keeps them
/// selected. `None` when nothing changes (Shift-Tab on lines without indentation).
pub fn tab(text: &str, start: usize, end: usize, outdent: bool) -> Option<Edit> {
    let (start, end) = (start.min(text.len()), end.min(text.len()));
    let (start, end) = (start.min(end), start.max(end));
    if !text.is_char_boundary(start) || !text.is_char_boundary(end) {
        return None;
    }
    let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
    if start == end && !outdent {
        let column = text[line_start..start].chars().count();
        let spaces = INDENT.len() - column % INDENT.len();
        let at = start + spaces;
        return Some(Edit { start, end, text: " ".repeat(spaces), select: (at, at) });
    }
    // A selection ending at the start of a line does not take that line.
    let last = if end > start && text[..end].ends_with('\n') { end - 1 } else { end };
    let block_end = text[last..].find('\n').map_or(text.len(), |i| last + i);
    let block = &text[line_start..block_end];
    let changed: Vec<String> = block
        .split('\n')
        .map(|line| {
            if outdent {
                let cut = line.len() - line.trim_start_matches(' ').len();
                line[cut.min(INDENT.len())..].to_string()
            } else if line.is_empty() {
                String::new()
            } else {
                format!("{INDENT}{line}")
            }
        })
        .collect();
    let replacement = changed.join("\n");
    if replacement == block {
        return None;
    }
    let select = (line_start, line_start + replacement.len());
    Some(Edit { start: line_start, end: block_end, text: replacement, select })
}

/// What the editor says under a program before it runs: `None` when it parses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The 1-based line to mark, 0 for none.
    pub line: u32,
    pub message: String,
}

/// The size check the page makes itself on every keystroke (a 100 KB paste gets a sentence, and
/// is not sent to the parser).
pub fn check_size(source: &str) -> Result<(), Problem> {
    if source.len() > MAX_SOURCE_BYTES {
        return Err(Problem {
            line: 0,
            message: format!(
                "This code is {} bytes long; awaitlab runs programs of up to {MAX_SOURCE_BYTES} bytes (64 KiB). \
                 Shorten it to run it: the timeline shows the last program that fitted.",
                source.len()
            ),
        });
    }
    Ok(())
}

/// What the editor adds under a syntax error when the runs on screen are an earlier program's,
/// not this text's ([`Check::message`]).
pub const STILL_SHOWN: &str = "The timeline and Output still show the last program that parsed.";

/// What the editor says about the parser's error `e`: `Line 3, column 9: …`, line 3 marked.
pub fn problem(e: &CodeError) -> Problem {
    Problem { line: e.line, message: format!("Line {}, column {}: {}", e.line, e.col, e.message) }
}

/// Checks `source` as the editor does: its size first, then the parser's verdict. This links the
/// parser: the page asks the py_runner module instead ([`Check`]); the tests and the module call it.
pub fn check(source: &str) -> Result<(), Problem> {
    check_size(source)?;
    super::py::parse(source).map(|_| ()).map_err(|e| problem(&e))
}

/// The editor's verdict on its text. The parser lives in the py_runner module (issue 16), so a
/// verdict can be pending while the module loads, or unavailable if it could not load.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Check {
    /// The module is loading: nothing is said about the code yet, nothing reaches the scenario.
    Checking,
    /// The code parses.
    Valid,
    /// Too long, or the parser's first error.
    Invalid(Problem),
    /// The parser could not be loaded: why (the text stays as typed).
    Unavailable(String),
}

/// What a request to run the editor's text does ([`Check::run_request`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunRequest {
    /// It runs now.
    Now,
    /// It runs once the parser says it parses (nothing if it does not).
    WhenChecked,
    /// Nothing runs: the text has a problem, shown under the editor (the page's Run is disabled).
    Refused,
}

impl Check {
    /// The verdict from the size check and, if it passed, the module's answer (`None` while the
    /// module loads; `Some(Err(why))` when it could not load or answer).
    pub fn of(source: &str, answer: Option<Result<Result<(), CodeError>, String>>) -> Check {
        if let Err(p) = check_size(source) {
            return Check::Invalid(p);
        }
        match answer {
            None => Check::Checking,
            Some(Ok(Ok(()))) => Check::Valid,
            Some(Ok(Err(e))) => Check::Invalid(problem(&e)),
            Some(Err(why)) => Check::Unavailable(why),
        }
    }

    /// What asking to run the text (Ctrl/Cmd+Enter, or the page's Run while the editor is shown)
    /// does under this verdict. An unchecked text runs when the parser could not load: the run
    /// loads it again, and says why if it still cannot.
    pub fn run_request(&self) -> RunRequest {
        match self {
            Check::Valid | Check::Unavailable(_) => RunRequest::Now,
            Check::Checking => RunRequest::WhenChecked,
            Check::Invalid(_) => RunRequest::Refused,
        }
    }

    /// Whether it is a problem with the code itself (`aria-invalid`).
    pub fn is_invalid(&self) -> bool {
        matches!(self, Check::Invalid(_))
    }

    /// The line to mark, 0 for none.
    pub fn line(&self) -> u32 {
        match self {
            Check::Invalid(p) => p.line,
            _ => 0,
        }
    }

    /// What the editor says under the code. `parsed`: the timeline and Output show a program that
    /// parsed (the scenario's); a link's program the parser refuses never ran, and nothing earlier
    /// is on screen.
    pub fn message(&self, parsed: bool) -> String {
        match self {
            Check::Checking => "Checking the code… (loading the Python parser)".into(),
            Check::Valid => "The code parses; the prediction follows it.".into(),
            // The timeline and Output above stay the last program's: said, so they are not
            // taken for this text's (a syntax error left the old run on screen, unmarked).
            Check::Invalid(p) if p.line > 0 => {
                // The parser's message has no full stop ("… '(' is never closed"): without one
                // it ran into the next sentence.
                let stop = if p.message.ends_with(['.', '?', '!']) { "" } else { "." };
                let shown = if parsed { STILL_SHOWN } else { "" };
                format!("{}{stop} {shown}", p.message).trim_end().to_string()
            }
            Check::Invalid(p) => p.message.clone(),
            Check::Unavailable(why) => {
                format!("{why} Until then the code is not checked; it stays here as you typed it.")
            }
        }
    }

    /// The CSS class of the message (`ok`, `checking`, `unavailable`; none for a problem).
    pub fn css(&self) -> Option<&'static str> {
        match self {
            Check::Checking => Some("checking"),
            Check::Valid => Some("ok"),
            Check::Invalid(_) => None,
            Check::Unavailable(_) => Some("unavailable"),
        }
    }
}

/// A prediction that took longer than this, ms, froze the page for as long: the editor stops
/// redoing it at every pause in typing and waits for the reader's Predict instead (a program of
/// busy tasks took 2–3.5 s a prediction, so each pause in typing froze the page that long).
pub const SLOW_PREDICTION_MS: f64 = 250.0;

/// Whether a valid program reaches the scenario (and is predicted again) once the reader pauses
/// typing, given what the page's last prediction of a program cost, ms.
pub fn predicts_as_you_type(last_prediction_ms: f64) -> bool {
    last_prediction_ms <= SLOW_PREDICTION_MS || last_prediction_ms.is_nan()
}

/// What the editor says while a valid program waits for the reader's Predict.
pub fn prediction_held(last_prediction_ms: f64) -> String {
    format!(
        "The code parses. Predicting the last program took {}, so the prediction waits for you:",
        super::timeline::format_ms(last_prediction_ms)
    )
}

/// One line of a code run's log: a `print` line or a traceback line, at its time.
#[derive(Debug, Clone, PartialEq)]
pub struct LogLine {
    pub t: f64,
    /// The lane (task) that printed it.
    pub task: String,
    /// The reader's line that printed it, 0 for none.
    pub line: u32,
    pub text: String,
}

/// The log of `run` up to `until` ms (the replay's playhead; `f64::INFINITY` for all of it), at
/// most `most` lines (the last ones), and how many earlier lines were left out. Each line names
/// its task by `short`, the run's [`lane_labels`] (made once per run by the caller: the log is
/// asked again on every frame of a replay). A task's failure
/// is a line too (a program stopped by a limit has no traceback), unless the task's last printed
/// line already said it (a traceback ends with the error).
pub fn log(run: &Run, short: &[String], until: f64, most: usize) -> (Vec<LogLine>, usize) {
    let mut last_print: rustc_hash::FxHashMap<u32, &str> = Default::default();
    let mut printed = Vec::new();
    for e in run.events.iter().take_while(|e| e.t <= until) {
        match e.kind {
            Kind::Print => {
                last_print.insert(e.task, &e.detail);
                printed.push(e);
            }
            Kind::Failed if last_print.get(&e.task).is_none_or(|p| !p.ends_with(&*e.detail)) => printed.push(e),
            _ => {}
        }
    }
    let skipped = printed.len().saturating_sub(most);
    let lines = printed[skipped..]
        .iter()
        .map(|e| {
            let text = if e.kind == Kind::Failed { format!("✗ {}", &*e.detail) } else { e.detail.to_string() };
            let task = short.get(e.task as usize).cloned().unwrap_or_else(|| run.label(e.task));
            LogLine { t: e.t, task, line: e.line, text }
        })
        .collect();
    (lines, skipped)
}

/// The `<…>` group `text` starts with, nested ones included (all of `text` if it is not closed).
fn bracketed(text: &str) -> &str {
    let mut depth = 0u32;
    for (i, c) in text.char_indices() {
        match c {
            '<' => depth += 1,
            '>' => {
                depth -= 1;
                if depth == 0 {
                    return &text[..=i];
                }
            }
            _ => {}
        }
    }
    text
}

/// Longest lane label the narrowest gutter draws, in characters: what 88 px of 11 px system-ui
/// text (some 6.5 px a character) hold whole (`core::timeline::gutter`).
pub const LANE_LABEL_CHARS: usize = 13;

/// `label` without its objects' `<… object>` reprs (each becomes `…`; a name in brackets,
/// `<module>`, stays).
fn without_reprs(label: &str) -> String {
    let mut out = String::with_capacity(label.len());
    let mut rest = label;
    while let Some(open) = rest.find('<') {
        out.push_str(&rest[..open]);
        let group = bracketed(&rest[open..]);
        out.push_str(if group.contains(' ') { "…" } else { group });
        rest = &rest[open + group.len()..];
    }
    out.push_str(rest);
    out
}

/// A call's name and its top-level arguments (`None`: not a call).
fn call_parts(label: &str) -> Option<(&str, Vec<&str>)> {
    let open = label.find('(').filter(|o| *o > 0 && label.ends_with(')'))?;
    let (mut args, mut depth, mut from) = (Vec::new(), 0i32, open + 1);
    let inner_end = label.len() - 1;
    for (i, c) in label[..inner_end].char_indices().skip_while(|(i, _)| *i <= open) {
        match c {
            '(' | '[' | '{' => depth += 1,
            ')' | ']' | '}' => depth -= 1,
            ',' if depth == 0 => {
                args.push(label[from..i].trim());
                from = i + 1;
            }
            _ => {}
        }
    }
    args.push(label[from..inner_end].trim());
    Some((&label[..open], args))
}

/// `text`'s first `head` and last `tail` characters around a `…`.
fn ends(text: &str, head: usize, tail: usize) -> String {
    let at = |k: usize| text.char_indices().nth(k).map_or(text.len(), |(i, _)| i);
    let from = at(text.chars().count().saturating_sub(tail)).max(at(head));
    format!("{}…{}", &text[..at(head)], &text[from..])
}

/// A code run's lane labels as the timeline's gutter (and the output log) draws them, at most
/// `max` characters long ([`LANE_LABEL_CHARS`] in a 96 px gutter): objects' reprs become `…`; a
/// call still too long keeps the start of its name and one argument, the first that tells its lanes apart (`consumer('c0', queue)` and
/// `consumer('c1', queue)` → `consum…('c0'…)`, `…('c1'…)`; the last if none does:
/// `fetch_url(session, 3)` → `fetch_url(…3)`); anything else keeps its start and end around a `…`.
/// Labels that would still read the same get their lane's number. The Run JSON, titles and
/// aria-labels keep the label whole.
pub fn lane_labels(labels: &[String], max: usize) -> Vec<String> {
    let clean: Vec<String> = labels.iter().map(|l| without_reprs(l)).collect();
    let calls: Vec<Option<(&str, Vec<&str>)>> = clean.iter().map(|l| call_parts(l)).collect();
    // Per function and argument count (a program has a few): its first call's arguments, and
    // which of them another call passes differently. A list, searched: no map code in the page.
    let mut groups: Vec<(&str, &[&str], Vec<bool>)> = Vec::new();
    for (name, args) in calls.iter().flatten() {
        match groups.iter_mut().find(|(n, a, _)| n == name && a.len() == args.len()) {
            Some((_, first, differs)) => {
                differs.iter_mut().zip(first.iter().zip(args)).for_each(|(d, (a, b))| *d |= a != b)
            }
            None => groups.push((name, args, vec![false; args.len()])),
        }
    }
    let mut out: Vec<String> = Vec::with_capacity(clean.len());
    for (label, call) in clean.iter().zip(&calls) {
        let whole = || ends(label, max / 2, max - 1 - max / 2);
        out.push(match call {
            _ if label.chars().count() <= max => label.clone(),
            None => whole(),
            Some((name, args)) => {
                let differs =
                    groups.iter().find(|(n, a, _)| n == name && a.len() == args.len()).map_or(&[][..], |g| &g.2);
                let k = differs.iter().position(|d| *d).unwrap_or(args.len() - 1);
                let arg = format!(
                    "({}{}{})",
                    if k > 0 { "…" } else { "" },
                    args[k],
                    if k + 1 < args.len() { "…" } else { "" }
                );
                let room = max.saturating_sub(arg.chars().count());
                match name.chars().count() {
                    n if n <= room => format!("{name}{arg}"),
                    _ if room >= 5 => format!("{}{arg}", ends(name, room - 1, 0)),
                    _ => whole(),
                }
            }
        });
    }
    // Different labels that still read the same (two names cut to one start, say): their start
    // and the lane's number. Found by sorting, not pairwise: a run may have thousands of lanes.
    let mut order: Vec<usize> = (0..out.len()).collect();
    order.sort_unstable_by(|&a, &b| out[a].cmp(&out[b]));
    let mut twins = Vec::new();
    for same in order.chunk_by(|&a, &b| out[a] == out[b]) {
        if same.iter().any(|&i| clean[i] != clean[same[0]]) {
            twins.extend_from_slice(same);
        }
    }
    for i in twins {
        out[i] = format!("{} #{i}", ends(&clean[i], max - 3 - i.to_string().len(), 0));
    }
    out
}

#[cfg(test)]
mod tests {

    #[test]
    fn a_slow_prediction_waits_for_the_reader_a_fast_one_follows_typing() {
        assert!(predicts_as_you_type(0.0));
        assert!(predicts_as_you_type(SLOW_PREDICTION_MS));
        assert!(predicts_as_you_type(f64::NAN), "no prediction yet");
        assert!(!predicts_as_you_type(SLOW_PREDICTION_MS + 1.0));
        assert!(!predicts_as_you_type(3_100.0));
        let said = prediction_held(2_412.6);
        assert!(said.contains("took 2.41 s"), "{said}");
    }
    use super::*;

    fn apply(text: &str, e: &Edit) -> String {
        format!("{}{}{}", &text[..e.start], e.text, &text[e.end..])
    }

    #[test]
    fn only_a_text_with_a_problem_is_refused_a_run() {
        let invalid = Check::Invalid(Problem { line: 4, message: "Line 4, column 10: '(' is never closed".into() });
        assert_eq!(invalid.run_request(), RunRequest::Refused);
        assert_eq!(Check::Checking.run_request(), RunRequest::WhenChecked);
        assert_eq!(Check::Valid.run_request(), RunRequest::Now);
        assert_eq!(Check::Unavailable("could not load.".into()).run_request(), RunRequest::Now);
    }

    #[test]
    fn tab_at_a_caret_goes_to_the_next_stop() {
        let e = tab("ab", 2, 2, false).unwrap();
        assert_eq!((apply("ab", &e), e.select), ("ab  ".to_string(), (4, 4)));
    }

    #[test]
    fn tab_and_shift_tab_indent_and_outdent_every_selected_line() {
        let text = "a\n  b\n\nc\nd";
        let e = tab(text, 0, 8, false).unwrap();
        assert_eq!(apply(text, &e), "    a\n      b\n\n    c\nd");
        let indented = apply(text, &e);
        let back = tab(&indented, e.select.0, e.select.1, true).unwrap();
        assert_eq!(apply(&indented, &back), "a\n  b\n\nc\nd");
        assert_eq!(tab("a\nb", 0, 1, true), None, "nothing to outdent");
        // A selection ending at a line's start leaves that line alone.
        assert_eq!(apply("a\nb", &tab("a\nb", 0, 2, false).unwrap()), "    a\nb");
    }

    fn short(labels: &[&str]) -> Vec<String> {
        lane_labels(&labels.iter().map(|l| l.to_string()).collect::<Vec<_>>(), LANE_LABEL_CHARS)
    }

    #[test]
    fn lane_labels_drop_object_reprs_and_keep_both_ends() {
        assert_eq!(short(&["fetch_url(<aiohttp.ClientSession object>, 3)"]), ["fetch_url(…3)"]);
        assert_eq!(short(&["fetch_url(session, 3)", "fetch_url(session, 4)"]), ["fetch_url(…3)", "fetch_url(…4)"]);
        assert_eq!(short(&["main()", "<module>", "work(12)"]), ["main()", "<module>", "work(12)"]);
        // A name in brackets is no object: the module's lane, a lambda's.
        assert_eq!(short(&["<lambda>(<Foo object at 0x1>)"]), ["<lambda>(…)"]);
        let long = &short(&["process_with_retry('https://example.org/a/very/long/path')"])[0];
        assert_eq!(long.chars().count(), LANE_LABEL_CHARS);
        assert!(long.starts_with("proces") && long.ends_with("path')"), "{long}");
    }

    #[test]
    fn lane_labels_fit_the_gutter_and_keep_the_argument_that_tells_lanes_apart() {
        // The producer/consumer tutorial: the last argument is the same for both consumers.
        let labels = short(&["main()", "consumer('c0', queue)", "consumer('c1', queue)"]);
        assert_eq!(labels, ["main()", "consu…('c0'…)", "consu…('c1'…)"]);
        assert_eq!(short(&["get(s, 'a')", "get(s, 'b')"]), ["get(s, 'a')", "get(s, 'b')"], "short enough: whole");
        // No room for the name beside the argument: its start, and the lane's number.
        let labels = short(&["download_file(session, 'a.txt', 3)", "download_file(session, 'b.txt', 3)"]);
        assert_eq!(labels, ["download_… #0", "download_… #1"]);
    }

    #[test]
    fn lane_labels_fit_a_wider_gutter_whole_and_a_narrower_one_told_apart() {
        let names: Vec<String> = (0..4).map(|i| format!("fetch_user_profile-{i}")).collect();
        assert_eq!(lane_labels(&names, 28), names, "whole where they fit");
        let phone = lane_labels(&names, 17);
        assert!(phone.iter().all(|l| l.chars().count() <= 17), "{phone:?}");
        assert_eq!(phone.iter().collect::<std::collections::BTreeSet<_>>().len(), 4, "{phone:?}");
    }

    #[test]
    fn lane_labels_that_would_read_the_same_get_their_lane_number() {
        let labels = short(&["a_rather_long_name_x(1)", "a_rather_long_name_y(1)", "same()", "same()"]);
        assert!(labels.iter().all(|l| l.chars().count() <= LANE_LABEL_CHARS), "{labels:?}");
        assert_ne!(labels[0], labels[1], "{labels:?}");
        assert!(labels[0].ends_with(" #0") && labels[1].ends_with(" #1"), "{labels:?}");
        // The same call twice reads the same: nothing to tell apart.
        assert_eq!(labels[2..], ["same()", "same()"]);
    }

    #[test]
    fn the_verdict_waits_for_the_module_but_not_for_the_size() {
        let paste = "x = 1\n".repeat(20_000);
        assert!(matches!(Check::of(&paste, None), Check::Invalid(Problem { line: 0, .. })));
        assert_eq!(Check::of("x = 1\n", None), Check::Checking);
        assert_eq!(Check::of("x = 1\n", Some(Ok(Ok(())))), Check::Valid);
        let e = CodeError { line: 3, col: 9, message: "expected ':'".into() };
        let invalid = Check::of("def f(\n", Some(Ok(Err(e))));
        assert_eq!(
            (invalid.line(), invalid.message(true)),
            (3, format!("Line 3, column 9: expected ':'. {STILL_SHOWN}"))
        );
        assert!(invalid.is_invalid());
        let gone = Check::of("x = 1\n", Some(Err("it could not be loaded.".into())));
        assert!(!gone.is_invalid() && gone.line() == 0);
        assert!(gone.message(true).contains("it stays here as you typed it"), "{}", gone.message(true));
    }

    #[test]
    fn the_modules_answer_reads_back_as_the_parsers_verdict() {
        use crate::core::py::{check_json, parse, read_check_json};
        assert_eq!(read_check_json(&check_json("import asyncio\n")), Ok(Ok(())));
        let src = "import asyncio\n\nasync def main(:\n    pass\n";
        let e = parse(src).unwrap_err();
        assert_eq!(read_check_json(&check_json(src)), Ok(Err(e.clone())));
        assert_eq!(check(src).unwrap_err(), problem(&e));
        assert!(read_check_json("nonsense").is_err());
    }

    #[test]
    fn a_syntax_error_says_the_runs_on_screen_are_the_last_program_s() {
        let src = "async def main(:\n    pass\n";
        let e = crate::core::py::parse(src).unwrap_err();
        let said = Check::of(src, Some(Ok(Err(e)))).message(true);
        assert!(said.starts_with("Line 1, column "), "{said}");
        assert!(said.ends_with(STILL_SHOWN), "{said}");
        // Two sentences, not one run into the next (the tour's "… '(' is never closed The timeline…").
        let src = "print((1, 2)\n";
        let said = Check::of(src, Some(Ok(Err(crate::core::py::parse(src).unwrap_err())))).message(true);
        assert!(said.contains("never closed. The timeline"), "{said}");
        // Over the size limit the sentence says it already (the last program that fitted).
        let said = Check::of(&"x = 1\n".repeat(20_000), None).message(true);
        assert!(!said.contains(STILL_SHOWN) && said.contains("the last program that fitted"), "{said}");
    }

    #[test]
    fn a_paste_over_the_limit_gets_a_sentence_without_parsing() {
        let paste = "x = 1\n".repeat(20_000);
        let problem = check(&paste).unwrap_err();
        assert_eq!(problem.line, 0);
        assert!(problem.message.contains("120000 bytes"), "{}", problem.message);
    }
}
