//! What the colours on the lanes mean: only the states that this run actually shows.

use yew::prelude::*;

use super::timeline_view::end_mark;
use super::Shared;

use crate::core::event::{Kind, Phase};
use crate::core::timeline::Timeline;

#[derive(PartialEq, Properties)]
pub struct Props {
    pub timelines: Vec<Shared<Timeline>>,
    /// What the `wait` spans wait for ([`crate::core::replay::waiting_for`]): a permit unless a
    /// CPU pool's runs are shown.
    #[prop_or(Phase::Wait.doing())]
    pub waiting: &'static str,
}

/// A lane state: the phase of a span and how it closed (`None`: any way but fail/timeout/cancel).
type State = (Option<Phase>, Option<Kind>);

/// `(state, class of the swatch, label)`, in reading order. A `None` phase means any phase.
const ENTRIES: &[(State, &str, &str)] = &[
    ((Some(Phase::Work), None), "work ok", "running (work, sleep or request)"),
    ((Some(Phase::Wait), None), "wait ok", "waiting (the run says for what: `Props::waiting`)"),
    ((Some(Phase::Acquire), None), "acquire ok", "acquiring a resource (__aenter__)"),
    ((Some(Phase::Release), None), "release ok", "releasing a resource (__aexit__)"),
    ((Some(Phase::Fetch), None), "fetch ok", "fetch"),
    ((Some(Phase::Process), None), "process ok", "process"),
    ((Some(Phase::Save), None), "save ok", "save"),
    ((Some(Phase::Backoff), None), "backoff ok", "backing off before a retry"),
    ((None, Some(Kind::Fail)), "work fail", Kind::Fail.unplanned_end_label()),
    ((None, Some(Kind::Timeout)), "work timeout", Kind::Timeout.unplanned_end_label()),
    ((None, Some(Kind::Cancel)), "work cancel", Kind::Cancel.unplanned_end_label()),
];

/// Every state that shows on `tl`'s lanes, and whether any bar has a planned rest, found in one
/// pass over its bars.
fn states(tl: &Timeline) -> (Vec<State>, bool) {
    let mut seen: Vec<State> = Vec::new();
    let mut unrun = false;
    for b in &tl.bars {
        unrun |= b.planned_end.is_some();
        let bad = matches!(b.close, Some(Kind::Fail | Kind::Timeout | Kind::Cancel)).then_some(b.close).flatten();
        for state in [(Some(b.phase), None), (None, bad)] {
            if state != (None, None) && !seen.contains(&state) {
                seen.push(state);
            }
        }
    }
    // A task's failure that no bar shows is drawn with a failed span's ×.
    if tl.marks.iter().any(|m| m.raised) && !seen.contains(&(None, Some(Kind::Fail))) {
        seen.push((None, Some(Kind::Fail)));
    }
    (seen, unrun)
}

#[component]
pub fn Legend(props: &Props) -> Html {
    let present = use_memo(props.timelines.clone(), |timelines| {
        timelines.iter().map(|tl| states(tl)).fold((Vec::new(), false), |(mut all, unrun), (seen, u)| {
            all.extend(seen);
            (all, unrun || u)
        })
    });
    let (present, unrun) = (&present.0, present.1);
    let shown: Vec<&(State, &str, &str)> = ENTRIES.iter().filter(|(state, ..)| present.contains(state)).collect();
    let fallback = props.timelines.iter().any(|tl| tl.marks.iter().any(|m| m.kind == Kind::Fallback));
    let queued = props.timelines.iter().any(|tl| !tl.queued.is_empty());
    html! {
        <ul class="legend" aria-label="Legend">
            { for shown.iter().map(|((phase, close), class, label)| {
                // What a wait waits for depends on the run (a permit, a free worker, any of
                // asyncio's primitives in the reader's code): the replay log says the same.
                let label = if *phase == Some(Phase::Wait) { props.waiting } else { *label };
                html! {
                    <li><svg width="22" height="10" aria-hidden="true"><rect class={format!("bar {class}")} width="22" height="10" rx="2" />
                        { end_mark(*close, 22.0, 5.0, 10.0) }</svg>{ label }</li>
                }
            }) }
            if unrun {
                <li><svg width="22" height="10" aria-hidden="true"><rect class="unrun" x="0.5" y="0.5" width="21" height="9" /></svg>{ "planned work that never ran (cut short)" }</li>
            }
            if queued {
                <li><svg width="22" height="10" aria-hidden="true"><line class="queued" x1="1" x2="21" y1="5" y2="5" /></svg>{ "result waiting for its turn to be processed" }</li>
            }
            if fallback {
                <li><span class="mark-fallback" aria-hidden="true">{ "↩ default" }</span>{ "error replaced by a default (fallback)" }</li>
            }
            <li><svg width="22" height="10" aria-hidden="true"><path class="strip-line" d="M0,9 L6,9 L6,2 L16,2 L16,6 L22,6" /></svg>{ "tasks in flight" }</li>
            // The ◇ / ◆ of the headings and figures, and the prediction's outline on the measured
            // lanes: shown (and drawn) by style.css once a run is measured.
            <li class="predicted">{ "predicted" }</li>
            <li class="measured">{ "measured" }</li>
        </ul>
    }
}
