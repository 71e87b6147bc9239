//! The lexer: source text to tokens, with Python's INDENT/DEDENT, implicit line joining inside
//! brackets, backslash continuations, every string prefix and f-strings split into their parts
//! (each `{...}` already lexed, so its tokens carry positions in the real source).

use super::{err, MAX_NESTING};
use crate::core::py::ast::Pos;
use crate::core::py::CodeError;

#[derive(Debug, Clone, PartialEq)]
pub enum Tok {
    /// A name or a keyword (the parser tells them apart).
    Name(String),
    Int(i64),
    Float(f64),
    Str(String),
    /// A `b'...'` literal: lexed so its end is known, refused by the parser.
    Bytes,
    FStr(Vec<FPiece>),
    Op(&'static str),
    Newline,
    Indent,
    Dedent,
    End,
}

/// A part of an f-string as the lexer splits it.
#[derive(Debug, Clone, PartialEq)]
pub enum FPiece {
    Lit(String),
    Field {
        /// The position of the `{`.
        pos: Pos,
        /// The expression's tokens (no End token).
        toks: Vec<Token>,
        /// `{x=}`: the text `x=` to print before the value.
        debug: Option<String>,
        conversion: Option<char>,
        spec: Vec<FPiece>,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub struct Token {
    pub tok: Tok,
    pub pos: Pos,
}

/// Multi-character operators first, so the longest one wins.
const OPS: &[&str] = &[
    "**=", "//=", ">>=", "<<=", "...", "->", "**", "//", "<<", ">>", "<=", ">=", "==", "!=", "+=", "-=", "*=", "/=",
    "%=", "&=", "|=", "^=", "@=", ":=", "+", "-", "*", "/", "%", "@", "&", "|", "^", "~", "<", ">", "(", ")", "[", "]",
    "{", "}", ",", ":", ".", ";", "=",
];

/// A lexing error, with the tokens before it (ended by an End token) so the parser can report an
/// earlier syntax error first, as CPython does.
pub struct LexError {
    pub toks: Vec<Token>,
    pub error: CodeError,
    /// For a bracket never closed: the line it opened on.
    pub unclosed_line: Option<u32>,
}

/// Lexes a whole module.
pub fn tokens(source: &str) -> Result<Vec<Token>, LexError> {
    // A UTF-8 byte order mark opens a file some editors save: CPython reads past it.
    let source = source.strip_prefix('\u{feff}').unwrap_or(source);
    // CRLF and lone CR end lines like LF; they sit at a line's end, so columns do not move.
    let chars: Vec<char> = source.replace("\r\n", "\n").replace('\r', "\n").chars().collect();
    let mut lx =
        Lexer { chars, i: 0, line: 1, col: 1, out: Vec::new(), indents: vec![String::new()], brackets: Vec::new() };
    match lx.module() {
        Ok(()) => Ok(lx.out),
        Err(error) => {
            let pos = Pos { line: error.line, col: error.col };
            let unclosed_line = lx.brackets.last().map(|(_, at)| at.line).filter(|_| lx.peek().is_none());
            lx.push(Tok::End, pos);
            Err(LexError { toks: lx.out, error, unclosed_line })
        }
    }
}

struct Lexer {
    chars: Vec<char>,
    i: usize,
    line: u32,
    col: u32,
    out: Vec<Token>,
    /// The indentation text of each open block, the module's ("") at the bottom.
    indents: Vec<String>,
    /// Open brackets and where they opened: inside them, newlines join lines.
    brackets: Vec<(char, Pos)>,
}

/// How a string literal is written: its prefix and quotes.
#[derive(Clone, Copy)]
struct Quote {
    ch: char,
    triple: bool,
    raw: bool,
    start: Pos,
}

fn describe_char(c: char) -> String {
    if c.is_control() {
        format!("control character U+{:04X}", c as u32)
    } else {
        format!("'{c}'")
    }
}

fn is_name_start(c: char) -> bool {
    c == '_' || c.is_alphabetic()
}

fn is_name_char(c: char) -> bool {
    c == '_' || c.is_alphanumeric()
}

impl Lexer {
    fn pos(&self) -> Pos {
        Pos { line: self.line, col: self.col }
    }

    fn peek(&self) -> Option<char> {
        self.chars.get(self.i).copied()
    }

    fn peek_at(&self, k: usize) -> Option<char> {
        self.chars.get(self.i + k).copied()
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.i += 1;
        if c == '\n' {
            self.line += 1;
            self.col = 1;
        } else {
            self.col += 1;
        }
        Some(c)
    }

    fn push(&mut self, tok: Tok, pos: Pos) {
        self.out.push(Token { tok, pos });
    }

    fn module(&mut self) -> Result<(), CodeError> {
        let mut line_start = true;
        loop {
            if line_start && self.brackets.is_empty() {
                self.indentation()?;
            }
            line_start = false;
            self.skip_blanks()?;
            let pos = self.pos();
            match self.peek() {
                None => return self.finish(),
                Some('\n') => {
                    self.bump();
                    if self.brackets.is_empty() {
                        self.push(Tok::Newline, pos);
                        line_start = true;
                    }
                }
                Some(_) => {
                    let tok = self.token(0)?;
                    self.track_bracket(&tok, pos)?;
                    self.push(tok, pos);
                }
            }
        }
    }

    /// Spaces, tabs, comments and backslash continuations between tokens (not newlines).
    fn skip_blanks(&mut self) -> Result<(), CodeError> {
        while let Some(c) = self.peek() {
            match c {
                ' ' | '\t' | '\x0c' => {
                    self.bump();
                }
                '#' => {
                    while self.peek().is_some_and(|c| c != '\n') {
                        self.check_char()?;
                        self.bump();
                    }
                }
                '\\' => {
                    let pos = self.pos();
                    match self.peek_at(1) {
                        Some('\n') => {
                            self.bump();
                            self.bump();
                        }
                        None => return Err(err(pos, "the code ends just after a line continuation ('\\')")),
                        Some(_) => return Err(err(pos, "unexpected character after the line continuation '\\'")),
                    }
                }
                _ => return Ok(()),
            }
        }
        Ok(())
    }

    /// NUL and other control characters are refused wherever they are.
    fn check_char(&self) -> Result<(), CodeError> {
        match self.peek() {
            Some(c) if c.is_control() && !matches!(c, '\n' | '\t' | '\x0c') => {
                Err(err(self.pos(), format!("{} is not allowed in code", describe_char(c))))
            }
            _ => Ok(()),
        }
    }

    /// At a line's start (outside brackets): skips blank and comment-only lines, then emits the
    /// INDENT or DEDENTs the next line's indentation asks for.
    fn indentation(&mut self) -> Result<(), CodeError> {
        loop {
            let mut text = String::new();
            while let Some(c @ (' ' | '\t' | '\x0c')) = self.peek() {
                if c != '\x0c' {
                    text.push(c);
                }
                self.bump();
            }
            match self.peek() {
                None => return Ok(()),
                Some('\n') => {
                    self.bump();
                }
                Some('#') => self.skip_blanks()?,
                Some(_) => return self.indent_to(text),
            }
        }
    }

    fn indent_to(&mut self, text: String) -> Result<(), CodeError> {
        let pos = self.pos();
        let top = self.indents.last().cloned().unwrap_or_default();
        if text == top {
            return Ok(());
        }
        let mixed = || err(pos, "inconsistent use of tabs and spaces in indentation");
        if text.starts_with(&top) {
            if self.indents.len() > MAX_NESTING {
                return Err(err(pos, format!("the code is nested too deeply (more than {MAX_NESTING} blocks)")));
            }
            self.indents.push(text);
            self.push(Tok::Indent, pos);
            return Ok(());
        }
        if !top.starts_with(&text) {
            return Err(mixed());
        }
        while self.indents.last().is_some_and(|t| t.len() > text.len()) {
            self.indents.pop();
            self.push(Tok::Dedent, pos);
        }
        match self.indents.last() {
            Some(t) if *t == text => Ok(()),
            Some(t) if !text.starts_with(t.as_str()) => Err(mixed()),
            _ => Err(err(pos, "this line's indentation does not match any outer block")),
        }
    }

    fn finish(&mut self) -> Result<(), CodeError> {
        if let Some(&(open, at)) = self.brackets.last() {
            return Err(err(at, format!("'{open}' is never closed")));
        }
        let pos = self.pos();
        if self.out.last().is_some_and(|t| !matches!(t.tok, Tok::Newline | Tok::Dedent | Tok::Indent)) {
            self.push(Tok::Newline, pos);
        }
        while self.indents.len() > 1 {
            self.indents.pop();
            self.push(Tok::Dedent, pos);
        }
        self.push(Tok::End, pos);
        Ok(())
    }

    /// Keeps the stack of open brackets, checking each closing one matches.
    fn track_bracket(&mut self, tok: &Tok, pos: Pos) -> Result<(), CodeError> {
        let Tok::Op(op) = tok else { return Ok(()) };
        bracket_step(&mut self.brackets, op, pos)
    }

    /// One token at the cursor (not a newline or blank). `depth` counts enclosing f-strings.
    fn token(&mut self, depth: usize) -> Result<Tok, CodeError> {
        self.check_char()?;
        let pos = self.pos();
        let c = self.peek().unwrap_or('\0');
        if is_name_start(c) {
            return self.name_or_string(depth);
        }
        if c.is_ascii_digit() || (c == '.' && self.peek_at(1).is_some_and(|d| d.is_ascii_digit())) {
            return self.number();
        }
        if c == '"' || c == '\'' {
            return self.string("", pos, depth);
        }
        for op in OPS {
            if op.chars().enumerate().all(|(k, oc)| self.peek_at(k) == Some(oc)) {
                for _ in 0..op.len() {
                    self.bump();
                }
                return Ok(Tok::Op(op));
            }
        }
        Err(err(pos, format!("unexpected character {}", describe_char(c))))
    }

    fn name_or_string(&mut self, depth: usize) -> Result<Tok, CodeError> {
        let pos = self.pos();
        let mut name = String::new();
        while let Some(c) = self.peek().filter(|&c| is_name_char(c)) {
            name.push(c);
            self.bump();
        }
        let prefix = name.to_ascii_lowercase();
        let is_prefix = matches!(prefix.as_str(), "r" | "u" | "b" | "f" | "br" | "rb" | "fr" | "rf");
        if is_prefix && matches!(self.peek(), Some('"' | '\'')) {
            return self.string(&prefix, pos, depth);
        }
        Ok(Tok::Name(name))
    }

    fn number(&mut self) -> Result<Tok, CodeError> {
        let pos = self.pos();
        let radix = match (self.peek(), self.peek_at(1).map(|c| c.to_ascii_lowercase())) {
            (Some('0'), Some('x')) => 16,
            (Some('0'), Some('o')) => 8,
            (Some('0'), Some('b')) => 2,
            _ => 10,
        };
        if radix != 10 {
            self.bump();
            self.bump();
            let digits = self.take_while(is_name_char);
            return int_literal(&digits, radix, pos);
        }
        let mut text = self.take_while(|c| c.is_ascii_digit() || c == '_');
        let mut is_float = false;
        if self.peek() == Some('.') {
            is_float = true;
            text.push('.');
            self.bump();
            text += &self.take_while(|c| c.is_ascii_digit() || c == '_');
        }
        let exp_digit = |k: usize| self.peek_at(k).is_some_and(|c| c.is_ascii_digit());
        if matches!(self.peek(), Some('e' | 'E'))
            && (exp_digit(1) || (matches!(self.peek_at(1), Some('+' | '-')) && exp_digit(2)))
        {
            is_float = true;
            text.push('e');
            self.bump();
            if let Some(sign @ ('+' | '-')) = self.peek() {
                text.push(sign);
                self.bump();
            }
            text += &self.take_while(|c| c.is_ascii_digit() || c == '_');
        }
        if matches!(self.peek(), Some('j' | 'J')) {
            return Err(err(pos, "complex numbers are not supported here"));
        }
        // `1if x else 2` is valid Python: a keyword may follow a number directly.
        let word: String = self.chars[self.i..].iter().take_while(|&&c| is_name_char(c)).collect();
        if !word.is_empty() && !matches!(word.as_str(), "and" | "or" | "if" | "else" | "in" | "is" | "not" | "for") {
            return Err(err(self.pos(), format!("invalid number literal: a letter follows '{text}'")));
        }
        if !underscores_ok(&text, 10) {
            return Err(err(pos, format!("invalid number literal '{text}': '_' must sit between digits")));
        }
        let clean: String = text.chars().filter(|&c| c != '_').collect();
        if is_float {
            return clean.parse().map(Tok::Float).map_err(|_| err(pos, format!("invalid number literal '{text}'")));
        }
        if clean.len() > 1 && clean.starts_with('0') && clean.chars().any(|c| c != '0') {
            return Err(err(pos, "leading zeros are not allowed in a decimal number; write 0o... for octal"));
        }
        int_literal(&text, 10, pos)
    }

    fn take_while(&mut self, keep: impl Fn(char) -> bool) -> String {
        let mut s = String::new();
        while let Some(c) = self.peek().filter(|&c| keep(c)) {
            s.push(c);
            self.bump();
        }
        s
    }

    /// A string literal from its opening quote; `prefix` is lower-case.
    fn string(&mut self, prefix: &str, start: Pos, depth: usize) -> Result<Tok, CodeError> {
        if depth > MAX_NESTING {
            return Err(err(start, format!("the f-strings are nested too deeply (more than {MAX_NESTING} levels)")));
        }
        let ch = self.peek().unwrap_or('"');
        let triple = self.peek_at(1) == Some(ch) && self.peek_at(2) == Some(ch);
        for _ in 0..if triple { 3 } else { 1 } {
            self.bump();
        }
        let q = Quote { ch, triple, raw: prefix.contains('r'), start };
        if prefix.contains('f') {
            return Ok(Tok::FStr(self.fstring_body(q, depth, false)?));
        }
        let mut text = String::new();
        while !self.at_close(q)? {
            self.string_char(q, &mut text)?;
        }
        Ok(if prefix.contains('b') { Tok::Bytes } else { Tok::Str(text) })
    }

    /// Whether the cursor is at `q`'s closing quote (consuming it); errors at an unclosed end.
    fn at_close(&mut self, q: Quote) -> Result<bool, CodeError> {
        let unclosed = |what: &str| {
            let quotes = if q.triple { q.ch.to_string().repeat(3) } else { q.ch.to_string() };
            err(q.start, format!("this string is never closed: expected {quotes} before the end of the {what}"))
        };
        match self.peek() {
            None => Err(unclosed(if q.triple { "code" } else { "line" })),
            Some('\n') if !q.triple => Err(unclosed("line")),
            Some(c) if c == q.ch => {
                if !q.triple {
                    self.bump();
                    return Ok(true);
                }
                if self.peek_at(1) == Some(c) && self.peek_at(2) == Some(c) {
                    for _ in 0..3 {
                        self.bump();
                    }
                    return Ok(true);
                }
                Ok(false)
            }
            Some(_) => {
                self.check_char()?;
                Ok(false)
            }
        }
    }

    /// One character of a literal (an escape sequence unless raw) appended to `text`.
    fn string_char(&mut self, q: Quote, text: &mut String) -> Result<(), CodeError> {
        let pos = self.pos();
        let c = self.bump().unwrap_or('\0');
        if c != '\\' {
            text.push(c);
            return Ok(());
        }
        let Some(next) = self.peek() else { return Ok(()) };
        self.check_char()?;
        self.bump();
        if q.raw {
            text.push('\\');
            text.push(next);
            return Ok(());
        }
        let simple = match next {
            '\n' => Some(None),
            '\\' | '\'' | '"' => Some(Some(next)),
            'n' => Some(Some('\n')),
            't' => Some(Some('\t')),
            'r' => Some(Some('\r')),
            'a' => Some(Some('\x07')),
            'b' => Some(Some('\x08')),
            'f' => Some(Some('\x0c')),
            'v' => Some(Some('\x0b')),
            _ => None,
        };
        match simple {
            Some(out) => {
                text.extend(out);
                Ok(())
            }
            None => self.numeric_escape(next, pos, text),
        }
    }

    /// `\ooo`, `\xhh`, `\uhhhh`, `\Uhhhhhhhh` after their first character `next`, or `\N{...}`
    /// (refused) or an unknown escape (kept with its backslash, as in CPython).
    fn numeric_escape(&mut self, next: char, pos: Pos, text: &mut String) -> Result<(), CodeError> {
        match next {
            '0'..='7' => {
                let mut v = next.to_digit(8).unwrap_or(0);
                for _ in 0..2 {
                    match self.peek().and_then(|c| c.to_digit(8)) {
                        Some(d) => {
                            v = v * 8 + d;
                            self.bump();
                        }
                        None => break,
                    }
                }
                text.push(char::from_u32(v).unwrap_or('\u{fffd}'));
            }
            'x' | 'u' | 'U' => {
                let n = match next {
                    'x' => 2,
                    'u' => 4,
                    _ => 8,
                };
                let mut v = 0u32;
                for _ in 0..n {
                    let Some(d) = self.peek().and_then(|c| c.to_digit(16)) else {
                        return Err(err(pos, format!("invalid \\{next} escape: it needs {n} hex digits")));
                    };
                    v = v.wrapping_mul(16).wrapping_add(d);
                    self.bump();
                }
                let Some(c) = char::from_u32(v) else {
                    return Err(err(pos, format!("invalid \\{next} escape: U+{v:X} is not a character")));
                };
                text.push(c);
            }
            'N' => return Err(err(pos, "\\N{...} escapes are not supported here; write the character itself")),
            // An unknown escape keeps its backslash, as in CPython.
            _ => {
                text.push('\\');
                text.push(next);
            }
        }
        Ok(())
    }

    /// An f-string's text after its opening quote (or a format spec's, when `in_spec`), split into
    /// literal text and fields, up to its closing quote (or the spec's closing `}`, not consumed).
    fn fstring_body(&mut self, q: Quote, depth: usize, in_spec: bool) -> Result<Vec<FPiece>, CodeError> {
        let mut parts = Vec::new();
        let mut lit = String::new();
        loop {
            if in_spec {
                if self.peek() == Some('}') {
                    break;
                }
                if self.peek().is_none() || (self.peek() == Some('\n') && !q.triple) {
                    return Err(err(q.start, "this f-string is never closed: expected '}' after the format spec"));
                }
            } else if self.at_close(q)? {
                break;
            }
            let pos = self.pos();
            match (self.peek(), self.peek_at(1)) {
                (Some('{'), Some('{')) | (Some('}'), Some('}')) if !in_spec => {
                    lit.push(self.bump().unwrap_or('{'));
                    self.bump();
                }
                (Some('{'), _) => {
                    self.bump();
                    if !lit.is_empty() {
                        parts.push(FPiece::Lit(std::mem::take(&mut lit)));
                    }
                    parts.push(self.field(q, pos, depth)?);
                }
                (Some('}'), _) => return Err(err(pos, "a single '}' is not allowed in an f-string; write '}}'")),
                _ => self.string_char(q, &mut lit)?,
            }
        }
        if !lit.is_empty() {
            parts.push(FPiece::Lit(lit));
        }
        Ok(parts)
    }

    /// A `{...}` field of an f-string, after its `{`: the expression's tokens, then `=`, `!r`,
    /// `:spec` and the closing `}`.
    fn field(&mut self, q: Quote, open: Pos, depth: usize) -> Result<FPiece, CodeError> {
        let start = self.i;
        let mut toks: Vec<Token> = Vec::new();
        let mut brackets: Vec<(char, Pos)> = Vec::new();
        let (mut debug, mut conversion, mut spec) = (None, None, Vec::new());
        loop {
            self.field_blanks(q)?;
            let pos = self.pos();
            let Some(c) = self.peek() else {
                return Err(err(open, "this f-string field is never closed: expected '}'"));
            };
            if brackets.is_empty() {
                let expr_ends = matches!(c, '}' | ':') || (matches!(c, '!' | '=') && self.peek_at(1) != Some('='));
                if expr_ends {
                    if toks.is_empty() {
                        return Err(err(pos, format!("expected an expression in the f-string field, found '{c}'")));
                    }
                    if c == '=' {
                        self.bump();
                        let _ = self.field_blanks(q);
                        debug = Some(self.chars[start..self.i].iter().collect());
                    }
                    if self.peek() == Some('!') {
                        conversion = Some(self.conversion()?);
                    }
                    if self.peek() == Some(':') {
                        self.bump();
                        spec = self.fstring_body(q, depth + 1, true)?;
                    }
                    let pos = self.pos();
                    if self.peek() != Some('}') {
                        return Err(err(pos, "expected '}' to close the f-string field"));
                    }
                    self.bump();
                    return Ok(FPiece::Field { pos: open, toks, debug, conversion, spec });
                }
                // Python 3.12 allows the f-string's own quote in a field, but only where a
                // string can start; elsewhere it is the missing `}`.
                let operand_before =
                    toks.last().is_some_and(|t| !matches!(t.tok, Tok::Op(o) if !matches!(o, ")" | "]" | "}")));
                if c == q.ch && operand_before {
                    return Err(err(pos, "expected '}' before the end of the f-string"));
                }
            }
            let tok = self.token(depth + 1)?;
            if let Tok::Op(op) = tok {
                bracket_step(&mut brackets, op, pos)?;
            }
            toks.push(Token { tok, pos });
        }
    }

    /// Blanks inside a field: newlines only in a triple-quoted f-string, and no comments.
    fn field_blanks(&mut self, q: Quote) -> Result<(), CodeError> {
        loop {
            match (self.peek(), self.peek_at(1)) {
                (Some(' ' | '\t' | '\x0c'), _) | (Some('\n'), _) if q.triple || self.peek() != Some('\n') => {
                    self.bump();
                }
                (Some('\\'), Some('\n')) => {
                    self.bump();
                    self.bump();
                }
                (Some('\n'), _) => {
                    return Err(err(q.start, "this f-string is never closed before the end of the line"))
                }
                (Some('#'), _) => return Err(err(self.pos(), "an f-string field cannot contain a comment ('#')")),
                _ => return Ok(()),
            }
        }
    }

    fn conversion(&mut self) -> Result<char, CodeError> {
        self.bump();
        let pos = self.pos();
        match self.peek() {
            Some(c @ ('r' | 's' | 'a')) => {
                self.bump();
                Ok(c)
            }
            other => {
                let found = other.map_or("the end of the code".into(), describe_char);
                Err(err(pos, format!("expected 'r', 's' or 'a' after '!' in the f-string field, found {found}")))
            }
        }
    }
}

/// Pushes an opening bracket or pops the matching one for a closing bracket.
fn bracket_step(stack: &mut Vec<(char, Pos)>, op: &str, pos: Pos) -> Result<(), CodeError> {
    let c = op.chars().next().unwrap_or(' ');
    match op {
        "(" | "[" | "{" => {
            if stack.len() >= MAX_NESTING {
                return Err(err(pos, format!("the brackets are nested too deeply (more than {MAX_NESTING} levels)")));
            }
            stack.push((c, pos));
        }
        ")" | "]" | "}" => {
            let want = match c {
                ')' => '(',
                ']' => '[',
                _ => '{',
            };
            match stack.pop() {
                Some((open, _)) if open == want => {}
                Some((open, at)) => {
                    return Err(err(
                        pos,
                        format!("'{c}' does not match the '{open}' opened at line {}, column {}", at.line, at.col),
                    ))
                }
                None => return Err(err(pos, format!("unmatched '{c}'"))),
            }
        }
        _ => {}
    }
    Ok(())
}

/// Each `_` in a number sits between two digits (of the number's radix).
fn underscores_ok(text: &str, radix: u32) -> bool {
    let b: Vec<char> = text.chars().collect();
    b.iter()
        .enumerate()
        .all(|(k, &c)| c != '_' || (k > 0 && k + 1 < b.len() && b[k - 1].is_digit(radix) && b[k + 1].is_digit(radix)))
}

/// An integer literal's digits (after any 0x/0o/0b prefix) as an i64.
fn int_literal(digits: &str, radix: u32, pos: Pos) -> Result<Tok, CodeError> {
    let body = digits.strip_prefix('_').unwrap_or(digits);
    let clean: String = body.chars().filter(|&c| c != '_').collect();
    let name = match radix {
        16 => "hexadecimal",
        8 => "octal",
        2 => "binary",
        _ => "decimal",
    };
    if clean.is_empty() || !underscores_ok(body, radix) || !clean.chars().all(|c| c.is_digit(radix)) {
        return Err(err(pos, format!("invalid {name} number literal")));
    }
    i64::from_str_radix(&clean, radix)
        .map(Tok::Int)
        .map_err(|_| err(pos, format!("this number is too large (the largest integer here is {})", i64::MAX)))
}
