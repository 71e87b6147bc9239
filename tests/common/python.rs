//! Which Python the tests that run CPython use.

use std::process::Command;

/// The interpreter to run: `AWAITLAB_PYTHON`, else `python3.12` on the PATH, else pyenv's newest
/// 3.12 (`$PYENV_ROOT`, or `~/.pyenv`), else `python3`.
pub fn interpreter() -> String {
    if let Ok(p) = std::env::var("AWAITLAB_PYTHON") {
        return p;
    }
    let answers = |p: &str| Command::new(p).arg("--version").output().is_ok_and(|o| o.status.success());
    if answers("python3.12") {
        return "python3.12".into();
    }
    let pyenv =
        std::env::var("PYENV_ROOT").unwrap_or_else(|_| format!("{}/.pyenv", std::env::var("HOME").unwrap_or_default()));
    let mut found: Vec<String> = std::fs::read_dir(format!("{pyenv}/versions"))
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|v| v.starts_with("3.12."))
        .collect();
    found.sort_by_key(|v| v.rsplit('.').next().and_then(|p| p.parse::<u32>().ok()).unwrap_or(0));
    match found.last() {
        Some(v) => format!("{pyenv}/versions/{v}/bin/python3"),
        None => "python3".into(),
    }
}
