//! The main-thread strip under a CPU run's lanes: when the event loop was busy computing (inline
//! `source=cpu` work, [`crate::core::cpu::busy_intervals`]), drawn on the lanes' time axis.
//! Nothing else could run then, not even the page's own drawing.

use yew::prelude::*;

use super::geometry::{px, Geometry};
use crate::core::timeline::format_ms;

const HEIGHT: f64 = 22.0;

/// The strip of `busy` intervals `(task, start, end)` ms, on `g`'s time window.
pub fn strip(busy: &[(u32, f64, f64)], g: &Geometry) -> Html {
    let x = |t: f64| g.x(t);
    let total: f64 = busy.iter().map(|b| b.2 - b.1).sum();
    let label = format!("event loop busy {}", format_ms(total));
    html! {
        <svg class="busy-strip" viewBox={format!("0 0 {:.0} {HEIGHT}", g.width)} role="img" aria-label={label}
             preserveAspectRatio="xMinYMin meet" data-busy-ms={format!("{total:.1}")}>
            <text class="strip-label" x={(g.gutter - 8.0).to_string()} y={(HEIGHT / 2.0).to_string()}>{ "event loop busy" }</text>
            <line class="strip-base" x1={g.gutter.to_string()} x2={g.right().to_string()}
                  y1={(HEIGHT - 2.0).to_string()} y2={(HEIGHT - 2.0).to_string()} />
            { for busy.iter().map(|&(task, t0, t1)| html! {
                <rect class="busy" x={px(x(t0))} y="3" width={px((x(t1) - x(t0)).max(0.5))}
                      height={(HEIGHT - 6.0).to_string()}>
                    <title>{ format!("task {task} held the event loop {} (from {})", format_ms(t1 - t0), format_ms(t0)) }</title>
                </rect>
            }) }
        </svg>
    }
}
