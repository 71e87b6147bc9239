//! The code behind the current scenario: the asyncio version and awaitlab's Rust, side by side.

use std::rc::Rc;

use yew::prelude::*;

use crate::core::code;
use crate::core::scenario::Scenario;

#[derive(PartialEq, Properties)]
pub struct Props {
    pub scenario: Rc<Scenario>,
}

#[component]
pub fn CodePanel(props: &Props) -> Html {
    let python = use_memo(props.scenario.clone(), |s| code::python(s));
    let rust = use_memo(props.scenario.clone(), |s| code::rust(s));
    html! {
        <details class="code-panel">
            <summary>{ "The code: Python asyncio and awaitlab's Rust, with these parameters" }</summary>
            <div class="code-columns">
                <figure>
                    <figcaption>{ "Python (asyncio)" }</figcaption>
                    <pre><code class="language-python">{ (*python).clone() }</code></pre>
                </figure>
                <figure>
                    <figcaption>{ "Rust (what awaitlab runs)" }</figcaption>
                    <pre><code class="language-rust">{ (*rust).clone() }</code></pre>
                </figure>
            </div>
        </details>
    }
}
