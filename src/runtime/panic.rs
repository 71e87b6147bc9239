//! A panic must not leave a dead page without a word: the hook logs it and shows a banner.

use wasm_bindgen::JsCast;

/// Installs the hook (once, at start-up).
pub fn install() {
    std::panic::set_hook(Box::new(|info| {
        let message = info.to_string();
        web_sys::console::error_1(&format!("awaitlab panicked: {message}").into());
        show_banner(&message);
    }));
}

fn show_banner(message: &str) {
    let Some(doc) = web_sys::window().and_then(|w| w.document()) else { return };
    let Some(body) = doc.body() else { return };
    let Ok(el) = doc.create_element("div") else { return };
    el.set_id("panic-banner");
    el.set_attribute("role", "alert").ok();
    el.set_class_name("banner banner-error");
    // Text only: the message may contain user input.
    el.set_text_content(Some(&format!(
        "Something went wrong inside awaitlab and this page stopped working. Reload to start again. ({message})"
    )));
    if let Some(el) = el.dyn_ref::<web_sys::HtmlElement>() {
        body.prepend_with_node_1(el).ok();
    }
}
