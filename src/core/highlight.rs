//! Syntax colouring of the code editor's Python, line by line: a small tokenizer of its own, for
//! colour only (the parser, `core::py::parse`, decides what is valid). Never fails: any text
//! gets classes, and every byte of a line is in exactly one token, so the coloured copy lines up
//! with the text the reader types over it.

/// What a token is, for its colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Class {
    Plain,
    Keyword,
    /// A built-in name (`print`, `len`, `asyncio`…).
    Builtin,
    Str,
    Number,
    Comment,
    /// A name after `def` or `class`.
    Definition,
}

impl Class {
    /// The CSS class of the token (`tok-kw`…), `None` for plain text.
    pub fn css(self) -> Option<&'static str> {
        Some(match self {
            Class::Plain => return None,
            Class::Keyword => "tok-kw",
            Class::Builtin => "tok-bi",
            Class::Str => "tok-str",
            Class::Number => "tok-num",
            Class::Comment => "tok-com",
            Class::Definition => "tok-def",
        })
    }
}

const KEYWORDS: &[&str] = &[
    "False", "None", "True", "and", "as", "assert", "async", "await", "break", "class", "continue", "def", "del",
    "elif", "else", "except", "finally", "for", "from", "global", "if", "import", "in", "is", "lambda", "nonlocal",
    "not", "or", "pass", "raise", "return", "try", "while", "with", "yield",
];

const BUILTINS: &[&str] = &[
    "print",
    "len",
    "range",
    "min",
    "max",
    "sum",
    "enumerate",
    "zip",
    "isinstance",
    "int",
    "float",
    "str",
    "list",
    "dict",
    "abs",
    "round",
    "sorted",
    "any",
    "all",
    "self",
    "asyncio",
    "aiohttp",
    "random",
    "time",
    "Exception",
    "ValueError",
    "TypeError",
    "KeyError",
    "ConnectionError",
    "TimeoutError",
    "RuntimeError",
];

/// One line's tokens: `(class, text)`, in order, covering the line.
pub type Line<'a> = Vec<(Class, &'a str)>;

/// `source` split into lines (as `str::split('\n')` does, so a trailing newline gives a last empty
/// line, as the editor shows it), each cut into coloured tokens. A string that spans lines
/// (`"""…"""`) stays coloured on each of them.
pub fn lines(source: &str) -> Vec<Line<'_>> {
    let mut open: Option<&'static str> = None;
    source.split('\n').map(|line| tokens(line, &mut open)).collect()
}

/// The tokens of one line; `open` is the triple quote of a string still open from an earlier line.
fn tokens<'a>(line: &'a str, open: &mut Option<&'static str>) -> Line<'a> {
    let mut out: Line<'a> = Vec::new();
    let mut at = 0;
    let mut after_def = false;
    if let Some(quote) = *open {
        let end = line.find(quote).map(|i| i + quote.len());
        let stop = end.unwrap_or(line.len());
        out.push((Class::Str, &line[..stop]));
        at = stop;
        if end.is_some() {
            *open = None;
        }
    }
    while at < line.len() {
        let rest = &line[at..];
        let c = rest.chars().next().unwrap_or(' ');
        let (class, len) = if c == '#' {
            (Class::Comment, rest.len())
        } else if let Some(len) = string_len(rest, open) {
            (Class::Str, len)
        } else if c.is_ascii_digit() {
            (
                Class::Number,
                rest.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '.')).unwrap_or(rest.len()),
            )
        } else if c.is_alphabetic() || c == '_' {
            let len = rest.find(|c: char| !(c.is_alphanumeric() || c == '_')).unwrap_or(rest.len());
            let word = &rest[..len];
            let class = if after_def {
                Class::Definition
            } else if KEYWORDS.contains(&word) {
                Class::Keyword
            } else if BUILTINS.contains(&word) {
                Class::Builtin
            } else {
                Class::Plain
            };
            after_def = matches!(word, "def" | "class");
            (class, len)
        } else {
            (Class::Plain, c.len_utf8())
        };
        push(&mut out, line, class, at, at + len);
        at += len;
    }
    out
}

/// Appends the token `line[from..to]`, widening the last one when both are plain (fewer
/// elements to draw).
fn push<'a>(out: &mut Line<'a>, line: &'a str, class: Class, from: usize, to: usize) {
    if let Some((Class::Plain, last)) = out.last_mut() {
        if class == Class::Plain {
            let start = from - last.len();
            *last = &line[start..to];
            return;
        }
    }
    out.push((class, &line[from..to]));
}

/// The length of a string literal starting `rest` (with its prefix: `f"…"`, `rb'…'`), if one
/// does; a triple-quoted one left open at the end of the line sets `open`.
fn string_len(rest: &str, open: &mut Option<&'static str>) -> Option<usize> {
    let prefix = rest.find(['"', '\'']).filter(|&i| i <= 2 && rest[..i].chars().all(|c| "rbfuRBFU".contains(c)))?;
    if prefix > 0 && !rest[..prefix].chars().all(char::is_alphabetic) {
        return None;
    }
    let body = &rest[prefix..];
    for quote in ["\"\"\"", "'''"] {
        if let Some(inner) = body.strip_prefix(quote) {
            return Some(match inner.find(quote) {
                Some(i) => prefix + quote.len() + i + quote.len(),
                None => {
                    *open = Some(quote);
                    rest.len()
                }
            });
        }
    }
    let quote = body.chars().next()?;
    let mut escaped = false;
    for (i, c) in body.char_indices().skip(1) {
        match c {
            _ if escaped => escaped = false,
            '\\' => escaped = true,
            c if c == quote => return Some(prefix + i + 1),
            _ => {}
        }
    }
    Some(rest.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn classes(line: &str) -> Vec<(Class, String)> {
        lines(line)[0].iter().map(|(c, t)| (*c, t.to_string())).collect()
    }

    #[test]
    fn tokens_cover_every_line_exactly() {
        let source =
            "async def main():\n    x = f\"{a!r}\" + 'b' # c\n    \"\"\"doc\nstill\"\"\" ; 3.5e2\n\u{1F600}é\n";
        let got: Vec<String> = lines(source).iter().map(|l| l.iter().map(|(_, t)| *t).collect()).collect();
        assert_eq!(got.join("\n"), source);
    }

    #[test]
    fn keywords_names_strings_numbers_and_comments_are_told_apart() {
        let c = classes("async def fetch(n): return await asyncio.sleep(0.5)  # wait");
        assert_eq!(c[0], (Class::Keyword, "async".into()));
        assert!(c.contains(&(Class::Definition, "fetch".into())), "{c:?}");
        assert!(c.contains(&(Class::Builtin, "asyncio".into())));
        assert!(c.contains(&(Class::Number, "0.5".into())));
        assert_eq!(c.last().unwrap().0, Class::Comment);
        assert!(classes("x = f'a{b}'").contains(&(Class::Str, "f'a{b}'".into())));
        assert!(classes("if_ = 1").iter().all(|(c, _)| *c != Class::Keyword));
        let multi = lines("s = '''a\nb'''\nc");
        assert_eq!(multi[1][0], (Class::Str, "b'''"));
        assert_eq!(multi[2][0], (Class::Plain, "c"));
    }
}
