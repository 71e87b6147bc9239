//! Replay controls for a recorded run: play/pause, speed, a scrubber, step back and forth, the
//! keyboard (space, arrows, Home/End), and an event log that follows the playhead.

use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use super::state::ReplayCmd;
use crate::core::replay::describe_waiting;
use crate::core::timeline::format_ms;
use crate::core::view::Replaying;

/// Speeds offered in the menu.
const SPEED_CHOICES: &[f64] = &[0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0];
/// Log lines shown before the playhead.
const LOG_LINES: usize = 6;

/// The replay panel of run `replaying`, whose log says a `wait` span is `waiting` (what
/// [`crate::core::view::described`] names); `on_cmd` gets its commands. A plain function, not a
/// component: it has no state, and its callback is new on every render of the page, so a
/// component would re-render as often and only add code.
pub fn replay_panel(replaying: &Replaying, waiting: &'static str, on_cmd: &Callback<ReplayCmd>) -> Html {
    let (r, run) = (&replaying.replay, &replaying.run);
    let cmd = |c: fn() -> ReplayCmd| on_cmd.reform(move |_: MouseEvent| c());
    let onkeydown = {
        let on_cmd = on_cmd.clone();
        let end = r.end();
        Callback::from(move |e: KeyboardEvent| {
            // Keys typed into the form belong to the form.
            let cmd = match e.key().as_str() {
                " " | "k" => ReplayCmd::Toggle,
                "ArrowRight" => ReplayCmd::StepForward,
                "ArrowLeft" => ReplayCmd::StepBack,
                "Home" => ReplayCmd::Seek(0.0),
                "End" => ReplayCmd::Seek(end),
                _ => return,
            };
            e.prevent_default();
            on_cmd.emit(cmd);
        })
    };
    let oninput = on_cmd.reform(|e: InputEvent| {
        let el: HtmlInputElement = e.target_unchecked_into();
        ReplayCmd::Seek(el.value().parse().unwrap_or(0.0))
    });
    let onchange = on_cmd.reform(|e: Event| {
        let el: HtmlSelectElement = e.target_unchecked_into();
        ReplayCmd::Speed(el.value().parse().unwrap_or(1.0))
    });
    let label = |task: u32| run.label(task);
    let first = r.cursor.saturating_sub(LOG_LINES);
    let log = run.events[first..r.cursor.min(run.events.len())].iter().enumerate().map(|(i, e)| {
        let current = first + i + 1 == r.cursor;
        html! { <li class={classes!(current.then_some("current"))} aria-current={current.then_some("step")}>{ describe_waiting(e, &label(e.task), waiting) }</li> }
    });
    let clock = match run.clock {
        crate::core::scenario::ClockKind::Browser => "measured",
        crate::core::scenario::ClockKind::Virtual => "predicted",
    };
    html! {
        <section class="replay" aria-label="Replay" tabindex="0" {onkeydown}>
            <h3>{ format!("Replay of run #{} ({clock})", replaying.number) }</h3>
            <div class="replay-controls">
                <button type="button" id="replay-back" title="Previous event (←)" aria-label="Previous event" onclick={cmd(|| ReplayCmd::StepBack)}>{ "← Previous" }</button>
                <button type="button" id="replay-toggle" class="primary"
                        title="Play / pause (space)" onclick={cmd(|| ReplayCmd::Toggle)}>{ if r.playing { "Pause" } else { "Play ▶" } }</button>
                <button type="button" id="replay-forward" title="Next event (→)" aria-label="Next event" onclick={cmd(|| ReplayCmd::StepForward)}>{ "Next →" }</button>
                <input type="range" id="replay-scrub" aria-label="Playhead" min="0" max={r.end().to_string()} step="any"
                       value={r.position.to_string()} {oninput}
                       aria-valuetext={format!("{}, event {} of {}", format_ms(r.position), r.cursor, r.len())} />
                <output id="replay-time" for="replay-scrub">{ format!("{} / {}", format_ms(r.position), format_ms(r.end())) }</output>
                <label class="speed">{ "Speed " }
                    <select id="replay-speed" {onchange}>
                        { for SPEED_CHOICES.iter().map(|s| html! { <option value={s.to_string()} selected={(*s - r.speed).abs() < 1e-9}>{ format!("{s}×") }</option> }) }
                    </select>
                </label>
                <span class="event-count" id="replay-cursor">{ format!("event {} of {}", r.cursor, r.len()) }</span>
            </div>
            <ol class="log" id="replay-log" aria-live="polite" start={(first + 1).to_string()}>{ for log }</ol>
            <p class="hint">{ "Keys: space plays or pauses, ← and → step one event, Home and End jump to the ends." }</p>
        </section>
    }
}
