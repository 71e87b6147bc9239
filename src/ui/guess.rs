//! "Guess first" (`guess=makespan` or `guess=peak` in the URL): until the reader answers, the
//! page hides the prediction (the body gets the class `guessing`, which static/lab.css reads);
//! then it shows their guess next to the prediction and the measurement (`core::guess`). Run
//! before an answer shows the run, so the page stops asking and shows the figures without a guess.

use std::rc::Rc;

use yew::prelude::*;

use super::url::query_pairs;
use crate::core::guess::Guess;
use crate::core::run::Summary;

#[derive(PartialEq, Properties)]
pub struct Props {
    pub predicted: Option<Rc<Summary>>,
    pub measured: Option<Rc<Summary>>,
    /// A run of these values is in the measured place (live, finished or replayed): it shows the
    /// answer, so the question is over.
    pub ran: bool,
    /// That run is live: its figures are still to come.
    pub running: bool,
}

/// Sets the body's `guessing` class while the reader has not answered.
#[hook]
fn use_guessing_class(guessing: bool) {
    use_effect_with(guessing, |&guessing| {
        if let Some(body) = web_sys::window().and_then(|w| w.document()).and_then(|d| d.body()) {
            let _ = if guessing { body.class_list().add_1("guessing") } else { body.class_list().remove_1("guessing") };
        }
    });
}

fn ask(guess: Guess, problem: Option<&str>, oninput: Callback<InputEvent>, onsubmit: Callback<SubmitEvent>) -> Html {
    html! {
        <form class="guess ask" id="guess" {onsubmit}>
            <label for="guess-input">{ guess.question() }</label>
            <input id="guess-input" type="text" inputmode="decimal" autocomplete="off" {oninput} />
            <button type="submit">{ "Show me" }</button>
            if let Some(p) = problem { <p class="guess-problem" role="alert">{ p.to_string() }</p> }
        </form>
    }
}

#[component]
pub fn GuessFirst(props: &Props) -> Html {
    let guess = use_memo((), |()| {
        query_pairs().into_iter().find(|(k, _)| k == "guess").and_then(|(_, v)| Guess::from_view(&v))
    });
    let text = use_state(String::new);
    let answer = use_state(|| None::<f64>);
    let problem = use_state(|| None::<String>);
    use_guessing_class(guess.is_some() && answer.is_none() && !props.ran);
    let result = use_node_ref();
    {
        // The answer replaces the form, which had the focus: the result takes it, so the keyboard
        // does not start again from the body and a screen reader reads how far off the guess was.
        let result = result.clone();
        use_effect_with(answer.is_some(), move |&answered| {
            if let Some(table) = result.cast::<web_sys::HtmlElement>().filter(|_| answered) {
                let _ = table.focus();
            }
        });
    }
    let Some(guess) = *guess else { return Html::default() };
    if answer.is_none() && !props.ran {
        let oninput = {
            let text = text.clone();
            Callback::from(move |e: InputEvent| {
                text.set(e.target_unchecked_into::<web_sys::HtmlInputElement>().value())
            })
        };
        let onsubmit = {
            let (text, answer, problem) = (text.clone(), answer.clone(), problem.clone());
            Callback::from(move |e: SubmitEvent| {
                e.prevent_default();
                match guess.read(&text) {
                    Ok(x) => answer.set(Some(x)),
                    Err(p) => problem.set(Some(p)),
                }
            })
        };
        return ask(guess, problem.as_deref(), oninput, onsubmit);
    }
    let rows = guess.rows(*answer, props.predicted.as_deref(), props.measured.as_deref(), props.running);
    html! {
        <table class="guess result" id="guess-result" ref={result} tabindex="-1">
            <caption>{ match guess { Guess::Makespan => "Makespan", Guess::Peak => "Peak concurrency" } }</caption>
            { for rows.into_iter().map(|(who, figure)| html! { <tr><th scope="row">{ who }</th><td>{ figure }</td></tr> }) }
        </table>
    }
}
