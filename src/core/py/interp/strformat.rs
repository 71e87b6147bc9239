//! Python's string formatting with the reader's own methods, as CPython formats: `format(v,
//! spec)` (an f-string's fields too), `str.format` and the `%` operator. A field without a spec
//! is `str(v)` (the reader's `__str__`), or the reader's `__format__(spec)` when its class has
//! one; `!r`, `%r` and `%s` call `__repr__` and `__str__`; a spec given to any other value that
//! is neither a number nor a string is CPython's TypeError (`object.__format__` takes none).
//! The spec mini-language itself is [`fmt::format_value`]'s.

use super::call::Kwargs;
use super::value::Value;
use super::{fmt, raise, Flow, Frame, Interp, Res, E};

/// How a template's fields are numbered: CPython refuses a template that mixes both.
#[derive(PartialEq)]
enum Numbering {
    Unknown,
    Auto(usize),
    Manual,
}

/// The arguments of a `str.format` call and how its fields number them.
struct FormatArgs<'v> {
    args: &'v [Value],
    kwargs: &'v Kwargs,
    numbering: Numbering,
}

/// `%`'s arguments: the tuple's items in turn, or one value, or a mapping for `%(key)s`.
struct PercentArgs<'v> {
    items: Vec<&'v Value>,
    next: usize,
    whole: &'v Value,
}

/// One `%` conversion: `%(key)-08.3f` is key `key`, flags `-0`, width 8, precision 3, kind `f`.
#[derive(Default)]
struct Conversion {
    key: Option<String>,
    left: bool,
    zero: bool,
    sign: Option<char>,
    alternate: bool,
    width: Option<usize>,
    precision: Option<usize>,
    kind: char,
}

impl<'a> Interp<'a> {
    /// `format(v, spec)`.
    pub async fn format_with(&self, v: &Value, spec: &str, f: &Frame) -> Result<String, Flow> {
        if let Some(method) = super::eval::user_method(v, "__format__") {
            return match self.call(method, vec![Value::str(spec)], Vec::new(), f, f.line.get()).await? {
                Value::Str(s) => Ok(s.to_string()),
                other => raise(E::TypeError, format!("__format__ must return a str, not {}", other.type_name())),
            };
        }
        match v {
            _ if spec.is_empty() => self.to_str(v, f).await,
            Value::Int(_) | Value::Bool(_) | Value::Float(_) | Value::Str(_) => {
                fmt::format_value(v, spec).or_else(|m| raise(E::ValueError, m))
            }
            other => {
                raise(E::TypeError, format!("unsupported format string passed to {}.__format__", other.type_name()))
            }
        }
    }

    /// `template.format(*args, **kwargs)`: fields auto-numbered, numbered or named, with an
    /// attribute or an index (`{0.name}`, `{d[key]}`), a conversion (`!r`, `!s`, `!a`) and a
    /// spec that may hold fields of its own (`{:>{width}}`, one level deep as in CPython).
    pub async fn str_format(&self, template: &str, args: &[Value], kwargs: &Kwargs, f: &Frame) -> Res {
        let mut given = FormatArgs { args, kwargs, numbering: Numbering::Unknown };
        let mut out = String::new();
        let mut rest = template;
        while let Some(i) = rest.find(['{', '}']) {
            out.push_str(&rest[..i]);
            let tail = &rest[i..];
            if tail.starts_with("{{") || tail.starts_with("}}") {
                out.push_str(&tail[..1]);
                rest = &tail[2..];
                continue;
            }
            if tail.starts_with('}') {
                return raise(E::ValueError, "Single '}' encountered in format string");
            }
            let end = field_end(tail)?;
            let (name, conversion, spec) = split_field(&tail[1..end])?;
            // The field's own value first: `{:>{}}` numbers the value 0 and the width 1.
            let v = self.field_value(name, &mut given, f)?;
            let spec = match spec.contains('{') {
                true => self.nested_spec(spec, &mut given, f).await?,
                false => spec.to_string(),
            };
            let v = self.convert(&v, conversion, f).await?;
            out.push_str(&self.format_with(&v, &spec, f).await?);
            self.fits_in_a_string(&out)?;
            rest = &tail[end + 1..];
        }
        out.push_str(rest);
        self.new_str(out)
    }

