//! Expressions, by precedence from loosest to tightest: lambda, `x if c else y`, `or`, `and`,
//! `not`, comparisons, `|`, `^`, `&`, shifts, `+ -`, `* / // %`, unary `- + ~`, `**` (right
//! associative, and tighter than a unary operator on its left: `-2**2 == -4`), `await`, then
//! calls, attributes and subscripts on an atom.

use std::rc::Rc;

use super::lex::{FPiece, Tok, Token};
use super::{check_target, err, is_keyword, Parser, Scope};
use crate::core::py::ast::{
    BinOp, BoolOp, CmpOp, CompKind, Comprehension, Const, Expr, ExprKind, FPart, Function, Keyword, Pos, Stmt,
    StmtKind, UnaryOp,
};
use crate::core::py::CodeError;

type R = Result<Expr, CodeError>;

/// The binary operator levels from `|` (loosest, `prec::BITOR`) to `* / // %` (`prec::TERM`).
const BINARY: &[&[(&str, BinOp)]] = &[
    &[("|", BinOp::BitOr)],
    &[("^", BinOp::BitXor)],
    &[("&", BinOp::BitAnd)],
    &[("<<", BinOp::LShift), (">>", BinOp::RShift)],
    &[("+", BinOp::Add), ("-", BinOp::Sub)],
    &[("*", BinOp::Mul), ("/", BinOp::Div), ("//", BinOp::FloorDiv), ("%", BinOp::Mod)],
];

/// Binding levels, loosest first (`not` and unary operators are prefixes at their level).
mod prec {
    pub const OR: u8 = 1;
    pub const AND: u8 = 2;
    pub const NOT: u8 = 3;
    pub const CMP: u8 = 4;
    pub const BITOR: u8 = 5; // Then ^, &, shifts, + -, * / // % (BINARY's levels).
    pub const TERM: u8 = 10;
    pub const UNARY: u8 = 11;
    pub const POW: u8 = 12;
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Infix {
    Bool(BoolOp),
    Cmp(CmpOp),
    Bin(BinOp),
    MatMul,
}

const MATMUL: &str = "the '@' operator (matrix multiplication) is not supported here";

/// `x op= ...`'s operator: `None` when `op` is not an augmented assignment.
pub(super) fn aug_op(op: &str) -> Option<Result<BinOp, &'static str>> {
    if op == "@=" {
        return Some(Err(MATMUL));
    }
    let base = op.strip_suffix('=')?;
    BINARY.iter().flat_map(|level| level.iter()).find(|(o, _)| *o == base).map(|&(_, b)| Ok(b)).or(match base {
        "**" => Some(Ok(BinOp::Pow)),
        _ => None,
    })
}

fn boxed(e: Expr) -> Box<Expr> {
    Box::new(e)
}

fn tuple(pos: Pos, items: Vec<Expr>) -> Expr {
    Expr { pos, kind: ExprKind::Tuple(items) }
}

fn push_lit(parts: &mut Vec<FPart>, s: &str) {
    if let Some(FPart::Lit(last)) = parts.last_mut() {
        last.push_str(s);
    } else if !s.is_empty() {
        parts.push(FPart::Lit(s.to_string()));
    }
}

impl Parser {
    /// Whether the current token can start an expression (to tell `x,` from `x, y`).
    fn starts_expr(&self) -> bool {
        match self.peek() {
            Tok::Name(n) => {
                !is_keyword(n) || matches!(n.as_str(), "True" | "False" | "None" | "not" | "lambda" | "await" | "yield")
            }
            Tok::Int(_) | Tok::Float(_) | Tok::Str(_) | Tok::Bytes | Tok::FStr(_) => true,
            Tok::Op(o) => matches!(*o, "(" | "[" | "{" | "-" | "+" | "~" | "*" | "..."),
            _ => false,
        }
    }

    /// Expressions and `*starred` separated by commas: a tuple if there is a comma (an
    /// assignment's sides, `return a, b`, a `for`'s iterable).
    pub(super) fn star_list(&mut self) -> R {
        self.list_of(|p| if p.is_op("*") { p.starred() } else { p.test() })
    }

