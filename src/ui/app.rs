//! The page, one screen: the form across the top; under it the figures, the two timelines, the
//! replay bar and the run's notes, with the code beside them; the rest (legend, zoom, every
//! figure, share, history) below. What it shows is computed by `core::view` from the state; this
//! wires hooks, callbacks and components together.

use std::rc::Rc;

use yew::prelude::*;

use wasm_bindgen::JsCast;

use super::bar_menu::BarMenu;
use super::code_editor::{CodeEditor, CodeLog, Draft};
use super::code_panel::{bar_event, CodePanel};
use super::commands::run_measured;
use super::controls::{controls, ControlsProps, LIVE_SLIDER_TASKS};
use super::embed::{use_embed, use_run_reports};
use super::guess::GuessFirst;
use super::history::History;
use super::legend::Legend;
use super::replay_panel::replay_panel;
use super::run_hooks::{use_first_paint, use_render_cost, use_replay_clock, use_run_frames, use_session_runs};
use super::share_panel::SharePanel;
use super::state::{Action, State};
use super::summary::SummaryView;
use super::timeline_view::{Pick, TimelineView};
use super::url::{self, use_url_sync};
use super::zoom_bar::zoom_bar;
use super::Shared;
use crate::core::event::Event;
use crate::core::gap;
use crate::core::message::ViewOptions;
use crate::core::run::Run;
use crate::core::scenario::{ClockKind, Pattern, Scenario};
use crate::core::timeline::{Cut, Timeline};
use crate::core::view::{self, Replaying};
use crate::runtime::session;

/// A callback that dispatches `action(value)`.
fn send<T: 'static>(state: &UseReducerHandle<State>, action: impl Fn(T) -> Action + 'static) -> Callback<T> {
    let dispatch = state.dispatcher();
    Callback::from(move |value| dispatch.dispatch(action(value)))
}

/// A callback that adds `runs(scenario)` (predictions) to the history and compares them.
fn compare(state: &UseReducerHandle<State>, runs: fn(&Scenario) -> Vec<Run>) -> Callback<()> {
    let scenario = state.scenario().clone();
    send(state, move |()| Action::AddAndCompare(runs(&scenario)))
}

/// "Edit" on the code panel: the form's scenario becomes its own Python (`pattern=code`), which the
/// reader then edits ([`crate::core::code::as_program`]; "Your own code" picked in the Pattern
/// menu loads the same: `core::page`). The editor that replaces the panel takes the focus (the
/// menu, a change of value rather than a button, moves none: WCAG's "on input").
fn edit_code(state: &UseReducerHandle<State>, draft: &Rc<std::cell::RefCell<Draft>>) -> Callback<()> {
    let (scenario, draft) = (state.scenario().clone(), draft.clone());
    send(state, move |()| {
        draft.borrow_mut().focus = true;
        Action::Load(crate::core::code::as_program(&scenario))
    })
}

/// Runs the form with this program on the browser clock (Ctrl/Cmd+Enter in the editor, or Run
/// while the editor is shown: [`Draft`] decides whether the text on screen can run). The form takes
/// the program first, so the link and the prediction follow what runs; errors in the other fields
/// are shown, as Run shows them for any pattern.
fn run_code(state: &UseReducerHandle<State>) -> Callback<String> {
    let state = state.clone();
    Callback::from(move |code: String| {
        // Run's gate (the text's own problems are the draft's, which asked for this run).
        if view::run_off(&state, false).is_some() {
            return;
        }
        state.dispatch(Action::Edit("code".into(), code.clone()));
        let others = state.form_pairs().filter(|(k, _)| *k != "code");
        match Scenario::parse(others.chain([("code", code.as_str())])) {
            Ok(scenario) => run_revealed(scenario),
            Err(errors) => state.dispatch(Action::Rejected(errors)),
        }
    })
}

/// The page's Run: the form's scenario, or, while the editor is shown, the text on screen (never
/// the last program that reached the scenario, which lags it).
fn run_form(state: &UseReducerHandle<State>, draft: &Rc<std::cell::RefCell<Draft>>) -> Callback<()> {
    let state = state.clone();
    if state.scenario().pattern == Pattern::Code {
        let (draft, run_code) = (draft.clone(), run_code(&state));
        return Callback::from(move |()| {
            // The borrow ends before the run starts (it renders the editor, which writes the draft).
            let shown = draft.borrow_mut().run_shown();
            if let Some(program) = shown {
                run_code.emit(program);
            }
        });
    }
    Callback::from(move |()| match Scenario::parse(state.form_pairs()) {
        // Run's gate: the form's submission may come past a disabled button.
        _ if view::run_off(&state, false).is_some() => {}
        Ok(scenario) => run_revealed(scenario),
        Err(errors) => state.dispatch(Action::Rejected(errors)),
    })
}