    /// A spec's own fields (`>{width}`) filled in; theirs may not hold more.
    async fn nested_spec(&self, spec: &str, given: &mut FormatArgs<'_>, f: &Frame) -> Result<String, Flow> {
        let mut out = String::new();
        let mut rest = spec;
        while let Some(i) = rest.find('{') {
            out.push_str(&rest[..i]);
            let tail = &rest[i..];
            let end = field_end(tail)?;
            let (name, conversion, inner) = split_field(&tail[1..end])?;
            if inner.contains('{') {
                return raise(E::ValueError, "Max string recursion exceeded");
            }
            let v = self.field_value(name, given, f)?;
            let v = self.convert(&v, conversion, f).await?;
            out.push_str(&self.format_with(&v, inner, f).await?);
            rest = &tail[end + 1..];
        }
        out.push_str(rest);
        Ok(out)
    }

    /// The value a field names: an argument by position (given or counted) or by keyword, then
    /// its attributes and items (`0.name[2]`).
    fn field_value(&self, name: &str, given: &mut FormatArgs<'_>, f: &Frame) -> Res {
        let first_end = name.find(['.', '[']).unwrap_or(name.len());
        let (first, mut path) = name.split_at(first_end);
        let mut v = if first.is_empty() || first.bytes().all(|b| b.is_ascii_digit()) {
            let index = given.index(first)?;
            match given.args.get(index) {
                Some(v) => v.clone(),
                None => {
                    let msg = format!("Replacement index {index} out of range for positional args tuple");
                    return raise(E::IndexError, msg);
                }
            }
        } else {
            match given.kwargs.iter().find(|(k, _)| &**k == first) {
                Some((_, v)) => v.clone(),
                None => return raise(E::KeyError, first),
            }
        };
        while !path.is_empty() {
            if let Some(after) = path.strip_prefix('.') {
                let end = after.find(['.', '[']).unwrap_or(after.len());
                if end == 0 {
                    return raise(E::ValueError, "Empty attribute in format string");
                }
                v = self.get_attr(&v, &after[..end], f)?;
                path = &after[end..];
            } else if let Some(after) = path.strip_prefix('[') {
                let Some(end) = after.find(']') else { return raise(E::ValueError, "Missing ']' in format string") };
                let key = &after[..end];
                // Only digits make an integer index, as in CPython (`[-1]` is the key '-1').
                let key = match key.bytes().all(|b| b.is_ascii_digit()) {
                    true => key.parse::<i64>().map_or_else(|_| Value::str(key), Value::Int),
                    false => Value::str(key),
                };
                v = self.get_item(&v, &key)?;
                path = &after[end + 1..];
            } else {
                return raise(E::ValueError, "Only '.' or '[' may follow ']' in format field specifier");
            }
        }
        Ok(v)
    }

    /// A field's `!r`, `!s` or `!a`.
    async fn convert(&self, v: &Value, conversion: Option<char>, f: &Frame) -> Res {
        Ok(match conversion {
            None => return Ok(v.clone()),
            Some('s') => Value::str(&self.to_str(v, f).await?),
            Some('r') => Value::str(&self.repr_of(v, f).await?),
            Some('a') => Value::str(&ascii(&self.repr_of(v, f).await?)),
            Some(c) => return raise(E::ValueError, format!("Unknown conversion specifier {c}")),
        })
    }

    /// `template % args`.
    pub async fn percent_format(&self, template: &str, args: &Value, f: &Frame) -> Res {
        let items = match args {
            Value::Tuple(t) => t.iter().collect(),
            one => vec![one],
        };
        let mut given = PercentArgs { items, next: 0, whole: args };
        let mut out = String::new();
        let mut chars = template.char_indices().peekable();
        while let Some((_, c)) = chars.next() {
            if c != '%' {
                out.push(c);
                continue;
            }
            let conv = parse_conversion(template, &mut chars)?;
            if conv.kind == '%' {
                out.push('%');
                continue;
            }
            let conv = given.resolve_stars(conv)?;
            let arg = given.take(&conv, self)?;
            out.push_str(&self.convert_percent(&conv, &arg, f).await?);
            self.fits_in_a_string(&out)?;
        }
        given.all_used()?;
        self.new_str(out)
    }