    /// A `for` or comprehension target: `|`-level expressions (so `in` is not a comparison).
    pub(super) fn target_list(&mut self) -> R {
        self.list_of(|p| p.target())
    }

    pub(super) fn target(&mut self) -> R {
        if self.is_op("*") {
            self.starred()
        } else {
            self.bitor()
        }
    }

    fn list_of(&mut self, mut item: impl FnMut(&mut Self) -> R) -> R {
        let first = item(self)?;
        if !self.is_op(",") {
            if matches!(first.kind, ExprKind::Starred(_)) {
                return Err(err(first.pos, "a starred expression is only allowed in a tuple, list, set or call"));
            }
            return Ok(first);
        }
        let pos = self.start(&first);
        let mut items = vec![first];
        while self.eat_op(",") && self.starts_expr() {
            items.push(item(self)?);
        }
        Ok(tuple(pos, items))
    }

    fn starred(&mut self) -> R {
        let pos = self.pos();
        self.bump();
        let value = self.bitor()?;
        Ok(Expr { pos, kind: ExprKind::Starred(boxed(value)) })
    }

    /// A full expression: a lambda, or a conditional expression.
    pub(super) fn test(&mut self) -> R {
        if self.is_kw("lambda") {
            return self.nested(|p| p.lambda());
        }
        let body = self.or_test()?;
        if !self.is_kw("if") {
            return Ok(body);
        }
        self.bump();
        let test = self.or_test()?;
        self.expect_kw("else", "in the conditional expression (x if condition else y)")?;
        let orelse = self.nested(|p| p.test())?;
        Ok(Expr {
            pos: self.start(&body),
            kind: ExprKind::IfExp { test: boxed(test), body: boxed(body), orelse: boxed(orelse) },
        })
    }

    /// `name := value`, an assignment expression, where the grammar takes one (a condition, a
    /// call's argument, an item in brackets), else a [`Self::test`].
    pub(super) fn named_test(&mut self) -> R {
        let named = matches!(self.peek(), Tok::Name(n) if !is_keyword(n)) && matches!(self.nth(1), Tok::Op(":="));
        if !named {
            return self.test();
        }
        let (target, pos) = self.name("a name")?;
        self.bump();
        let value = self.test()?;
        self.body.names.push(target.clone());
        self.body.named.push((target.clone(), pos));
        Ok(Expr { pos, kind: ExprKind::NamedExpr { target, value: boxed(value) } })
    }

    /// An assignment expression not in parentheses of its own (`{y := 1: 2}` is refused).
    fn bare_named(&self, e: &Expr) -> bool {
        matches!(e.kind, ExprKind::NamedExpr { .. }) && !self.paren_starts.contains_key(&(e.pos.line, e.pos.col))
    }

    fn lambda(&mut self) -> R {
        let pos = self.pos();
        self.bump();
        let params = self.params(":", false)?;
        self.expect_op(":", "after the lambda's parameters")?;
        let scope = Scope { in_function: true, is_async: false, in_loop: false, in_class: false };
        let outer = std::mem::take(&mut self.body);
        let value = self.in_scope(scope, |p| p.test());
        let inner = std::mem::replace(&mut self.body, outer);
        let value = value?;
        self.body.nested(&inner);
        let body = vec![Stmt { pos: value.pos, kind: StmtKind::Return(Some(value)) }];
        let f = Function {
            pos,
            name: "<lambda>".into(),
            params,
            body,
            is_async: false,
            is_generator: false,
            // Its parameters, always bound, and what its assignment expressions bind.
            locals: super::local_names(&[], &inner.named),
            captured: inner.captured(),
            decorators: Vec::new(),
        };
        Ok(Expr { pos, kind: ExprKind::Lambda(Rc::new(f)) })
    }

    /// `or` and everything tighter (no conditional expression, no lambda).
    pub(super) fn or_test(&mut self) -> R {
        self.operators(prec::OR)
    }

