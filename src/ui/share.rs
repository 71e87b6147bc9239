//! Share, export, import and embed: the buttons under the timelines, drag-and-drop of a Run JSON
//! onto the page, and the hook that lets a host page drive an embed through postMessage.

use std::cell::RefCell;
use std::rc::Rc;

use serde_json::json;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::{spawn_local, JsFuture};
use yew::prelude::*;

use super::state::{Action, ReplayCmd, State};
use super::url;
use crate::core::export::{chrome_trace, timeline_svg};
use crate::core::message::{Command, EmbedPolicy, ViewOptions};
use crate::core::run::{run_virtual, Run, MAX_RUN_BYTES};
use crate::core::scenario::{ClockKind, Scenario};
use crate::runtime::embed::{self, error_event};
use crate::runtime::{session, LiveRun};

/// Saves `text` as a file called `name` (a Blob, an object URL and a temporary `<a download>`).
fn download(name: &str, mime: &str, text: &str) -> Result<(), JsValue> {
    let parts = js_sys::Array::of1(&JsValue::from_str(text));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(mime);
    let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options)?;
    let href = web_sys::Url::create_object_url_with_blob(&blob)?;
    let doc = web_sys::window().and_then(|w| w.document()).ok_or("no document")?;
    let a: web_sys::HtmlAnchorElement = doc.create_element("a")?.unchecked_into();
    a.set_href(&href);
    a.set_download(name);
    a.set_attribute("hidden", "")?;
    doc.body().ok_or("no body")?.append_child(&a)?;
    a.click();
    a.remove();
    // Revoked a little later: the download has to start first.
    gloo_timers::callback::Timeout::new(10_000, move || {
        let _ = web_sys::Url::revoke_object_url(&href);
    })
    .forget();
    Ok(())
}

/// A file name for `run`'s exports: `awaitlab-gather-seed7`.
fn file_stem(run: &Run) -> String {
    let pattern = run.scenario.params.get("pattern").and_then(|v| v.as_str()).unwrap_or("run");
    let safe: String = pattern.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
    format!("awaitlab-{safe}-seed{}", run.scenario.seed)
}

/// The page's address without its query: where links and embeds point.
fn base_url() -> String {
    web_sys::window()
        .map(|w| {
            let l = w.location();
            format!("{}{}", l.origin().unwrap_or_default(), l.pathname().unwrap_or_default())
        })
        .unwrap_or_default()
}

/// A link that reproduces `scenario`.
pub fn share_link(scenario: &Scenario) -> String {
    format!("{}?{}", base_url(), scenario.to_query())
}

/// The iframe snippet for an embed of `scenario`.
pub fn embed_snippet(scenario: &Scenario) -> String {
    let src = format!("{}&embed=1", share_link(scenario)).replace('&', "&amp;").replace('"', "&quot;");
    format!(
        "<iframe src=\"{src}\" title=\"awaitlab: {}\" loading=\"lazy\" sandbox=\"allow-scripts allow-same-origin\" width=\"100%\" height=\"640\" style=\"border:0\"></iframe>",
        scenario.pattern.title().replace('"', "&quot;").replace('<', "&lt;")
    )
}

/// Reads a dropped or picked file as a run.
async fn read_run(file: web_sys::File) -> Result<Run, String> {
    let name = file.name();
    if file.size() > MAX_RUN_BYTES as f64 {
        return Err(format!(
            "{name} is {:.1} MB; awaitlab reads runs up to {} MB",
            file.size() / 1e6,
            MAX_RUN_BYTES / 1_000_000
        ));
    }
    let text = JsFuture::from(file.text()).await.map_err(|_| format!("{name} could not be read"))?;
    let text = text.as_string().ok_or_else(|| format!("{name} is not text"))?;
    Run::from_json(&text).map_err(|e| format!("{name} could not be imported: {e}"))
}

#[derive(PartialEq, Properties)]
pub struct Props {
    /// The run being replayed: what the export buttons save.
    pub run: Option<super::Shared<Run>>,
    /// The scenario a link or an embed reproduces.
    pub scenario: Rc<Scenario>,
    pub on_import: Callback<Run>,
}

