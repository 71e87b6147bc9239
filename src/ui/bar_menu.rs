//! "What if": a click on a bar of the predicted timeline opens a menu that changes that attempt's
//! plan (fail or succeed, ×2 or ÷2) or cancels its task at the bar's middle; the choice goes into
//! the scenario's `what_if` key (so into the link), and the prediction is made again from it.
//!
//! The menu listens for clicks on the document (bars carry `data-task`, `data-attempt`,
//! `data-start` and `data-end`), so the timeline itself needs no callback.

use std::rc::Rc;

use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use yew::prelude::*;

use crate::core::scenario::Scenario;
use crate::core::timeline::format_ms;
use crate::core::what_if::{Change, Outcome, Speed};

/// The bar the menu is open for, and where.
#[derive(Clone, Copy, PartialEq)]
struct Target {
    task: u32,
    attempt: u32,
    /// The bar's middle, whole ms: where "cancel here" cancels the task.
    middle: u32,
    fails: bool,
    x: i32,
    y: i32,
}

/// The predicted bar a click landed on, if any.
fn target_of(e: &web_sys::MouseEvent) -> Option<Target> {
    let el = e.target()?.dyn_into::<web_sys::Element>().ok()?;
    let bar = el.closest("figure.timeline.predicted rect.bar[data-attempt]").ok()??;
    let num = |name: &str| bar.get_attribute(name).and_then(|v| v.parse::<f64>().ok());
    let attempt = num("data-attempt")? as u32;
    if attempt == 0 {
        return None;
    }
    let (start, end) = (num("data-start")?, num("data-end")?);
    Some(Target {
        task: num("data-task")? as u32,
        attempt,
        middle: ((start + end) / 2.0).floor().max(0.0) as u32,
        fails: bar.class_list().contains("fail"),
        x: e.client_x(),
        y: e.client_y(),
    })
}

#[derive(PartialEq, Properties)]
pub struct Props {
    pub scenario: Rc<Scenario>,
    /// Edits a scenario key (`what_if`), as the form does.
    pub on_edit: Callback<(String, String)>,
}

/// Opens the menu on a click on a predicted bar, closes it on a click elsewhere.
#[hook]
fn use_bar_clicks(open: UseStateHandle<Option<Target>>) {
    use_effect_with((), move |()| {
        let listener = Closure::<dyn Fn(web_sys::MouseEvent)>::new(move |e: web_sys::MouseEvent| {
            let in_menu = e
                .target()
                .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
                .and_then(|el| el.closest("#bar-menu").ok().flatten())
                .is_some();
            if !in_menu {
                open.set(target_of(&e));
            }
        });
        let document = web_sys::window().and_then(|w| w.document());
        if let Some(d) = &document {
            let _ = d.add_event_listener_with_callback("click", listener.as_ref().unchecked_ref());
        }
        move || {
            if let Some(d) = document {
                let _ = d.remove_event_listener_with_callback("click", listener.as_ref().unchecked_ref());
            }
        }
    });
}

fn item(label: String, change: &'static str, onclick: Callback<MouseEvent>) -> Html {
    html! { <button type="button" role="menuitem" data-change={change} {onclick}>{ label }</button> }
}

#[component]
pub fn BarMenu(props: &Props) -> Html {
    let open = use_state(|| None::<Target>);
    use_bar_clicks(open.clone());
    let Some(t) = *open else { return Html::default() };
    let what_if = &props.scenario.what_if;
    let (outcome, speed) = what_if.plan_of(t.task, t.attempt).unwrap_or((None, None));
    let choose = |change: Option<Change>, attempt: u32| {
        let (on_edit, open) = (props.on_edit.clone(), open.clone());
        let value = what_if.with(t.task, attempt, change).to_string();
        Callback::from(move |_: MouseEvent| {
            on_edit.emit(("what_if".to_string(), value.clone()));
            open.set(None);
        })
    };
    let plan = |outcome, speed| Some(Change::Plan { outcome, speed });
    let flip = if t.fails {
        (Outcome::Ok, "ok", "Make this attempt succeed")
    } else {
        (Outcome::Fail, "fail", "Make this attempt fail")
    };
    let changed = what_if.describe(t.task, t.attempt);
    html! {
        <div class="bar-menu" id="bar-menu" role="menu" aria-label="What if"
             style={format!("left: {}px; top: {}px", t.x, t.y)}>
            <p class="bar-menu-title">{ format!("What if… task {}, attempt {}", t.task, t.attempt) }</p>
            { item(flip.2.to_string(), flip.1, choose(plan(Some(flip.0), speed), t.attempt)) }
            { item("Twice as slow (×2)".into(), "x2", choose(plan(outcome, Some(Speed::Slower)), t.attempt)) }
            { item("Twice as fast (÷2)".into(), "half", choose(plan(outcome, Some(Speed::Faster)), t.attempt)) }
            { item(format!("Cancel the task here (at {}, the bar's middle)", format_ms(f64::from(t.middle))), "cancel",
                   choose(Some(Change::CancelAt(t.middle)), 0)) }
            if let Some(c) = changed {
                <p class="bar-menu-note">{ c }</p>
                { item("Undo this attempt's change".into(), "undo", choose(None, t.attempt)) }
                if what_if.cancel_at(t.task).is_some() {
                    { item("Undo the task's cancel".into(), "uncancel", choose(None, 0)) }
                }
            }
            <button type="button" class="bar-menu-close" onclick={{ let open = open.clone(); move |_: MouseEvent| open.set(None) }}>{ "Close" }</button>
        </div>
    }
}