    /// `|` and everything tighter: a `for` target, a `*starred` value.
    pub(super) fn bitor(&mut self) -> R {
        self.operators(prec::BITOR)
    }

    /// The operator at the cursor, if it binds at `prec::*` level, and how many tokens it takes.
    fn infix(&self) -> Option<(u8, Infix, usize)> {
        let name = |k: usize| match self.nth(k) {
            Tok::Name(n) => n.as_str(),
            _ => "",
        };
        let cmp = |op| Some((prec::CMP, Infix::Cmp(op), 1));
        match self.peek() {
            Tok::Op(o) => match *o {
                "<" => cmp(CmpOp::Lt),
                ">" => cmp(CmpOp::Gt),
                "==" => cmp(CmpOp::Eq),
                ">=" => cmp(CmpOp::GtE),
                "<=" => cmp(CmpOp::LtE),
                "!=" => cmp(CmpOp::NotEq),
                "**" => Some((prec::POW, Infix::Bin(BinOp::Pow), 1)),
                "@" => Some((prec::TERM, Infix::MatMul, 1)),
                _ => BINARY.iter().enumerate().find_map(|(level, ops)| {
                    let op = ops.iter().find(|(s, _)| s == o)?.1;
                    Some((prec::BITOR + level as u8, Infix::Bin(op), 1))
                }),
            },
            Tok::Name(n) => match n.as_str() {
                "or" => Some((prec::OR, Infix::Bool(BoolOp::Or), 1)),
                "and" => Some((prec::AND, Infix::Bool(BoolOp::And), 1)),
                "in" => cmp(CmpOp::In),
                "not" if name(1) == "in" => Some((prec::CMP, Infix::Cmp(CmpOp::NotIn), 2)),
                "is" if name(1) == "not" => Some((prec::CMP, Infix::Cmp(CmpOp::IsNot), 2)),
                "is" => cmp(CmpOp::Is),
                _ => None,
            },
            _ => None,
        }
    }

    /// Operators binding at `min` or tighter, by precedence climbing: one function for every
    /// level keeps the recursion per nested bracket short (the stack limits how deep code nests).
    fn operators(&mut self, min: u8) -> R {
        self.chain(|p| p.operators_chain(min))
    }

    fn operators_chain(&mut self, min: u8) -> R {
        let mut left = self.prefix(min)?;
        while let Some((level, op, len)) = self.infix() {
            if level < min {
                break;
            }
            let pos = self.start(&left);
            self.grow(self.pos())?;
            let kind = match op {
                Infix::MatMul => return Err(err(self.pos(), MATMUL)),
                Infix::Bool(op) => {
                    let mut values = vec![left];
                    while self.infix().is_some_and(|(_, o, _)| o == Infix::Bool(op)) {
                        self.bump();
                        values.push(self.operators(level + 1)?);
                    }
                    ExprKind::BoolOp { op, values }
                }
                Infix::Cmp(_) => {
                    let (mut ops, mut comparators) = (Vec::new(), Vec::new());
                    while let Some((prec::CMP, Infix::Cmp(op), len)) = self.infix() {
                        self.i += len;
                        ops.push(op);
                        comparators.push(self.operators(prec::CMP + 1)?);
                    }
                    ExprKind::Compare { left: boxed(left), ops, comparators }
                }
                // `**` is right associative and takes a unary operand on its right: `2 ** -1`.
                Infix::Bin(BinOp::Pow) => {
                    self.i += len;
                    let right = self.nested(|p| p.operators(prec::UNARY))?;
                    ExprKind::BinOp { left: boxed(left), op: BinOp::Pow, right: boxed(right) }
                }
                Infix::Bin(op) => {
                    self.i += len;
                    let right = self.operators(level + 1)?;
                    ExprKind::BinOp { left: boxed(left), op, right: boxed(right) }
                }
            };
            left = Expr { pos, kind };
        }
        Ok(left)
    }

