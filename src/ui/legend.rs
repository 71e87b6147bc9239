//! What the colours on the lanes mean: only the states that this run actually shows.

use std::rc::Rc;

use yew::prelude::*;

use crate::core::event::{Kind, Phase};
use crate::core::timeline::Timeline;

#[derive(PartialEq, Properties)]
pub struct Props {
    pub timelines: Vec<Rc<Timeline>>,
}

/// `(class of the swatch, label)`, in reading order.
const ENTRIES: &[(&str, &str)] = &[
    ("work ok", "running (work, sleep or request)"),
    ("wait ok", "waiting for a semaphore permit"),
    ("acquire ok", "acquiring a resource (__aenter__)"),
    ("release ok", "releasing a resource (__aexit__)"),
    ("fetch ok", "fetch"),
    ("process ok", "process"),
    ("save ok", "save"),
    ("backoff ok", "backing off before a retry"),
    ("work fail", "failed attempt"),
    ("work timeout", "timed out"),
    ("work cancel", "cancelled"),
];

fn present(tl: &Timeline, class: &str) -> bool {
    let (phase, close) = class.split_once(' ').unwrap_or((class, "ok"));
    tl.bars.iter().any(|b| {
        let closes = match close {
            "fail" => b.close == Some(Kind::Fail),
            "timeout" => b.close == Some(Kind::Timeout),
            "cancel" => b.close == Some(Kind::Cancel),
            _ => true,
        };
        let phase_ok = match phase {
            "wait" => b.phase == Phase::Wait,
            "acquire" => b.phase == Phase::Acquire,
            "release" => b.phase == Phase::Release,
            "fetch" => b.phase == Phase::Fetch,
            "process" => b.phase == Phase::Process,
            "save" => b.phase == Phase::Save,
            "backoff" => b.phase == Phase::Backoff,
            _ => close != "ok" || matches!(b.phase, Phase::Work),
        };
        closes && phase_ok
    })
}

#[component]
pub fn Legend(props: &Props) -> Html {
    let shown: Vec<&(&str, &str)> =
        ENTRIES.iter().filter(|(class, _)| props.timelines.iter().any(|tl| present(tl, class))).collect();
    let fallback = props.timelines.iter().any(|tl| tl.marks.iter().any(|m| m.kind == Kind::Fallback));
    html! {
        <ul class="legend" aria-label="Legend">
            { for shown.iter().map(|(class, label)| html! {
                <li><svg width="22" height="10" aria-hidden="true"><rect class={format!("bar {class}")} width="22" height="10" rx="2" /></svg>{ *label }</li>
            }) }
            if fallback {
                <li><span class="mark-fallback" aria-hidden="true">{ "↩ default" }</span>{ "error replaced by a default (fallback)" }</li>
            }
            <li><svg width="22" height="10" aria-hidden="true"><path class="strip-line" d="M0,9 L6,9 L6,2 L16,2 L16,6 L22,6" /></svg>{ "tasks in flight" }</li>
        </ul>
    }
}
