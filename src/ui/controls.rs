//! The scenario form: a field per parameter of the current pattern, each with its error beside
//! it (the key ones in view, the rest one click away under "More keys"), a slider beside every
//! number that re-predicts as it moves, the Run button, and one-click examples from the article.

use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use crate::core::scenario::{Field, FieldKind, ParamError, Scenario};

/// What [`controls`] shows, borrowed from the page's state.
pub struct ControlsProps<'a> {
    /// The scenario whose fields are shown (the last valid one).
    pub scenario: &'a Scenario,
    /// The form's text per key.
    pub values: &'a [(String, String)],
    pub errors: &'a [ParamError],
    pub running: bool,
    /// A note about a change the form made by itself.
    pub hint: Option<AttrValue>,
    pub on_edit: Callback<(String, String)>,
    pub on_run: Callback<()>,
    /// Run cannot run now: the id of what says why (the code editor's problem), which describes
    /// the disabled button.
    pub run_blocked: Option<AttrValue>,
    pub on_cancel: Callback<()>,
    /// An example was picked: load this query and run it.
    pub on_example: Callback<&'static str>,
    /// Sliders re-predict on every move (`input`); past [`LIVE_SLIDER_TASKS`] only on release.
    pub live: bool,
    /// A compact embed: only these fields (`controls=limit,tasks`), without help, examples or the
    /// Run button (which sits in the embed's bar); none renders no form.
    pub only: Option<Vec<&'static str>>,
}

/// Up to this many tasks a slider re-predicts as it moves; beyond, when it is let go.
pub const LIVE_SLIDER_TASKS: u32 = 1_000;

/// The keys shown in the form's first row; every other field of the pattern is under "More keys".
const KEY_FIELDS: &[&str] =
    &["pattern", "preset", "tasks", "min", "max", "fail", "limit", "retries", "delay", "timeout", "errors"];

/// A slider for a number field, within its range, reporting moves as edits of the same key.
fn slider(
    field: &Field,
    (min, max, step): (f64, f64, f64),
    value: &str,
    live: bool,
    on_edit: &Callback<(String, String)>,
) -> Html {
    // A value outside the range (or `none`) puts the thumb at an end.
    let (key, label) = (field.key, field.label);
    let at = value.trim().parse::<f64>().ok().filter(|v| v.is_finite()).unwrap_or(max).clamp(min, max);
    let emit = {
        let on_edit = on_edit.clone();
        move |el: HtmlInputElement| on_edit.emit((key.to_string(), el.value()))
    };
    let (oninput, onchange) = if live {
        let emit = emit.clone();
        (Some(Callback::from(move |e: InputEvent| emit(e.target_unchecked_into()))), None)
    } else {
        (None, Some(Callback::from(move |e: Event| emit(e.target_unchecked_into()))))
    };
    html! {
        <input type="range" class="slider" name={key} id={format!("slider-{key}")}
            aria-label={format!("{label} (slider)")} min={min.to_string()} max={max.to_string()} step={step.to_string()}
            value={at.to_string()} {oninput} {onchange} />
    }
}

/// The article's examples, as `(label, query)`.
pub const EXAMPLES: &[(&str, &str)] = &[
    ("Breakfast, one thing at a time", "pattern=sequential&preset=breakfast"),
    ("Breakfast with gather", "pattern=gather&preset=breakfast"),
    ("20 requests, one by one", "pattern=sequential&preset=random&tasks=20&min=50&max=250&seed=1"),
    ("20 requests with gather", "pattern=gather&preset=random&tasks=20&min=50&max=250&seed=1"),
];

/// A text input or a menu for one field, reporting edits as `(key, value)`.
fn input(
    field: &Field,
    value: String,
    invalid: Option<&'static str>,
    described: Option<String>,
    live: bool,
    on_edit: &Callback<(String, String)>,
) -> Html {
    let (key, id) = (field.key, format!("field-{}", field.key));
    let on_edit = on_edit.clone();
    match &field.kind {
        FieldKind::Number { min, max, step } => {
            let range = slider(field, (*min, *max, *step), &value, live, &on_edit);
            let chars = format!("--chars: {}", value.chars().count());
            let oninput = Callback::from(move |e: InputEvent| {
                let el: HtmlInputElement = e.target_unchecked_into();
                on_edit.emit((key.to_string(), el.value()));
            });
            html! {
                <div class="number">
                    // As wide as its value's characters (static/style.css), 7ch at least.
                    <input id={id} name={key} type="text" inputmode="decimal" style={chars} value={value}
                        data-min={min.to_string()} data-max={max.to_string()} data-step={step.to_string()}
                        aria-invalid={invalid} aria-describedby={described} {oninput} />
                    { range }
                </div>
            }
        }
        FieldKind::Text => {
            let oninput = Callback::from(move |e: InputEvent| {
                let el: HtmlInputElement = e.target_unchecked_into();
                on_edit.emit((key.to_string(), el.value()));
            });
            html! {
                <input id={id} name={key} type="text" spellcheck="false" value={value}
                    aria-invalid={invalid} aria-describedby={described} {oninput} />
            }
        }
        FieldKind::Choice(options) => {
            let onchange = Callback::from(move |e: Event| {
                let el: HtmlSelectElement = e.target_unchecked_into();
                on_edit.emit((key.to_string(), el.value()));
            });
            html! {
                <select id={id} name={key} aria-invalid={invalid} aria-describedby={described} {onchange}>
                    { for options.iter().map(|(v, label)| html! {
                        <option value={*v} selected={value == *v}>{ *label }</option>
                    }) }
                </select>
            }
        }
    }
}