    /// `not x` (when `not` may appear at `min`), unary `- + ~`, or an awaited or primary operand.
    fn prefix(&mut self, min: u8) -> R {
        let (op, level) = match self.peek() {
            Tok::Name(n) if n == "not" && min <= prec::NOT => (UnaryOp::Not, prec::NOT),
            Tok::Op("-") => (UnaryOp::Neg, prec::UNARY),
            Tok::Op("+") => (UnaryOp::Pos, prec::UNARY),
            Tok::Op("~") => (UnaryOp::Invert, prec::UNARY),
            _ => return self.await_expr(),
        };
        let pos = self.pos();
        self.bump();
        let operand = self.nested(|p| p.operators(level))?;
        Ok(Expr { pos, kind: ExprKind::UnaryOp { op, operand: boxed(operand) } })
    }

    fn await_expr(&mut self) -> R {
        if !self.is_kw("await") {
            return self.primary();
        }
        let pos = self.pos();
        if !self.scope.is_async {
            return Err(err(pos, "'await' is only allowed inside an async def"));
        }
        self.bump();
        let value = self.nested(|p| p.primary())?;
        Ok(Expr { pos, kind: ExprKind::Await(boxed(value)) })
    }

    /// An atom followed by `.name`, `(args)` and `[index]`.
    fn primary(&mut self) -> R {
        self.chain(|p| p.primary_chain())
    }

    fn primary_chain(&mut self) -> R {
        let mut e = self.atom()?;
        loop {
            let pos = self.pos();
            if matches!(self.peek(), Tok::Op("." | "(" | "[")) {
                self.grow(pos)?;
            }
            if self.eat_op(".") {
                let (attr, _) = self.name("an attribute name after '.'")?;
                if attr == "to_thread" && matches!(&e.kind, ExprKind::Name(m) if m == "asyncio") {
                    return Err(err(self.start(&e), super::TO_THREAD));
                }
                e = Expr { pos: self.start(&e), kind: ExprKind::Attribute { value: boxed(e), attr } };
            } else if self.eat_op("(") {
                let (args, keywords) = self.nested(|p| p.call_args(pos))?;
                e = Expr { pos: self.start(&e), kind: ExprKind::Call { func: boxed(e), args, keywords } };
            } else if self.eat_op("[") {
                let index = self.nested(|p| p.subscript())?;
                e = Expr { pos: self.start(&e), kind: ExprKind::Subscript { value: boxed(e), index: boxed(index) } };
            } else {
                return Ok(e);
            }
        }
    }

    /// A call's arguments after its `(`, through the `)`.
    pub(super) fn call_args(&mut self, open: Pos) -> Result<(Vec<Expr>, Vec<Keyword>), CodeError> {
        let mut args = Vec::new();
        let mut keywords: Vec<Keyword> = Vec::new();
        while !self.is_op(")") {
            let pos = self.pos();
            if self.is_op("*") {
                args.push(self.starred()?);
            } else if self.eat_op("**") {
                keywords.push(Keyword { name: None, value: self.test()? });
            } else if matches!(self.peek(), Tok::Name(n) if !is_keyword(n)) && matches!(self.nth(1), Tok::Op("=")) {
                let (name, _) = self.name("a keyword argument")?;
                self.bump();
                if keywords.iter().any(|k| k.name.as_deref() == Some(name.as_str())) {
                    return Err(err(pos, format!("keyword argument '{name}' is repeated")));
                }
                keywords.push(Keyword { name: Some(name), value: self.test()? });
            } else {
                let mut e = self.named_test()?;
                if self.is_comp_for() {
                    let only = args.is_empty() && keywords.is_empty();
                    // CPython places a call's lone generator expression at the call's '('.
                    e = self.comprehension(CompKind::Generator, open, e)?;
                    if !only || !self.is_op(")") {
                        return Err(err(
                            pos,
                            "a generator expression must be in parentheses unless it is the only argument",
                        ));
                    }
                }
                if self.is_op("=") {
                    return Err(err(self.pos(), "a keyword argument's name must be a plain name (name=value)"));
                }
                if !keywords.is_empty() {
                    return Err(err(pos, "a positional argument cannot follow a keyword argument"));
                }
                args.push(e);
            }
            if !self.eat_op(",") {
                break;
            }
        }
        if !self.eat_op(")") {
            let at = format!("line {}, column {}", open.line, open.col);
            return Err(self.expected(&format!("',' or ')' in the call's arguments (opened at {at})")));
        }
        Ok((args, keywords))
    }