#[component]
pub fn SharePanel(props: &Props) -> Html {
    let message = use_state(|| None::<(bool, String)>);
    let embed_open = use_state(|| false);
    let link = use_state(String::new);

    // Import: a picked or dropped file; errors leave the runs as they are.
    let import = {
        let (message, on_import) = (message.clone(), props.on_import.clone());
        Rc::new(move |file: web_sys::File| {
            let (message, on_import) = (message.clone(), on_import.clone());
            spawn_local(async move {
                match read_run(file).await {
                    Ok(run) => {
                        message.set(Some((
                            false,
                            format!(
                                "Imported a run of {} tasks ({}); it is the run being replayed now.",
                                run.summary.tasks,
                                file_stem(&run)
                            ),
                        )));
                        on_import.emit(run);
                    }
                    Err(e) => message.set(Some((true, e))),
                }
            });
        })
    };
    {
        let import = import.clone();
        use_effect_with((), move |_| {
            let doc = web_sys::window().and_then(|w| w.document());
            // Only drags that carry files are taken: dropping text into a field still works.
            let has_files = |e: &web_sys::DragEvent| {
                e.data_transfer().is_some_and(|d| d.types().iter().any(|t| t.as_string().as_deref() == Some("Files")))
            };
            let over = Closure::<dyn Fn(web_sys::DragEvent)>::new(move |e: web_sys::DragEvent| {
                if has_files(&e) {
                    e.prevent_default();
                }
            });
            let drop = Closure::<dyn Fn(web_sys::DragEvent)>::new(move |e: web_sys::DragEvent| {
                if !has_files(&e) {
                    return;
                }
                e.prevent_default();
                if let Some(file) = e.data_transfer().and_then(|d| d.files()).and_then(|f| f.get(0)) {
                    import(file);
                }
            });
            if let Some(doc) = &doc {
                let _ = doc.add_event_listener_with_callback("dragover", over.as_ref().unchecked_ref());
                let _ = doc.add_event_listener_with_callback("drop", drop.as_ref().unchecked_ref());
            }
            move || {
                if let Some(doc) = &doc {
                    let _ = doc.remove_event_listener_with_callback("dragover", over.as_ref().unchecked_ref());
                    let _ = doc.remove_event_listener_with_callback("drop", drop.as_ref().unchecked_ref());
                }
            }
        });
    }
    let on_pick = {
        let import = import.clone();
        Callback::from(move |e: Event| {
            let input: web_sys::HtmlInputElement = e.target_unchecked_into();
            if let Some(file) = input.files().and_then(|f| f.get(0)) {
                import(file);
            }
            input.set_value("");
        })
    };
    let export = |kind: &'static str| {
        let (run, message) = (props.run.clone(), message.clone());
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
    };
    let on_copy = {
        let (scenario, link, message) = (props.scenario.clone(), link.clone(), message.clone());
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
                message.set(Some((false, if copied { "Link copied.".into() } else { "Copy the link above.".into() })));
            });
        })
    };
    let on_embed = {
        let embed_open = embed_open.clone();
        Callback::from(move |_: MouseEvent| embed_open.set(!*embed_open))
    };
    let none = props.run.is_none();
    html! {
        <section class="share" aria-label="Share, export and import">
            <div class="share-buttons">
                <button type="button" id="copy-link" onclick={on_copy}>{ "Copy link" }</button>
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
                    <textarea id="embed-code" readonly=true rows="4" value={embed_snippet(&props.scenario)} />
                </div>
            }
            if let Some((is_error, text)) = &*message {
                <p id={if *is_error { "import-error" } else { "share-message" }} class={if *is_error { "share-error" } else { "share-ok" }}
                    role={if *is_error { "alert" } else { "status" }}>{ text.clone() }</p>
            }
        </section>
    }
}

/// Starts `scenario` as the page's run: on the browser clock as a live run, on the virtual clock
/// as a finished prediction that joins the history.
/// Shows `scenario` in the form and runs it; returns the live run when it is measured.
fn start(scenario: Scenario, dispatch: &UseReducerDispatcher<State>) -> Option<LiveRun> {
    url::show(&scenario);
    dispatch.dispatch(Action::Load(scenario.clone()));
    if scenario.clock == ClockKind::Virtual {
        dispatch.dispatch(Action::Import(run_virtual(&scenario)));
        None
    } else {
        Some(session::start_browser_run(scenario))
    }
}

