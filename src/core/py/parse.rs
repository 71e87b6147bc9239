//! The subset's parser: a hand-written lexer ([`lex`]) and a recursive-descent parser (statements
//! here, expressions in [`expr`]) producing [`ast::Module`](super::ast::Module).
//!
//! Hand-written rather than a parser crate: a full Python parser is far too big for the wasm
//! bundle, and owning the code lets every error say, at an exact line and column, what was
//! expected and what was found. Constructs outside the subset (generators other than async ones,
//! `match`, threads...) are refused here, before anything runs, with a sentence.

mod expr;
mod lex;

use std::rc::Rc;

use super::ast::{Expr, ExprKind, Function, Handler, Module, Params, Pos, Stmt, StmtKind, WithItem};
use super::CodeError;
use lex::{Tok, Token};

/// The largest program accepted, in bytes of UTF-8 (stated once, in the budget).
pub use crate::core::budget::MAX_SOURCE_BYTES;

/// How deeply blocks, brackets and expressions may nest: well past real code, and low enough that
/// the recursive parser stays far from the end of the stack (in wasm too).
pub const MAX_NESTING: usize = 100;

/// How deep the syntax tree may be, counting chains too (`a + b + ...`, `a.b.c...`, `elif`s each
/// nest one node in the next): whoever walks the tree recursively (the interpreter, and Rust's
/// own drop of the boxes) stays within the stack.
pub const MAX_TREE_DEPTH: usize = 400;

/// Why `asyncio.to_thread` is refused (as the code is checked, and at run time if it is reached
/// under another name): a prediction of it could not be CPython's.
pub const TO_THREAD: &str =
    "`asyncio.to_thread` is not supported here: a thread's work takes no time on awaitlab's clock, \
     and CPython orders a thread's steps against the event loop's differently from run to run; call the function \
     directly, or await asyncio.sleep(...) to wait";