    /// A subscript after its `[`, through the `]`: an index, a slice, or a tuple of them.
    fn subscript(&mut self) -> R {
        let first = self.slice_item()?;
        let index = if self.is_op(",") {
            let pos = self.start(&first);
            let mut items = vec![first];
            while self.eat_op(",") && !self.is_op("]") {
                items.push(self.slice_item()?);
            }
            tuple(pos, items)
        } else {
            first
        };
        if !self.eat_op("]") {
            return Err(self.expected("']' to close the subscript"));
        }
        Ok(index)
    }

    fn slice_item(&mut self) -> R {
        let pos = self.pos();
        let bound = |p: &mut Self| -> Result<Option<Box<Expr>>, CodeError> {
            if matches!(p.peek(), Tok::Op(":" | "]" | ",")) {
                Ok(None)
            } else {
                p.test().map(|e| Some(boxed(e)))
            }
        };
        // An index may be an assignment expression (`x[i := 1]`), a slice's bounds may not.
        let lower = match self.peek() {
            Tok::Op(":" | "]" | ",") => None,
            _ => Some(boxed(self.named_test()?)),
        };
        if !self.eat_op(":") {
            return lower.map(|e| *e).ok_or_else(|| self.expected("an index or a slice"));
        }
        if lower.as_deref().is_some_and(|e| self.bare_named(e)) {
            return Err(err(lower.map_or(pos, |e| e.pos), "':=' in a slice needs parentheses: `x[(n := 1):]`"));
        }
        let upper = bound(self)?;
        let step = if self.eat_op(":") { bound(self)? } else { None };
        Ok(Expr { pos, kind: ExprKind::Slice { lower, upper, step } })
    }

    fn atom(&mut self) -> R {
        let pos = self.pos();
        let kind = match self.peek().clone() {
            Tok::Name(n) => return self.name_atom(n, pos),
            Tok::Int(v) => ExprKind::Const(Const::Int(v)),
            Tok::Float(v) => ExprKind::Const(Const::Float(v)),
            Tok::Str(_) | Tok::FStr(_) | Tok::Bytes => return self.strings(),
            // `...` is the builtin `Ellipsis` (the syntax tree has no constant for it).
            Tok::Op("...") => ExprKind::Name("Ellipsis".into()),
            Tok::Op("(") => return self.nested(|p| p.paren()),
            Tok::Op("[") => return self.nested(|p| p.list_display()),
            Tok::Op("{") => return self.nested(|p| p.brace_display()),
            _ => return Err(self.expected("an expression")),
        };
        self.bump();
        Ok(Expr { pos, kind })
    }

    fn name_atom(&mut self, n: String, pos: Pos) -> R {
        let kind = match n.as_str() {
            "True" => ExprKind::Const(Const::Bool(true)),
            "False" => ExprKind::Const(Const::Bool(false)),
            "None" => ExprKind::Const(Const::None),
            // `yield` starts a statement, an assignment's value or a parenthesized expression.
            "yield" if self.scope.in_function && self.scope.is_async => {
                return Err(err(pos, "a `yield` expression must be in parentheses here: (yield value)"))
            }
            "yield" => return self.yield_expr(),
            _ if is_keyword(&n) => return Err(self.expected("an expression")),
            _ => {
                self.body.names.push(n.clone());
                ExprKind::Name(n)
            }
        };
        self.bump();
        Ok(Expr { pos, kind })
    }

