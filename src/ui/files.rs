//! Runs as files: downloads of exports, reading a picked or dropped Run JSON, and taking files
//! dropped anywhere on the page.

use std::rc::Rc;

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use yew::prelude::*;

use crate::core::run::{Run, MAX_RUN_BYTES};

/// Saves `text` as a file called `name` (a Blob, an object URL and a temporary `<a download>`).
pub fn download(name: &str, mime: &str, text: &str) -> Result<(), JsValue> {
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
pub fn file_stem(run: &Run) -> String {
    let pattern = run.scenario.params.get("pattern").and_then(|v| v.as_str()).unwrap_or("run");
    let safe: String = pattern.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
    format!("awaitlab-{safe}-seed{}", run.scenario.seed)
}

/// Reads a dropped or picked file as a run.
pub async fn read_run(file: web_sys::File) -> Result<Run, String> {
    let name = file.name();
    if file.size() > MAX_RUN_BYTES as f64 {
        return Err(format!(
            "{name} could not be imported: it is {:.1} MB; awaitlab reads runs up to {} MB",
            file.size() / 1e6,
            MAX_RUN_BYTES / 1_000_000
        ));
    }
    let text = JsFuture::from(file.text()).await.map_err(|_| format!("{name} could not be read"))?;
    let text = text.as_string().ok_or_else(|| format!("{name} could not be imported: it is not text"))?;
    Run::from_json(&text).map_err(|e| format!("{name} could not be imported: {e}"))
}

/// Hands files dropped anywhere on the page to `take`, while the component is mounted. Only drags
/// that carry files are taken: dropping text into a field still works.
#[hook]
pub fn use_file_drop(take: Rc<dyn Fn(web_sys::File)>) {
    use_effect_with((), move |_| {
        let doc = web_sys::window().and_then(|w| w.document());
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
                take(file);
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
