//! Predicted and measured figures side by side, with the gap between them explained.

use std::rc::Rc;

use yew::prelude::*;

use crate::core::run::Summary;
use crate::core::timeline::format_ms;

#[derive(PartialEq, Properties)]
pub struct Props {
    pub predicted: Option<Rc<Summary>>,
    pub measured: Option<Rc<Summary>>,
    /// Why the measured run differs from the prediction (see `core::gap`).
    #[prop_or_default]
    pub causes: Rc<Vec<String>>,
}

fn cell(v: Option<String>) -> Html {
    html! { <td>{ v.unwrap_or_else(|| "–".into()) }</td> }
}

#[component]
pub fn SummaryView(props: &Props) -> Html {
    let p = props.predicted.as_deref();
    let m = props.measured.as_deref();
    type Row = (&'static str, &'static str, fn(&Summary) -> String);
    let rows: [Row; 8] = [
        ("makespan", "Makespan (start to last finish)", |s| format_ms(s.makespan_ms)),
        ("busy", "Sum of task durations", |s| format_ms(s.busy_ms)),
        ("speedup", "Speedup (sum ÷ makespan)", |s| format!("{:.2}×", s.speedup())),
        ("peak", "Peak concurrency", |s| s.peak_concurrency.to_string()),
        ("attempts", "Attempts", |s| s.attempts.to_string()),
        ("failures", "Failed tasks (their own error)", |s| s.failed_on_their_own().to_string()),
        ("cancelled", "Cancelled tasks", |s| s.cancelled.to_string()),
        ("timed-out", "Timed-out tasks", |s| s.timed_out.to_string()),
    ];
    let gap = match (p, m) {
        (Some(p), Some(m)) => {
            let d = m.makespan_ms - p.makespan_ms;
            let headline = if d.abs() < 1.0 {
                "The browser kept to the prediction within a millisecond.".to_string()
            } else if d > 0.0 {
                format!("The measured run took {} longer than predicted.", format_ms(d))
            } else {
                format!("The measured run took {} less than predicted.", format_ms(-d))
            };
            Some(html! {
                <div class="gap" data-gap-ms={format!("{d:.1}")}>
                    <p>{ headline }</p>
                    if !props.causes.is_empty() {
                        <ul class="causes">{ for props.causes.iter().map(|c| html! { <li>{ c.clone() }</li> }) }</ul>
                    }
                </div>
            })
        }
        _ => None,
    };
    html! {
        <section class="summary" aria-label="Run summary">
            <table>
                <thead><tr><th scope="col"></th><th scope="col">{ "Predicted" }</th><th scope="col">{ "Measured" }</th></tr></thead>
                <tbody>
                    { for rows.iter().map(|(id, label, f)| html! {
                        <tr data-row={*id}>
                            <th scope="row">{ *label }</th>
                            { cell(p.map(f)) }
                            { cell(m.map(f)) }
                        </tr>
                    }) }
                </tbody>
            </table>
            { for gap }
        </section>
    }
}