    /// One `%` conversion of `arg`.
    async fn convert_percent(&self, c: &Conversion, arg: &Value, f: &Frame) -> Result<String, Flow> {
        let align = if c.left { "<" } else { ">" };
        let width = c.width.map_or(String::new(), |w| w.to_string());
        let text = match c.kind {
            's' => self.to_str(arg, f).await?,
            'r' => self.repr_of(arg, f).await?,
            'a' => ascii(&self.repr_of(arg, f).await?),
            'c' => percent_char(arg)?.to_string(),
            _ => return percent_number(c, arg),
        };
        // `%.2s` keeps two characters (the mini-language's precision stops at 100).
        let text = match c.precision.filter(|_| c.kind != 'c') {
            Some(p) => text.chars().take(p).collect(),
            None => text,
        };
        fmt::format_value(&Value::str(&text), &format!("{align}{width}")).or_else(|m| raise(E::ValueError, m))
    }

    fn fits_in_a_string(&self, out: &str) -> Result<(), Flow> {
        match out.len() > super::limits::MAX_STR_BYTES {
            true => raise(E::MemoryError, "a formatted string longer than awaitlab's limit"),
            false => Ok(()),
        }
    }
}

impl FormatArgs<'_> {
    /// The position of a field named by `digits`, or the next one for an empty name.
    fn index(&mut self, digits: &str) -> Result<usize, Flow> {
        match (&mut self.numbering, digits.is_empty()) {
            (Numbering::Manual, true) => {
                raise(E::ValueError, "cannot switch from manual field specification to automatic field numbering")
            }
            (Numbering::Auto(_), false) => {
                raise(E::ValueError, "cannot switch from automatic field numbering to manual field specification")
            }
            (Numbering::Auto(n), true) => {
                *n += 1;
                Ok(*n - 1)
            }
            (numbering @ Numbering::Unknown, true) => {
                *numbering = Numbering::Auto(1);
                Ok(0)
            }
            (numbering, false) => {
                *numbering = Numbering::Manual;
                digits.parse().or_else(|_| raise(E::ValueError, "Too many decimal digits in format string"))
            }
        }
    }
}

impl PercentArgs<'_> {
    /// `*` width and precision read from the arguments.
    fn resolve_stars(&mut self, mut c: Conversion) -> Result<Conversion, Flow> {
        for (star, slot) in [(c.width == Some(usize::MAX), 0), (c.precision == Some(usize::MAX), 1)] {
            if !star {
                continue;
            }
            let signed = match self.items.get(self.next) {
                Some(Value::Int(n)) => *n,
                Some(_) => return raise(E::TypeError, "* wants int"),
                None => return raise(E::TypeError, "not enough arguments for format string"),
            };
            self.next += 1;
            let n = usize::try_from(signed.unsigned_abs()).unwrap_or(usize::MAX).min(super::limits::MAX_STR_BYTES);
            if slot == 0 {
                c.left |= signed < 0;
                c.width = Some(n);
            } else {
                c.precision = Some(n);
            }
        }
        Ok(c)
    }

    /// The argument a conversion formats: its key's value in the mapping, or the next one.
    fn take(&mut self, c: &Conversion, ip: &Interp) -> Res {
        if let Some(key) = &c.key {
            return match self.whole {
                Value::Dict(_) => ip.get_item(self.whole, &Value::str(key)),
                _ => raise(E::TypeError, "format requires a mapping"),
            };
        }
        let Some(v) = self.items.get(self.next) else {
            return raise(E::TypeError, "not enough arguments for format string");
        };
        self.next += 1;
        Ok((*v).clone())
    }

    /// CPython's check that nothing was left over: a tuple's every item, or a lone value that is
    /// not a mapping (a dict or a list may go unused: `'x' % {}` is `'x'`).
    fn all_used(&self) -> Result<(), Flow> {
        let unused = match self.whole {
            Value::Tuple(_) => self.next < self.items.len(),
            Value::Dict(_) | Value::List(_) => false,
            _ => self.next == 0,
        };
        match unused {
            true => raise(E::TypeError, "not all arguments converted during string formatting"),
            false => Ok(()),
        }
    }
}