/// One field: its label, its input, and its error or its help.
fn field(props: &ControlsProps, field: &Field) -> Html {
    // A field that became relevant after a pattern change shows the value the run would use.
    let key = field.key;
    let value = props
        .values
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.clone())
        .unwrap_or_else(|| props.scenario.value(key));
    let error = props.errors.iter().find(|e| e.key == key).map(|e| e.message.clone());
    let err_id = format!("error-{key}");
    let invalid = error.is_some().then_some("true");
    let help_id = format!("help-{key}");
    let described = Some(if error.is_some() { err_id.clone() } else { help_id.clone() });
    html! {
        <div class={classes!("field", error.is_some().then_some("has-error"))} key={key}>
            <label for={format!("field-{key}")} title={field.help}>{ field.label }</label>
            { input(field, value, invalid, described, props.live, &props.on_edit) }
            if let Some(message) = error {
                <p class="field-error" id={err_id} role="alert">{ message }</p>
            } else if props.only.is_none() {
                <p class="field-help" id={help_id}>{ field.help }</p>
            }
        </div>
    }
}

/// A compact embed's form: the fields its link names, in its order, those the pattern has.
fn compact(props: &ControlsProps, only: &[&'static str]) -> Html {
    let all = props.scenario.fields();
    let fields: Vec<&Field> = only.iter().filter_map(|k| all.iter().find(|f| f.key == *k)).collect();
    if fields.is_empty() {
        return Html::default();
    }
    let onsubmit = Callback::from(|e: SubmitEvent| e.prevent_default());
    let errors = props.errors.iter().filter(|e| !fields.iter().any(|f| f.key == e.key));
    html! {
        <form class="controls compact-fields" {onsubmit} novalidate=true aria-label="Scenario">
            <div class="fields">{ for fields.iter().map(|f| field(props, f)) }</div>
            { for errors.map(|e| html! { <p class="field-error" role="alert">{ e.message.clone() }</p> }) }
        </form>
    }
}

/// The form. A plain function, not a component: its callbacks are new on every render of the page,
/// so a component would re-render as often and only add code.
pub fn controls(props: &ControlsProps) -> Html {
    if let Some(only) = &props.only {
        return compact(props, only);
    }
    let all = props.scenario.fields();
    let (key_fields, more): (Vec<&Field>, Vec<&Field>) = all.iter().partition(|f| KEY_FIELDS.contains(&f.key));
    let fields = key_fields.iter().map(|f| field(props, f));
    // An error in a field under "More keys" opens it.
    let more_open = more.iter().any(|f| props.errors.iter().any(|e| e.key == f.key));
    let more_fields = more.iter().map(|f| field(props, f));
    let more_count = more.len();
    // Errors for keys without a field (e.g. from an old link) still need to be seen.
    let shown: Vec<&str> = all.iter().map(|f| f.key).collect();
    let other_errors: Vec<&ParamError> = props.errors.iter().filter(|e| !shown.contains(&e.key.as_str())).collect();

    let onsubmit = {
        let on_run = props.on_run.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            on_run.emit(());
        })
    };
    // Run starts from the button's click (Enter in a field clicks it too), not from the form's
    // submission: an embed sandboxed without allow-forms, as the embed snippet is, never fires
    // submit. Cancelling the click leaves no submission to block.
    let on_run_click = {
        let on_run = props.on_run.clone();
        Callback::from(move |e: MouseEvent| {
            e.prevent_default();
            on_run.emit(());
        })
    };
    let on_cancel = props.on_cancel.reform(|_: MouseEvent| ());
    html! {
        <form class="controls" {onsubmit} novalidate=true aria-label="Scenario">
            <div class="fields">
                // The fields in a fragment of their own, all keyed, so that Yew matches them by key.
                // Among the unkeyed siblings after them, it matched children from the end: when
                // the pattern changed the fields (gather → retry adds two), every field was made
                // anew, and the select the reader was arrowing through lost the focus to the body.
                <>{ for fields }</>
                if more_count > 0 {
                    <details class="more-keys" id="more-keys" open={more_open}>
                        <summary>{ format!("More keys ({more_count})") }</summary>
                        <div class="fields">{ for more_fields }</div>
                    </details>
                }
                <details class="examples-menu">
                    <summary>{ "Examples" }</summary>
                    <div class="examples" role="group" aria-label="Examples from the article">
                        { for EXAMPLES.iter().map(|(label, query)| {
                            let on_example = props.on_example.clone();
                            html! { <button type="button" class="example" onclick={move |_| on_example.emit(*query)}>{ *label }</button> }
                        }) }
                    </div>
                </details>
                <div class="actions">
                    <button type="submit" id="run" class="primary" onclick={on_run_click} disabled={props.run_blocked.is_some()}
                        aria-describedby={props.run_blocked.clone()}>{ if props.running { "Run again" } else { "Run" } }</button>
                    if props.running {
                        <button type="button" id="cancel" onclick={on_cancel}>{ "Cancel" }</button>
                    }
                </div>
            </div>
            { for other_errors.iter().map(|e| html! { <p class="field-error" role="alert">{ e.message.clone() }</p> }) }
            <p class="hint" id="form-hint" role="status">{ props.hint.clone().unwrap_or_default() }</p>
        </form>
    }
}