thread_local! {
    /// The id of a run the reader started (Run, Ctrl+Enter, an example) that [`reveal`] is to
    /// bring into view, and whether its measured timeline has been: when (`Date.now()`, ms) the
    /// page was scrolled to it, `-inf` if it was on the screen already.
    static REVEAL: std::cell::Cell<Option<(u64, Option<f64>)>> = const { std::cell::Cell::new(None) };
    /// What the last render of the page showed, for [`reveal`] after it: the measured run's id
    /// and whether it has ended, and whether the page is an embed.
    static SHOWN: std::cell::Cell<(Option<(u64, bool)>, bool)> = const { std::cell::Cell::new((None, false)) };
}

/// Runs `scenario` as the reader's own run: [`reveal`] brings it into view.
fn run_revealed(scenario: Scenario) {
    let id = run_measured(scenario).id;
    REVEAL.with(|r| r.set(Some((id, None))));
}

/// After each render of the page (the effect of [`use_render_cost`], whose hook instance it
/// shares: one of its own weighed 0.1 KB gzip more): when the reader's
/// own Run started a run whose measured timeline is not wholly on the screen (on a phone it and
/// the replay bar were under the fold: a tap on Run seemed to do nothing), scrolls it into view
/// once drawn, smoothly unless the reader prefers reduced motion, as little as it takes (its
/// `scroll-margin` leaves room for the replay bar). When the run ends, if the reader still has
/// the timeline on the screen (the figures above it grow as the run ends) or the page is still
/// on its way there, its replay bar too and, on a phone, the code under the bar, whose box keeps
/// the marked line in its part on the screen once the page has scrolled ([`view::end_scroll`]).
/// The page used to stop at the bar, the marked line under the fold; and a run that ended within
/// the start's smooth scroll (a race) was not scrolled to at all, its timeline still under the
/// fold. Runs a script, a host page or autoplay start never scroll, nor does an embed, which grows
/// to its content in the host page (the host would scroll instead), nor any framed page.
pub fn reveal() {
    let (live, embed) = SHOWN.with(std::cell::Cell::get);
    let (Some((id, scrolled)), Some(window)) = (REVEAL.with(std::cell::Cell::get), web_sys::window()) else { return };
    let framed = window.parent().ok().flatten().is_some_and(|p| p != window);
    // Another run replaced it (ids only grow), or it is not to scroll.
    if embed || framed || live.is_some_and(|(l, _)| l > id) {
        return REVEAL.with(|r| r.set(None));
    }
    let selector = match live {
        Some((l, _)) if l == id && scrolled.is_none() => "figure.measured",
        Some((l, true)) if l == id => "section.replay",
        _ => return,
    };
    let (Some(doc), Some(h)) = (window.document(), window.inner_height().ok().and_then(|h| h.as_f64())) else { return };
    let find = |s: &str| doc.query_selector(s).ok().flatten();
    // Not drawn yet: the next render looks again.
    let Some(el) = find(selector) else { return };
    let span = |el: &web_sys::Element| {
        let r = el.get_bounding_client_rect();
        (r.top(), r.bottom())
    };
    let timeline = find("figure.measured").unwrap_or_else(|| el.clone());
    let (top, bottom) = span(&timeline);
    let now = js_sys::Date::now();
    let still = window.match_media("(prefers-reduced-motion: reduce)").ok().flatten().is_some_and(|m| m.matches());
    // Parsed, not built with ScrollIntoViewOptions' setters: their bindings weighed more. And
    // scrollIntoView, to an edge with its scroll-margin, rather than scrollBy to a distance: its
    // binding, and the distance written out, weighed more.
    let scroll = |el: &web_sys::Element, start: bool| {
        let options = js_sys::JSON::parse(match (start, still) {
            (false, true) => r#"{"block":"nearest"}"#,
            (false, false) => r#"{"block":"nearest","behavior":"smooth"}"#,
            (true, true) => r#"{"block":"start"}"#,
            (true, false) => r#"{"block":"start","behavior":"smooth"}"#,
        });
        el.scroll_into_view_with_scroll_into_view_options(options.unwrap_or_default().unchecked_ref());
    };
    let Some(since) = scrolled else {
        let wholly = top >= 0.0 && bottom <= h;
        REVEAL.with(|r| r.set(Some((id, Some(if wholly { f64::NEG_INFINITY } else { now })))));
        if !wholly {
            scroll(&el, false);
        }
        return;
    };
    REVEAL.with(|r| r.set(None));
    // A smooth scroll takes up to about 0.7 s; a reader who scrolled away is left there.
    if (bottom <= 0.0 || top >= h) && now - since > 1000.0 {
        return;
    }
    let bar = span(&el);
    // The code under the bar (a phone; at 1280 px it is beside the timelines): its box.
    let code = find(".code-panel .code-box:not([hidden]), .editor-box").filter(|b| span(b).0 >= bar.1);
    let (by, at) = view::end_scroll(top, bar, code.as_ref().map(span), h);
    let line = code.as_ref().and_then(|b| b.query_selector("[aria-current]").ok().flatten());
    if let (Some(boxed), Some(line)) = (&code, line.and_then(|l| l.dyn_into::<web_sys::HtmlElement>().ok())) {
        super::code_panel::follow(boxed, &line, by);
    }
    match at {
        view::EndAt::Stay => {}
        view::EndAt::Last => scroll(code.as_ref().unwrap_or(&el), false),
        view::EndAt::Timeline => scroll(&timeline, true),
        view::EndAt::Bar => scroll(&el, true),
    }
}