    /// Adjacent string literals, joined; an f-string among them makes the whole an f-string.
    fn strings(&mut self) -> R {
        let pos = self.pos();
        let mut parts: Vec<FPart> = Vec::new();
        let mut is_f = false;
        loop {
            match self.peek().clone() {
                Tok::Str(s) => push_lit(&mut parts, &s),
                Tok::FStr(pieces) => {
                    is_f = true;
                    self.fstring_parts(&pieces, &mut parts)?;
                }
                Tok::Bytes => return Err(err(self.pos(), "bytes literals (b'...') are not supported here")),
                _ => break,
            }
            self.bump();
        }
        if is_f {
            return Ok(Expr { pos, kind: ExprKind::FString(parts) });
        }
        let text = match parts.pop() {
            Some(FPart::Lit(s)) => s,
            _ => String::new(),
        };
        Ok(Expr { pos, kind: ExprKind::Const(Const::Str(text)) })
    }

    /// Appends an f-string's parts, parsing each field's tokens as an expression.
    fn fstring_parts(&mut self, pieces: &[FPiece], out: &mut Vec<FPart>) -> Result<(), CodeError> {
        for piece in pieces {
            match piece {
                FPiece::Lit(s) => push_lit(out, s),
                FPiece::Field { pos, toks, debug, conversion, spec } => {
                    if let Some(d) = debug {
                        push_lit(out, d);
                    }
                    // A field's parser and its f-string take about four brackets' worth of stack.
                    let value = self.nested_by(4, |p| p.field_expr(*pos, toks))?;
                    let mut spec_parts = Vec::new();
                    self.nested(|p| p.fstring_parts(spec, &mut spec_parts))?;
                    // `{x=}` shows repr(x) unless a conversion or a format spec says otherwise.
                    let conversion = conversion.or(if debug.is_some() && spec.is_empty() { Some('r') } else { None });
                    out.push(FPart::Value { value: boxed(value), conversion, spec: spec_parts });
                }
            }
        }
        Ok(())
    }

    /// A field's expression, parsed by a parser over its own tokens in the current scope.
    fn field_expr(&mut self, open: Pos, toks: &[Token]) -> R {
        let end_pos = toks.last().map_or(open, |t| t.pos);
        let mut all = toks.to_vec();
        all.push(Token { tok: Tok::End, pos: end_pos });
        let mut sub = Parser {
            toks: all,
            i: 0,
            depth: self.depth,
            tree: self.tree,
            paren_starts: Default::default(),
            scope: self.scope,
            body: std::mem::take(&mut self.body),
            end_name: "the end of the f-string field",
        };
        let value = sub.star_list();
        self.body = std::mem::take(&mut sub.body);
        let value = value?;
        if !matches!(sub.peek(), Tok::End) {
            return Err(sub.expected("'}' after the f-string field's expression"));
        }
        Ok(value)
    }

    /// `(...)` from its `(`: `()`, a parenthesized expression, a tuple or a generator expression.
    fn paren(&mut self) -> R {
        let open = self.pos();
        self.bump();
        if self.eat_op(")") {
            return Ok(tuple(open, Vec::new()));
        }
        if self.is_kw("yield") {
            let e = self.yield_expr()?;
            self.close(")", "to close the parentheses", open)?;
            self.paren_starts.insert((e.pos.line, e.pos.col), open);
            return Ok(e);
        }
        let first = if self.is_op("*") { self.starred()? } else { self.named_test()? };
        if self.is_comp_for() {
            let e = self.comprehension(CompKind::Generator, open, first)?;
            self.close(")", "to close the generator expression", open)?;
            return Ok(e);
        }
        if !self.is_op(",") {
            if matches!(first.kind, ExprKind::Starred(_)) {
                return Err(err(first.pos, "a starred expression is only allowed in a tuple, list, set or call"));
            }
            self.close(")", "to close the parentheses", open)?;
            self.paren_starts.insert((first.pos.line, first.pos.col), open);
            return Ok(first);
        }
        let mut items = vec![first];
        while self.eat_op(",") && !self.is_op(")") {
            items.push(if self.is_op("*") { self.starred()? } else { self.named_test()? });
        }
        self.close(")", "or ',' in the tuple", open)?;
        Ok(tuple(open, items))
    }