/// Applies a command. `policy` is the embed link's, for commands that came by postMessage; the
/// page's own scripts (`window.awaitlab`) pass `None`: they could do anything anyway.
fn apply(
    command: Command,
    state: &State,
    dispatch: &UseReducerDispatcher<State>,
    policy: Option<&EmbedPolicy>,
) -> Result<(), String> {
    let replay = state.replay.as_ref().map(|(_, r)| r);
    let parse = |pairs: &[(String, String)]| {
        Scenario::parse(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .map_err(|errs| errs.iter().map(|e| e.message.as_str()).collect::<Vec<_>>().join("; "))
    };
    match command {
        Command::Hello => {}
        Command::Run(pairs) => {
            let scenario = parse(&pairs)?;
            policy.map_or(Ok(()), |p| p.check_scenario(&scenario))?;
            start(scenario, dispatch);
        }
        Command::Set(pairs) => {
            // Checked as a whole first, so a bad value changes nothing.
            let mut merged: Vec<(String, String)> = state.form.clone();
            for (k, v) in &pairs {
                match merged.iter_mut().find(|(m, _)| m == k) {
                    Some(slot) => slot.1 = v.clone(),
                    None => merged.push((k.clone(), v.clone())),
                }
            }
            let scenario = parse(&merged)?;
            policy.map_or(Ok(()), |p| p.check_set(pairs.iter().map(|(k, _)| k.as_str()), &scenario))?;
            for (k, v) in pairs {
                dispatch.dispatch(Action::Edit(k, v));
            }
            url::show(&scenario);
        }
        Command::Play | Command::Pause | Command::Seek(_) if replay.is_none() => {
            return Err("nothing to replay yet: run or load a run first".into())
        }
        Command::Play if !replay.is_some_and(|r| r.playing) => dispatch.dispatch(Action::Replay(ReplayCmd::Toggle)),
        Command::Pause if replay.is_some_and(|r| r.playing) => dispatch.dispatch(Action::Replay(ReplayCmd::Toggle)),
        Command::Play | Command::Pause => {}
        Command::Seek(ms) => dispatch.dispatch(Action::Replay(ReplayCmd::Seek(ms))),
        Command::Load(run) => dispatch.dispatch(Action::Import(*run)),
    }
    Ok(())
}

/// Embed mode and the postMessage API: view classes from the URL, autoplay, commands from the
/// host page, and `finished` / `height` events back to it.
#[hook]
pub fn use_embed(state: &UseReducerHandle<State>) {
    let latest = use_mut_ref(|| None::<UseReducerHandle<State>>);
    *latest.borrow_mut() = Some(state.clone());
    {
        let (latest, dispatch) = (latest.clone(), state.dispatcher());
        use_effect_with((), move |_| {
            let pairs = url::query_pairs();
            let options = ViewOptions::from_pairs(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())));
            embed::apply_view(&options);
            let (policy, problems) = EmbedPolicy::from_pairs(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())));
            for problem in problems {
                web_sys::console::warn_1(&format!("awaitlab: this link's {problem}").into());
            }
            let verbs = RefCell::new(install_verbs(latest.clone(), dispatch.clone()));
            let handler: Rc<dyn Fn(Command, embed::Peer)> = {
                let (dispatch, policy) = (dispatch.clone(), policy.clone());
                Rc::new(move |command: Command, peer: embed::Peer| {
                    let name = command.name();
                    let Some(state) = latest.borrow().clone() else { return };
                    if let Err(message) = apply(command, &state, &dispatch, Some(&policy)) {
                        peer.post(&error_event(&message, Some(name)));
                    }
                })
            };
            let listener = RefCell::new(embed::listen(policy, handler));
            if options.autoplay {
                if let Some(scenario) = latest_state(&pairs) {
                    let dispatch = dispatch.clone();
                    spawn_local(async move {
                        embed::visible().await;
                        embed::one_at_a_time(async move {
                            if let Some(live) = start(scenario, &dispatch) {
                                live.finished.await;
                            }
                        })
                        .await;
                    });
                }
            }
            move || {
                drop(listener.take());
                uninstall_verbs(verbs.take());
            }
        });
    }
    // The URL follows every valid edit (not only runs), so the address bar is always a share link.
    // The first render leaves the link the page was opened with exactly as it was.
    let opened = use_mut_ref(|| false);
    use_effect_with(state.scenario.clone(), move |scenario| {
        if opened.replace(true) {
            url::show(scenario);
        }
    });
    // `speed=` in the link: the replay speed of every run that joins the history.
    let speed = *use_memo((), |_| {
        url::query_pairs()
            .into_iter()
            .find(|(k, _)| k == "speed")
            .and_then(|(_, v)| v.parse::<f64>().ok())
            .filter(|x| x.is_finite() && *x > 0.0)
    });
    // Every run that joins the history is reported to the host page.
    let last = state.history.last().map(|(n, run)| (*n, run.clone()));
    let dispatch = state.dispatcher();
    use_effect_with(last.as_ref().map(|(n, _)| *n), move |_| {
        if let Some((n, run)) = last {
            if let Some(x) = speed {
                dispatch.dispatch(Action::Replay(ReplayCmd::Speed(x)));
            }
            embed::post_to_parent(&json!({
                "type": "awaitlab:finished", "run": n, "clock": run.clock.key(),
                "summary": serde_json::to_value(&run.summary).unwrap_or_default(),
            }));
        }
    });
    // Heights are reported by a ResizeObserver on the body once a host has said hello; measuring
    // after every render would force a layout per frame of a replay.
}

