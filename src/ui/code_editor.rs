//! The editable Python of a code scenario (`pattern=code`): a textarea over a coloured copy of its
//! text (the common overlay: the reader types in the transparent textarea, the `<pre>` under it
//! shows colours, line numbers and the marked lines), in place of the code panel.
//!
//! - Edits go through `document.execCommand('insertText')`, Tab and Shift-Tab included, so the
//!   browser's own undo (Ctrl/Cmd+Z) keeps working.
//! - Every keystroke is checked: its size here, then the parser, which is in the interpreter module
//!   (issue 16: `runtime::py_module::check_now`, synchronous once the module has loaded; until then
//!   the editor says it is checking, and if the module cannot load it says so and keeps the text).
//!   A problem shows under the editor with its line marked. A valid program reaches the scenario
//!   300 ms after the last keystroke (or after its verdict, if that came later), which re-runs the
//!   prediction.
//! - Ctrl/Cmd+Enter, and the page's Run while the editor is shown, run the text on screen on the
//!   browser clock, once its check has passed ([`Draft`]) and only when the page's Run is on
//!   (`core::view::run_off`, the one gate); the page's Run is disabled while the text has a
//!   problem (`on_invalid`).
//! - The replay's current event marks its line (`aria-current="step"`), as the code panel does.

use std::cell::RefCell;
use std::rc::Rc;

use gloo_timers::callback::Timeout;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::HtmlTextAreaElement;
use yew::prelude::*;

use crate::core::budget::MAX_SOURCE_BYTES;
use crate::core::code_editor::{self, Check, Edit, LogLine, RunRequest};
use crate::core::highlight;
use crate::core::run::Run;
use crate::core::timeline::{format_ms, GUTTER_MAX_CHARS};
use crate::runtime::py_module;

/// How long after the last keystroke a valid program replaces the scenario's.
const SETTLE_MS: u32 = 300;

#[derive(PartialEq, Properties)]
pub struct Props {
    /// The scenario's program.
    pub source: AttrValue,
    /// The line of the replay's current event (1-based).
    #[prop_or_default]
    pub current: Option<u32>,
    /// A valid program, once the reader pauses typing.
    pub on_change: Callback<String>,
    /// Ctrl/Cmd+Enter (or the page's Run, through `draft`) on a valid program: run it.
    pub on_run: Callback<String>,
    /// The text and its verdict, written on every render, for the page's Run button.
    pub draft: super::Shared<RefCell<Draft>>,
    /// Whether the text has a problem: told on mount and on every change (the page disables Run).
    pub on_invalid: Callback<bool>,
}

/// UTF-16 offset (as the DOM counts) → byte offset in `text`.
fn byte_at(text: &str, utf16: u32) -> usize {
    let mut units = 0;
    for (i, c) in text.char_indices() {
        if units >= utf16 as usize {
            return i;
        }
        units += c.len_utf16();
    }
    text.len()
}

/// Byte offset → UTF-16 offset.
fn utf16_at(text: &str, byte: usize) -> u32 {
    text[..byte.min(text.len())].encode_utf16().count() as u32
}

/// Replaces the textarea's `start..end` (bytes) with `text` as if typed: through `execCommand`,
/// so it is one step of the browser's undo; a browser without it gets the value set directly.
fn insert(area: &HtmlTextAreaElement, edit: &Edit) {
    let value = area.value();
    let (start, end) = (utf16_at(&value, edit.start), utf16_at(&value, edit.end));
    let _ = area.set_selection_range(start, end);
    let typed = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|doc| {
            let exec = js_sys::Reflect::get(&doc, &"execCommand".into()).ok()?.dyn_into::<js_sys::Function>().ok()?;
            exec.call3(&doc, &"insertText".into(), &JsValue::FALSE, &edit.text.as_str().into()).ok()
        })
        .is_some_and(|done| done.is_truthy());
    if !typed {
        let _ = area.set_range_text(&edit.text);
        if let Ok(input) = web_sys::Event::new("input") {
            let _ = area.dispatch_event(&input);
        }
    }
    let now = area.value();
    let _ = area.set_selection_range(utf16_at(&now, edit.select.0), utf16_at(&now, edit.select.1));
}

/// The text on screen and its verdict, as the key handler and the page's Run button read them
/// between renders; and a run asked for while the text was being checked. Both ways of running go
/// through [`Draft::run`], so each runs the text on screen: the scenario's program lags it (by
/// [`SETTLE_MS`], or for as long as the text has a problem).
#[derive(Default)]
pub struct Draft {
    text: String,
    check: Option<Check>,
    run_when_valid: Option<String>,
    /// The code panel's Edit opened the editor: the editor takes the focus when it mounts (the
    /// button went with the panel, which left the focus on the page's body).
    pub focus: bool,
}

