//! The reader's own asyncio code (issue 15): a documented subset of Python, parsed here
//! ([`parse`]) and interpreted on a run's [`Ctx`](super::patterns::Ctx) like every pattern
//! ([`interp`]), so it is predicted on the virtual clock and measured on the browser's.

pub mod ast;
pub mod interp;
pub mod parse;

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
