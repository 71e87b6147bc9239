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

/// What CPython 3.12 or later ([`interpreter`]) prints running `args` from the project's root.
/// Panics with a clear message when it cannot run or is older: the comparisons are with 3.12.
#[allow(dead_code)] // Not every test binary that includes `common` runs CPython this way.
pub fn cpython_stdout(args: &[&str]) -> String {
    let python = interpreter();
    let root = env!("CARGO_MANIFEST_DIR");
    let version = Command::new(&python)
        .args(["-c", "import sys; print(sys.version_info[0], sys.version_info[1])"])
        .output()
        .unwrap_or_else(|e| panic!("could not start {python} (set AWAITLAB_PYTHON to a Python 3.12): {e}"));
    let version = String::from_utf8_lossy(&version.stdout).trim().to_owned();
    let minor: u32 = version.strip_prefix("3 ").and_then(|m| m.parse().ok()).unwrap_or(0);
    assert!(minor >= 12, "the reference is CPython 3.12 or later; {python} is {version}: set AWAITLAB_PYTHON");
    let out = Command::new(&python).args(args).current_dir(root).output().expect("CPython ran");
    assert!(out.status.success(), "{python} {args:?} failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).expect("CPython printed UTF-8")
}