impl Draft {
    /// Asks to run `value` (the textarea's value: a key can come before the render of the input
    /// before it, and then nothing runs). Returns the program to run now; one being checked runs
    /// when its verdict says it parses (the editor's effect takes [`Draft::run_when_valid`]).
    fn run(&mut self, value: String) -> Option<String> {
        if self.text != value {
            return None;
        }
        match self.check.as_ref()?.run_request() {
            RunRequest::Now => Some(value),
            RunRequest::WhenChecked => {
                self.run_when_valid = Some(value);
                None
            }
            RunRequest::Refused => None,
        }
    }

    /// The page's Run: asks to run the text on screen.
    pub fn run_shown(&mut self) -> Option<String> {
        self.run(self.text.clone())
    }
}

/// Tab / Shift-Tab indent, Ctrl/Cmd+Enter runs; other keys are the textarea's. Escape, then Tab
/// or Shift-Tab, moves focus as Tab usually does (`escaped`), so a keyboard user is never trapped
/// here, either way.
fn on_key(e: &KeyboardEvent, on_run: &Callback<String>, escaped: &std::cell::Cell<bool>, draft: &RefCell<Draft>) {
    // Shift's own keydown, between Escape and Tab in a Shift-Tab, keeps the Escape.
    let after_escape = if e.key() == "Shift" { escaped.get() } else { escaped.replace(e.key() == "Escape") };
    let Some(area) = e.target().and_then(|t| t.dyn_into::<HtmlTextAreaElement>().ok()) else { return };
    if e.key() == "Enter" && (e.ctrl_key() || e.meta_key()) {
        e.prevent_default();
        // The borrow ends before the run starts (it renders the page, which writes the draft).
        let now = draft.borrow_mut().run(area.value());
        if let Some(program) = now {
            on_run.emit(program);
        }
        return;
    }
    if e.key() != "Tab" || after_escape || e.ctrl_key() || e.alt_key() || e.meta_key() {
        return;
    }
    let value = area.value();
    let start = byte_at(&value, area.selection_start().ok().flatten().unwrap_or(0));
    let end = byte_at(&value, area.selection_end().ok().flatten().unwrap_or(0));
    e.prevent_default();
    if let Some(edit) = code_editor::tab(&value, start, end, e.shift_key()) {
        insert(&area, &edit);
    }
}

/// The verdict on `text`: its size, then the interpreter module's parser. While the module loads
/// it is [`Check::Checking`] (this starts loading it, and renders again when loading ends); once
/// loaded the module answers at once, so a keystroke's verdict comes with its render.
#[hook]
fn use_check(text: &str) -> Rc<Check> {
    let loaded = py_module::loaded();
    let failure = if loaded { None } else { py_module::failure() };
    let check = use_memo((text.to_string(), loaded, failure), |(text, loaded, failure)| {
        let answer = match failure {
            Some(why) => Some(Err(why.clone())),
            None if *loaded => py_module::check_now(text),
            None => None,
        };
        Check::of(text, answer)
    });
    // Checking: load the module, and render again when loading ends. Unavailable: render again
    // if something else loads it later (a run, which tries again).
    let update = use_force_update();
    let waiting = matches!(*check, Check::Checking | Check::Unavailable(_));
    let checking = matches!(*check, Check::Checking);
    use_effect_with((waiting, checking), move |&(waiting, checking)| {
        let subscription = waiting.then(|| py_module::on_loaded(move || update.force_update()));
        if checking {
            py_module::preload();
        }
        move || drop(subscription)
    });
    check
}

/// The coloured copy of `text`, one span per line: the current line marked for the replay, the
/// problem's line for the reader. Over the size limit it is plain text (nothing to colour a
/// program that cannot run, and a 100 KB paste stays cheap to draw).
fn coloured(text: &str, current: Option<u32>, problem_line: u32) -> Html {
    if text.len() > MAX_SOURCE_BYTES {
        return html! { { format!("{text}\n") } };
    }
    highlight::lines(text)
        .into_iter()
        .enumerate()
        .map(|(i, tokens)| {
            let n = i as u32 + 1;
            let is_current = current == Some(n);
            let class = classes!("ln", is_current.then_some("current"), (problem_line == n).then_some("error"));
            // An empty line still takes a line's height, as the textarea's does.
            let blank = tokens.is_empty().then_some(" ");
            let tokens = tokens.into_iter().map(|(class, t)| match class.css() {
                Some(css) => html! { <span class={css}>{ t }</span> },
                None => html! { { t } },
            });
            html! { <span {class} data-line={n.to_string()} aria-current={is_current.then_some("step")}>{ for tokens }{ blank }</span> }
        })
        .collect()
}