    fn close(&mut self, op: &str, what: &str, open: Pos) -> Result<(), CodeError> {
        if self.eat_op(op) {
            return Ok(());
        }
        Err(self.expected(&format!("'{op}' {what} opened at line {}, column {}", open.line, open.col)))
    }

    fn list_display(&mut self) -> R {
        let open = self.pos();
        self.bump();
        let mut items = Vec::new();
        while !self.is_op("]") {
            let item = if self.is_op("*") { self.starred()? } else { self.named_test()? };
            if items.is_empty() && self.is_comp_for() {
                let e = self.comprehension(CompKind::List, open, item)?;
                self.close("]", "to close the list comprehension", open)?;
                return Ok(e);
            }
            items.push(item);
            if !self.eat_op(",") {
                break;
            }
        }
        self.close("]", "or ',' in the list", open)?;
        Ok(Expr { pos: open, kind: ExprKind::List(items) })
    }

    /// `{...}`: a dict, a set, or their comprehensions.
    fn brace_display(&mut self) -> R {
        let open = self.pos();
        self.bump();
        if self.eat_op("}") {
            return Ok(Expr { pos: open, kind: ExprKind::Dict(Vec::new()) });
        }
        if self.is_op("**") {
            let first = self.dict_entry()?;
            return self.dict_rest(open, first);
        }
        let first = if self.is_op("*") { self.starred()? } else { self.named_test()? };
        if self.is_op(":") && self.bare_named(&first) {
            return Err(self.expected("',' or '}'"));
        }
        if self.eat_op(":") {
            let value = self.test()?;
            return self.dict_rest(open, (Some(first), value));
        }
        self.set_rest(open, first)
    }

    fn dict_entry(&mut self) -> Result<(Option<Expr>, Expr), CodeError> {
        if self.eat_op("**") {
            return Ok((None, self.bitor()?));
        }
        let key = self.test()?;
        self.expect_op(":", "between the dict key and its value")?;
        Ok((Some(key), self.test()?))
    }

    /// A dict after its first entry (parsed once: re-parsing would be exponential in nesting).
    fn dict_rest(&mut self, open: Pos, first: (Option<Expr>, Expr)) -> R {
        if self.is_comp_for() {
            let (Some(key), value) = first else {
                return Err(err(first.1.pos, "a '**' unpacking cannot start a dict comprehension"));
            };
            let generators = self.comp_for()?;
            self.no_yield_since(open, "dict comprehension")?;
            self.no_rebinding_since(open, &generators)?;
            self.close("}", "to close the dict comprehension", open)?;
            return Ok(Expr {
                pos: open,
                kind: ExprKind::DictComp { key: boxed(key), value: boxed(value), generators },
            });
        }
        let mut entries = vec![first];
        while self.eat_op(",") && !self.is_op("}") {
            entries.push(self.dict_entry()?);
        }
        self.close("}", "or ',' in the dict", open)?;
        Ok(Expr { pos: open, kind: ExprKind::Dict(entries) })
    }

    fn set_rest(&mut self, open: Pos, first: Expr) -> R {
        if self.is_comp_for() {
            let e = self.comprehension(CompKind::Set, open, first)?;
            self.close("}", "to close the set comprehension", open)?;
            return Ok(e);
        }
        let mut items = vec![first];
        while self.eat_op(",") && !self.is_op("}") {
            items.push(if self.is_op("*") { self.starred()? } else { self.named_test()? });
        }
        self.close("}", "or ',' in the set", open)?;
        Ok(Expr { pos: open, kind: ExprKind::Set(items) })
    }

    fn is_comp_for(&self) -> bool {
        self.is_kw("for") || (self.is_kw("async") && matches!(self.nth(1), Tok::Name(n) if n == "for"))
    }

