//! `src/core` must stay pure: no web crate, so it runs natively and on any clock.

use std::fs;
use std::path::Path;

const FORBIDDEN: &[&str] = &["yew", "web_sys", "js_sys", "gloo", "wasm_bindgen", "wasm_bindgen_futures"];

fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in fs::read_dir(dir).expect("read src/core") {
        let path = entry.expect("dir entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// Finds `name` used as a crate path (`name::` or `use name`), ignoring comments.
fn uses_crate(source: &str, name: &str) -> bool {
    source.lines().map(|l| l.split("//").next().unwrap_or("")).any(|code| {
        code.match_indices(name).any(|(i, _)| {
            let before = code[..i].chars().next_back();
            let after = &code[i + name.len()..];
            let starts_word = before.is_none_or(|c| !(c.is_alphanumeric() || c == '_'));
            let gloo_family = name == "gloo" && after.starts_with('_');
            starts_word && (after.starts_with("::") || gloo_family || after.trim_start().starts_with(';'))
        })
    })
}

#[test]
fn src_core_imports_no_web_crate() {
    let mut files = Vec::new();
    rust_files(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src/core"), &mut files);
    assert!(files.len() >= 5, "expected the core's sources, found {files:?}");
    let offenders: Vec<String> = files
        .iter()
        .flat_map(|f| {
            let src = fs::read_to_string(f).expect("read source");
            FORBIDDEN.iter().filter(move |n| uses_crate(&src, n)).map(move |n| format!("{} uses {n}", f.display()))
        })
        .collect();
    assert!(offenders.is_empty(), "src/core must stay pure: {offenders:?}");
}

#[test]
fn the_checker_catches_what_it_should() {
    assert!(uses_crate("use web_sys::Window;", "web_sys"));
    assert!(uses_crate("    let t = gloo_timers::future::sleep(d);", "gloo"));
    assert!(uses_crate("use yew::prelude::*;", "yew"));
    assert!(!uses_crate("// web_sys::Window is not used here", "web_sys"));
    assert!(!uses_crate("let my_yew::x = 1;", "yew"));
}
