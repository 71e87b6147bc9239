//! "What if": a click on a bar of the predicted timeline (SVG or canvas), or Enter on it, opens a
//! menu that changes that attempt's plan (fail or succeed, ×2 or ÷2) or cancels its task at the
//! bar's middle; the choice goes into the scenario's `what_if` key (so into the link), and the
//! prediction is made again from it.
//!
//! The timeline picks the bar (`timeline_view::Pick`); this is the menu, after the WAI-ARIA menu
//! pattern: focus moves to its first item, ↑/↓ (Home/End) move between items, Enter or Space
//! chooses, and Escape or Tab closes it, giving focus back to the bar it was opened from. A click
//! anywhere outside it and outside the predicted plot (whose clicks pick again) closes it too.

use std::rc::Rc;

use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use web_sys::Element;
use yew::prelude::*;

use super::timeline_view::{focus, Pick};
use crate::core::scenario::Scenario;
use crate::core::timeline::format_ms;
use crate::core::what_if::{Change, Outcome, Speed};

#[derive(PartialEq, Properties)]
pub struct Props {
    pub scenario: Rc<Scenario>,
    /// The bar the menu is open for.
    pub pick: Option<Pick>,
    /// Opens the menu for another bar, or closes it (`None`).
    pub on_pick: Callback<Option<Pick>>,
    /// Edits a scenario key (`what_if`), as the form does.
    pub on_edit: Callback<(String, String)>,
}