/// What the two timeline panels draw: layouts (memoized by the run's address: comparing
/// 10,000-task runs by value on every render costs more than the layout it saves), where a replay
/// cuts them, and the lanes' labels.
struct Layouts {
    predicted: Option<Rc<Timeline>>,
    predicted_cut: Option<Cut>,
    measured: Option<Rc<Timeline>>,
    measured_cut: Option<Cut>,
    labels: Rc<Vec<String>>,
}

#[hook]
fn use_layouts(state: &State, replaying: Option<&Replaying>, playhead: Option<f64>) -> Layouts {
    let labels = use_memo(view::shown_scenario(state).clone(), |s| {
        let workload = s.workload();
        (0..workload.len()).map(|t| workload.label(t)).collect::<Vec<_>>()
    });
    // A code run's lanes are the tasks its program creates, named as the prediction named them.
    let is_code = view::shown_scenario(state).pattern == Pattern::Code;
    let labels = match &state.predicted {
        Some(p) if is_code => Rc::new(p.labels.clone()),
        _ => labels,
    };
    let predicted_run = state.predicted.clone();
    let predicted = use_memo(predicted_run.as_ref().map(|p| Rc::as_ptr(p) as usize), move |_| {
        predicted_run.map(|p| Rc::new(p.timeline()))
    });
    let replayed_run = replaying.map(|r| r.run.clone());
    let replayed = use_memo(replayed_run.as_ref().map(|r| Rc::as_ptr(r) as usize), move |_| {
        replayed_run.map(|r| Rc::new(r.timeline()))
    });
    // While replaying, both panels show their whole layout cut at the playhead.
    let predicted_cut = match (&state.predicted, playhead) {
        (Some(p), Some(t)) => Some(Cut::at_time(&p.events, t)),
        _ => None,
    };
    let (measured, measured_cut) = match (replaying, &state.measured) {
        (Some(r), _) => ((*replayed).clone(), Some(Cut { cursor: r.replay.cursor, position: r.replay.position })),
        (None, Some(m)) => (Some(Rc::new(m.timeline())), None),
        (None, None) => (None, None),
    };
    let labels = replaying.map_or(labels, |r| Rc::new(r.run.labels.clone()));
    Layouts { predicted: (*predicted).clone(), predicted_cut, measured, measured_cut, labels }
}

