//! Share, export and import: the buttons under the timelines (copy link, embed snippet, Run JSON,
//! SVG and Chrome trace downloads, import) and drag-and-drop of a Run JSON onto the page.

use std::rc::Rc;

use wasm_bindgen_futures::{spawn_local, JsFuture};
use yew::prelude::*;

use super::files::{download, file_stem, read_run, use_file_drop};
use super::url::{embed_snippet, share_link};
use super::Shared;
use crate::core::export::{chrome_trace, timeline_svg};
use crate::core::run::Run;
use crate::core::scenario::Scenario;
use crate::core::view::embed_height;

#[derive(PartialEq, Properties)]
pub struct Props {
    /// The run being replayed: what the export buttons save.
    pub run: Option<Shared<Run>>,
    /// The scenario a link or an embed reproduces.
    pub scenario: Rc<Scenario>,
    /// Its prediction, if there is one: how high its embed is (a program's lanes and output).
    pub predicted: Option<Shared<Run>>,
    /// A Run JSON was imported (the run and its file's name), or refused (why, naming the file).
    pub on_import: Callback<Result<(Run, String), String>>,
}

/// The panel's last message: whether it is an error, and its text.
type Message = UseStateHandle<Option<(bool, String)>>;

/// Imports a picked or dropped file; an error leaves the runs as they are. An import is said once,
/// by the status line (which names the file): the panel only clears its last message. A refusal
/// is said by the status line too, where a drop leaves the eyes, and beside the import button.
fn importer(message: &Message, on_import: &Callback<Result<(Run, String), String>>) -> Rc<dyn Fn(web_sys::File)> {
    let (message, on_import) = (message.clone(), on_import.clone());
    Rc::new(move |file: web_sys::File| {
        let (message, on_import) = (message.clone(), on_import.clone());
        let name = file.name();
        spawn_local(async move {
            let result = read_run(file).await.map(|run| (run, name));
            message.set(result.as_ref().err().map(|e| (true, e.clone())));
            on_import.emit(result);
        });
    })
}

/// An export button's click: downloads `run` as `kind` (`json`, `svg` or `trace`).
fn exporter(kind: &'static str, run: &Option<Shared<Run>>, message: &Message) -> Callback<MouseEvent> {
    let (run, message) = (run.clone(), message.clone());
    Callback::from(move |_: MouseEvent| {
        let Some(run) = run.as_ref() else { return };
        let stem = file_stem(run);
        let result = match kind {
            "json" => download(&format!("{stem}.json"), "application/json", &run.to_json()),
            "svg" => download(&format!("{stem}.svg"), "image/svg+xml", &timeline_svg(run)),
            _ => download(&format!("{stem}.trace.json"), "application/json", &chrome_trace(run)),
        };
        if result.is_err() {
            message.set(Some((true, "The browser refused the download.".into())));
        }
    })
}

/// Copy link: shows the link and copies it to the clipboard when the browser lets it.
fn link_copier(scenario: &Rc<Scenario>, link: &UseStateHandle<String>, message: &Message) -> Callback<MouseEvent> {
    let (scenario, link, message) = (scenario.clone(), link.clone(), message.clone());
    Callback::from(move |_: MouseEvent| {
        let url = share_link(&scenario);
        link.set(url.clone());
        let message = message.clone();
        let clipboard = web_sys::window().map(|w| w.navigator().clipboard());
        spawn_local(async move {
            let copied = match clipboard {
                Some(c) => JsFuture::from(c.write_text(&url)).await.is_ok(),
                None => false,
            };
            let said = if copied { "Link copied." } else { "Copy the link above." };
            let note = crate::core::budget::long_link_note(url.chars().count());
            message.set(Some((false, note.map_or_else(|| said.into(), |note| format!("{said} {note}")))));
        });
    })
}

#[component]
pub fn SharePanel(props: &Props) -> Html {
    let message = use_state(|| None::<(bool, String)>);
    let embed_open = use_state(|| false);
    let link = use_state(String::new);
    let import = importer(&message, &props.on_import);
    use_file_drop(import.clone());
    let on_pick = Callback::from(move |e: Event| {
        let input: web_sys::HtmlInputElement = e.target_unchecked_into();
        if let Some(file) = input.files().and_then(|f| f.get(0)) {
            import(file);
        }
        input.set_value("");
    });
    let export = |kind| exporter(kind, &props.run, &message);
    let on_embed = {
        let embed_open = embed_open.clone();
        Callback::from(move |_: MouseEvent| embed_open.set(!*embed_open))
    };
    let none = props.run.is_none();
    html! {
        <section class="share" aria-label="Share, export and import">
            <div class="share-buttons">
                <button type="button" id="copy-link" onclick={link_copier(&props.scenario, &link, &message)}>{ "Copy link" }</button>
                <button type="button" id="embed-toggle" aria-expanded={embed_open.to_string()} onclick={on_embed}>{ "Embed" }</button>
                <span class="share-sep">{ "Export the replayed run:" }</span>
                <button type="button" id="export-json" disabled={none} onclick={export("json")}>{ "Run JSON" }</button>
                <button type="button" id="export-svg" disabled={none} onclick={export("svg")}>{ "SVG" }</button>
                <button type="button" id="export-trace" disabled={none} onclick={export("trace")}
                    title="Chrome Trace Event JSON: open it in ui.perfetto.dev or chrome://tracing">{ "Chrome trace" }</button>
                <label class="import-button">{ "Import run…" }
                    <input type="file" id="import-file" accept=".json,application/json" onchange={on_pick} />
                </label>
                <span class="hint">{ "or drop a Run JSON on the page" }</span>
            </div>
            if !link.is_empty() {
                <input type="text" id="share-link" readonly=true value={(*link).clone()} aria-label="Link to this scenario" />
            }
            if *embed_open {
                <div class="embed-snippet">
                    <label for="embed-code">{ "Paste this into your page (add " }<code>{ "&autoplay=1" }</code>{ ", " }<code>{ "&controls=0" }</code>{ " or " }<code>{ "&theme=dark" }</code>{ " to the src as you like):" }</label>
                    <textarea id="embed-code" readonly=true rows="4" value={embed_snippet(&props.scenario, embed_height(&props.scenario, props.predicted.as_deref()))} />
                </div>
            }
            if let Some((is_error, text)) = &*message {
                <p id={if *is_error { "import-error" } else { "share-message" }} class={if *is_error { "share-error" } else { "share-ok" }}
                    role={if *is_error { "alert" } else { "status" }}>{ text.clone() }</p>
            }
        </section>
    }
}