    fn comprehension(&mut self, kind: CompKind, pos: Pos, elt: Expr) -> R {
        if matches!(elt.kind, ExprKind::Starred(_)) {
            return Err(err(elt.pos, "a starred expression cannot be a comprehension's element"));
        }
        let generators = self.comp_for()?;
        let what = match kind {
            CompKind::List => "list comprehension",
            CompKind::Set => "set comprehension",
            CompKind::Generator => "generator expression",
        };
        self.no_yield_since(pos, what)?;
        self.no_rebinding_since(pos, &generators)?;
        Ok(Expr { pos, kind: ExprKind::Comp { kind, elt: boxed(elt), generators } })
    }

    /// An assignment expression parsed since `open` (a comprehension's bracket) must not bind one
    /// of the comprehension's own variables, nor be in a class body (where it would bind a class
    /// attribute), as in CPython.
    fn no_rebinding_since(&self, open: Pos, generators: &[Comprehension]) -> Result<(), CodeError> {
        let mut targets = Vec::new();
        generators.iter().for_each(|g| super::target_names(&g.target, &mut targets));
        let mut since = self.body.named.iter().filter(|(_, at)| (at.line, at.col) > (open.line, open.col));
        if let (true, Some((_, at))) = (self.scope.in_class, since.clone().next()) {
            return Err(err(*at, "assignment expression within a comprehension cannot be used in a class body"));
        }
        match since.find(|(name, _)| targets.contains(name)) {
            Some((name, at)) => {
                Err(err(*at, format!("assignment expression cannot rebind comprehension iteration variable '{name}'")))
            }
            None => Ok(()),
        }
    }

    /// A `yield` parsed since `open` (a comprehension's bracket) is refused, as in CPython.
    fn no_yield_since(&self, open: Pos, what: &str) -> Result<(), CodeError> {
        match self.body.last_yield {
            Some(y) if (y.line, y.col) > (open.line, open.col) => Err(err(y, format!("'yield' inside {what}"))),
            _ => Ok(()),
        }
    }

    /// `yield`, `yield value` or `yield a, b` (the current token is `yield`): only in an async
    /// def here (an async generator).
    pub(super) fn yield_expr(&mut self) -> R {
        let pos = self.pos();
        if !self.scope.in_function {
            return Err(err(pos, "'yield' outside function"));
        }
        if !self.scope.is_async {
            return Err(err(
                pos,
                "generators (`yield` in a def) are not supported here: write an async generator (async def) or return a list",
            ));
        }
        self.bump();
        if self.is_kw("from") {
            return Err(err(pos, "'yield from' inside async function"));
        }
        let value = if self.starts_expr() { Some(boxed(self.star_list()?)) } else { None };
        self.body.first_yield.get_or_insert(pos);
        self.body.last_yield = Some(pos);
        Ok(Expr { pos, kind: ExprKind::Yield(value) })
    }

    /// An assignment's value: expressions, or a `yield` expression.
    pub(super) fn rhs(&mut self) -> R {
        if self.is_kw("yield") {
            self.yield_expr()
        } else {
            self.star_list()
        }
    }

    /// `for target in iterable if condition ...` clauses, one or more.
    fn comp_for(&mut self) -> Result<Vec<Comprehension>, CodeError> {
        let mut generators = Vec::new();
        while self.is_comp_for() {
            let is_async = self.eat_kw("async");
            if is_async && !self.scope.is_async {
                return Err(err(self.pos(), "'async for' is only allowed inside an async def"));
            }
            self.bump();
            let target = self.target_list()?;
            check_target(&target, false)?;
            self.expect_kw("in", "after the comprehension's target")?;
            let named = self.body.named.len();
            let iter = self.or_test()?;
            if let Some((_, at)) = self.body.named.get(named) {
                return Err(err(*at, "assignment expression cannot be used in a comprehension iterable expression"));
            }
            let mut ifs = Vec::new();
            while self.eat_kw("if") {
                ifs.push(self.or_test()?);
            }
            generators.push(Comprehension { target, iter, ifs, is_async });
        }
        Ok(generators)
    }
}