/// Why the finished measured run differs from its prediction, computed once per pair of runs.
#[hook]
fn use_causes(state: &State, finished: Option<Rc<Run>>) -> Rc<Vec<String>> {
    let pair = (state.predicted.clone(), finished);
    let key = (pair.0.as_ref().map(|r| Rc::as_ptr(r) as usize), pair.1.as_ref().map(|r| Rc::as_ptr(r) as usize));
    use_memo(key, move |_| {
        let (Some(p), Some(m)) = pair else { return Vec::new() };
        let source = m.scenario.params.get("source").and_then(|v| v.as_str());
        // CPU work is not timers: its own notes explain it (`view::cpu_view`). Without a cause the
        // line said "No cause found beyond the usual scheduling noise" above notes that name one.
        if source == Some("cpu") {
            return vec!["The run's CPU work: its notes, under the timelines, say where the time went.".into()];
        }
        let mut causes = gap::causes(&gap::lateness(&p.events, &m.events));
        // Real requests can fail for reasons of their own; a sleep's plan is the same on both clocks.
        if source.is_none_or(|s| s == "sleep") {
            causes.extend(gap::outcomes(&p.summary, &m.summary));
        }
        causes
    })
}

/// The notes under the summary: what plain gather leaves running, the browser's hidden limit, and
/// what a CPU run blocked.
fn notes(state: &State, shown: &Scenario, cpu: &[String]) -> Html {
    let raised =
        state.predicted.as_ref().and_then(|p| crate::core::patterns::gather::raised_note(shown.errors, &p.events));
    let hidden = state
        .measured
        .as_ref()
        .and_then(|m| crate::core::limits::hidden_limit_note(m.scenario(), &m.run.as_ref()?.events));
    html! {
        <>
            if let Some(note) = raised { <p class="gap" id="gather-raised">{ note }</p> }
            if let Some(note) = hidden { <p class="gap" id="hidden-limit">{ note }</p> }
            { for cpu.iter().map(|n| html! { <p class="gap cpu-note">{ n.clone() }</p> }) }
        </>
    }
}

/// A CPU run's strips and notes (a program's `time.sleep` blocks too): of the replayed run, or of
/// the finished measured one. Computed again only when one of the runs or the scenario changes:
/// the busy intervals are a walk over every event, and the page renders on every replay frame.
#[hook]
fn use_cpu_view(state: &State, replaying: Option<&Replaying>, shown: &Scenario) -> Rc<view::CpuView> {
    let measured = replaying.map(|r| r.run.clone()).or_else(|| state.measured.as_ref().and_then(|m| m.run.clone()));
    let replaced: Vec<usize> = crate::runtime::workers::replaced().into_iter().map(|(w, _)| w).collect();
    let deps = (shown.clone(), state.predicted.clone().map(Shared), measured.map(Shared), replaced);
    use_memo(deps, |(shown, predicted, measured, replaced)| {
        let cores = crate::runtime::cpu::hardware_concurrency();
        let (predicted, measured) = (predicted.as_ref().map(|r| &*r.0), measured.as_ref().map(|r| &*r.0));
        view::cpu_view(shown, predicted, measured, cores, replaced)
    })
}

fn header() -> Html {
    html! {
        <header class="top">
            <h1>{ "awaitlab" }</h1>
            <p class="tagline">{ "Async patterns run for real on your browser's event loop, beside what a virtual clock predicts." }</p>
        </header>
    }
}

/// The lesson above the runs ([`view::lesson`]): its title and first sentence on one line, the
/// rest a click away (under the whole lab it started at 807 px at 1280×800 once a run was drawn).
/// A compact embed keeps only its title and first sentence, for screen readers (out of sight, as
/// the article around it teaches the lesson): no toggle there, which would be a Tab stop nobody
/// sees.
fn lesson(scenario: &Scenario, compact: bool) -> Html {
    let (title, first, rest) = view::lesson(scenario);
    if compact {
        return html! { <section class="intro"><h2>{ title }</h2>{ " " }<span>{ first }</span></section> };
    }
    html! {
        <section class="intro">
            <details class="lesson explain">
                <summary><h2>{ title }</h2>{ " " }<span>{ first }</span></summary>
                if !rest.is_empty() {
                    <p>{ rest }</p>
                }
            </details>
        </section>
    }
}

fn footer() -> Html {
    html! {
        <footer>
            <p>{ "Patterns from the article “Advanced Guide to Python Asynchronous Programming”, written again in Rust. Script it: " }
               <code>{ "await window.awaitlab.run({pattern: \"gather\", tasks: 50})" }</code></p>
        </footer>
    }
}

