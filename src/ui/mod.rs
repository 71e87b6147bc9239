//! The Yew app: state in a reducer, one component per file, data down and callbacks up.

mod app;
mod code_panel;
mod controls;
mod frame;
mod history;
mod legend;
mod replay_panel;
mod share;
mod state;
mod summary;
mod timeline_view;
mod url;

pub use app::App;

/// Installs the panic banner and `window.awaitlab`, then mounts the app on `#app`.
pub fn start() {
    crate::runtime::panic::install();
    if let Err(e) = crate::runtime::api::install() {
        web_sys::console::error_2(&"awaitlab: could not install window.awaitlab".into(), &e);
    }
    let root = web_sys::window().and_then(|w| w.document()).and_then(|d| d.get_element_by_id("app"));
    match root {
        Some(root) => {
            yew::Renderer::<App>::with_root(root).render();
        }
        None => {
            yew::Renderer::<App>::new().render();
        }
    }
}
