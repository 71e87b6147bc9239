//! The page URL: the scenario lives in the query string so a link reproduces a run. Reading it,
//! rewriting it as the form changes, and the links and embed snippets that point back here.

use yew::prelude::*;

use crate::core::message::parse_origin;
use crate::core::scenario::{program, Pattern, Scenario, VIEW_KEYS};
use crate::runtime::py_module;

/// Whether a view key's value may be copied into the rewritten URL: short plain words, or for
/// `origin`, origins in their checked form (they hold `:` and `/`).
fn keep_view_value(key: &str, value: &str) -> bool {
    if key == "origin" {
        return value.split(',').all(|o| parse_origin(o).is_ok_and(|checked| checked == o));
    }
    if key == "controls" {
        // A list of scenario keys (`limit,tasks`); ViewOptions reports the ones it does not know.
        return value.len() <= 200 && value.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ',');
    }
    value.len() <= 16 && value.chars().all(|c| c.is_ascii_alphanumeric() || c == '.')
}

/// Whether `key=value` in the page's URL is a view pair to keep: `code` is one when it is the
/// embed's code panel flag (`code=1`), which may stand beside a program, or while the scenario has
/// no program (the scenario's own `code` writes one).
fn is_view_pair(scenario: &Scenario, key: &str, value: &str) -> bool {
    VIEW_KEYS.contains(&key) || key == "code" && (scenario.code.is_empty() || program::is_view_flag(value))
}

/// The page's query string's `(key, value)` pairs, decoded as links are written
/// ([`crate::core::scenario::query_pairs`]: a `+` stays a `+`), in order.
pub fn query_pairs() -> Vec<(String, String)> {
    let search = web_sys::window().and_then(|w| w.location().search().ok()).unwrap_or_default();
    crate::core::scenario::query_pairs(&search)
}

/// Replaces the query string with `scenario`'s (no new history entry), keeping the view keys the
/// page was opened with (`embed`, `theme`, `controls`, `autoplay`, `speed`, `origin`, `fetch`).
pub fn show(scenario: &Scenario) {
    let Some(window) = web_sys::window() else { return };
    if let Ok(history) = window.history() {
        let view: String = query_pairs()
            .into_iter()
            .filter(|(k, v)| k != "v" && is_view_pair(scenario, k, v) && keep_view_value(k, v))
            .map(|(k, v)| format!("&{k}={v}"))
            .collect();
        let url = format!("?{}{view}", scenario.to_query());
        history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&url)).ok();
    }
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

/// A link that reproduces `scenario`, without what it keeps but does not run
/// ([`Scenario::shared`]).
pub fn share_link(scenario: &Scenario) -> String {
    format!("{}?{}", base_url(), scenario.shared().to_query())
}

/// The iframe snippet for an embed of `scenario`, `height` px high (`core::view::embed_height`).
pub fn embed_snippet(scenario: &Scenario, height: u32) -> String {
    let src = format!("{}&embed=1", share_link(scenario)).replace('&', "&amp;").replace('"', "&quot;");
    format!(
        "<iframe src=\"{src}\" title=\"awaitlab: {}\" loading=\"lazy\" sandbox=\"allow-scripts allow-same-origin\" width=\"100%\" height=\"{height}\" style=\"border:0\"></iframe>",
        scenario.pattern.title().replace('"', "&quot;").replace('<', "&lt;")
    )
}

/// Keeps the address bar on the form's scenario: the URL follows every valid edit (not only
/// runs), so it is always a share link. The first render leaves the link the page was opened
/// with exactly as it was, unless the page shows other values than it gives (`replaced`: a bad
/// value shown at its default, whose notice says so). A program written before the interpreter
/// module (which holds the compressor) has loaded is stored uncompressed in the link; it is
/// written again, compressed, once the module has loaded.
#[hook]
pub fn use_url_sync(scenario: &Scenario, replaced: bool) {
    let opened = use_mut_ref(|| false);
    use_effect_with(scenario.clone(), move |scenario| {
        let mut again = None;
        if opened.replace(true) || replaced {
            show(scenario);
            if scenario.pattern == Pattern::Code && !py_module::loaded() {
                let scenario = scenario.clone();
                again = Some(py_module::on_loaded(move || {
                    if py_module::loaded() {
                        show(&scenario);
                    }
                }));
            }
        }
        move || drop(again)
    });
}