type Verb = Closure<dyn Fn(JsValue) -> Result<JsValue, JsValue>>;

/// `awaitlab.play()`, `pause()`, `seek(ms)` and `load(run)` on `window.awaitlab`: the same
/// commands as the postMessage API, through the same validation. Each throws an Error with a
/// message when refused.
fn install_verbs(
    latest: Rc<RefCell<Option<UseReducerHandle<State>>>>,
    dispatch: UseReducerDispatcher<State>,
) -> Vec<(&'static str, Verb)> {
    let Some(api) =
        web_sys::window().and_then(|w| js_sys::Reflect::get(&w, &"awaitlab".into()).ok()).filter(|a| a.is_object())
    else {
        return Vec::new();
    };
    let make = |name: &'static str, read: fn(JsValue) -> Result<Command, String>| {
        let (latest, dispatch) = (latest.clone(), dispatch.clone());
        let verb: Verb = Closure::new(move |arg: JsValue| {
            let result = read(arg).and_then(|command| match latest.borrow().clone() {
                Some(state) => apply(command, &state, &dispatch, None),
                None => Err("the app is not mounted".into()),
            });
            result.map(|()| JsValue::UNDEFINED).map_err(|e| js_sys::Error::new(&format!("awaitlab: {e}")).into())
        });
        let _ = js_sys::Reflect::set(&api, &name.into(), verb.as_ref());
        (name, verb)
    };
    vec![
        make("play", |_| Ok(Command::Play)),
        make("pause", |_| Ok(Command::Pause)),
        make("seek", |ms| match ms.as_f64() {
            Some(ms) if ms.is_finite() && ms >= 0.0 => Ok(Command::Seek(ms)),
            _ => Err("seek needs a number of milliseconds, 0 or more".into()),
        }),
        make("load", |run| {
            let text = match run.as_string() {
                Some(text) => text,
                None => js_sys::JSON::stringify(&run)
                    .ok()
                    .and_then(|t| t.as_string())
                    .ok_or("load needs a Run JSON object or its text")?,
            };
            Run::from_json(&text).map(|r| Command::Load(Box::new(r))).map_err(|e| format!("load: {e}"))
        }),
    ]
}

fn uninstall_verbs(verbs: Vec<(&'static str, Verb)>) {
    let Some(api) =
        web_sys::window().and_then(|w| js_sys::Reflect::get(&w, &"awaitlab".into()).ok()).filter(|a| a.is_object())
    else {
        return;
    };
    for (name, _verb) in verbs {
        let _ = js_sys::Reflect::delete_property(api.unchecked_ref::<js_sys::Object>(), &name.into());
    }
}

/// The scenario of the page's link, when it is valid.
fn latest_state(pairs: &[(String, String)]) -> Option<Scenario> {
    Scenario::parse_lenient(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str()))).0.into()
}