/// The end (index of the `}`) of the field that `tail` starts with, counting nested braces.
fn field_end(tail: &str) -> Result<usize, Flow> {
    let mut depth = 0;
    for (i, c) in tail.char_indices() {
        match c {
            '{' => depth += 1,
            '}' if depth == 1 => return Ok(i),
            '}' => depth -= 1,
            _ => {}
        }
    }
    match tail.len() {
        1 => raise(E::ValueError, "Single '{' encountered in format string"),
        _ => raise(E::ValueError, "expected '}' before end of string"),
    }
}

/// A field's name, conversion and spec: `name!r:>8`.
fn split_field(field: &str) -> Result<(&str, Option<char>, &str), Flow> {
    // The name ends at the first `!` or `:` outside an index's brackets.
    let mut in_index = false;
    let end = field
        .char_indices()
        .find(|&(_, c)| {
            in_index = (in_index || c == '[') && c != ']';
            !in_index && matches!(c, '!' | ':')
        })
        .map_or(field.len(), |(i, _)| i);
    let (name, rest) = field.split_at(end);
    let Some(conv) = rest.strip_prefix('!') else { return Ok((name, None, rest.strip_prefix(':').unwrap_or(""))) };
    let mut it = conv.chars();
    let c = it.next();
    match (c, it.as_str()) {
        (Some(c), "") => Ok((name, Some(c), "")),
        (Some(c), spec) if spec.starts_with(':') => Ok((name, Some(c), &spec[1..])),
        _ => raise(E::ValueError, "expected ':' after conversion specifier"),
    }
}

/// Reads one `%` conversion after its `%`: `(key)`, flags, width, precision, a length modifier
/// (ignored, as in CPython) and the kind. A `*` width or precision is `usize::MAX` until
/// [`PercentArgs::resolve_stars`] reads it.
fn parse_conversion(
    template: &str,
    chars: &mut std::iter::Peekable<std::str::CharIndices<'_>>,
) -> Result<Conversion, Flow> {
    let mut c = Conversion::default();
    if chars.next_if(|&(_, ch)| ch == '(').is_some() {
        let key: String = chars.by_ref().map(|(_, ch)| ch).take_while(|&ch| ch != ')').collect();
        c.key = Some(key);
    }
    while let Some((_, flag)) = chars.next_if(|&(_, ch)| matches!(ch, '-' | '+' | ' ' | '#' | '0')) {
        match flag {
            '-' => c.left = true,
            '0' => c.zero = true,
            '#' => c.alternate = true,
            sign => c.sign = Some(if c.sign == Some('+') { '+' } else { sign }),
        }
    }
    c.width = read_count(chars);
    if chars.next_if(|&(_, ch)| ch == '.').is_some() {
        c.precision = Some(read_count(chars).unwrap_or(0));
    }
    while chars.next_if(|&(_, ch)| matches!(ch, 'h' | 'l' | 'L')).is_some() {}
    let Some((at, kind)) = chars.next() else { return raise(E::ValueError, "incomplete format") };
    if !"sracdiuoxXeEfFgG%".contains(kind) {
        let index = template[..at].chars().count();
        return raise(
            E::ValueError,
            format!("unsupported format character '{kind}' ({:#x}) at index {index}", u32::from(kind)),
        );
    }
    c.kind = kind;
    Ok(c)
}

/// A width or precision: digits, or `*` (`usize::MAX`, read from the arguments later).
fn read_count(chars: &mut std::iter::Peekable<std::str::CharIndices<'_>>) -> Option<usize> {
    if chars.next_if(|&(_, ch)| ch == '*').is_some() {
        return Some(usize::MAX);
    }
    let mut n: Option<usize> = None;
    while let Some((_, d)) = chars.next_if(|&(_, ch)| ch.is_ascii_digit()) {
        let digit = d.to_digit(10).unwrap_or(0) as usize;
        n = Some(n.unwrap_or(0).saturating_mul(10).saturating_add(digit).min(super::limits::MAX_STR_BYTES));
    }
    n
}

/// `%c`: a code point or a one-character string.
fn percent_char(arg: &Value) -> Result<char, Flow> {
    match arg {
        Value::Int(n) => u32::try_from(*n)
            .ok()
            .and_then(char::from_u32)
            .ok_or(())
            .or_else(|()| raise(E::OverflowError, "%c arg not in range(0x110000)")),
        Value::Str(s) if s.chars().count() == 1 => Ok(s.chars().next().unwrap_or(' ')),
        _ => raise(E::TypeError, "%c requires int or char"),
    }
}

