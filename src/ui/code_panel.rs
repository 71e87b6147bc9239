//! The code behind the current scenario, beside the timeline: Python (asyncio) by default, the Rust
//! awaitlab runs as a tab, one element per line. The replay's current event marks its line
//! (`aria-current="step"`, via `core::code_lines`); a bar under the pointer lights its line, and a
//! line under the pointer lights its bars (the class `lit` on the matching bars).

use std::rc::Rc;

use wasm_bindgen::JsCast;
use yew::prelude::*;

use crate::core::code;
use crate::core::code_lines::CodeLines;
use crate::core::event::{Event, Kind, Phase};
use crate::core::scenario::Scenario;
use crate::core::view;

#[derive(PartialEq, Properties)]
pub struct Props {
    pub scenario: Rc<Scenario>,
    /// The event the replay is at: its line is marked as the current step.
    #[prop_or_default]
    pub current: Option<Event>,
    /// A bar under the pointer, as the event that closes (or opens) it: its line is lit.
    #[prop_or_default]
    pub hovered: Option<Event>,
    /// "Edit": makes this Python the scenario (`pattern=code`), in the editor.
    #[prop_or_default]
    pub on_edit: Option<Callback<()>>,
}

const PHASES: [(Phase, &str); 8] = [
    (Phase::Work, "work"),
    (Phase::Wait, "wait"),
    (Phase::Backoff, "backoff"),
    (Phase::Acquire, "acquire"),
    (Phase::Release, "release"),
    (Phase::Fetch, "fetch"),
    (Phase::Process, "process"),
    (Phase::Save, "save"),
];
const CLOSES: [(Kind, &str); 5] = [
    (Kind::Begin, "ok"),
    (Kind::Begin, "open"),
    (Kind::Fail, "fail"),
    (Kind::Cancel, "cancel"),
    (Kind::Timeout, "timeout"),
];

fn event(phase: Phase, kind: Kind) -> Event {
    Event { t: 0.0, task: 0, attempt: 1, kind, phase, detail: Default::default(), line: 0 }
}

/// The event a bar of the timeline stands for, read from its classes (`bar work fail`): the span's
/// error, cancellation or time-out if it ended so, else its start.
pub fn bar_event(class: &str) -> Option<Event> {
    let mut words = class.split_whitespace();
    if words.next()? != "bar" {
        return None;
    }
    let phase = words.next().and_then(|w| PHASES.iter().find(|(_, n)| *n == w))?.0;
    let close = words.next().and_then(|w| CLOSES.iter().find(|(_, n)| *n == w)).map_or(Kind::Begin, |c| c.0);
    Some(event(phase, close))
}

/// CSS selector of the bars whose statement is on `line` (1-based), or `None` if no bar's is.
fn bars_on_line(lines: &CodeLines, rust: bool, line: usize) -> Option<String> {
    let selectors: Vec<String> = PHASES
        .iter()
        .flat_map(|(phase, p)| CLOSES.iter().map(move |(kind, c)| (event(*phase, *kind), *p, *c)))
        .filter(|(e, _, _)| if rust { lines.rust(e) } else { lines.python(e) } == Some(line))
        .map(|(_, p, c)| format!("figure.timeline rect.bar.{p}.{c}"))
        .collect();
    (!selectors.is_empty()).then(|| selectors.join(", "))
}

/// Lights (or, with `None`, unlights) the bars matching `selector`.
fn light_bars(selector: Option<&str>) {
    let Some(doc) = web_sys::window().and_then(|w| w.document()) else { return };
    if let Ok(lit) = doc.query_selector_all("figure.timeline rect.bar.lit") {
        for i in 0..lit.length() {
            if let Some(el) = lit.item(i).and_then(|n| n.dyn_into::<web_sys::Element>().ok()) {
                let _ = el.class_list().remove_1("lit");
            }
        }
    }
    if let Some(Ok(bars)) = selector.map(|s| doc.query_selector_all(s)) {
        for i in 0..bars.length() {
            if let Some(el) = bars.item(i).and_then(|n| n.dyn_into::<web_sys::Element>().ok()) {
                let _ = el.class_list().add_1("lit");
            }
        }
    }
}

/// One language's code, a list item per line.
fn listing(
    text: &str,
    lang: &'static str,
    current: Option<usize>,
    lit: Option<usize>,
    on_hover: &Callback<Option<usize>>,
    shown: bool,
) -> Html {
    let lines = text.lines().enumerate().map(|(i, line)| {
        let n = i + 1;
        let is_current = current == Some(n);
        let onmouseenter = on_hover.reform(move |_: MouseEvent| Some(n));
        html! {
            <li class={classes!(is_current.then_some("current"), (lit == Some(n)).then_some("lit"))}
                aria-current={is_current.then_some("step")} data-line={n.to_string()} {onmouseenter}>
                <code>{ if line.is_empty() { " " } else { line } }</code>
            </li>
        }
    });
    let onmouseleave = on_hover.reform(|_: MouseEvent| None);
    html! {
        <div class="code-box" role="tabpanel" id={format!("code-{lang}")} aria-labelledby={format!("tab-{lang}")}
             hidden={!shown} tabindex="0">
            <ol class={classes!("code", format!("language-{lang}"))} {onmouseleave}>{ for lines }</ol>
        </div>
    }
}