/// The line numbers, as one text (thousands of lines are one node).
fn gutter(text: &str) -> String {
    let lines = text.split('\n').count();
    (1..=lines).map(|n| n.to_string()).collect::<Vec<_>>().join("\n")
}

/// The editor box's `--digits`: the width of the longest line number, from which code.css sizes
/// the gutter and tells the browser how much of the box's left edge it covers.
fn gutter_digits(text: &str) -> String {
    let lines = text.split('\n').count();
    format!("--digits: {}", lines.to_string().len())
}

/// Keeps the replay's current line in view inside the editor (never scrolling the page), as the
/// code panel does (`code_panel::follow`).
#[hook]
fn use_follow_current(boxed: &NodeRef, current: Option<u32>) {
    let boxed = boxed.clone();
    use_effect_with(current, move |_| {
        let Some(el) = boxed.cast::<web_sys::Element>() else { return };
        let line = el.query_selector(".ln[aria-current]").ok().flatten();
        if let Some(line) = line.and_then(|l| l.dyn_into::<web_sys::HtmlElement>().ok()) {
            super::code_panel::follow(&el, &line, 0.0);
        }
    });
}

#[component]
pub fn CodeEditor(props: &Props) -> Html {
    let text = use_state(|| props.source.to_string());
    // The program last handed to the scenario (or received from it): a change of `source` that
    // is not an echo of the reader's own typing replaces the text (a link, an Edit, an example).
    let sent = use_mut_ref(|| props.source.to_string());
    {
        let (text, sent) = (text.clone(), sent.clone());
        use_effect_with(props.source.clone(), move |source| {
            if *sent.borrow() != source.as_str() {
                *sent.borrow_mut() = source.to_string();
                text.set(source.to_string());
            }
        });
    }
    let check = use_check(&text);
    let draft = props.draft.0.clone();
    {
        let mut l = draft.borrow_mut();
        if l.text != *text {
            l.run_when_valid = None;
        }
        l.text = (*text).clone();
        l.check = Some((*check).clone());
    }
    {
        let on_invalid = props.on_invalid.clone();
        use_effect_with(check.is_invalid(), move |invalid| on_invalid.emit(*invalid));
    }
    // A valid program reaches the scenario once the reader pauses (each new text or verdict
    // replaces the timer: dropping a Timeout cancels it); a run asked for while the text was
    // being checked starts now.
    // After a slow prediction, the pause waits for the reader's Predict instead: `held` is what
    // that prediction took.
    let timer: Rc<RefCell<Option<Timeout>>> = use_mut_ref(|| None);
    let held = use_state_eq(|| None::<u64>);
    {
        let (sent, on_change, on_run, draft, held) =
            (sent.clone(), props.on_change.clone(), props.on_run.clone(), draft.clone(), held.clone());
        let valid = *check == Check::Valid;
        use_effect_with(((*text).clone(), valid), move |(value, valid)| {
            let value = value.clone();
            if *sent.borrow() == value {
                held.set(None);
            }
            let settle = (*valid && *sent.borrow() != value).then(|| {
                let (sent, value) = (sent.clone(), value.clone());
                Timeout::new(SETTLE_MS, move || {
                    let cost = py_module::last_prediction_ms();
                    if code_editor::predicts_as_you_type(cost) {
                        *sent.borrow_mut() = value.clone();
                        on_change.emit(value);
                    } else {
                        held.set(Some(cost.round() as u64));
                    }
                })
            });
            *timer.borrow_mut() = settle;
            if *valid {
                let waiting = draft.borrow_mut().run_when_valid.take();
                if let Some(program) = waiting.filter(|p| *p == value) {
                    on_run.emit(program);
                }
            }
        });
    }
    let oninput = {
        let text = text.clone();
        Callback::from(move |e: InputEvent| {
            let Some(area) = e.target().and_then(|t| t.dyn_into::<HtmlTextAreaElement>().ok()) else { return };
            text.set(area.value());
        })
    };
    let escaped = use_mut_ref(|| std::cell::Cell::new(false));
    let onkeydown = {
        let (on_run, draft) = (props.on_run.clone(), draft.clone());
        Callback::from(move |e: KeyboardEvent| on_key(&e, &on_run, &escaped.borrow(), &draft))
    };
    let predict = {
        let (sent, on_change, held, text) = (sent.clone(), props.on_change.clone(), held.clone(), text.clone());
        Callback::from(move |_: MouseEvent| {
            *sent.borrow_mut() = (*text).clone();
            held.set(None);
            on_change.emit((*text).clone());
        })
    };
    let problem_line = check.line();
    // Under a problem: whether the runs on screen are of a program that parsed, the scenario's (a
    // link's program the parser refuses never ran, and nothing earlier is on screen).
    let parsed = problem_line == 0 || !matches!(py_module::check_now(&props.source), Some(Ok(Err(_))));
    let boxed = use_node_ref();
    use_follow_current(&boxed, props.current);
    let input = use_node_ref();
    {
        let (input, draft) = (input.clone(), draft.clone());
        use_effect_with((), move |()| {
            if std::mem::take(&mut draft.borrow_mut().focus) {
                if let Some(area) = input.cast::<HtmlTextAreaElement>() {
                    let _ = area.focus();
                }
            }
        });
    }
    html! {
        <section class="code-panel code-editor" aria-label="Your code">
            <div class="code-tabs">
                <span class="code-title">{ "Python (your code)" }</span>
                <span class="code-keys">{ "Tab indents (Esc, Tab leaves) · Ctrl+Enter runs" }</span>
            </div>
            <div class="editor-box" ref={boxed} style={gutter_digits(&text)}>
                <pre class="gutter" aria-hidden="true">{ gutter(&text) }</pre>
                <div class="editor-area">
                    <pre class="editor-colours" aria-hidden="true">{ coloured(&text, props.current, problem_line) }</pre>
                    <textarea ref={input} id="code-input" class="editor-input" spellcheck="false" autocapitalize="off" autocomplete="off"
                        wrap="off" aria-label="Python code" aria-describedby="code-problem" aria-invalid={check.is_invalid().to_string()}
                        value={(*text).clone()} {oninput} {onkeydown} />
                </div>
            </div>
            <p id="code-problem" class={classes!("code-problem", check.css())} role="status" aria-busy={(*check == Check::Checking).to_string()}>
                if let (Some(cost), Check::Valid) = (*held, &*check) {
                    { code_editor::prediction_held(cost as f64) }{ " " }
                    <button id="code-predict" type="button" onclick={predict}>{ "Predict" }</button>
                } else {
                    { check.message(parsed) }
                }
            </p>
        </section>
    }
}