/// What `import m` does here. One table ([`IMPORTS`]) for the editor's check and the run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Import {
    /// A module of the interpreter's subset (`interp::value::Module`).
    Runs,
    /// Accepted for annotations only (`typing`, `__future__`): its names are not usable values.
    Annotations,
    /// The article's programs import it, so the editor accepts them as written; a run stops at
    /// the import, saying why.
    ArticleOnly(&'static str),
    /// Refused as the code is checked, saying why.
    Refused(&'static str),
}

/// Every module awaitlab knows, with what importing it does. Any module not listed is refused
/// with the list of those that run.
pub const IMPORTS: &[(&str, Import)] = &[
    ("asyncio", Import::Runs),
    ("random", Import::Runs),
    ("time", Import::Runs),
    ("aiohttp", Import::Runs),
    ("json", Import::Runs),
    ("math", Import::Runs),
    ("dataclasses", Import::Runs),
    ("typing", Import::Annotations),
    ("__future__", Import::Annotations),
    // The article's DataProcessor imports these two.
    ("datetime", Import::ArticleOnly("`datetime` is not available here: the run's clock has no calendar; time spans with `time.perf_counter()` or `loop.time()`")),
    ("aiofiles", Import::ArticleOnly("`aiofiles` is not available here: programs here have no files")),
    ("threading", Import::Refused("`threading` is not available here: awaitlab runs one event loop")),
    ("multiprocessing", Import::Refused("`multiprocessing` is not available here: awaitlab runs one event loop on one thread")),
    ("concurrent", Import::Refused("`concurrent.futures` is not available here: awaitlab runs one event loop on one thread")),
    ("subprocess", Import::Refused("`subprocess` is not available here: a web page cannot start processes")),
    ("os", Import::Refused("`os` is not available here: a web page has no files or processes")),
    ("sys", Import::Refused("`sys` is not available here: awaitlab runs the program in a web page, not an interpreter")),
    ("socket", Import::Refused("`socket` is not available here: use aiohttp, which awaitlab maps onto the browser's fetch")),
    ("requests", Import::Refused("`requests` is not available here (it would block the event loop): use aiohttp")),
    ("trio", Import::Refused("`trio` is not available here: awaitlab runs asyncio")),
    ("anyio", Import::Refused("`anyio` is not available here: awaitlab runs asyncio")),
    ("uvloop", Import::Refused("`uvloop` is not available here: awaitlab runs its own event loop")),
];

/// What importing `module` (or a submodule of it) does, if awaitlab knows it.
pub fn import_of(module: &str) -> Option<Import> {
    let top = module.split('.').next().unwrap_or(module);
    IMPORTS.iter().find(|(name, _)| *name == top).map(|(_, import)| *import)
}

/// Why `module` cannot be imported when awaitlab does not know it: which modules can be.
pub fn unknown_module(module: &str) -> String {
    let runs: Vec<&str> = IMPORTS.iter().filter(|(_, i)| *i == Import::Runs).map(|(n, _)| *n).collect();
    format!("`{module}` is not available here: awaitlab can import {}", runs.join(", "))
}

/// Python's keywords (soft keywords such as `match` are names).
const KEYWORDS: &[&str] = &[
    "False", "None", "True", "and", "as", "assert", "async", "await", "break", "class", "continue", "def", "del",
    "elif", "else", "except", "finally", "for", "from", "global", "if", "import", "in", "is", "lambda", "nonlocal",
    "not", "or", "pass", "raise", "return", "try", "while", "with", "yield",
];

/// Parses a module; see [`super::parse`].
pub fn module(source: &str) -> Result<Module, CodeError> {
    if source.len() > MAX_SOURCE_BYTES {
        let msg = format!(
            "the code is {} bytes long; the limit is {MAX_SOURCE_BYTES} bytes ({} KiB)",
            source.len(),
            MAX_SOURCE_BYTES / 1024
        );
        return Err(err(Pos { line: 1, col: 1 }, msg));
    }
    let (toks, lex_error) = match lex::tokens(source) {
        Ok(toks) => (toks, None),
        Err(mut e) => (std::mem::take(&mut e.toks), Some(e)),
    };
    let mut p = Parser {
        toks,
        i: 0,
        depth: 0,
        tree: 0,
        paren_starts: Default::default(),
        scope: Scope::default(),
        body: FnBody::default(),
        end_name: "the end of the code",
    };
    let parsed = p.module();
    let Some(lex) = lex_error else { return parsed };
    // A syntax error before the lexer's stops first (unless a bracket left open on an earlier
    // line is the likelier cause), as in CPython.
    match parsed {
        Err(e) if !matches!(p.peek(), Tok::End) && lex.unclosed_line.is_none_or(|l| l == e.line) => Err(e),
        _ => Err(lex.error),
    }
}

fn err(pos: Pos, message: impl Into<String>) -> CodeError {
    CodeError { line: pos.line, col: pos.col, message: message.into() }
}

fn is_keyword(name: &str) -> bool {
    KEYWORDS.contains(&name)
}

/// Where the parser is, for the checks CPython makes at compile time (`return` outside a
/// function, `await` outside an `async def`, `break` outside a loop).
#[derive(Debug, Clone, Copy, Default)]
struct Scope {
    in_function: bool,
    /// A class body's (directly: a function in it is not).
    in_class: bool,
    is_async: bool,
    in_loop: bool,
}

/// What the function being parsed holds so far: whether it is a generator (its first `yield`),
/// its last `yield` (one inside a comprehension is refused), its first `return value` (an async
/// generator cannot return a value), the names it uses (its nested functions' too), and the
/// names its nested functions use ([`Function::captured`]).
#[derive(Debug, Clone, Default)]
struct FnBody {
    first_yield: Option<Pos>,
    last_yield: Option<Pos>,
    value_return: Option<Pos>,
    names: Vec<String>,
    captured: Vec<String>,
    /// The targets of its assignment expressions (`n := ...`), which are its local variables, and
    /// where each is (one in a comprehension must not rebind the comprehension's variables).
    named: Vec<(String, Pos)>,
}

impl FnBody {
    /// A nested function's body is parsed: the names it uses are used here, by a nested function.
    fn nested(&mut self, inner: &FnBody) {
        self.names.extend(inner.names.iter().cloned());
        self.captured.extend(inner.names.iter().cloned());
    }

    /// The names nested functions use, sorted, once.
    fn captured(mut self) -> Vec<String> {
        self.captured.sort_unstable();
        self.captured.dedup();
        self.captured
    }
}

/// A function body's local variables ([`Function::locals`]): what its statements bind, and the
/// targets of its assignment expressions (`named`).
fn local_names(body: &[Stmt], named: &[(String, Pos)]) -> Vec<String> {
    let (mut bound, mut declared) = (Vec::new(), Vec::new());
    collect_bound(body, &mut bound, &mut declared);
    bound.extend(named.iter().map(|(n, _)| n.clone()));
    bound.sort_unstable();
    bound.dedup();
    bound.retain(|n| !declared.contains(n));
    bound
}

/// The names `body` binds, and those it declares `global` or `nonlocal`, into the two lists. A
/// nested `def` or `class` binds its name only: its body is its own scope.
fn collect_bound(body: &[Stmt], bound: &mut Vec<String>, declared: &mut Vec<String>) {
    for s in body {
        match &s.kind {
            StmtKind::Assign { targets, .. } => targets.iter().for_each(|t| target_names(t, bound)),
            StmtKind::AugAssign { target, .. } | StmtKind::AnnAssign { target, .. } => target_names(target, bound),
            StmtKind::Delete(targets) => targets.iter().for_each(|t| target_names(t, bound)),
            StmtKind::For { target, body, orelse, .. } => {
                target_names(target, bound);
                collect_bound(body, bound, declared);
                collect_bound(orelse, bound, declared);
            }
            StmtKind::If { body, orelse, .. } | StmtKind::While { body, orelse, .. } => {
                collect_bound(body, bound, declared);
                collect_bound(orelse, bound, declared);
            }
            StmtKind::Try { body, handlers, orelse, finalbody } => {
                for h in handlers {
                    bound.extend(h.name.iter().cloned());
                    collect_bound(&h.body, bound, declared);
                }
                for block in [body, orelse, finalbody] {
                    collect_bound(block, bound, declared);
                }
            }
            StmtKind::With { items, body, .. } => {
                items.iter().filter_map(|i| i.target.as_ref()).for_each(|t| target_names(t, bound));
                collect_bound(body, bound, declared);
            }
            StmtKind::FunctionDef(f) => bound.push(f.name.clone()),
            StmtKind::ClassDef { name, .. } => bound.push(name.clone()),
            StmtKind::Import(names) => bound.extend(names.iter().map(|(module, alias)| {
                alias.clone().unwrap_or_else(|| module.split('.').next().unwrap_or(module).to_string())
            })),
            StmtKind::ImportFrom { names, .. } => {
                bound.extend(names.iter().map(|(name, alias)| alias.as_ref().unwrap_or(name).clone()));
            }
            StmtKind::Global(names) | StmtKind::Nonlocal(names) => declared.extend(names.iter().cloned()),
            _ => {}
        }
    }
}

/// The names an assignment target binds: a name, or those in a tuple or list of targets;
/// attributes and subscripts bind none.
fn target_names(target: &Expr, bound: &mut Vec<String>) {
    match &target.kind {
        ExprKind::Name(n) => bound.push(n.clone()),
        ExprKind::Tuple(items) | ExprKind::List(items) => items.iter().for_each(|t| target_names(t, bound)),
        ExprKind::Starred(inner) => target_names(inner, bound),
        _ => {}
    }
}

struct Parser {
    toks: Vec<Token>,
    i: usize,
    /// Nesting of the recursive descent, bounded by [`MAX_NESTING`].
    depth: usize,
    /// Depth of the tree being built, bounded by [`MAX_TREE_DEPTH`].
    tree: usize,
    /// The '(' before each parenthesized expression, by the expression's own position: a node
    /// built around `(a + b)` starts at its '(', as in CPython.
    paren_starts: rustc_hash::FxHashMap<(u32, u32), Pos>,
    scope: Scope,
    body: FnBody,
    /// How the End token reads in errors: the code's end, or an f-string field's.
    end_name: &'static str,
}

impl Parser {
    // ---- Tokens -------------------------------------------------------------------------------

    fn tok(&self) -> &Token {
        // The lexer always ends with End, and nothing consumes it.
        &self.toks[self.i.min(self.toks.len() - 1)]
    }

    fn peek(&self) -> &Tok {
        &self.tok().tok
    }

    fn nth(&self, k: usize) -> &Tok {
        &self.toks[(self.i + k).min(self.toks.len() - 1)].tok
    }

    fn pos(&self) -> Pos {
        self.tok().pos
    }

    fn bump(&mut self) {
        if self.i + 1 < self.toks.len() {
            self.i += 1;
        }
    }

    fn is_op(&self, op: &str) -> bool {
        matches!(self.peek(), Tok::Op(o) if *o == op)
    }

    fn eat_op(&mut self, op: &str) -> bool {
        let yes = self.is_op(op);
        if yes {
            self.bump();
        }
        yes
    }

    fn is_kw(&self, kw: &str) -> bool {
        matches!(self.peek(), Tok::Name(n) if n == kw)
    }

    fn eat_kw(&mut self, kw: &str) -> bool {
        let yes = self.is_kw(kw);
        if yes {
            self.bump();
        }
        yes
    }

    fn describe(&self, t: &Tok) -> String {
        match t {
            Tok::Name(n) if is_keyword(n) => format!("'{n}'"),
            Tok::Name(n) => format!("name '{n}'"),
            Tok::Int(v) => format!("number {v}"),
            Tok::Float(v) => format!("number {v}"),
            Tok::Str(_) | Tok::FStr(_) | Tok::Bytes => "a string".into(),
            Tok::Op(o) => format!("'{o}'"),
            Tok::Newline => "newline".into(),
            Tok::Indent => "an indent".into(),
            Tok::Dedent => "the end of the indented block".into(),
            Tok::End => self.end_name.into(),
        }
    }

    /// "expected {what}, found {the current token}" at the current token (a misplaced `:=` gets
    /// its own sentence).
    fn expected(&self, what: &str) -> CodeError {
        if self.is_op(":=") {
            return err(self.pos(), "':=' assigns to a plain name, and here it needs parentheses: `(n := len(items))`");
        }
        err(self.pos(), format!("expected {what}, found {}", self.describe(self.peek())))
    }

    fn expect_op(&mut self, op: &str, context: &str) -> Result<Pos, CodeError> {
        let pos = self.pos();
        if !self.eat_op(op) {
            return Err(self.expected(&format!("'{op}' {context}")));
        }
        Ok(pos)
    }

    fn expect_kw(&mut self, kw: &str, context: &str) -> Result<(), CodeError> {
        if !self.eat_kw(kw) {
            return Err(self.expected(&format!("'{kw}' {context}")));
        }
        Ok(())
    }

    /// A plain (non-keyword) name.
    fn name(&mut self, what: &str) -> Result<(String, Pos), CodeError> {
        let pos = self.pos();
        match self.peek() {
            Tok::Name(n) if !is_keyword(n) => {
                let n = n.clone();
                self.bump();
                Ok((n, pos))
            }
            _ => Err(self.expected(what)),
        }
    }

    /// Where a node built around `e` starts: `e`'s own position, or its '(' if parenthesized.
    fn start(&self, e: &Expr) -> Pos {
        self.paren_starts.get(&(e.pos.line, e.pos.col)).copied().unwrap_or(e.pos)
    }

    /// Runs `f` one nesting level deeper, refusing code nested past [`MAX_NESTING`].
    fn nested<T>(&mut self, f: impl FnOnce(&mut Self) -> Result<T, CodeError>) -> Result<T, CodeError> {
        self.nested_by(1, f)
    }

    /// Runs `f` `levels` deeper: a construct whose recursion takes more stack counts for more.
    fn nested_by<T>(
        &mut self,
        levels: usize,
        f: impl FnOnce(&mut Self) -> Result<T, CodeError>,
    ) -> Result<T, CodeError> {
        if self.depth + levels > MAX_NESTING {
            return Err(err(self.pos(), format!("the code is nested too deeply (more than {MAX_NESTING} levels)")));
        }
        let tree = self.tree;
        self.depth += levels;
        self.tree += levels;
        let out = f(self);
        self.depth -= levels;
        self.tree = tree;
        out
    }

    /// One more node of a chain wraps what was built so far (`a + b` + c, `a.b`.c, elif).
    fn grow(&mut self, pos: Pos) -> Result<(), CodeError> {
        self.tree += 1;
        if self.tree > MAX_TREE_DEPTH {
            let msg = format!(
                "this is too long a chain: the syntax tree would be more than {MAX_TREE_DEPTH} levels deep; split it into several statements"
            );
            return Err(err(pos, msg));
        }
        Ok(())
    }

    /// Runs `f`, then forgets the tree depth its chains added (what it built is one subtree).
    fn chain<T>(&mut self, f: impl FnOnce(&mut Self) -> Result<T, CodeError>) -> Result<T, CodeError> {
        let tree = self.tree;
        let out = f(self);
        self.tree = tree;
        out
    }

    /// Runs `f` in `scope` (a function's or class's body), then restores the enclosing one.
    fn in_scope<T>(&mut self, scope: Scope, f: impl FnOnce(&mut Self) -> Result<T, CodeError>) -> Result<T, CodeError> {
        let saved = std::mem::replace(&mut self.scope, scope);
        let out = f(self);
        self.scope = saved;
        out
    }

    // ---- Statements ---------------------------------------------------------------------------

    fn module(&mut self) -> Result<Module, CodeError> {
        let mut body = Vec::new();
        while !matches!(self.peek(), Tok::End) {
            body.extend(self.statement()?);
        }
        Ok(Module { body })
    }

    /// One statement, or the `;`-separated simple statements of one line.
    fn statement(&mut self) -> Result<Vec<Stmt>, CodeError> {
        let pos = self.pos();
        let kw = match self.peek() {
            Tok::Indent => return Err(err(pos, "unexpected indent")),
            Tok::Op("@") => return Ok(vec![self.decorated()?]),
            Tok::Name(n) => n.clone(),
            _ => return self.simple_line(),
        };
        let stmt = match kw.as_str() {
            "if" => self.if_stmt()?,
            "while" => self.while_stmt()?,
            "for" => self.for_stmt(false, pos)?,
            "try" => self.try_stmt()?,
            "with" => self.with_stmt(false, pos)?,
            "def" => self.funcdef(Vec::new(), false, pos)?,
            "class" => self.classdef(Vec::new())?,
            "async" => self.async_stmt(Vec::new())?,
            "match" if self.is_match_statement() => {
                return Err(err(pos, "the `match` statement is not supported here; use if/elif/else"))
            }
            _ => return self.simple_line(),
        };
        Ok(vec![stmt])
    }

    fn simple_line(&mut self) -> Result<Vec<Stmt>, CodeError> {
        let mut stmts = vec![self.simple()?];
        while self.eat_op(";") {
            if matches!(self.peek(), Tok::Newline | Tok::End) {
                break;
            }
            stmts.push(self.simple()?);
        }
        match self.peek() {
            Tok::Newline => self.bump(),
            Tok::End => {}
            _ => {
                if let Some(StmtKind::Expr(Expr { kind: ExprKind::Name(n), pos })) = stmts.last().map(|s| &s.kind) {
                    if n == "print" || n == "exec" {
                        return Err(err(*pos, format!("missing parentheses in the call to '{n}': write {n}(...)")));
                    }
                }
                return Err(self.expected("newline or ';' after the statement"));
            }
        }
        Ok(stmts)
    }

    /// The body after a compound statement's `:`: an indented block, or simple statements on
    /// the same line. `what` names the statement for the missing-block error.
    fn block(&mut self, what: &str, line: u32) -> Result<Vec<Stmt>, CodeError> {
        if !matches!(self.peek(), Tok::Newline) {
            return self.simple_line();
        }
        self.bump();
        if !matches!(self.peek(), Tok::Indent) {
            return Err(self.expected(&format!("an indented block after {what} on line {line}")));
        }
        self.bump();
        self.nested(|p| {
            let mut body = Vec::new();
            while !matches!(p.peek(), Tok::Dedent | Tok::End) {
                body.extend(p.statement()?);
            }
            if matches!(p.peek(), Tok::Dedent) {
                p.bump();
            }
            Ok(body)
        })
    }

    /// `match x:` followed by an indented block (a call `match(x)` or a name `match` is not).
    fn is_match_statement(&self) -> bool {
        let mut k = 1;
        while !matches!(self.nth(k), Tok::Newline | Tok::End) {
            k += 1;
        }
        k > 1 && matches!(self.nth(k - 1), Tok::Op(":")) && matches!(self.nth(k + 1), Tok::Indent)
    }

    fn simple(&mut self) -> Result<Stmt, CodeError> {
        let pos = self.pos();
        let kw = match self.peek() {
            Tok::Name(n) => n.clone(),
            _ => String::new(),
        };
        let kind = match kw.as_str() {
            "pass" => {
                self.bump();
                StmtKind::Pass
            }
            "break" | "continue" => {
                if !self.scope.in_loop {
                    return Err(err(pos, format!("'{kw}' is only allowed inside a loop")));
                }
                self.bump();
                if kw == "break" {
                    StmtKind::Break
                } else {
                    StmtKind::Continue
                }
            }
            "return" => self.return_stmt()?,
            "raise" => self.raise_stmt()?,
            "global" | "nonlocal" => self.names_stmt(&kw)?,
            "import" => self.import_stmt()?,
            "from" => self.import_from_stmt()?,
            "assert" => {
                self.bump();
                let test = self.test()?;
                let msg = if self.eat_op(",") { Some(self.test()?) } else { None };
                StmtKind::Assert { test, msg }
            }
            "del" => {
                self.bump();
                let targets = self.target_list()?;
                let targets = match targets.kind {
                    ExprKind::Tuple(items) => items,
                    _ => vec![targets],
                };
                targets.iter().try_for_each(check_del)?;
                StmtKind::Delete(targets)
            }
            "type" if matches!(self.nth(1), Tok::Name(_)) && matches!(self.nth(2), Tok::Op("=" | "[")) => {
                return Err(err(pos, "type alias statements (`type X = ...`) are not supported here"));
            }
            _ => self.expr_stmt()?,
        };
        Ok(Stmt { pos, kind })
    }

    fn at_line_end(&self) -> bool {
        matches!(self.peek(), Tok::Newline | Tok::End | Tok::Op(";"))
    }

    fn return_stmt(&mut self) -> Result<StmtKind, CodeError> {
        if !self.scope.in_function {
            return Err(err(self.pos(), "'return' is only allowed inside a function"));
        }
        let pos = self.pos();
        self.bump();
        let value = if self.at_line_end() { None } else { Some(self.star_list()?) };
        if value.is_some() {
            self.body.value_return.get_or_insert(pos);
        }
        Ok(StmtKind::Return(value))
    }

    fn raise_stmt(&mut self) -> Result<StmtKind, CodeError> {
        self.bump();
        if self.at_line_end() {
            return Ok(StmtKind::Raise { exc: None, cause: None });
        }
        let exc = Some(self.test()?);
        let cause = if self.eat_kw("from") { Some(self.test()?) } else { None };
        Ok(StmtKind::Raise { exc, cause })
    }

    fn names_stmt(&mut self, kw: &str) -> Result<StmtKind, CodeError> {
        if kw == "nonlocal" && !self.scope.in_function {
            return Err(err(self.pos(), "'nonlocal' is only allowed inside a nested function"));
        }
        self.bump();
        let mut names = vec![self.name(&format!("a name after '{kw}'"))?.0];
        while self.eat_op(",") {
            names.push(self.name(&format!("a name after ',' in the '{kw}' statement"))?.0);
        }
        self.body.names.extend(names.iter().cloned());
        Ok(if kw == "global" { StmtKind::Global(names) } else { StmtKind::Nonlocal(names) })
    }

    /// An expression statement, an assignment (chained, unpacking), `x += ...` or `x: T = ...`.
    fn expr_stmt(&mut self) -> Result<StmtKind, CodeError> {
        if self.is_kw("yield") {
            let e = self.yield_expr()?;
            if self.is_op("=") || matches!(self.peek(), Tok::Op(op) if expr::aug_op(op).is_some()) {
                return Err(err(e.pos, "assignment to yield expression not possible"));
            }
            return Ok(StmtKind::Expr(e));
        }
        let first = self.star_list()?;
        if self.is_op("=") {
            // `a = b = value`: every side but the last is a target.
            let mut targets = vec![first];
            while self.eat_op("=") {
                targets.push(self.rhs()?);
            }
            if let Some(y) = targets[..targets.len() - 1].iter().find(|t| matches!(t.kind, ExprKind::Yield(_))) {
                return Err(err(y.pos, "assignment to yield expression not possible"));
            }
            let (Some(value), false) = (targets.pop(), targets.is_empty()) else {
                return Err(self.expected("a value after '='"));
            };
            targets.iter().try_for_each(|t| check_target(t, false))?;
            return Ok(StmtKind::Assign { targets, value });
        }
        if let Tok::Op(op) = self.peek() {
            if let Some(op) = expr::aug_op(op) {
                let op = op.map_err(|m| err(self.pos(), m))?;
                check_aug_target(&first)?;
                self.bump();
                let value = self.rhs()?;
                return Ok(StmtKind::AugAssign { target: first, op, value });
            }
        }
        if self.eat_op(":") {
            if !matches!(first.kind, ExprKind::Name(_) | ExprKind::Attribute { .. } | ExprKind::Subscript { .. }) {
                return Err(err(first.pos, "only a single name, attribute or subscript can be annotated"));
            }
            self.test()?; // The annotation: parsed, then ignored.
            let value = if self.eat_op("=") { Some(self.rhs()?) } else { None };
            return Ok(StmtKind::AnnAssign { target: first, value });
        }
        Ok(StmtKind::Expr(first))
    }

    fn import_stmt(&mut self) -> Result<StmtKind, CodeError> {
        self.bump();
        let mut names = Vec::new();
        loop {
            let (module, pos) = self.dotted_name("a module name after 'import'")?;
            check_module(&module, pos)?;
            let alias = if self.eat_kw("as") { Some(self.name("a name after 'as'")?.0) } else { None };
            names.push((module, alias));
            if !self.eat_op(",") {
                return Ok(StmtKind::Import(names));
            }
        }
    }

    fn import_from_stmt(&mut self) -> Result<StmtKind, CodeError> {
        self.bump();
        if self.is_op(".") || self.is_op("...") {
            return Err(err(self.pos(), "relative imports are not supported here: awaitlab runs a single file"));
        }
        let (module, pos) = self.dotted_name("a module name after 'from'")?;
        check_module(&module, pos)?;
        self.expect_kw("import", "after the module name")?;
        if self.is_op("*") {
            return Err(err(
                self.pos(),
                format!("`from {module} import *` is not supported here: import the names you use"),
            ));
        }
        let parens = self.eat_op("(");
        let mut names = Vec::new();
        loop {
            let (name, at) = self.name("a name to import")?;
            if module == "asyncio" && name == "to_thread" {
                return Err(err(at, TO_THREAD));
            }
            let alias = if self.eat_kw("as") { Some(self.name("a name after 'as'")?.0) } else { None };
            names.push((name, alias));
            if !self.eat_op(",") || (parens && self.is_op(")")) {
                break;
            }
        }
        if parens {
            self.expect_op(")", "to close the imported names")?;
        }
        Ok(StmtKind::ImportFrom { module, names })
    }

    fn dotted_name(&mut self, what: &str) -> Result<(String, Pos), CodeError> {
        let (mut name, pos) = self.name(what)?;
        while self.eat_op(".") {
            name.push('.');
            name += &self.name("a name after '.'")?.0;
        }
        Ok((name, pos))
    }

    // ---- Compound statements -----------------------------------------------------------------

    /// `if` or `elif` (`kw`), with its `elif`/`else` chain.
    /// `if` with its `elif`s (each an `If` in the previous one's `orelse`) and `else`; read in a
    /// loop, so a long chain of `elif`s costs no stack here.
    fn if_stmt(&mut self) -> Result<Stmt, CodeError> {
        self.chain(|p| {
            let mut branches = Vec::new();
            let mut kw = "if";
            loop {
                let pos = p.pos();
                if kw == "elif" {
                    p.grow(pos)?;
                }
                p.bump();
                let test = p.named_test()?;
                p.expect_op(":", &format!("after the {kw} condition"))?;
                let body = p.block(&format!("'{kw}' statement"), pos.line)?;
                branches.push((pos, test, body));
                if !p.is_kw("elif") {
                    break;
                }
                kw = "elif";
            }
            let mut orelse = p.else_block()?;
            while let Some((pos, test, body)) = branches.pop() {
                orelse = vec![Stmt { pos, kind: StmtKind::If { test, body, orelse } }];
            }
            Ok(orelse.pop().unwrap_or_else(|| Stmt { pos: p.pos(), kind: StmtKind::Pass }))
        })
    }

    fn else_block(&mut self) -> Result<Vec<Stmt>, CodeError> {
        let line = self.pos().line;
        if !self.eat_kw("else") {
            return Ok(Vec::new());
        }
        self.expect_op(":", "after 'else'")?;
        self.block("'else'", line)
    }

    /// A loop's body, where `break` and `continue` are allowed.
    fn loop_body(&mut self, what: &str, line: u32) -> Result<Vec<Stmt>, CodeError> {
        let scope = Scope { in_loop: true, ..self.scope };
        self.in_scope(scope, |p| p.block(what, line))
    }

    fn while_stmt(&mut self) -> Result<Stmt, CodeError> {
        let pos = self.pos();
        self.bump();
        let test = self.named_test()?;
        self.expect_op(":", "after the while condition")?;
        let body = self.loop_body("'while' statement", pos.line)?;
        let orelse = self.else_block()?;
        Ok(Stmt { pos, kind: StmtKind::While { test, body, orelse } })
    }

    fn for_stmt(&mut self, is_async: bool, pos: Pos) -> Result<Stmt, CodeError> {
        self.bump();
        let target = self.target_list()?;
        check_target(&target, false)?;
        self.expect_kw("in", "after the for loop's target")?;
        let iter = self.star_list()?;
        self.expect_op(":", "after the for clause")?;
        let body = self.loop_body("'for' statement", pos.line)?;
        let orelse = self.else_block()?;
        Ok(Stmt { pos, kind: StmtKind::For { target, iter, body, orelse, is_async } })
    }

    fn try_stmt(&mut self) -> Result<Stmt, CodeError> {
        let pos = self.pos();
        self.bump();
        self.expect_op(":", "after 'try'")?;
        let body = self.block("'try' statement", pos.line)?;
        let mut handlers: Vec<Handler> = Vec::new();
        while self.is_kw("except") {
            if let Some(bare) = handlers.iter().find(|h| h.kind.is_none()) {
                return Err(err(bare.pos, "a bare 'except:' must be the last except clause"));
            }
            handlers.push(self.handler()?);
        }
        let orelse_pos = self.pos();
        let orelse = self.else_block()?;
        if !orelse.is_empty() && handlers.is_empty() {
            return Err(err(orelse_pos, "'else' after 'try' needs an 'except' clause before it"));
        }
        let finally_line = self.pos().line;
        let finalbody = if self.eat_kw("finally") {
            self.expect_op(":", "after 'finally'")?;
            self.block("'finally'", finally_line)?
        } else {
            Vec::new()
        };
        if handlers.is_empty() && finalbody.is_empty() {
            return Err(self.expected("'except' or 'finally' after the try block"));
        }
        Ok(Stmt { pos, kind: StmtKind::Try { body, handlers, orelse, finalbody } })
    }

    fn handler(&mut self) -> Result<Handler, CodeError> {
        let pos = self.pos();
        self.bump();
        if self.is_op("*") {
            return Err(err(self.pos(), "'except*' (exception groups) is not supported here; use 'except'"));
        }
        let mut kind = None;
        let mut name = None;
        if !self.is_op(":") {
            kind = Some(self.test()?);
            if self.is_op(",") {
                return Err(err(self.pos(), "several exception classes must be in parentheses: except (A, B):"));
            }
            if self.eat_kw("as") {
                name = Some(self.name("a name after 'as'")?.0);
            }
        }
        self.expect_op(":", "after the except clause")?;
        let body = self.block("'except' clause", pos.line)?;
        Ok(Handler { pos, kind, name, body })
    }

    fn with_stmt(&mut self, is_async: bool, pos: Pos) -> Result<Stmt, CodeError> {
        self.bump();
        let items = match self.parenthesized_with_items()? {
            Some(items) => items,
            None => self.with_items()?,
        };
        self.expect_op(":", "after the with items")?;
        let body = self.block("'with' statement", pos.line)?;
        Ok(Stmt { pos, kind: StmtKind::With { items, body, is_async } })
    }

    fn with_items(&mut self) -> Result<Vec<WithItem>, CodeError> {
        let mut items = Vec::new();
        loop {
            let context = self.test()?;
            let target = if self.eat_kw("as") {
                let t = self.target()?;
                check_target(&t, false)?;
                Some(t)
            } else {
                None
            };
            items.push(WithItem { context, target });
            if !self.eat_op(",") {
                return Ok(items);
            }
        }
    }

    /// `with (a as x, b as y):` (Python 3.10+): tried first, and given up (the tokens reread as
    /// an ordinary expression) unless it parses up to the `:`.
    fn parenthesized_with_items(&mut self) -> Result<Option<Vec<WithItem>>, CodeError> {
        if !self.is_op("(") {
            return Ok(None);
        }
        let start = self.i;
        self.bump();
        let attempt = self.nested(|p| {
            let items = p.with_items()?;
            p.eat_op(",");
            p.expect_op(")", "")?;
            p.expect_op(":", "")?;
            Ok(items)
        });
        match attempt {
            Ok(items) => {
                self.i -= 1; // Leave the ':' for the caller.
                Ok(Some(items))
            }
            Err(_) => {
                self.i = start;
                Ok(None)
            }
        }
    }

    /// `async def`, `async with` or `async for`.
    fn async_stmt(&mut self, decorators: Vec<Expr>) -> Result<Stmt, CodeError> {
        let pos = self.pos();
        self.bump();
        let what = match self.peek() {
            Tok::Name(n) if n == "def" => return self.funcdef(decorators, true, pos),
            Tok::Name(n) if decorators.is_empty() && (n == "with" || n == "for") => n.clone(),
            _ => return Err(self.expected("'def', 'with' or 'for' after 'async'")),
        };
        if !self.scope.is_async {
            return Err(err(pos, format!("'async {what}' is only allowed inside an async def")));
        }
        if what == "with" {
            self.with_stmt(true, pos)
        } else {
            self.for_stmt(true, pos)
        }
    }

    fn decorated(&mut self) -> Result<Stmt, CodeError> {
        let mut decorators = Vec::new();
        while self.eat_op("@") {
            decorators.push(self.test()?);
            if !matches!(self.peek(), Tok::Newline) {
                return Err(self.expected("newline after the decorator"));
            }
            self.bump();
        }
        let pos = self.pos();
        match self.peek() {
            Tok::Name(n) if n == "def" => self.funcdef(decorators, false, pos),
            Tok::Name(n) if n == "async" => self.async_stmt(decorators),
            Tok::Name(n) if n == "class" => self.classdef(decorators),
            _ => Err(self.expected("'def' or 'class' after the decorators")),
        }
    }

    /// `def` (after any `async`, whose position is `pos`).
    fn funcdef(&mut self, decorators: Vec<Expr>, is_async: bool, pos: Pos) -> Result<Stmt, CodeError> {
        self.expect_kw("def", "")?;
        let (name, _) = self.name("the function's name after 'def'")?;
        self.expect_op("(", "after the function's name")?;
        let params = self.params(")", true)?;
        self.expect_op(")", "after the parameters")?;
        if self.eat_op("->") {
            self.test()?; // The return annotation: parsed, then ignored.
        }
        self.expect_op(":", "after the function's signature")?;
        let scope = Scope { in_function: true, is_async, in_loop: false, in_class: false };
        let outer = std::mem::take(&mut self.body);
        let body = self.in_scope(scope, |p| p.block("function definition", pos.line));
        let inner = std::mem::replace(&mut self.body, outer);
        let body = body?;
        let is_generator = inner.first_yield.is_some();
        if let (true, Some(at)) = (is_generator, inner.value_return) {
            return Err(err(at, "'return' with value in async generator"));
        }
        self.body.nested(&inner);
        let locals = local_names(&body, &inner.named);
        let captured = inner.captured();
        let f = Function { pos, name, params, body, is_async, is_generator, captured, locals, decorators };
        Ok(Stmt { pos, kind: StmtKind::FunctionDef(Rc::new(f)) })
    }

    /// A `def`'s (annotated, up to `)`) or a lambda's (up to `:`) parameters; `close` is left
    /// for the caller.
    fn params(&mut self, close: &str, annotated: bool) -> Result<Params, CodeError> {
        let mut p = Params::default();
        let mut star_pos: Option<Pos> = None;
        let mut seen: Vec<String> = Vec::new();
        while !self.is_op(close) {
            let pos = self.pos();
            if self.eat_op("**") {
                p.kwarg = Some(self.param_name(annotated, &mut seen)?);
                self.eat_op(",");
                if !self.is_op(close) {
                    return Err(err(self.pos(), "no parameter can follow the '**' parameter"));
                }
                break;
            } else if self.eat_op("*") {
                if star_pos.is_some() {
                    return Err(err(pos, "only one '*' parameter is allowed"));
                }
                star_pos = Some(pos);
                if !self.is_op(",") {
                    p.vararg = Some(self.param_name(annotated, &mut seen)?);
                }
            } else if self.eat_op("/") {
                // Positional-only marker: accepted; the parameters before it stay positional-or-keyword.
                if star_pos.is_some() || p.args.is_empty() {
                    return Err(err(pos, "'/' must follow at least one parameter and come before '*'"));
                }
            } else {
                let name = self.param_name(annotated, &mut seen)?;
                let default = if self.eat_op("=") { Some(self.test()?) } else { None };
                if star_pos.is_some() {
                    p.kwonly.push(super::ast::Param { name, default });
                } else {
                    if default.is_none() && p.args.iter().any(|a| a.default.is_some()) {
                        return Err(err(
                            pos,
                            format!("parameter '{name}' without a default follows one with a default"),
                        ));
                    }
                    p.args.push(super::ast::Param { name, default });
                }
            }
            if !self.eat_op(",") {
                break;
            }
        }
        if let (Some(pos), None, true) = (star_pos, &p.vararg, p.kwonly.is_empty()) {
            return Err(err(pos, "a bare '*' must be followed by a named parameter"));
        }
        Ok(p)
    }

    fn param_name(&mut self, annotated: bool, seen: &mut Vec<String>) -> Result<String, CodeError> {
        let (name, pos) = self.name("a parameter name")?;
        if seen.contains(&name) {
            return Err(err(pos, format!("duplicate parameter '{name}'")));
        }
        seen.push(name.clone());
        if annotated && self.eat_op(":") {
            self.test()?; // The annotation: parsed, then ignored.
        }
        Ok(name)
    }

    fn classdef(&mut self, decorators: Vec<Expr>) -> Result<Stmt, CodeError> {
        let pos = self.pos();
        self.bump();
        let (name, _) = self.name("the class's name after 'class'")?;
        let mut bases = Vec::new();
        if self.is_op("(") {
            let open = self.pos();
            self.bump();
            let (args, keywords) = self.nested(|p| p.call_args(open))?;
            if !keywords.is_empty() {
                return Err(err(open, "class keywords (such as metaclass=...) are not supported here"));
            }
            bases = args;
        }
        self.expect_op(":", "after the class header")?;
        let scope = Scope { in_class: true, ..Scope::default() };
        // What the body's assignment expressions bind are the class's attributes, not the
        // enclosing function's variables.
        let named = self.body.named.len();
        let body = self.in_scope(scope, |p| p.block("class definition", pos.line))?;
        self.body.named.truncate(named);
        Ok(Stmt { pos, kind: StmtKind::ClassDef { name, bases, body, decorators } })
    }
}

fn check_module(module: &str, pos: Pos) -> Result<(), CodeError> {
    match import_of(module) {
        Some(Import::Runs | Import::Annotations | Import::ArticleOnly(_)) => Ok(()),
        Some(Import::Refused(why)) => Err(err(pos, why)),
        None => Err(err(pos, unknown_module(module))),
    }
}

/// What an expression is, for "cannot assign to ..." errors.
fn what_expr(e: &Expr) -> &'static str {
    use super::ast::Const;
    match &e.kind {
        ExprKind::Const(Const::None) => "None",
        ExprKind::Const(Const::Bool(true)) => "True",
        ExprKind::Const(Const::Bool(false)) => "False",
        ExprKind::Const(_) | ExprKind::FString(_) => "a literal",
        ExprKind::Call { .. } => "a function call",
        ExprKind::Await(_) => "an await expression",
        ExprKind::Lambda(_) => "a lambda",
        ExprKind::Compare { .. } => "a comparison",
        ExprKind::BoolOp { .. } => "an 'and'/'or' expression",
        ExprKind::IfExp { .. } => "a conditional expression",
        ExprKind::Comp { .. } | ExprKind::DictComp { .. } => "a comprehension",
        ExprKind::Dict(_) => "a dict",
        ExprKind::Set(_) => "a set",
        _ => "an expression",
    }
}