/// `%d`, `%x`, `%f`… of `arg`, through the spec mini-language (`%-08.3f` is `<08.3f`).
fn percent_number(c: &Conversion, arg: &Value) -> Result<String, Flow> {
    let integral = matches!(c.kind, 'd' | 'i' | 'u' | 'o' | 'x' | 'X');
    let value = match (arg, integral) {
        (Value::Int(_) | Value::Bool(_) | Value::Float(_), false) => arg.clone(),
        (Value::Int(n), true) => Value::Int(*n),
        (Value::Bool(b), true) => Value::Int(i64::from(*b)),
        (Value::Float(x), true) if matches!(c.kind, 'd' | 'i' | 'u') => Value::Int(float_to_int(*x)?),
        (_, false) => return raise(E::TypeError, format!("must be real number, not {}", arg.type_name())),
        (_, true) => {
            let needs = if matches!(c.kind, 'd' | 'i' | 'u') { "a real number" } else { "an integer" };
            return raise(E::TypeError, format!("%{} format: {needs} is required, not {}", c.kind, arg.type_name()));
        }
    };
    let kind = match c.kind {
        'i' | 'u' => 'd',
        k => k,
    };
    let sign = c.sign.map_or(String::new(), String::from);
    let alternate = if c.alternate { "#" } else { "" };
    let (align, zero) = match (c.left, c.zero) {
        (true, _) => ("<", ""),
        (false, true) => ("", "0"),
        (false, false) => (">", ""),
    };
    let width = c.width.map_or(String::new(), |w| w.to_string());
    let text = match (integral, c.precision) {
        // `%.3d` is at least three digits, which the mini-language has no way to say.
        (true, Some(p)) => {
            let digits =
                fmt::format_value(&value, &format!("{alternate}{kind}")).or_else(|m| raise(E::ValueError, m))?;
            let (minus, digits) = digits.strip_prefix('-').map_or(("", digits.as_str()), |d| ("-", d));
            let shown_sign = if minus.is_empty() { sign } else { minus.to_string() };
            // The `0` flag pads with zeros after the sign, to the width (`%+06.3d` is `+00005`).
            let p = match (c.zero && !c.left, c.width) {
                (true, Some(w)) => p.max(w.saturating_sub(shown_sign.len())),
                _ => p,
            };
            let p = fmt::spec_count(&p.to_string()).or_else(|m| raise(E::ValueError, m))?;
            let padded = format!("{shown_sign}{digits:0>p$}");
            return fmt::format_value(&Value::str(&padded), &format!("{}{width}", if c.left { "<" } else { ">" }))
                .or_else(|m| raise(E::ValueError, m));
        }
        (true, None) => format!("{align}{sign}{alternate}{zero}{width}{kind}"),
        (false, p) => format!("{align}{sign}{alternate}{zero}{width}.{}{kind}", p.unwrap_or(6)),
    };
    fmt::format_value(&value, &text).or_else(|m| raise(E::ValueError, m))
}

/// `int(x)` of a float (`%d` of one, `round`, `math.floor`), CPython's errors for NaN and the
/// infinities, awaitlab's past an i64.
pub fn float_to_int(x: f64) -> Result<i64, Flow> {
    if x.is_nan() {
        return raise(E::ValueError, "cannot convert float NaN to integer");
    }
    if x.is_infinite() {
        return raise(E::OverflowError, "cannot convert float infinity to integer");
    }
    let t = x.trunc();
    if !(-super::value::I64_SPAN..super::value::I64_SPAN).contains(&t) {
        return raise(E::OverflowError, "integer result too large for awaitlab's 64-bit integers");
    }
    Ok(t as i64)
}

/// `ascii(repr)`: a repr with its non-ASCII characters escaped as Python escapes them.
fn ascii(repr: &str) -> String {
    let mut out = String::with_capacity(repr.len());
    for c in repr.chars() {
        match u32::from(c) {
            0..=0x7f => out.push(c),
            n @ 0x80..=0xff => out.push_str(&format!("\\x{n:02x}")),
            n @ 0x100..=0xffff => out.push_str(&format!("\\u{n:04x}")),
            n => out.push_str(&format!("\\U{n:08x}")),
        }
    }
    out
}