/// What [`panels`] shows: the predicted and measured timelines on one axis, and the replay controls.
struct PanelsProps {
    layouts: Shared<Layouts>,
    replaying: Option<Shared<Replaying>>,
    /// What the replay's log says a `wait` span waits for ([`view::described`]).
    waiting: &'static str,
    measured_title: AttrValue,
    scale_ms: f64,
    playhead: Option<f64>,
    window: Option<(f64, f64)>,
    limit: Option<u32>,
    what_if: Rc<crate::core::what_if::WhatIf>,
    /// source=cpu inline: the predicted and measured busy intervals.
    busy: (Option<view::Busy>, Option<view::Busy>),
    on_replay_cmd: Callback<super::state::ReplayCmd>,
    /// A compact embed: its Run button (none with `controls=0`), in one bar with the replay's.
    compact: Option<Html>,
    /// Draw the predicted-only timeline (a compact embed leaves it out once a measured run, which
    /// outlines the prediction, is there; `predicted=1` keeps it).
    show_predicted: bool,
    /// A bar came under the pointer (the event it stands for), or left it.
    on_bar_hover: Callback<Option<Event>>,
    /// A predicted bar was picked for the what-if menu (`None`: a click beside the bars). A compact
    /// embed has no room for the menu, so its bars are not picked (nor keyboard stops).
    on_pick: Callback<Option<Pick>>,
}

/// The timelines and the replay controls. A plain function, not a component: its callbacks are new
/// on every render of the page, so a component would re-render as often and only add code.
fn panels(props: PanelsProps) -> Html {
    let l = &props.layouts;
    let (scale_ms, playhead, window, limit) = (props.scale_ms, props.playhead, props.window, props.limit);
    // A prediction replayed in the measured place: no outline of the prediction over itself.
    let virtual_clock = props.replaying.as_ref().is_some_and(|r| r.run.clock == ClockKind::Virtual);
    let on_pick = props.compact.is_none().then(|| props.on_pick.clone());
    // One listener for every bar: which bar is under the pointer, read from its classes.
    let onmouseover = props.on_bar_hover.reform(|e: MouseEvent| {
        let target = e.target().and_then(|t| t.dyn_into::<web_sys::Element>().ok());
        target.and_then(|t| t.get_attribute("class")).and_then(|c| bar_event(&c))
    });
    let onmouseleave = props.on_bar_hover.reform(|_: MouseEvent| None);
    html! {
        <div class="panels" {onmouseover} {onmouseleave}>
            if let Some(tl) = l.predicted.clone().filter(|_| props.show_predicted) {
                <TimelineView kind="predicted" title="Predicted (virtual clock)" labels={l.labels.clone()} timeline={tl} {scale_ms} {playhead} {window} {limit}
                    cut={l.predicted_cut} what_if={props.what_if.clone()} busy={props.busy.0.clone()} {on_pick} />
            }
            if let Some(tl) = l.measured.clone() {
                <TimelineView kind="measured" {virtual_clock} title={props.measured_title.clone()} labels={l.labels.clone()} timeline={tl} {scale_ms} {playhead} {window} {limit}
                    ghost={l.predicted.clone().filter(|_| !virtual_clock).map(Shared)} cut={l.measured_cut} what_if={props.what_if.clone()} busy={props.busy.1.clone()} />
            } else if props.compact.is_none() {
                <p class="placeholder">{ "The measured timeline appears here when you press Run." }</p>
            }
            if let Some(run) = props.compact.clone() {
                <div class="embed-bar">
                    { run }
                    if let Some(r) = props.replaying.as_ref() {
                        { replay_panel(r, props.waiting, &props.on_replay_cmd) }
                    }
                </div>
            } else if let Some(r) = props.replaying.as_ref() {
                { replay_panel(r, props.waiting, &props.on_replay_cmd) }
            }
        </div>
    }
}

