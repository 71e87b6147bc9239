//! The Yew app: state in a reducer, one component per file, data down and callbacks up.

mod app;
mod bar_menu;
mod code_editor;
mod code_panel;
mod commands;
mod controls;
mod embed;
mod files;
mod frame;
mod guess;
mod history;
mod legend;
mod replay_panel;
mod run_hooks;
mod share_panel;
mod state;
mod summary;
mod timeline_view;
mod url;
mod zoom_bar;

pub use app::App;

use std::ops::Deref;
use std::rc::Rc;

/// Shared data in props, compared by address: a run or a layout of 10,000 tasks is replaced, never
/// edited, so comparing it by value on every render would only cost time.
#[derive(Debug)]
pub struct Shared<T>(pub Rc<T>);

impl<T> Clone for Shared<T> {
    fn clone(&self) -> Self {
        Shared(self.0.clone())
    }
}

impl<T> PartialEq for Shared<T> {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

impl<T> Deref for Shared<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T> From<Rc<T>> for Shared<T> {
    fn from(rc: Rc<T>) -> Self {
        Shared(rc)
    }
}

impl<T> yew::html::IntoPropValue<Shared<T>> for Rc<T> {
    fn into_prop_value(self) -> Shared<T> {
        Shared(self)
    }
}

/// Installs the panic banner and `window.awaitlab`, then mounts the app on `#app`.
pub fn start() {
    crate::runtime::panic::install();
    // Code scenarios are predicted by the lazily loaded interpreter module.
    crate::runtime::py_module::install();
    if let Err(e) = crate::runtime::api::install() {
        web_sys::console::error_2(&"awaitlab: could not install window.awaitlab".into(), &e);
    }
    let document = web_sys::window().and_then(|w| w.document());
    // index.html's copy of the header, painted before the wasm arrived: the app draws its own.
    if let Some(boot) = document.as_ref().and_then(|d| d.get_element_by_id("boot")) {
        boot.remove();
    }
    let root = document.and_then(|d| d.get_element_by_id("app"));
    match root {
        Some(root) => {
            yew::Renderer::<App>::with_root(root).render();
        }
        None => {
            yew::Renderer::<App>::new().render();
        }
    }
}