/// An assignment, `for` or `with` target: names, attributes, subscripts, and tuples/lists of
/// them with at most one starred target each.
fn check_target(e: &Expr, in_sequence: bool) -> Result<(), CodeError> {
    match &e.kind {
        ExprKind::Name(_) | ExprKind::Attribute { .. } | ExprKind::Subscript { .. } => Ok(()),
        ExprKind::Tuple(items) | ExprKind::List(items) => {
            let mut stars = items.iter().filter(|t| matches!(t.kind, ExprKind::Starred(_)));
            if let (Some(_), Some(second)) = (stars.next(), stars.next()) {
                return Err(err(second.pos, "only one starred target is allowed in an unpacking"));
            }
            items.iter().try_for_each(|t| check_target(t, true))
        }
        ExprKind::Starred(inner) if in_sequence => check_target(inner, false),
        ExprKind::Starred(_) => Err(err(e.pos, "a starred target must be inside a tuple or list")),
        _ => Err(err(e.pos, format!("cannot assign to {}", what_expr(e)))),
    }
}

fn check_aug_target(e: &Expr) -> Result<(), CodeError> {
    match &e.kind {
        ExprKind::Name(_) | ExprKind::Attribute { .. } | ExprKind::Subscript { .. } => Ok(()),
        ExprKind::Tuple(_) | ExprKind::List(_) => {
            Err(err(e.pos, "an augmented assignment (such as +=) needs a single target, not a tuple or list"))
        }
        _ => Err(err(e.pos, format!("cannot assign to {}", what_expr(e)))),
    }
}

fn check_del(e: &Expr) -> Result<(), CodeError> {
    match &e.kind {
        ExprKind::Name(_) | ExprKind::Attribute { .. } | ExprKind::Subscript { .. } => Ok(()),
        ExprKind::Tuple(items) | ExprKind::List(items) => items.iter().try_for_each(check_del),
        _ => Err(err(e.pos, format!("cannot delete {}", what_expr(e)))),
    }
}
