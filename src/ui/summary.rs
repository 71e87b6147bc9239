//! The run's figures: the few that matter as compact figures (predicted, and measured once there
//! is one), every figure in a table one click away, and the gap between them explained.

use std::rc::Rc;

use yew::prelude::*;

use crate::core::run::Summary;
use crate::core::timeline::format_ms;
use crate::core::view::{FIGURES, ROWS};

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

/// One compact figure: the predicted value, and the measured one beside it once there is one.
fn figure(
    id: &'static str,
    label: &'static str,
    f: fn(&Summary) -> String,
    p: Option<&Summary>,
    m: Option<&Summary>,
) -> Html {
    html! {
        <div class="figure" data-figure={id}>
            <dt>{ label }</dt>
            <dd>
                <span class="predicted" title="predicted">{ p.map(f).unwrap_or_else(|| "–".into()) }</span>
                if let Some(m) = m {
                    <span class="measured" title="measured">{ f(m) }</span>
                }
            </dd>
        </div>
    }
}

fn gap(p: &Summary, m: &Summary, causes: &[String]) -> Html {
    let d = m.makespan_ms - p.makespan_ms;
    let mut headline = if d.abs() < 1.0 {
        "The browser kept to the prediction within a millisecond.".to_string()
    } else if d > 0.0 {
        format!("The measured run took {} longer than predicted.", format_ms(d))
    } else {
        format!("The measured run took {} less than predicted.", format_ms(-d))
    };
    // Said on the closed line too: a different count of cancelled or timed-out tasks changes the lesson.
    if crate::core::gap::outcomes_differ(p, m) {
        headline.push_str(" Its outcomes differ too.");
    }
    html! {
        <details class="gap" data-gap-ms={format!("{d:.1}")}>
            // Closed at 1280 px it may be cut with an ellipsis (style.css): the whole line on hover.
            <summary title={headline.clone()}>{ headline }</summary>
            if causes.is_empty() {
                <p>{ "No cause found beyond the usual scheduling noise." }</p>
            } else {
                <ul class="causes">{ for causes.iter().map(|c| html! { <li>{ c.clone() }</li> }) }</ul>
            }
        </details>
    }
}

#[component]
pub fn SummaryView(props: &Props) -> Html {
    let p = props.predicted.as_deref();
    let m = props.measured.as_deref();
    html! {
        <section class="summary" aria-label="Run summary">
            <dl class={classes!("figures", m.is_some().then_some("with-measured"))} id="figures">
                { for FIGURES.iter().map(|(id, label, f)| figure(id, label, *f, p, m)) }
            </dl>
            <details class="all-figures">
                <summary>{ "All figures" }</summary>
                <table>
                    <thead><tr><th scope="col"><span class="visually-hidden">{ "Figure" }</span></th><th scope="col">{ "Predicted" }</th><th scope="col">{ "Measured" }</th></tr></thead>
                    <tbody>
                        { for ROWS.iter().map(|(id, label, f)| html! {
                            <tr data-row={*id}>
                                <th scope="row">{ *label }</th>
                                { cell(p.map(f)) }
                                { cell(m.map(f)) }
                            </tr>
                        }) }
                    </tbody>
                </table>
            </details>
            if let (Some(p), Some(m)) = (p, m) { { gap(p, m, &props.causes) } }
        </section>
    }
}
