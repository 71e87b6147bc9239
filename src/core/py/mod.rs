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
/// a sentence.
pub fn parse(source: &str) -> Result<ast::Module, CodeError> {
    parse::module(source)
}

/// One `<module>` lane whose program could not run, saying `why` (as the interpreter's own
/// refusal looks, without linking the interpreter).
pub(crate) fn interp_free_refused(ctx: &super::patterns::Ctx, why: &str) {
    use super::event::{Kind, Phase};
    ctx.rec.record_line(0, 0, Kind::Spawn, Phase::Task, "<module>", 0);
    ctx.rec.record_line(0, 0, Kind::Print, Phase::Task, why, 0);
    ctx.rec.record_line(0, 0, Kind::Failed, Phase::Task, why, 0);
}