#[derive(PartialEq, Properties)]
pub struct LogProps {
    /// The run whose output is shown (the replayed one, else the prediction).
    pub run: Option<super::Shared<Run>>,
    /// The replay's playhead: lines after it are not printed yet.
    #[prop_or_default]
    pub until: Option<f64>,
}

/// Most log lines drawn (the last ones).
const LOG_LINES: usize = 200;

fn log_line(l: &LogLine) -> Html {
    html! {
        <li>
            <time>{ format_ms(l.t) }</time>
            <code>{ l.text.clone() }</code>
            <span class="log-task" title={l.task.clone()}>{ l.task.clone() }</span>
            if l.line > 0 { <span class="log-at">{ format!("line {}", l.line) }</span> }
        </li>
    }
}

/// A code run's printed lines and traceback, at their times, under the timeline.
#[component]
pub fn CodeLog(props: &LogProps) -> Html {
    // Once per run, not per frame of its replay.
    let short = use_memo(props.run.clone(), |run| {
        run.as_ref().map(|r| code_editor::lane_labels(&r.0.labels, GUTTER_MAX_CHARS))
    });
    let (Some(run), Some(short)) = (&props.run, short.as_ref()) else { return Html::default() };
    let (lines, skipped) = code_editor::log(&run.0, short, props.until.unwrap_or(f64::INFINITY), LOG_LINES);
    html! {
        <section class="code-log" aria-label="Printed output" id="code-log">
            <h3>{ "Output" }</h3>
            if lines.is_empty() {
                <p class="placeholder">{ "Nothing printed yet." }</p>
            } else {
                <ol>
                    if skipped > 0 { <li class="log-skipped">{ format!("… {skipped} earlier lines") }</li> }
                    { for lines.iter().map(log_line) }
                </ol>
            }
        </section>
    }
}
