//! The reader's own asyncio code (issue 15): a documented subset of Python, parsed here
//! ([`parse`]) and interpreted on a run's [`Ctx`](super::patterns::Ctx) like every pattern
//! ([`interp`]), so it is predicted on the virtual clock and measured on the browser's.

pub mod ast;
pub mod interp;
pub mod parse;
pub mod runner;

/// Why a program cannot run (found before running) or stopped: a position in the reader's code
/// (1-based line and column) and a sentence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeError {
    pub line: u32,
    pub col: u32,
    pub message: String,
}

impl std::fmt::Display for CodeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "line {}, column {}: {}", self.line, self.col, self.message)
    }
}

/// Parses `source` as the supported subset, refusing anything outside it with its position and
/// a sentence. The page's own wasm never calls this (it would link the parser, 32 KB gzip): it
/// asks the py_runner module ([`check_json`]).
pub fn parse(source: &str) -> Result<ast::Module, CodeError> {
    parse::module(source)
}

/// The syntax check as the py_runner module answers it (its `check` export, issue 16): the page
/// does not link the parser, so the editor's every-keystroke check and the scripts' validation of
/// `code` ask the module. `{"ok":true}`, or `{"ok":false,"errors":[{"line":3,"column":9,
/// "message":"…"}]}` (1-based; the parser stops at its first error, so there is one).
pub fn check_json(source: &str) -> String {
    match parse(source) {
        Ok(_) => r#"{"ok":true}"#.to_string(),
        Err(e) => serde_json::json!({
            "ok": false,
            "errors": [{"line": e.line, "column": e.col, "message": e.message}],
        })
        .to_string(),
    }
}

/// Reads [`check_json`]'s answer: `Ok(Ok(()))` when the program parses, `Ok(Err(_))` with its
/// first error, `Err` with a sentence when the answer is not one (a module of another version).
pub fn read_check_json(text: &str) -> Result<Result<(), CodeError>, String> {
    #[derive(serde::Deserialize)]
    struct Answer {
        ok: bool,
        #[serde(default)]
        errors: Vec<Error>,
    }
    #[derive(serde::Deserialize)]
    struct Error {
        line: u32,
        column: u32,
        message: String,
    }
    let answer: Answer =
        serde_json::from_str(text).map_err(|e| format!("the syntax check's answer could not be read: {e}"))?;
    if answer.ok {
        return Ok(Ok(()));
    }
    let first = answer.errors.into_iter().next().ok_or("the syntax check refused the code without saying why")?;
    Ok(Err(CodeError { line: first.line, col: first.column, message: first.message }))
}

/// One `<module>` lane whose program could not run, saying `why` (as the interpreter's own
/// refusal looks, without linking the interpreter).
pub(crate) fn interp_free_refused(ctx: &super::patterns::Ctx, why: &str) {
    use super::event::{Kind, Phase};
    ctx.rec.record_line(0, 0, Kind::Spawn, Phase::Task, "<module>", 0);
    ctx.rec.record_line(0, 0, Kind::Print, Phase::Task, why, 0);
    ctx.rec.record_line(0, 0, Kind::Failed, Phase::Task, why, 0);
}