/// Closes the menu on a click outside it and outside the predicted plot.
#[hook]
fn use_outside_clicks(on_pick: Callback<Option<Pick>>) {
    use_effect_with((), move |()| {
        let listener = Closure::<dyn Fn(web_sys::MouseEvent)>::new(move |e: web_sys::MouseEvent| {
            let el = e.target().and_then(|t| t.dyn_into::<Element>().ok());
            let inside = |sel: &str| el.as_ref().and_then(|el| el.closest(sel).ok().flatten()).is_some();
            if !inside("#bar-menu") && !inside("figure.timeline.predicted .plot") {
                on_pick.emit(None);
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

/// The menu's items, in order.
fn items(menu: &Element) -> Vec<Element> {
    let Ok(list) = menu.query_selector_all("[role=menuitem]") else { return Vec::new() };
    (0..list.length()).filter_map(|i| list.item(i)?.dyn_into::<Element>().ok()).collect()
}

/// Closes the menu, giving focus back to the bar it was opened from (if it is still on the page).
fn close(on_pick: &Callback<Option<Pick>>, pick: &Pick) {
    if let Some(el) = pick.return_to.as_ref().filter(|el| el.is_connected()) {
        focus(el);
    }
    on_pick.emit(None);
}

/// Closes the menu after a change, giving focus back to the bar's lane: the change draws the
/// timeline anew and its bars with it, so the bar itself may go, and the focus to the page's body
/// with it; the lane (keyed) stays. A canvas plot is its own return target and stays too.
fn close_changed(on_pick: &Callback<Option<Pick>>, pick: &Pick) {
    let lane = pick.return_to.as_ref().and_then(|el| el.closest("g.lane").ok().flatten());
    close(on_pick, &Pick { return_to: lane.or_else(|| pick.return_to.clone()), ..pick.clone() });
}

/// Arrow keys, Home/End, Escape and Tab inside the menu.
fn onkeydown(on_pick: Callback<Option<Pick>>, pick: Pick) -> Callback<KeyboardEvent> {
    Callback::from(move |e: KeyboardEvent| {
        let Some(menu) = e.current_target().and_then(|t| t.dyn_into::<Element>().ok()) else { return };
        let all = items(&menu);
        let active = web_sys::window().and_then(|w| w.document()).and_then(|d| d.active_element());
        let at = active.and_then(|a| all.iter().position(|i| *i == a));
        let n = all.len();
        let next = match e.key().as_str() {
            "ArrowDown" => at.map_or(0, |i| (i + 1) % n.max(1)),
            "ArrowUp" => at.map_or(n.saturating_sub(1), |i| (i + n - 1) % n.max(1)),
            "Home" => 0,
            "End" => n.saturating_sub(1),
            "Escape" | "Tab" => {
                e.prevent_default();
                close(&on_pick, &pick);
                return;
            }
            _ => return,
        };
        e.prevent_default();
        if let Some(item) = all.get(next) {
            focus(item);
        }
    })
}

fn item(label: String, change: &'static str, onclick: Callback<MouseEvent>) -> Html {
    html! { <button type="button" role="menuitem" tabindex="-1" data-change={change} {onclick}>{ label }</button> }
}

/// Where the menu opens: at the pick, kept inside the window.
fn position(pick: &Pick) -> String {
    let window = web_sys::window();
    let size = |f: fn(&web_sys::Window) -> Result<wasm_bindgen::JsValue, wasm_bindgen::JsValue>| {
        window.as_ref().and_then(|w| f(w).ok()).and_then(|v| v.as_f64()).unwrap_or(f64::MAX)
    };
    // About the menu's size: 17rem wide, seven rows.
    let left = f64::from(pick.x).min(size(web_sys::Window::inner_width) - 280.0).max(4.0);
    let top = f64::from(pick.y).min(size(web_sys::Window::inner_height) - 260.0).max(4.0);
    format!("left: {left:.0}px; top: {top:.0}px")
}

#[component]
pub fn BarMenu(props: &Props) -> Html {
    use_outside_clicks(props.on_pick.clone());
    // Focus goes into the menu when it opens, as a menu button's does.
    use_effect_with(props.pick.clone(), |pick| {
        let menu = web_sys::window().and_then(|w| w.document()).and_then(|d| d.get_element_by_id("bar-menu"));
        if let (Some(_), Some(first)) = (pick, menu.as_ref().and_then(|m| items(m).into_iter().next())) {
            focus(&first);
        }
    });
    let Some(t) = props.pick.clone() else { return Html::default() };
    let what_if = &props.scenario.what_if;
    let (outcome, speed) = what_if.plan_of(t.task, t.attempt).unwrap_or((None, None));
    let choose = |change: Option<Change>, attempt: u32| {
        let (on_edit, on_pick, t) = (props.on_edit.clone(), props.on_pick.clone(), t.clone());
        let value = what_if.with(t.task, attempt, change).to_string();
        Callback::from(move |_: MouseEvent| {
            on_edit.emit(("what_if".to_string(), value.clone()));
            close_changed(&on_pick, &t);
        })
    };
    let plan = |outcome, speed| Some(Change::Plan { outcome, speed });
    let flip = if t.fails {
        (Outcome::Ok, "ok", "Make this attempt succeed")
    } else {
        (Outcome::Fail, "fail", "Make this attempt fail")
    };
    let changed = what_if.describe(t.task, t.attempt);
    let on_close = choose_close(&props.on_pick, &t);
    html! {
        <div class="bar-menu" id="bar-menu" style={position(&t)} onkeydown={onkeydown(props.on_pick.clone(), t.clone())}>
            <p class="bar-menu-title" id="bar-menu-title">{ format!("What if… task {}, attempt {}", t.task, t.attempt) }</p>
            if let Some((picked, part)) = t.unplanned {
                // On a save bar, "twice as slow" doubled the fetch without a word.
                <p class="bar-menu-note">{ format!("These change the attempt's {part}, which the plan times: its {picked} has no plan of its own.") }</p>
            }
            if let Some(c) = &changed { <p class="bar-menu-note">{ c.clone() }</p> }
            <div role="menu" aria-labelledby="bar-menu-title" aria-orientation="vertical">
                { item(flip.2.to_string(), flip.1, choose(plan(Some(flip.0), speed), t.attempt)) }
                { item("Twice as slow (×2)".into(), "x2", choose(plan(outcome, Some(Speed::Slower)), t.attempt)) }
                { item("Twice as fast (÷2)".into(), "half", choose(plan(outcome, Some(Speed::Faster)), t.attempt)) }
                { item(format!("Cancel the task here (at {}, the bar's middle)", format_ms(f64::from(t.middle))), "cancel",
                       choose(Some(Change::CancelAt(t.middle)), 0)) }
                if changed.is_some() {
                    { item("Undo this attempt's change".into(), "undo", choose(None, t.attempt)) }
                    if what_if.cancel_at(t.task).is_some() {
                        { item("Undo the task's cancel".into(), "uncancel", choose(None, 0)) }
                    }
                }
                { item("Close (Esc)".into(), "close", on_close) }
            </div>
        </div>
    }
}

/// The "Close" item: closes without a change.
fn choose_close(on_pick: &Callback<Option<Pick>>, pick: &Pick) -> Callback<MouseEvent> {
    let (on_pick, pick) = (on_pick.clone(), pick.clone());
    Callback::from(move |_: MouseEvent| close(&on_pick, &pick))
}
