//! The session's runs: pick one to replay, pick 2–4 to compare on one time axis.

use std::rc::Rc;

use yew::prelude::*;

use super::state::MAX_COMPARE;
use super::timeline_view::TimelineView;
use super::Shared;
use crate::core::code_editor::LANE_LABEL_CHARS;
use crate::core::run::Run;
use crate::core::scenario::ClockKind;
use crate::core::timeline::{format_ms, tasks_text};

/// A run's one-line name: number, pattern, size, clock.
pub fn run_name(number: u32, run: &Run) -> String {
    let param = |key: &str| run.scenario.params.get(key);
    let pattern = param("pattern").and_then(|v| v.as_str()).unwrap_or("?");
    let limit = param("limit").and_then(|v| v.as_u64());
    let clock = if run.clock == ClockKind::Virtual { "predicted" } else { "measured" };
    let limit = match (pattern, limit) {
        ("semaphore", Some(l)) => format!("({l})"),
        ("retry", Some(l)) => {
            let hold = param("hold").and_then(|v| v.as_bool()).unwrap_or(true);
            format!("(limit {l}, {} the permit in backoff)", if hold { "holding" } else { "releasing" })
        }
        ("gather", _) => match param("errors").and_then(|v| v.as_str()) {
            Some("raise") => " (plain: the rest keep running)".into(),
            Some("fail_fast") => " (TaskGroup: the rest cancelled)".into(),
            _ => String::new(),
        },
        _ => String::new(),
    };
    format!("#{number} {pattern}{limit} · {} · {clock}", tasks_text(run.summary.tasks))
}

#[derive(PartialEq, Properties)]
pub struct Props {
    pub history: Shared<Vec<(u32, Rc<Run>)>>,
    pub replaying: Option<u32>,
    pub compare: Rc<Vec<u32>>,
    pub on_replay: Callback<u32>,
    pub on_compare: Callback<u32>,
    /// Predict the current workload under other patterns and compare them.
    pub on_compare_patterns: Callback<()>,
    /// Retry under a limit: predict it holding and releasing the permit during backoff.
    #[prop_or_default]
    pub on_compare_hold: Option<Callback<()>>,
    /// Gather: predict it as plain gather and as a TaskGroup.
    #[prop_or_default]
    pub on_compare_errors: Option<Callback<()>>,
}

#[component]
pub fn History(props: &Props) -> Html {
    let rows = props.history.iter().rev().map(|(n, run)| {
        let n = *n;
        let checked = props.compare.contains(&n);
        let full = props.compare.len() >= MAX_COMPARE && !checked;
        html! {
            <li key={n} class={classes!((props.replaying == Some(n)).then_some("replaying"))}>
                <label>
                    <input type="checkbox" class="compare-pick" checked={checked} disabled={full}
                           onchange={props.on_compare.reform(move |_| n)} />
                    { run_name(n, run) }{ format!(" — {}", format_ms(run.summary.makespan_ms)) }
                </label>
                <button type="button" class="replay-pick" onclick={props.on_replay.reform(move |_| n)}>{ "Replay" }</button>
            </li>
        }
    });
    let picked: Vec<(u32, Rc<Run>)> =
        props.compare.iter().filter_map(|n| props.history.iter().find(|(m, _)| m == n).cloned()).collect();
    let slowest = picked.iter().map(|(_, r)| r.summary.makespan_ms).fold(0.0, f64::max);
    // Laid out once per selection, not on every render of the page.
    let layouts = {
        let picked = picked.clone();
        use_memo(props.compare.clone(), move |_| picked.iter().map(|(_, r)| Rc::new(r.timeline())).collect::<Vec<_>>())
    };
    // One axis for all: the slowest run, or further if planned work cut short reaches past it.
    let scale = layouts.iter().map(|tl| tl.extent()).fold(slowest, f64::max);
    html! {
        <section class="history" aria-label="Runs">
            <h3>{ "Runs this session" }</h3>
            <p class="hint">
                { format!("Tick 2 to {MAX_COMPARE} runs to compare them on one time axis, or ") }
                <button type="button" id="compare-patterns" onclick={props.on_compare_patterns.reform(|_| ())}>
                    { "compare sequential, gather and semaphore(3) on this workload" }
                </button>
                if let Some(on_compare_errors) = &props.on_compare_errors {
                    { " or " }
                    <button type="button" id="compare-errors" onclick={on_compare_errors.reform(|_| ())}>
                        { "compare plain gather (cancels nothing) with a TaskGroup (cancels the rest)" }
                    </button>
                }
                if let Some(on_compare_hold) = &props.on_compare_hold {
                    { " or " }
                    <button type="button" id="compare-hold" onclick={on_compare_hold.reform(|_| ())}>
                        { "compare holding and releasing the permit during backoff" }
                    </button>
                }
            </p>
            if props.history.is_empty() {
                <p class="hint">{ "Finished runs appear here." }</p>
            } else {
                <ul class="runs">{ for rows }</ul>
            }
            if picked.len() >= 2 {
                <div class="compare" id="compare">
                    // A phone's width may not hold all five columns: the table scrolls in its own
                    // box (a shadow at the edge says there is more), never the page. The soft
                    // hyphens let the long headers break there (390 px then holds all five).
                    <div class="compare-table" role="region" aria-label="The compared runs' figures" tabindex="0">
                    <table>
                        <thead><tr><th scope="col">{ "Run" }</th><th scope="col">{ "Make\u{ad}span" }</th><th scope="col">{ "Speed\u{ad}up" }</th><th scope="col">{ "× slowest" }</th><th scope="col">{ "Failed · cancelled · timed out" }</th></tr></thead>
                        <tbody>
                            { for picked.iter().map(|(n, r)| html! {
                                <tr data-run={n.to_string()}>
                                    <th scope="row">{ run_name(*n, r) }</th>
                                    <td>{ format_ms(r.summary.makespan_ms) }</td>
                                    <td>{ format!("{:.2}×", r.summary.speedup()) }</td>
                                    <td>{ format!("{:.2}×", if r.summary.makespan_ms > 0.0 { slowest / r.summary.makespan_ms } else { 1.0 }) }</td>
                                    <td data-col="outcomes">{ format!("{} · {} · {}", r.summary.failed_on_their_own(), r.summary.cancelled, r.summary.timed_out) }</td>
                                </tr>
                            }) }
                        </tbody>
                    </table>
                    </div>
                    { for picked.iter().zip(layouts.iter()).map(|((n, r), layout)| html! {
                        // Runs on one axis keep one gutter, the 96 px any pattern's labels fit.
                        <TimelineView key={*n} kind="compared" title={run_name(*n, r)}
                            labels={Rc::new(r.labels.clone())} timeline={layout.clone()} scale_ms={scale} label_chars={LANE_LABEL_CHARS} />
                    }) }
                </div>
            }
        </section>
    }
}