#[component]
pub fn App() -> Html {
    use_render_cost();
    let state = use_reducer(|| State::from_url(&url::query_pairs()));
    use_session_runs(&state);
    use_run_frames(&state);
    use_replay_clock(&state);
    use_first_paint(&state);
    use_embed(&state);
    use_url_sync(state.scenario(), state.link_replaced);
    use_run_reports(&state);
    {
        // The interpreter module loaded (or could not): the code prediction is made again.
        let dispatch = state.dispatcher();
        use_effect_with((), move |()| {
            let again = dispatch.clone();
            let subscription = crate::runtime::py_module::on_loaded(move || again.dispatch(Action::Repredict));
            // It may have loaded before this subscription (a link's first prediction started it).
            if crate::runtime::py_module::loaded() {
                dispatch.dispatch(Action::Repredict);
            }
            move || drop(subscription)
        });
    }

    // The editor's text and verdict, which Run reads; while the text has a problem Run is
    // disabled, its description the problem under the editor.
    let draft = use_mut_ref(Draft::default);
    let code_invalid = use_state_eq(|| false);
    let on_code_invalid = {
        let code_invalid = code_invalid.clone();
        Callback::from(move |invalid| code_invalid.set(invalid))
    };
    // Or the form's values are more than the browser clock measures: the status line says why.
    let run_blocked = view::run_off(&state, *code_invalid).map(AttrValue::from);
    let view_options =
        use_memo((), |_| ViewOptions::from_pairs(url::query_pairs().iter().map(|(k, v)| (k.as_str(), v.as_str()))));
    SHOWN.with(|l| l.set((state.measured.as_ref().map(|m| (m.id(), m.run.is_some())), view_options.embed)));
    let on_run = run_form(&state, &draft);
    let on_example = {
        let dispatch = state.dispatcher();
        Callback::from(move |query: &'static str| {
            if let Ok(scenario) = Scenario::parse(query.split('&').filter_map(|p| p.split_once('='))) {
                dispatch.dispatch(Action::Load(scenario.clone()));
                run_revealed(scenario);
            }
        })
    };
    let on_compare_hold =
        view::offers_hold_comparison(state.scenario()).then(|| compare(&state, view::hold_comparison));
    let on_compare_errors =
        view::offers_errors_comparison(state.scenario()).then(|| compare(&state, view::errors_comparison));

    let replaying = view::replaying(&state);
    let playhead = view::playhead(replaying.as_ref());
    let layouts = use_layouts(&state, replaying.as_ref(), playhead);
    // The measured figures are those of the run on screen, beside the prediction of its scenario.
    let finished = view::measured_run(&state, replaying.as_ref());
    let causes = use_causes(&state, finished.clone());
    let finished = finished.map(|r| Rc::new(r.summary.clone()));
    let zoom = use_state(|| None::<(f64, f64)>);

    let timelines: Vec<Shared<Timeline>> =
        layouts.predicted.iter().chain(layouts.measured.iter()).cloned().map(Shared).collect();
    let hovered_bar = use_state(|| None::<Event>);
    let on_bar_hover = {
        let hovered_bar = hovered_bar.clone();
        Callback::from(move |e: Option<Event>| {
            if *hovered_bar != e {
                hovered_bar.set(e)
            }
        })
    };
    // The lesson, the code, the limit line and the notes follow the run on screen: a replayed
    // run's own scenario (its params read once per replayed run, not on each frame of its replay).
    let replayed = use_memo(replaying.as_ref().map(|r| Shared(r.run.clone())), |run| {
        run.as_ref().and_then(|r| r.parsed_scenario().ok())
    });
    let (shown, waiting) = view::described(replayed.as_ref().as_ref(), &state);
    let cpu = use_cpu_view(&state, replaying.as_ref(), shown);
    let current_event =
        replaying.as_ref().and_then(|r| r.replay.cursor.checked_sub(1).and_then(|i| r.run.events.get(i)).cloned());
    let live = state.scenario().workload().len() <= LIVE_SLIDER_TASKS;
    // A compact embed (`embed=1` without `controls=1`): the fields its link names, and a Run button
    // in the replay's bar.
    let scale_ms = view::time_scale(
        layouts.predicted.as_deref(),
        layouts.measured.as_deref(),
        state.running(),
        view_options.axis_ms,
    );
    let compact = view_options.compact();
    let only = compact.then(|| view_options.fields());
    let run_bar = compact.then(|| {
        if !view_options.has_run_button() {
            return Html::default();
        }
        let on_run = on_run.clone();
        let onclick = Callback::from(move |_: MouseEvent| on_run.emit(()));
        html! {
            <button type="button" id="run" class="primary" {onclick} disabled={run_blocked.is_some()} aria-describedby={run_blocked.clone()}>
                { if state.running() { "Run again" } else { "Run" } }
            </button>
        }
    });
    let bar_pick = use_state(|| None::<Pick>);
    let on_pick = Callback::from({
        let set = bar_pick.setter();
        move |p| set.set(p)
    });
    let show_predicted = !compact || view_options.predicted || state.measured.is_none() && replaying.is_none();
    html! {
        <>
            { header() }
            if let Some(notice) = &state.notice {
                <div class="banner banner-warn" role="status" id="url-notice">{ notice.clone() }</div>
            }
            <main>
                { controls(&ControlsProps { scenario: state.scenario(), values: &state.form, errors: &state.errors,
                    running: state.running(), hint: state.hint.clone().map(AttrValue::from),
                    on_edit: send(&state, |(k, v)| Action::Edit(k, v)), on_run, run_blocked,
                    on_cancel: Callback::from(|()| session::cancel_current()), on_example, live, only }) }
                { lesson(shown, compact) }
                <div class="lab">
                    <div class="lab-runs">
                        <div class="lab-head">
                            <p class="status" id="status" aria-live="polite">{ view::page_status(&state, &view_options, *code_invalid) }</p>
                            // A guess belongs to the values it was made for: new values ask again.
                            <GuessFirst key={state.values_changed} predicted={state.predicted.as_ref().map(|p| Rc::new(p.summary.clone()))}
                                measured={finished.clone()} ran={state.measured.is_some() || replaying.is_some()} running={state.running()} />
                            <SummaryView
                                predicted={state.predicted.as_ref().map(|p| Rc::new(p.summary.clone()))}
                                measured={finished} {causes} />
                        </div>
                        { panels(PanelsProps { layouts: Shared(Rc::new(layouts)), replaying: replaying.clone().map(|r| Shared(Rc::new(r))), waiting,
                            measured_title: view::measured_title(replaying.as_ref()).into(), scale_ms, playhead, window: *zoom,
                            limit: shown.effective_limit(), what_if: Rc::new(shown.what_if.clone()), busy: (cpu.predicted.clone(), cpu.measured.clone()),
                            on_replay_cmd: send(&state, Action::Replay), on_bar_hover, on_pick: on_pick.clone(), compact: run_bar, show_predicted }) }
                        // The run's own lessons, beside the timelines they explain: after the legend
                        // they fell below the fold at 1280×800, and on a phone after the code.
                        { notes(&state, shown, &cpu.notes) }
                        if shown.pattern == Pattern::Code {
                            <CodeLog run={replaying.as_ref().map(|r| r.run.clone()).or_else(|| state.predicted.clone()).map(Shared)} until={playhead} />
                        }
                        <Legend {timelines} {waiting} />
                    </div>
                    if state.scenario().pattern == Pattern::Code {
                        <CodeEditor source={AttrValue::from(state.scenario().code.clone())} current={current_event.map(|e| e.line).filter(|l| *l > 0)}
                            on_change={send(&state, |code| Action::Edit("code".into(), code))} on_run={run_code(&state)}
                            draft={draft.clone()} on_invalid={on_code_invalid} />
                    } else {
                        <CodePanel scenario={Rc::new(shown.clone())} current={current_event} hovered={(*hovered_bar).clone()}
                            on_edit={edit_code(&state, &draft)} />
                    }
                </div>
                // What-if overrides change a pattern's plan; a code run's plan is its code.
                if state.scenario().pattern != Pattern::Code {
                    <BarMenu scenario={Rc::new(state.scenario().clone())} pick={(*bar_pick).clone()} {on_pick} on_edit={send(&state, |(k, v)| Action::Edit(k, v))} />
                }
                { zoom_bar(*zoom, scale_ms, &Callback::from({ let zoom = zoom.clone(); move |w| zoom.set(w) })) }
                <SharePanel run={replaying.as_ref().map(|r| Shared(r.run.clone()))}
                    scenario={Rc::new(state.scenario().clone())} predicted={state.predicted.clone().map(Shared)} on_import={send(&state, |r: Result<(Run, String), String>| match r {
                        Ok((run, name)) => Action::Import(run, Some(format!("imported from {name}"))),
                        Err(why) => Action::ImportFailed(why),
                    })} />
                <History history={Rc::new(state.history.clone())} replaying={replaying.as_ref().map(|r| r.number)}
                    compare={Rc::new(state.compare.clone())} on_replay={send(&state, Action::SelectReplay)}
                    on_compare={send(&state, Action::ToggleCompare)} on_compare_patterns={compare(&state, view::pattern_comparison)}
                    {on_compare_hold} {on_compare_errors} />
            </main>
            { footer() }
        </>
    }
}