/// Scrolls `boxed` (never the page) so that `line`, one of its lines (`offset_top` from the box),
/// is in view, on the screen if the box is partly ([`view::follow_line`]), with the box where it
/// will be once the page has scrolled `page_by` px down (the end of a run, `app::reveal`, scrolls
/// it smoothly: the box is not there yet).
pub fn follow(boxed: &web_sys::Element, line: &web_sys::HtmlElement, page_by: f64) {
    let h = f64::from(boxed.client_height());
    let screen = web_sys::window().and_then(|w| w.inner_height().ok()).and_then(|v| v.as_f64()).unwrap_or(h);
    let (y, scroll) = (boxed.get_bounding_client_rect().top() - page_by, f64::from(boxed.scroll_top()));
    if let Some(to) = view::follow_line(f64::from(line.offset_top()), h, scroll, y, screen) {
        boxed.set_scroll_top(to as i32);
    }
}

#[component]
pub fn CodePanel(props: &Props) -> Html {
    let python = use_memo(props.scenario.clone(), |s| code::python(s));
    let rust = use_memo(props.scenario.clone(), |s| code::rust(s));
    let lines = use_memo(props.scenario.clone(), |s| CodeLines::new(s));
    let show_rust = use_state(|| false);
    let hovered_line = use_state(|| None::<usize>);
    let is_rust = *show_rust;
    let line_of = |e: &Event| if is_rust { lines.rust(e) } else { lines.python(e) };
    let current = props.current.as_ref().and_then(line_of);
    let lit = props.hovered.as_ref().and_then(line_of).or(*hovered_line);
    let on_hover = {
        let (lines, hovered_line) = (lines.clone(), hovered_line.clone());
        Callback::from(move |line: Option<usize>| {
            light_bars(line.and_then(|n| bars_on_line(&lines, is_rust, n)).as_deref());
            hovered_line.set(line);
        })
    };
    // Keep the current line in view inside the code box (never scrolling the page). The line's
    // offset_top is from the box, its offset parent (style.css: .code-box is position: relative);
    // it was from the panel, or from the page where the panel is not sticky (a phone).
    let panel = use_node_ref();
    {
        let panel = panel.clone();
        use_effect_with((current, is_rust), move |_| {
            let el = panel.cast::<web_sys::Element>();
            let line = el
                .as_ref()
                .and_then(|p| p.query_selector("div.code-box:not([hidden]) li[aria-current]").ok().flatten());
            let boxed = el.and_then(|p| p.query_selector("div.code-box:not([hidden])").ok().flatten());
            if let (Some(line), Some(boxed)) = (line.and_then(|l| l.dyn_into::<web_sys::HtmlElement>().ok()), boxed) {
                follow(&boxed, &line, 0.0);
            }
        });
    }
    // `more` qualifies the language; a phone's row drops it (code.css) so both tabs and Edit fit on one line.
    let tab = |rust: bool, label: &'static str, more: &'static str, lang: &'static str| {
        let show_rust = show_rust.clone();
        html! {
            <button type="button" role="tab" id={format!("tab-{lang}")} aria-controls={format!("code-{lang}")}
                aria-selected={(is_rust == rust).to_string()} tabindex={if is_rust == rust { "0" } else { "-1" }}
                onclick={move |_| show_rust.set(rust)}>{ label }<span class="tab-more">{ more }</span></button>
        }
    };
    html! {
        <section class="code-panel" aria-label="The code, with these parameters" ref={panel}>
            <div class="code-tabs">
                <div class="tab-list" role="tablist" aria-label="Language">
                    { tab(false, "Python", " (asyncio)", "python") }
                    { tab(true, "Rust", " (what awaitlab runs)", "rust") }
                </div>
                if let Some(on_edit) = props.on_edit.clone().filter(|_| !is_rust) {
                    // Pointing at Edit or focusing it starts loading the Python interpreter.
                    <button type="button" id="code-edit" class="code-edit" title="Edit this Python and run your version"
                        onpointerenter={|_: PointerEvent| crate::runtime::py_module::preload()}
                        onfocus={|_: FocusEvent| crate::runtime::py_module::preload()}
                        onclick={on_edit.reform(|_: MouseEvent| ())}>{ "Edit" }</button>
                }
            </div>
            { listing(&python, "python", if is_rust { None } else { current }, if is_rust { None } else { lit }, &on_hover, !is_rust) }
            { listing(&rust, "rust", if is_rust { current } else { None }, if is_rust { lit } else { None }, &on_hover, is_rust) }
        </section>
    }
}
