//! The Python subset's parser (issue 15): every construct of the subset parses to the expected
//! tree, the article's programs and every pattern's generated code parse, each error names its
//! exact line and column, and hostile input (random bytes, mangled programs, absurd nesting, huge
//! pastes) gives an error, never a panic or a hang.

use std::fmt::Write as _;
use std::time::{Duration, Instant};

use awaitlab::core::py::ast::*;
use awaitlab::core::py::parse;
use awaitlab::core::py::parse::{MAX_NESTING, MAX_SOURCE_BYTES, MAX_TREE_DEPTH};
use rand_core::{RngCore, SeedableRng};
use rand_pcg::Pcg64;

mod common;

// ---- Helpers ------------------------------------------------------------------------------------

fn ok(src: &str) -> Module {
    parse(src).unwrap_or_else(|e| panic!("{src:?} should parse, got: {e}"))
}

/// The error for `src` as "line:col message".
fn error(src: &str) -> String {
    match parse(src) {
        Ok(m) => panic!("{src:?} should be refused, parsed as {m:?}"),
        Err(e) => format!("{}:{} {}", e.line, e.col, e.message),
    }
}

/// The single statement of `src`.
fn stmt(src: &str) -> StmtKind {
    let mut m = ok(src);
    assert_eq!(m.body.len(), 1, "{src:?} has one statement");
    m.body.remove(0).kind
}

/// The body of the single `async def` in `src`.
fn async_body(src: &str) -> Vec<Stmt> {
    match stmt(src) {
        StmtKind::FunctionDef(f) => f.body.clone(),
        other => panic!("expected a def, got {other:?}"),
    }
}

/// The expression `src`, parsed inside an `async def` (so `await` is allowed), as an S-expression.
fn sx(src: &str) -> String {
    let body = async_body(&format!("async def f():\n    return {src}\n"));
    match &body[0].kind {
        StmtKind::Return(Some(e)) => show(e),
        other => panic!("expected a return, got {other:?}"),
    }
}

/// A compact S-expression of an expression, to check shapes and precedence at a glance.
fn show(e: &Expr) -> String {
    let s = show_kind(e);
    if WITH_POS.with(|w| w.get()) {
        format!("{s}@{}:{}", e.pos.line, e.pos.col)
    } else {
        s
    }
}

thread_local! {
    /// Whether [`show`] writes each expression's position after it (`x@1:5`).
    static WITH_POS: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

fn show_kind(e: &Expr) -> String {
    let list = |items: &[Expr]| items.iter().map(show).collect::<Vec<_>>().join(" ");
    match &e.kind {
        ExprKind::Name(n) => n.clone(),
        ExprKind::Const(Const::Int(v)) => v.to_string(),
        ExprKind::Const(Const::Float(v)) => format!("{v:?}"),
        ExprKind::Const(Const::Str(s)) => format!("{s:?}"),
        ExprKind::Const(Const::Bool(b)) => if *b { "True" } else { "False" }.into(),
        ExprKind::Const(Const::None) => "None".into(),
        ExprKind::FString(parts) => format!("(f {})", show_fparts(parts)),
        ExprKind::List(items) => format!("[{}]", list(items)),
        ExprKind::Tuple(items) => format!("(tuple {})", list(items)),
        ExprKind::Set(items) => format!("{{set {}}}", list(items)),
        ExprKind::Dict(entries) => {
            let e: Vec<String> = entries
                .iter()
                .map(|(k, v)| match k {
                    Some(k) => format!("{}:{}", show(k), show(v)),
                    None => format!("**{}", show(v)),
                })
                .collect();
            format!("{{dict {}}}", e.join(" "))
        }
        ExprKind::Comp { kind, elt, generators } => format!("({kind:?} {} {})", show(elt), show_gens(generators)),
        ExprKind::DictComp { key, value, generators } => {
            format!("(DictComp {}:{} {})", show(key), show(value), show_gens(generators))
        }
        ExprKind::BinOp { left, op, right } => format!("({} {} {})", bin(*op), show(left), show(right)),
        ExprKind::UnaryOp { op, operand } => {
            let o = match op {
                UnaryOp::Neg => "-",
                UnaryOp::Pos => "+",
                UnaryOp::Not => "not",
                UnaryOp::Invert => "~",
            };
            format!("({o} {})", show(operand))
        }
        ExprKind::BoolOp { op, values } => {
            format!("({} {})", if *op == BoolOp::And { "and" } else { "or" }, list(values))
        }
        ExprKind::Compare { left, ops, comparators } => {
            let mut s = format!("(cmp {}", show(left));
            for (op, c) in ops.iter().zip(comparators) {
                let _ = write!(s, " {op:?} {}", show(c));
            }
            s + ")"
        }
        ExprKind::Call { func, args, keywords } => {
            let mut s = format!("(call {}", show(func));
            for a in args {
                let _ = write!(s, " {}", show(a));
            }
            for k in keywords {
                match &k.name {
                    Some(n) => {
                        let _ = write!(s, " {n}={}", show(&k.value));
                    }
                    None => {
                        let _ = write!(s, " **{}", show(&k.value));
                    }
                }
            }
            s + ")"
        }
        ExprKind::Attribute { value, attr } => format!("{}.{attr}", show(value)),
        ExprKind::Subscript { value, index } => format!("{}[{}]", show(value), show(index)),
        ExprKind::Slice { lower, upper, step } => {
            let o = |x: &Option<Box<Expr>>| x.as_ref().map_or(String::new(), |e| show(e));
            format!("{}:{}:{}", o(lower), o(upper), o(step))
        }
        ExprKind::Starred(v) => format!("*{}", show(v)),
        ExprKind::Await(v) => format!("(await {})", show(v)),
        ExprKind::Yield(v) => match v {
            Some(v) => format!("(yield {})", show(v)),
            None => "(yield)".into(),
        },
        ExprKind::Lambda(f) => match &f.body[0].kind {
            StmtKind::Return(Some(v)) => format!("(lambda {} {})", show_params(&f.params), show(v)),
            other => panic!("a lambda's body is one return, got {other:?}"),
        },
        ExprKind::IfExp { test, body, orelse } => format!("(if {} {} {})", show(test), show(body), show(orelse)),
        ExprKind::NamedExpr { target, value } => format!("(:= {target} {})", show(value)),
    }
}

fn show_gens(gens: &[Comprehension]) -> String {
    let g: Vec<String> = gens
        .iter()
        .map(|g| {
            let ifs: String = g.ifs.iter().map(|i| format!(" if {}", show(i))).collect();
            let a = if g.is_async { "async " } else { "" };
            format!("{a}for {} in {}{ifs}", show(&g.target), show(&g.iter))
        })
        .collect();
    g.join(" ")
}

fn show_fparts(parts: &[FPart]) -> String {
    let p: Vec<String> = parts
        .iter()
        .map(|p| match p {
            FPart::Lit(s) => format!("{s:?}"),
            FPart::Value { value, conversion, spec } => {
                let c = conversion.map_or(String::new(), |c| format!("!{c}"));
                let s = if spec.is_empty() { String::new() } else { format!(":({})", show_fparts(spec)) };
                format!("{{{}{c}{s}}}", show(value))
            }
        })
        .collect();
    p.join(" ")
}

fn show_params(p: &Params) -> String {
    let mut out: Vec<String> = p
        .args
        .iter()
        .map(|a| match &a.default {
            Some(d) => format!("{}={}", a.name, show(d)),
            None => a.name.clone(),
        })
        .collect();
    if let Some(v) = &p.vararg {
        out.push(format!("*{v}"));
    } else if !p.kwonly.is_empty() {
        out.push("*".into());
    }
    for a in &p.kwonly {
        out.push(match &a.default {
            Some(d) => format!("{}={}", a.name, show(d)),
            None => a.name.clone(),
        });
    }
    if let Some(k) = &p.kwarg {
        out.push(format!("**{k}"));
    }
    format!("({})", out.join(" "))
}

fn bin(op: BinOp) -> &'static str {
    match op {
        BinOp::Add => "+",
        BinOp::Sub => "-",
        BinOp::Mul => "*",
        BinOp::Div => "/",
        BinOp::FloorDiv => "//",
        BinOp::Mod => "%",
        BinOp::Pow => "**",
        BinOp::BitAnd => "&",
        BinOp::BitOr => "|",
        BinOp::BitXor => "^",
        BinOp::LShift => "<<",
        BinOp::RShift => ">>",
    }
}

fn pos(line: u32, col: u32) -> Pos {
    Pos { line, col }
}

// ---- The corpus -----------------------------------------------------------------------------

/// The article's programs (/work/shared/seed-article.txt), verbatim.
const ARTICLE: &[(&str, &str)] = &[
    (
        "breakfast",
        r#"import asyncio

async def prepare_coffee():
    print("Starting to brew coffee...")
    await asyncio.sleep(3)  # Simulating coffee brewing time
    print("Coffee is ready!")

async def prepare_eggs():
    print("Starting to fry eggs...")
    await asyncio.sleep(2)  # Simulating egg frying time
    print("Eggs are ready!")

async def main():
    # Concurrent execution of two tasks
    await asyncio.gather(prepare_coffee(), prepare_eggs())

asyncio.run(main())
"#,
    ),
    (
        "crawler",
        r#"import asyncio
import aiohttp
import time

async def fetch_data(session, url):
    async with session.get(url) as response:
        return await response.text()

async def process_urls(urls):
    async with aiohttp.ClientSession() as session:
        tasks = []
        for url in urls:
            tasks.append(fetch_data(session, url))
        results = await asyncio.gather(*tasks)
        return results

async def main():
    urls = [
        'http://example1.com',
        'http://example2.com',
        'http://example3.com',
        # ... more URLs
    ]

    start_time = time.time()
    results = await process_urls(urls)
    end_time = time.time()

    print(f"Processing {len(urls)} URLs took: {end_time - start_time:.2f} seconds")
"#,
    ),
    (
        "data_processor",
        r#"import asyncio
import aiofiles
import aiohttp
from datetime import datetime
import json

class DataProcessor:
    def __init__(self):
        self.data_cache = {}

    async def fetch_data(self, url):
        async with aiohttp.ClientSession() as session:
            async with session.get(url) as response:
                return await response.json()

    async def save_to_file(self, filename, data):
        async with aiofiles.open(filename, 'w') as f:
            await f.write(json.dumps(data))

    async def process_item(self, item_id):
        # Simulate getting data from API
        url = f'http://api.example.com/items/{item_id}'
        data = await self.fetch_data(url)

        # Process data
        processed_data = {
            'id': item_id,
            'timestamp': datetime.now().isoformat(),
            'content': data
        }

        # Save to file
        filename = f'data_{item_id}.json'
        await self.save_to_file(filename, processed_data)

        return processed_data

    async def process_batch(self, item_ids):
        tasks = [self.process_item(item_id) for item_id in item_ids]
        return await asyncio.gather(*tasks)


async def main():
    processor = DataProcessor()
    item_ids = range(1000)  # Process 1000 items
    results = await processor.process_batch(item_ids)
    print(f"Successfully processed {len(results)} items")
"#,
    ),
    (
        "error_handling",
        r#"async def safe_process(coro, default=None):
    try:
        return await coro
    except Exception as e:
        print(f"Error occurred during processing: {e}")
        return default

async def process_with_retry(coro, max_retries=3, delay=1):
    for i in range(max_retries):
        try:
            return await coro
        except Exception as e:
            if i == max_retries - 1:
                raise
            print(f"Retry {i+1}/{max_retries}...")
            await asyncio.sleep(delay)
"#,
    ),
    (
        "semaphore",
        r#"async def process_with_semaphore(items, concurrency=10):
    sem = asyncio.Semaphore(concurrency)

    async def process_item(item):
        async with sem:
            return await actual_process(item)

    return await asyncio.gather(
        *(process_item(item) for item in items)
    )
"#,
    ),
    (
        "resource",
        r#"class AsyncResource:
    async def __aenter__(self):
        print("Acquiring resource...")
        await asyncio.sleep(1)  # Simulate resource acquisition
        return self

    async def __aexit__(self, exc_type, exc_val, exc_tb):
        print("Releasing resource...")
        await asyncio.sleep(0.5)  # Simulate resource release
"#,
    ),
];

fn article(name: &str) -> &'static str {
    ARTICLE.iter().find(|(n, _)| *n == name).map(|(_, s)| *s).expect("an article program")
}

#[test]
fn every_article_program_parses() {
    for (name, src) in ARTICLE {
        let m = parse(src).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(!m.body.is_empty(), "{name}");
    }
}

#[test]
fn the_breakfast_is_three_coroutines_and_a_run() {
    let m = ok(article("breakfast"));
    let defs: Vec<(String, bool, u32)> = m
        .body
        .iter()
        .filter_map(|s| match &s.kind {
            StmtKind::FunctionDef(f) => Some((f.name.clone(), f.is_async, f.pos.line)),
            _ => None,
        })
        .collect();
    let want = [("prepare_coffee", true, 3), ("prepare_eggs", true, 8), ("main", true, 13)];
    assert_eq!(defs, want.map(|(n, a, l)| (n.to_string(), a, l)));
    let last = m.body.last().expect("a last statement");
    assert_eq!(last.pos, pos(17, 1));
    let StmtKind::Expr(e) = &last.kind else { panic!("asyncio.run(main()) is an expression statement") };
    assert_eq!(show(e), "(call asyncio.run (call main))");
}

#[test]
fn the_semaphore_program_gathers_a_generator_expression() {
    let m = ok(article("semaphore"));
    let StmtKind::FunctionDef(f) = &m.body[0].kind else { panic!("a def") };
    let StmtKind::Return(Some(e)) = &f.body[2].kind else { panic!("a return") };
    assert_eq!(show(e), "(await (call asyncio.gather *(Generator (call process_item item) for item in items)))");
    let StmtKind::FunctionDef(inner) = &f.body[1].kind else { panic!("a nested def") };
    assert!(matches!(&inner.body[0].kind, StmtKind::With { is_async: true, items, .. } if items[0].target.is_none()));
}

#[test]
fn every_patterns_generated_code_parses_except_the_process_pool() {
    use awaitlab::core::code::python;
    use awaitlab::core::scenario::{Pattern, Scenario};
    let mut parsed = 0;
    for p in Pattern::ALL {
        for extra in [
            "",
            "&preset=breakfast",
            "&tasks=1&fail=1",
            "&limit=2&hold=0&jitter=0.5&backoff=exponential",
            "&errors=raise&fail=0.5",
            "&source=cpu&fail=0.3",
            "&source=cpu&offload=workers&workers=3",
        ] {
            let q = format!("pattern={}{extra}", p.key());
            let Ok(s) = Scenario::parse(q.split('&').map(|p| p.split_once('=').expect("key=value"))) else { continue };
            let code = python(&s);
            match parse(&code) {
                Ok(_) => parsed += 1,
                Err(e) => assert!(
                    code.contains("from concurrent.futures")
                        && e.message.starts_with("`concurrent.futures` is not available here"),
                    "{q}: {e}\n{code}"
                ),
            }
        }
    }
    assert!(parsed >= 30, "only {parsed} programs parsed");
}

/// The corpus: the article's programs made runnable under CPython (tests/py_corpus).
fn corpus() -> Vec<(String, String)> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/py_corpus");
    let mut files: Vec<(String, String)> = std::fs::read_dir(&dir)
        .expect("tests/py_corpus")
        .map(|e| e.expect("an entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "py"))
        .map(|p| (p.display().to_string(), std::fs::read_to_string(&p).expect("readable")))
        .collect();
    files.sort();
    files
}

#[test]
fn every_corpus_program_parses() {
    let files = corpus();
    assert!(files.len() >= 9, "the corpus has {} programs", files.len());
    for (path, src) in &files {
        parse(src).unwrap_or_else(|e| panic!("{path}: {e}"));
    }
}

/// The reference the interpreter is compared with: each corpus program runs under CPython on a
/// virtual clock (scripts/py_reference.py), with the article's figures (3 s with gather, 5 s
/// without) and no error.
#[test]
fn the_corpus_runs_under_cpython_on_the_virtual_clock() {
    let root = env!("CARGO_MANIFEST_DIR");
    let paths: Vec<String> = corpus().into_iter().map(|(p, _)| p).collect();
    let out = std::process::Command::new(common::python::interpreter())
        .arg(format!("{root}/scripts/py_reference.py"))
        .args(&paths)
        .output()
        .expect("python runs");
    assert!(out.status.success(), "py_reference.py failed: {}", String::from_utf8_lossy(&out.stderr));
    let runs: Vec<serde_json::Value> =
        String::from_utf8_lossy(&out.stdout).lines().map(|l| serde_json::from_str(l).expect("a JSON line")).collect();
    assert_eq!(runs.len(), paths.len());
    let run = |name: &str| runs.iter().find(|r| r["program"].as_str().is_some_and(|p| p.ends_with(name))).expect(name);
    for r in &runs {
        assert!(r["error"].is_null(), "{}: {}", r["program"], r["error"]);
        let tasks = r["tasks"].as_array().expect("tasks");
        assert_eq!(tasks[0]["name"], "main", "{}: the main coroutine is the first task", r["program"]);
        for t in tasks {
            for span in t["spans"].as_array().expect("spans") {
                let (a, b) = (span[0].as_f64().expect("start"), span[1].as_f64().expect("end"));
                assert!(a <= b && b <= r["makespan_ms"].as_f64().expect("makespan"), "{}: {span}", r["program"]);
            }
        }
    }
    assert_eq!(run("breakfast_gather.py")["makespan_ms"], 3000.0);
    assert_eq!(run("breakfast_sequential.py")["makespan_ms"], 5000.0);
    let crawler = run("crawler.py");
    assert_eq!(crawler["tasks"].as_array().map(Vec::len), Some(101), "main and 100 fetches");
    let retry = run("process_with_retry.py")["prints"].to_string();
    assert!(retry.contains("gave up: RuntimeError: cannot reuse already awaited coroutine"), "{retry}");
}

// ---- CPython's trees ------------------------------------------------------------------------

/// Renders CPython's `ast` of each program (a JSON list on stdin) like [`render`] renders ours.
const CPYTHON_RENDER: &str = r#####"import ast, sys
BIN = {ast.Add:'+',ast.Sub:'-',ast.Mult:'*',ast.Div:'/',ast.FloorDiv:'//',ast.Mod:'%',ast.Pow:'**',ast.BitAnd:'&',ast.BitOr:'|',ast.BitXor:'^',ast.LShift:'<<',ast.RShift:'>>'}
UN = {ast.USub:'-',ast.UAdd:'+',ast.Not:'not',ast.Invert:'~'}
def rs(s):
    out = '"'
    for c in s:
        if c == '\\': out += '\\\\'
        elif c == '"': out += '\\"'
        elif c == '\n': out += '\\n'
        elif c == '\t': out += '\\t'
        elif c == '\r': out += '\\r'
        elif c == '\0': out += '\\0'
        elif ord(c) < 32 or ord(c) == 127: out += '\\u{%x}' % ord(c)
        else: out += c
    return out + '"'
def rf(v):
    # Rust's {:?} for f64
    if v == int(v) and abs(v) < 1e16: return f"{v:.1f}"
    r = repr(v)
    return r.replace('e-0','e-').replace('e+','e')
LINES = []
def show(e):
    return f"{show_kind(e)}@{e.lineno}:{col(LINES, e)}"
def show_kind(e):
    L = lambda xs: ' '.join(show(x) for x in xs)
    t = type(e)
    if t is ast.Name: return e.id
    if t is ast.Constant:
        v = e.value
        if v is Ellipsis: return 'Ellipsis'
        if v is None: return 'None'
        if v is True: return 'True'
        if v is False: return 'False'
        if isinstance(v, int): return str(v)
        if isinstance(v, float): return rf(v)
        if isinstance(v, str): return rs(v)
        return repr(v)
    if t is ast.JoinedStr: return f"(f {fparts(e.values)})"
    if t is ast.List: return f"[{L(e.elts)}]"
    if t is ast.Tuple: return f"(tuple {L(e.elts)})"
    if t is ast.Set: return f"{{set {L(e.elts)}}}"
    if t is ast.Dict: return "{dict " + ' '.join(f"{show(k)}:{show(v)}" if k is not None else f"**{show(v)}" for k, v in zip(e.keys, e.values)) + "}"
    if t in (ast.ListComp, ast.SetComp, ast.GeneratorExp):
        kind = {ast.ListComp:'List', ast.SetComp:'Set', ast.GeneratorExp:'Generator'}[t]
        return f"({kind} {show(e.elt)} {gens(e.generators)})"
    if t is ast.DictComp: return f"(DictComp {show(e.key)}:{show(e.value)} {gens(e.generators)})"
    if t is ast.BinOp: return f"({BIN[type(e.op)]} {show(e.left)} {show(e.right)})"
    if t is ast.UnaryOp: return f"({UN[type(e.op)]} {show(e.operand)})"
    if t is ast.BoolOp: return f"({'and' if isinstance(e.op, ast.And) else 'or'} {L(e.values)})"
    if t is ast.Compare:
        s = f"(cmp {show(e.left)}"
        for op, c in zip(e.ops, e.comparators): s += f" {type(op).__name__} {show(c)}"
        return s + ")"
    if t is ast.Call:
        s = f"(call {show(e.func)}"
        for a in e.args: s += f" {show(a)}"
        for k in e.keywords: s += f" {k.arg}={show(k.value)}" if k.arg else f" **{show(k.value)}"
        return s + ")"
    if t is ast.Attribute: return f"{show(e.value)}.{e.attr}"
    if t is ast.Subscript: return f"{show(e.value)}[{show(e.slice)}]"
    if t is ast.Slice:
        o = lambda x: '' if x is None else show(x)
        return f"{o(e.lower)}:{o(e.upper)}:{o(e.step)}"
    if t is ast.Starred: return f"*{show(e.value)}"
    if t is ast.Await: return f"(await {show(e.value)})"
    if t is ast.Lambda: return f"(lambda {params(e.args)} {show(e.body)})"
    if t is ast.IfExp: return f"(if {show(e.test)} {show(e.body)} {show(e.orelse)})"
    return f"<{t.__name__}>"
def gens(gs):
    out = []
    for g in gs:
        ifs = ''.join(f" if {show(i)}" for i in g.ifs)
        out.append(f"{'async ' if g.is_async else ''}for {show(g.target)} in {show(g.iter)}{ifs}")
    return ' '.join(out)
def fparts(vals):
    out = []
    for p in vals:
        if isinstance(p, ast.Constant):
            if p.value: out.append(rs(p.value))  # 3.12 leaves an empty constant at a spec's end
        else:
            c = '' if p.conversion == -1 else '!' + chr(p.conversion)
            s = '' if p.format_spec is None or not p.format_spec.values else f":({fparts(p.format_spec.values)})"
            out.append(f"{{{show(p.value)}{c}{s}}}")
    return ' '.join(out)
def params(a):
    args = a.posonlyargs + a.args
    d = [None] * (len(args) - len(a.defaults)) + a.defaults
    out = [x.arg if dv is None else f"{x.arg}={show(dv)}" for x, dv in zip(args, d)]
    if a.vararg: out.append('*' + a.vararg.arg)
    elif a.kwonlyargs: out.append('*')
    for x, dv in zip(a.kwonlyargs, a.kw_defaults): out.append(x.arg if dv is None else f"{x.arg}={show(dv)}")
    if a.kwarg: out.append('**' + a.kwarg.arg)
    return '(' + ' '.join(out) + ')'
def col(src_lines, n):
    line = src_lines[n.lineno - 1].encode()
    return len(line[:n.col_offset].decode()) + 1
def stmts(body, out, ind, L):
    pad = ' ' * ind
    o = lambda x: '-' if x is None else show(x)
    for s in body:
        out.append(f"{pad}@{s.lineno}:{col(L, s)} ")
        t = type(s)
        w = lambda x: out.__setitem__(-1, out[-1] + x)
        if t is ast.Expr: w(f"expr {show(s.value)}")
        elif t is ast.Assign: w(f"assign {' = '.join(show(x) for x in s.targets)} = {show(s.value)}")
        elif t is ast.AugAssign: w(f"aug {show(s.target)} {BIN[type(s.op)]} {show(s.value)}")
        elif t is ast.AnnAssign: w(f"ann {show(s.target)} {o(s.value)}")
        elif t is ast.Return: w(f"return {o(s.value)}")
        elif t in (ast.If, ast.While):
            w(f"{'if' if t is ast.If else 'while'} {show(s.test)}"); stmts(s.body, out, ind+2, L); out.append(f"{pad}else"); stmts(s.orelse, out, ind+2, L)
        elif t in (ast.For, ast.AsyncFor):
            w(f"for{'async' if t is ast.AsyncFor else ''} {show(s.target)} in {show(s.iter)}"); stmts(s.body, out, ind+2, L); out.append(f"{pad}else"); stmts(s.orelse, out, ind+2, L)
        elif t is ast.Break: w("break")
        elif t is ast.Continue: w("continue")
        elif t is ast.Pass: w("pass")
        elif t is ast.Try:
            w("try"); stmts(s.body, out, ind+2, L)
            for h in s.handlers:
                out.append(f"{pad}except@{h.lineno}:{col(L, h)} {o(h.type)} {h.name or '-'}"); stmts(h.body, out, ind+2, L)
            out.append(f"{pad}else"); stmts(s.orelse, out, ind+2, L)
            out.append(f"{pad}finally"); stmts(s.finalbody, out, ind+2, L)
        elif t is ast.Raise: w(f"raise {o(s.exc)} {o(s.cause)}")
        elif t in (ast.With, ast.AsyncWith):
            w(f"with{'async' if t is ast.AsyncWith else ''} " + ', '.join(f"{show(i.context_expr)} as {o(i.optional_vars)}" for i in s.items)); stmts(s.body, out, ind+2, L)
        elif t in (ast.FunctionDef, ast.AsyncFunctionDef):
            w(f"def{'async' if t is ast.AsyncFunctionDef else ''} {s.name} {params(s.args)} [{' '.join(show(d) for d in s.decorator_list)}]"); stmts(s.body, out, ind+2, L)
        elif t is ast.ClassDef:
            w(f"class {s.name} ({' '.join(show(b) for b in s.bases)}) [{' '.join(show(d) for d in s.decorator_list)}]"); stmts(s.body, out, ind+2, L)
        elif t is ast.Global: w("global " + ' '.join(s.names))
        elif t is ast.Nonlocal: w("nonlocal " + ' '.join(s.names))
        elif t is ast.Import: w("import " + ', '.join(f"{a.name} as {a.asname or '-'}" for a in s.names))
        elif t is ast.ImportFrom: w(f"from {s.module} import " + ', '.join(f"{a.name} as {a.asname or '-'}" for a in s.names))
        elif t is ast.Assert: w(f"assert {show(s.test)} {o(s.msg)}")
        elif t is ast.Delete: w("del " + ' '.join(show(x) for x in s.targets))
        else: w(f"<{t.__name__}>")
def render(src):
    m = ast.parse(src)
    LINES[:] = src.replace('\r\n', '\n').split('\n')
    out = []
    stmts(m.body, out, 0, src.replace('\r\n', '\n').split('\n'))
    return '\n'.join(out) + ('\n' if out else '')

import json
outs = []
for src in json.load(sys.stdin):
    try:
        outs.append(render(src))
    except SyntaxError as e:
        outs.append(f"SyntaxError {e}")
print(json.dumps(outs))
"#####;

/// A module as indented lines: each statement with its position, expressions as [`show`] writes
/// them (the same text CPython's side writes from its `ast`).
fn render(m: &Module) -> String {
    let mut out = String::new();
    render_body(&m.body, &mut out, 0);
    out
}

fn opt(e: &Option<Expr>) -> String {
    e.as_ref().map_or("-".into(), show)
}

fn render_body(body: &[Stmt], out: &mut String, indent: usize) {
    let pad = " ".repeat(indent);
    let join = |items: &[Expr], sep: &str| items.iter().map(show).collect::<Vec<_>>().join(sep);
    let names = |n: &[(String, Option<String>)]| {
        n.iter().map(|(a, b)| format!("{a} as {}", b.as_deref().unwrap_or("-"))).collect::<Vec<_>>().join(", ")
    };
    for s in body {
        let _ = write!(out, "{pad}@{}:{} ", s.pos.line, s.pos.col);
        let line = |out: &mut String, text: String| {
            let _ = writeln!(out, "{text}");
        };
        match &s.kind {
            StmtKind::Expr(e) => line(out, format!("expr {}", show(e))),
            StmtKind::Assign { targets, value } => {
                line(out, format!("assign {} = {}", join(targets, " = "), show(value)))
            }
            StmtKind::AugAssign { target, op, value } => {
                line(out, format!("aug {} {} {}", show(target), bin(*op), show(value)))
            }
            StmtKind::AnnAssign { target, value } => line(out, format!("ann {} {}", show(target), opt(value))),
            StmtKind::Return(v) => line(out, format!("return {}", opt(v))),
            StmtKind::If { test, body, orelse } | StmtKind::While { test, body, orelse } => {
                let kw = if matches!(s.kind, StmtKind::If { .. }) { "if" } else { "while" };
                line(out, format!("{kw} {}", show(test)));
                render_else(body, orelse, out, indent);
            }
            StmtKind::For { target, iter, body, orelse, is_async } => {
                line(out, format!("for{} {} in {}", if *is_async { "async" } else { "" }, show(target), show(iter)));
                render_else(body, orelse, out, indent);
            }
            StmtKind::Break => line(out, "break".into()),
            StmtKind::Continue => line(out, "continue".into()),
            StmtKind::Pass => line(out, "pass".into()),
            StmtKind::Try { body, handlers, orelse, finalbody } => {
                line(out, "try".into());
                render_body(body, out, indent + 2);
                for h in handlers {
                    let name = h.name.as_deref().unwrap_or("-");
                    let _ = writeln!(out, "{pad}except@{}:{} {} {name}", h.pos.line, h.pos.col, opt(&h.kind));
                    render_body(&h.body, out, indent + 2);
                }
                let _ = writeln!(out, "{pad}else");
                render_body(orelse, out, indent + 2);
                let _ = writeln!(out, "{pad}finally");
                render_body(finalbody, out, indent + 2);
            }
            StmtKind::Raise { exc, cause } => line(out, format!("raise {} {}", opt(exc), opt(cause))),
            StmtKind::With { items, body, is_async } => {
                let items: Vec<String> =
                    items.iter().map(|i| format!("{} as {}", show(&i.context), opt(&i.target))).collect();
                line(out, format!("with{} {}", if *is_async { "async" } else { "" }, items.join(", ")));
                render_body(body, out, indent + 2);
            }
            StmtKind::FunctionDef(f) => {
                let a = if f.is_async { "async" } else { "" };
                line(out, format!("def{a} {} {} [{}]", f.name, show_params(&f.params), join(&f.decorators, " ")));
                render_body(&f.body, out, indent + 2);
            }
            StmtKind::ClassDef { name, bases, body, decorators } => {
                line(out, format!("class {name} ({}) [{}]", join(bases, " "), join(decorators, " ")));
                render_body(body, out, indent + 2);
            }
            StmtKind::Global(n) => line(out, format!("global {}", n.join(" "))),
            StmtKind::Nonlocal(n) => line(out, format!("nonlocal {}", n.join(" "))),
            StmtKind::Import(n) => line(out, format!("import {}", names(n))),
            StmtKind::ImportFrom { module, names: n } => line(out, format!("from {module} import {}", names(n))),
            StmtKind::Assert { test, msg } => line(out, format!("assert {} {}", show(test), opt(msg))),
            StmtKind::Delete(t) => line(out, format!("del {}", join(t, " "))),
        }
    }
}

/// A body, then `else` and its body, the way CPython's side writes If, While and For.
fn render_else(body: &[Stmt], orelse: &[Stmt], out: &mut String, indent: usize) {
    render_body(body, out, indent + 2);
    let _ = writeln!(out, "{}else", " ".repeat(indent));
    render_body(orelse, out, indent + 2);
}

/// One block per construct, in the shapes a reader writes.
const SAMPLER: &[&str] = &[
    "x = -2 ** 2 + a * b // c % d - e / f\ny = a | b ^ c & d << 2 >> 1\nz = ~a ** -b ** c\n",
    "x = not a == b and c is not d or e not in f\nx = a < b <= c != d > e >= f in g is h\n",
    "x = a if b else c if d else lambda p, *q, r=1, **s: p\nx = lambda: 0\n",
    "x = a.b[c](d, *e, f=g, **h)[i:j, ::k, l:][m]\n",
    "x = [1, *a, 2]; y = (1,); z = (); w = {}; v = {1, *b}; u = {'k': 1, **d}\n",
    "x = [i * j for i in a if i for j in b if j > i if j]\ny = {k: v for k, v in d.items()}\nz = {s for s in t}\n",
    r#"x = 'a' "b" '''c
d''' r'\d' u'\t\x41\u00e9\101'
"#,
    r#"x = f'{a!r:>{w}} {b=} {c:.2f} {{lit}} {d["k"]} {e + f!s}' f"{g}" 'tail'
"#,
    "x = 0x_FF + 0o17 + 0b1_0 + 1_000 + 1.5e-3 + .5 + 1. + 1e10 + 00\n",
    "a, *b = c = d, e = f\nx: int = 1\ny: list\nself.z += 1\nw[0] **= 2\nv //= 3\n",
    "if a:\n    pass\nelif b:\n    x = 1\nelif c: y = 2\nelse:\n    z = 3\n",
    "for i, (k, v) in enumerate(x):\n    if k: continue\n    break\nelse:\n    pass\nwhile x: x -= 1\n",
    "try:\n    a()\nexcept (A, B) as e:\n    raise C('x') from e\nexcept D:\n    raise\nexcept:\n    pass\nelse:\n    b()\nfinally:\n    c()\n",
    "with a as b, c:\n    pass\nwith (d as e, f as g):\n    pass\n",
    "@dec\n@dec2(1)\nasync def f(a, /, b: int = 2, *c, d, e=3, **g) -> None:\n    async with x as y:\n        await z\n    async for i in y:\n        return [await j async for j in i]\n",
    "class A(B, c.D):\n    x = 1\n    def __init__(self, *, n=0):\n        self.n = n\n    async def __aenter__(self):\n        return self\n",
    "def f():\n    global g\n    def h():\n        nonlocal n\n    n = 1\n    assert n, 'msg'\n    del g[0], h.x\n    return\n",
    "import asyncio, random as r\nfrom typing import (List,\n    Dict as D,)\nfrom asyncio import sleep\n",
    "x = (\n    1 +\n    2\n)\ny = 1 + \\\n    2\nif x:  # comment\n\n    # another\n    z = 3\n",
    "x = a[...]\ny = ...\nprint(*(f(i) for i in range(3)), sep='')\nx = 1if y else 2\n",
    "é = 'ü'; ä = é + 1\nx = '\\0 \\a \\b \\f \\v \\r'\n",
    "x = (a).b + ((c + d)) * -(e)\ny = (f)(g)[h] if (i) else (j)\nz = not (k) or (l) < (m)\n",
    "w = f'{(a)} {(b, c)!r}' + (lambda: (d))()\nv = f(\n    (x for x in y),\n    *(z),\n)\n",
];

/// Programs whose trees must be CPython's: the corpus, the article, every pattern's generated
/// code, and the sampler.
fn programs_for_cpython() -> Vec<String> {
    use awaitlab::core::code::python;
    use awaitlab::core::scenario::{Pattern, Scenario};
    let mut programs: Vec<String> = corpus().into_iter().map(|(_, s)| s).collect();
    programs.extend(ARTICLE.iter().map(|(_, s)| s.to_string()));
    for p in Pattern::ALL {
        for extra in
            ["", "&preset=breakfast", "&limit=2&hold=0&jitter=0.5&backoff=exponential", "&errors=raise&fail=0.5"]
        {
            let q = format!("pattern={}{extra}", p.key());
            if let Ok(s) = Scenario::parse(q.split('&').map(|p| p.split_once('=').expect("key=value"))) {
                programs.push(python(&s));
            }
        }
    }
    programs.extend(SAMPLER.iter().map(|s| s.to_string()));
    programs
}

/// Tree for tree and statement for statement (with positions), the parser agrees with CPython's
/// own `ast` on every program above.
#[test]
fn trees_match_cpythons_ast() {
    let programs = programs_for_cpython();
    let mut child = std::process::Command::new(common::python::interpreter())
        .args(["-c", CPYTHON_RENDER])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("python runs");
    let input = serde_json::to_string(&programs).expect("JSON");
    std::io::Write::write_all(&mut child.stdin.take().expect("stdin"), input.as_bytes()).expect("written");
    let out = child.wait_with_output().expect("python ends");
    let theirs: Vec<String> = serde_json::from_slice(&out.stdout).expect("a JSON list");
    assert_eq!(theirs.len(), programs.len());
    WITH_POS.with(|w| w.set(true));
    for (src, want) in programs.iter().zip(&theirs) {
        let ours = render(&ok(src));
        if &ours != want {
            let first = ours.lines().zip(want.lines()).find(|(a, b)| a != b);
            panic!("our tree differs from CPython's at {first:?}\n--- program:\n{src}\n--- ours:\n{ours}\n--- CPython's:\n{want}");
        }
    }
    assert!(programs.len() > 60, "{} programs", programs.len());
}

// ---- Statements -------------------------------------------------------------------------------

#[test]
fn assignments_unpack_chain_augment_and_annotate() {
    let StmtKind::Assign { targets, value } = stmt("a, b = b, a") else { panic!() };
    assert_eq!((show(&targets[0]), show(&value)), ("(tuple a b)".into(), "(tuple b a)".into()));
    let StmtKind::Assign { targets, value } = stmt("x = y = [1, 2]") else { panic!() };
    assert_eq!(targets.iter().map(show).collect::<Vec<_>>(), ["x", "y"]);
    assert_eq!(show(&value), "[1 2]");
    let StmtKind::Assign { targets, .. } = stmt("first, *rest = items") else { panic!() };
    assert_eq!(show(&targets[0]), "(tuple first *rest)");
    let StmtKind::Assign { targets, .. } = stmt("self.cache[key], (a, [b, c]) = 1, 2") else { panic!() };
    assert_eq!(show(&targets[0]), "(tuple self.cache[key] (tuple a [b c]))");
    let StmtKind::Assign { value, .. } = stmt("t = 1,") else { panic!() };
    assert_eq!(show(&value), "(tuple 1)");
    let StmtKind::AugAssign { target, op, value } = stmt("self.count += n * 2") else { panic!() };
    assert_eq!((show(&target), op, show(&value)), ("self.count".into(), BinOp::Add, "(* n 2)".into()));
    for (src, want) in [
        ("x -= 1", BinOp::Sub),
        ("x //= 2", BinOp::FloorDiv),
        ("x **= 2", BinOp::Pow),
        ("x >>= 1", BinOp::RShift),
        ("x |= m", BinOp::BitOr),
    ] {
        assert!(matches!(stmt(src), StmtKind::AugAssign { op, .. } if op == want), "{src}");
    }
    let StmtKind::AnnAssign { target, value } = stmt("results: list[int] = []") else { panic!() };
    assert_eq!((show(&target), value.map(|v| show(&v))), ("results".into(), Some("[]".into())));
    assert!(matches!(stmt("count: int"), StmtKind::AnnAssign { value: None, .. }));
}

#[test]
fn if_elif_else_nests_the_elif_in_orelse() {
    let StmtKind::If { test, body, orelse } = stmt("if a:\n    x = 1\nelif b:\n    x = 2\nelse:\n    x = 3\n") else {
        panic!()
    };
    assert_eq!(show(&test), "a");
    assert_eq!(body.len(), 1);
    assert_eq!(orelse[0].pos, pos(3, 1));
    let StmtKind::If { test, orelse, .. } = &orelse[0].kind else { panic!("elif is an If") };
    assert_eq!(show(test), "b");
    assert_eq!(orelse[0].pos, pos(6, 5));
}

#[test]
fn loops_with_tuple_targets_else_break_and_continue() {
    let src = "for i, (k, v) in enumerate(d.items()):\n    if v: continue\n    break\nelse:\n    pass\n";
    let StmtKind::For { target, iter, body, orelse, is_async } = stmt(src) else { panic!() };
    assert_eq!(
        (show(&target), show(&iter), is_async),
        ("(tuple i (tuple k v))".into(), "(call enumerate (call d.items))".into(), false)
    );
    assert!(matches!(&body[0].kind, StmtKind::If { body, .. } if body[0].kind == StmtKind::Continue));
    assert_eq!(body[1].kind, StmtKind::Break);
    assert_eq!(orelse[0].kind, StmtKind::Pass);
    let StmtKind::For { iter, .. } = stmt("for x in 1, 2, *more:\n    pass\n") else { panic!() };
    assert_eq!(show(&iter), "(tuple 1 2 *more)");
    let StmtKind::While { test, orelse, .. } = stmt("while not done and n < 10:\n    n += 1\nelse:\n    n = 0\n")
    else {
        panic!()
    };
    assert_eq!((show(&test), orelse.len()), ("(and (not done) (cmp n Lt 10))".into(), 1));
    let body = async_body("async def f(q):\n    async for item in q:\n        print(item)\n");
    assert!(matches!(&body[0].kind, StmtKind::For { is_async: true, .. }));
}

#[test]
fn try_has_handlers_else_and_finally() {
    let src = "try:\n    x()\nexcept (ValueError, KeyError) as e:\n    raise RuntimeError('bad') from e\nexcept Exception:\n    raise\nexcept:\n    pass\nelse:\n    y()\nfinally:\n    z()\n";
    let StmtKind::Try { body, handlers, orelse, finalbody } = stmt(src) else { panic!() };
    assert_eq!((body.len(), orelse.len(), finalbody.len()), (1, 1, 1));
    let kinds: Vec<Option<String>> = handlers.iter().map(|h| h.kind.as_ref().map(show)).collect();
    assert_eq!(kinds, [Some("(tuple ValueError KeyError)".into()), Some("Exception".into()), None]);
    assert_eq!(handlers[0].name.as_deref(), Some("e"));
    assert_eq!(handlers[1].pos, pos(5, 1));
    let StmtKind::Raise { exc, cause } = &handlers[0].body[0].kind else { panic!() };
    assert_eq!(
        (exc.as_ref().map(show), cause.as_ref().map(show)),
        (Some("(call RuntimeError \"bad\")".into()), Some("e".into()))
    );
    assert_eq!(handlers[1].body[0].kind, StmtKind::Raise { exc: None, cause: None });
    assert!(
        matches!(stmt("try:\n    pass\nfinally:\n    pass\n"), StmtKind::Try { handlers, .. } if handlers.is_empty())
    );
}

#[test]
fn with_items_targets_and_parentheses() {
    let body = async_body("async def f():\n    async with lock, session.get(url) as resp:\n        pass\n");
    let StmtKind::With { items, is_async: true, .. } = &body[0].kind else { panic!() };
    assert_eq!(items.len(), 2);
    assert_eq!((show(&items[0].context), items[0].target.is_none()), ("lock".into(), true));
    assert_eq!(items[1].target.as_ref().map(show), Some("resp".into()));
    let StmtKind::With { items, is_async: false, .. } = stmt("with (open(a) as f, open(b) as g):\n    pass\n") else {
        panic!()
    };
    assert_eq!(
        items.iter().map(|i| i.target.as_ref().map(show)).collect::<Vec<_>>(),
        [Some("f".into()), Some("g".into())]
    );
    let StmtKind::With { items, .. } = stmt("with (yield_lock):\n    pass\n") else { panic!() };
    assert_eq!(show(&items[0].context), "yield_lock");
    let StmtKind::With { items, .. } = stmt("with (a, b) as (x, y):\n    pass\n") else { panic!() };
    assert_eq!(
        (show(&items[0].context), items[0].target.as_ref().map(show)),
        ("(tuple a b)".into(), Some("(tuple x y)".into()))
    );
}

#[test]
fn defs_take_every_kind_of_parameter() {
    let StmtKind::FunctionDef(f) = stmt("@retry(3)\n@log\nasync def fetch(url: str, /, tries: int = 3, *args, timeout=None, strict, **kw) -> dict:\n    pass\n") else { panic!() };
    assert_eq!((f.name.as_str(), f.is_async, f.pos), ("fetch", true, pos(3, 1)));
    assert_eq!(f.decorators.iter().map(show).collect::<Vec<_>>(), ["(call retry 3)", "log"]);
    assert_eq!(show_params(&f.params), "(url tries=3 *args timeout=None strict **kw)");
    let StmtKind::FunctionDef(f) = stmt("def g(a, *, b=1):\n    return a, b\n") else { panic!() };
    assert_eq!(show_params(&f.params), "(a * b=1)");
    assert!(matches!(&f.body[0].kind, StmtKind::Return(Some(e)) if show(e) == "(tuple a b)"));
    let StmtKind::FunctionDef(f) = stmt("def h(): return\n") else { panic!() };
    assert_eq!((f.is_async, f.body[0].kind.clone()), (false, StmtKind::Return(None)));
}

#[test]
fn classes_with_bases_methods_and_decorators() {
    let src = "@decorate\nclass Pool(Base, mixins.Log):\n    size = 3\n\n    def __init__(self, n):\n        self.n = n\n\n    async def __aenter__(self):\n        return self\n";
    let StmtKind::ClassDef { name, bases, body, decorators } = stmt(src) else { panic!() };
    assert_eq!(
        (name.as_str(), bases.iter().map(show).collect::<Vec<_>>()),
        ("Pool", vec!["Base".to_string(), "mixins.Log".into()])
    );
    assert_eq!(decorators.len(), 1);
    assert_eq!(body.len(), 3);
    assert!(matches!(&body[2].kind, StmtKind::FunctionDef(f) if f.is_async && f.name == "__aenter__"));
    assert!(matches!(stmt("class Empty:\n    pass\n"), StmtKind::ClassDef { bases, .. } if bases.is_empty()));
}

#[test]
fn imports_scopes_assert_del_and_semicolons() {
    assert_eq!(
        stmt("import asyncio, random as rnd"),
        StmtKind::Import(vec![("asyncio".into(), None), ("random".into(), Some("rnd".into()))])
    );
    assert_eq!(
        stmt("from typing import (List,\n    Optional as Opt,)"),
        StmtKind::ImportFrom {
            module: "typing".into(),
            names: vec![("List".into(), None), ("Optional".into(), Some("Opt".into()))]
        }
    );
    assert!(matches!(stmt("from asyncio import gather, sleep"), StmtKind::ImportFrom { .. }));
    assert!(matches!(stmt("import aiohttp.client"), StmtKind::Import(_)));
    assert_eq!(stmt("global a, b"), StmtKind::Global(vec!["a".into(), "b".into()]));
    let StmtKind::FunctionDef(f) =
        stmt("def outer():\n    n = 0\n    def inner():\n        nonlocal n\n        n += 1\n")
    else {
        panic!()
    };
    let StmtKind::FunctionDef(inner) = &f.body[1].kind else { panic!() };
    assert_eq!(inner.body[0].kind, StmtKind::Nonlocal(vec!["n".into()]));
    assert!(matches!(stmt("assert x > 0, 'positive'"), StmtKind::Assert { msg: Some(_), .. }));
    let StmtKind::Delete(targets) = stmt("del d[k], obj.attr") else { panic!() };
    assert_eq!(targets.iter().map(show).collect::<Vec<_>>(), ["d[k]", "obj.attr"]);
    let m = ok("a = 1; b = 2;\nif a: b = 3; c = 4\n");
    assert_eq!(m.body.len(), 3);
    assert!(matches!(&m.body[2].kind, StmtKind::If { body, .. } if body.len() == 2));
    assert_eq!(m.body[1].pos, pos(1, 8));
}

// ---- Expressions ----------------------------------------------------------------------------

#[test]
fn operator_precedence_follows_python() {
    for (src, want) in [
        ("1 + 2 * 3", "(+ 1 (* 2 3))"),
        ("1 - 2 - 3", "(- (- 1 2) 3)"),
        ("-2 ** 2", "(- (** 2 2))"),
        ("2 ** -1", "(** 2 (- 1))"),
        ("2 ** 3 ** 2", "(** 2 (** 3 2))"),
        ("a // b % c * d / e", "(/ (* (% (// a b) c) d) e)"),
        ("a | b ^ c & d << 1 + 2", "(| a (^ b (& c (<< d (+ 1 2)))))"),
        ("a >> 1 << 2", "(<< (>> a 1) 2)"),
        ("~a + -b", "(+ (~ a) (- b))"),
        ("not a == b", "(not (cmp a Eq b))"),
        ("a or b and not c", "(or a (and b (not c)))"),
        ("a and b or c and d", "(or (and a b) (and c d))"),
        ("a < b <= c != d", "(cmp a Lt b LtE c NotEq d)"),
        ("x not in xs and y is not None", "(and (cmp x NotIn xs) (cmp y IsNot None))"),
        ("a is b in c > d", "(cmp a Is b In c Gt d)"),
        ("x if a or b else y if c else z", "(if (or a b) x (if c y z))"),
        ("lambda x, y=2: x + y if x else y", "(lambda (x y=2) (if x (+ x y) y))"),
        ("lambda: 0", "(lambda () 0)"),
        ("lambda *a, **k: a", "(lambda (*a **k) a)"),
        ("await a ** 2", "(** (await a) 2)"),
        ("-await a.b(c)[0]", "(- (await (call a.b c)[0]))"),
        ("await asyncio.sleep(delay * 2 ** attempt)", "(await (call asyncio.sleep (* delay (** 2 attempt))))"),
        ("a.b.c(d)(e)[f][g:h]", "(call (call a.b.c d) e)[f][g:h:]"),
        ("(1 + 2) * 3", "(* (+ 1 2) 3)"),
        ("1 + 2, 3", "(tuple (+ 1 2) 3)"),
        ("x[1:2, ::3, 4]", "x[(tuple 1:2: ::3 4)]"),
        ("x[:]", "x[::]"),
        ("x[a, b]", "x[(tuple a b)]"),
    ] {
        assert_eq!(sx(src), want, "{src}");
    }
}

#[test]
fn calls_take_positional_starred_and_keyword_arguments() {
    assert_eq!(sx("f(a, *rest, k=v, **kw)"), "(call f a *rest k=v **kw)");
    assert_eq!(sx("f(x for x in y)"), "(call f (Generator x for x in y))");
    assert_eq!(
        sx("asyncio.gather(*tasks, return_exceptions=True,)"),
        "(call asyncio.gather *tasks return_exceptions=True)"
    );
    assert_eq!(sx("f(\n    a,\n    b,\n)"), "(call f a b)");
    assert_eq!(sx("f(**a, **b)"), "(call f **a **b)");
}

#[test]
fn displays_and_comprehensions() {
    for (src, want) in [
        ("[]", "[]"),
        ("[1, *xs, 2,]", "[1 *xs 2]"),
        ("()", "(tuple )"),
        ("(1,)", "(tuple 1)"),
        ("(*a, b)", "(tuple *a b)"),
        ("{}", "{dict }"),
        ("{'a': 1, **other, 'b': 2}", "{dict \"a\":1 **other \"b\":2}"),
        ("{1, 2}", "{set 1 2}"),
        ("{*a, 3}", "{set *a 3}"),
        (
            "[x * 2 for x in range(10) if x % 2 if x > 2]",
            "(List (* x 2) for x in (call range 10) if (% x 2) if (cmp x Gt 2))",
        ),
        ("[(i, j) for i in a for j in b]", "(List (tuple i j) for i in a for j in b)"),
        ("{k: v for k, v in d.items()}", "(DictComp k:v for (tuple k v) in (call d.items))"),
        ("{x for x in s}", "(Set x for x in s)"),
        ("(await f(x) for x in xs)", "(Generator (await (call f x)) for x in xs)"),
        ("[r async for r in aiter()]", "(List r async for r in (call aiter))"),
        ("[x if x else 0 for x in y]", "(List (if x x 0) for x in y)"),
        ("...", "Ellipsis"),
    ] {
        assert_eq!(sx(src), want, "{src}");
    }
}

#[test]
fn numbers_in_every_base_with_underscores() {
    for (src, want) in [
        ("0", "0"),
        ("1_000_000", "1000000"),
        ("0xFF", "255"),
        ("0o17", "15"),
        ("0b1010_1010", "170"),
        ("0X_ff", "255"),
        ("9223372036854775807", "9223372036854775807"),
        ("1.5", "1.5"),
        ("1.", "1.0"),
        (".25", "0.25"),
        ("1e3", "1000.0"),
        ("2.5E-3", "0.0025"),
        ("1_0.0_1e+0_1", "100.1"),
        ("00", "0"),
        ("1if a else 2", "(if a 1 2)"),
    ] {
        assert_eq!(sx(src), want, "{src}");
    }
}

#[test]
fn strings_take_every_prefix_escape_and_quote() {
    for (src, want) in [
        (r#"'single' "double""#, "\"singledouble\""),
        (r#"'tab\there\n\x41\101\u00e9\U0001F600\\\'\"'"#, "\"tab\\there\\nAAé😀\\\\'\\\"\""),
        (r"r'\d+\n' R'\'' u'x'", "\"\\\\d+\\\\n\\\\'x\""),
        ("'''a\nb''' \"\"\"c \"quoted\" d\"\"\"", "\"a\\nbc \\\"quoted\\\" d\""),
        ("'line \\\ncontinued'", "\"line continued\""),
        (r"'\q stays'", "\"\\\\q stays\""),
        ("'é ünïcode 中'", "\"é ünïcode 中\""),
    ] {
        assert_eq!(sx(src), want, "{src}");
    }
}

#[test]
fn fstrings_split_into_literals_and_values() {
    for (src, want) in [
        (
            r#"f"Processing {len(urls)} URLs took: {end_time - start_time:.2f} seconds""#,
            "(f \"Processing \" {(call len urls)} \" URLs took: \" {(- end_time start_time):(\".2f\")} \" seconds\")",
        ),
        (r#"f'{a!r} {b!s:>10} {c!a}'"#, "(f {a!r} \" \" {b!s:(\">10\")} \" \" {c!a})"),
        (r#"f"{{literal}} {x}}}""#, "(f \"{literal} \" {x} \"}\")"),
        (r#"f"{d['key']}" F'{d["k"]}'"#, "(f {d[\"key\"]} {d[\"k\"]})"),
        (r#"f"{x:{width}.{prec}f}""#, "(f {x:({width} \".\" {prec} \"f\")})"),
        (r#"f"{x=}, {y = :>4}""#, "(f \"x=\" {x!r} \", y = \" {y:(\">4\")})"),
        (r#"'plain ' f'{a}' ' tail'"#, "(f \"plain \" {a} \" tail\")"),
        (r#"rf'\d{n}' fR"{n}\n""#, "(f \"\\\\d\" {n} {n} \"\\\\n\")"),
        (r#"f"{'nested' + f'{inner!r}'}""#, "(f {(+ \"nested\" (f {inner!r}))})"),
        (r#"f"{"same quotes (3.12)"}""#, "(f {\"same quotes (3.12)\"})"),
        (r#"f"{a, b}""#, "(f {(tuple a b)})"),
        (r#"f"{x!r:{w}}""#, "(f {x!r:({w})})"),
        (r#"f"{ {'a': 1}['a'] }""#, "(f {{dict \"a\":1}[\"a\"]})"),
        (r#"f"{lambda_x if a != b else (lambda: 1)()}""#, "(f {(if (cmp a NotEq b) lambda_x (call (lambda () 1)))})"),
        (r#"f"tab\t{x}\n""#, "(f \"tab\\t\" {x} \"\\n\")"),
        (r#"f''"#, "(f )"),
    ] {
        assert_eq!(sx(src), want, "{src}");
    }
}

#[test]
fn fstring_values_point_into_the_real_source() {
    let m = ok("x = 1\nmsg = f'''a {x}\n  {y +\n z!r} {w:{p}}'''\n");
    let StmtKind::Assign { value, .. } = &m.body[1].kind else { panic!() };
    let ExprKind::FString(parts) = &value.kind else { panic!() };
    let values: Vec<&Expr> = parts
        .iter()
        .filter_map(|p| match p {
            FPart::Value { value, .. } => Some(&**value),
            FPart::Lit(_) => None,
        })
        .collect();
    assert_eq!(values[0].pos, pos(2, 14));
    let ExprKind::BinOp { right, .. } = &values[1].kind else { panic!() };
    assert_eq!((values[1].pos, right.pos), (pos(3, 4), pos(4, 2)));
    assert_eq!(values[2].pos, pos(4, 8));
    let FPart::Value { spec, .. } = parts.last().expect("a part") else { panic!() };
    let FPart::Value { value: p, .. } = &spec[0] else { panic!() };
    assert_eq!(p.pos, pos(4, 11));
}

#[test]
fn positions_are_one_based_characters() {
    let m = ok("é = 'ü'; ä = é + 1\n");
    let StmtKind::Assign { value, targets } = &m.body[1].kind else { panic!() };
    assert_eq!((m.body[1].pos, targets[0].pos, value.pos), (pos(1, 10), pos(1, 10), pos(1, 14)));
    let ExprKind::BinOp { right, .. } = &value.kind else { panic!() };
    assert_eq!(right.pos, pos(1, 18));
}

// ---- Layout ---------------------------------------------------------------------------------

#[test]
fn layout_indentation_joining_continuations_comments_and_crlf() {
    let src = "# a comment\n\nif a:  # trailing\n    x = [1,\n  2,   # inside brackets\n         3]\n\n    # a comment at another indentation\n\t\n    y = 1 + \\\n        2\nz = (\n)\n";
    let m = ok(src);
    assert_eq!(m.body.len(), 2);
    let StmtKind::If { body, .. } = &m.body[0].kind else { panic!() };
    assert_eq!(body.len(), 2);
    assert_eq!(body[1].pos, pos(10, 5));
    assert_eq!(ok(&src.replace('\n', "\r\n")), m, "CRLF reads like LF");
    // A file saved with a UTF-8 byte order mark (Notepad does): CPython reads past it; it was
    // "unexpected character". Positions are the same as without it.
    assert_eq!(ok(&format!("\u{feff}{src}")), m, "a BOM is read past");
    let tabs = ok("if a:\n\tif b:\n\t\tx = 1\n\ty = 2\n");
    assert!(matches!(&tabs.body[0].kind, StmtKind::If { body, .. } if body.len() == 2));
    assert_eq!(ok("x = 1"), ok("x = 1\n"), "no final newline needed");
    assert_eq!(ok("").body.len(), 0);
    assert_eq!(ok("\n\n# only a comment\n   \n").body.len(), 0);
    let deep = ok("if a:\n  if b:\n        if c:\n         pass\nx = 1\n");
    assert_eq!(deep.body.len(), 2);
}

// ---- Errors ---------------------------------------------------------------------------------

#[test]
fn syntax_errors_name_what_was_expected_and_found_where() {
    for (src, want) in [
        ("if x\n    pass\n", "1:5 expected ':' after the if condition, found newline"),
        ("while True\n", "1:11 expected ':' after the while condition, found newline"),
        ("for i range(3):\n    pass\n", "1:7 expected 'in' after the for loop's target, found name 'range'"),
        ("def f(:\n    pass\n", "1:7 expected a parameter name, found ':'"),
        ("def f()\n    pass\n", "1:8 expected ':' after the function's signature, found newline"),
        ("if x:\npass\n", "2:1 expected an indented block after 'if' statement on line 1, found 'pass'"),
        ("def f():\n", "2:1 expected an indented block after function definition on line 1, found the end of the code"),
        ("x = 1\n    y = 2\n", "2:5 unexpected indent"),
        ("if a:\n    x = 1\n  y = 2\n", "3:3 this line's indentation does not match any outer block"),
        ("if a:\n        x = 1\n\ty = 2\n", "3:2 inconsistent use of tabs and spaces in indentation"),
        ("if a:\n\tif b:\n\t    x\n    \ty\n", "4:6 inconsistent use of tabs and spaces in indentation"),
        ("x = (1, 2\ny = 3\n", "1:5 '(' is never closed"),
        ("x = [1, 2)\n", "1:10 ')' does not match the '[' opened at line 1, column 5"),
        ("x = 1)\n", "1:6 unmatched ')'"),
        ("x = [1 2]\n", "1:8 expected ']' or ',' in the list opened at line 1, column 5, found number 2"),
        ("f(a b)\n", "1:5 expected ',' or ')' in the call's arguments (opened at line 1, column 2), found name 'b'"),
        ("x = 1 2\n", "1:7 expected newline or ';' after the statement, found number 2"),
        ("x = \n", "1:5 expected an expression, found newline"),
        ("x = if\n", "1:5 expected an expression, found 'if'"),
        ("x = a if b\n", "1:11 expected 'else' in the conditional expression (x if condition else y), found newline"),
        ("s = 'abc\n", "1:5 this string is never closed: expected ' before the end of the line"),
        ("s = '''abc\n\n", "1:5 this string is never closed: expected ''' before the end of the code"),
        ("s = f'{x'\n", "1:9 expected '}' before the end of the f-string"),
        ("s = f'{}'\n", "1:8 expected an expression in the f-string field, found '}'"),
        ("s = f'a } b'\n", "1:9 a single '}' is not allowed in an f-string; write '}}'"),
        ("s = f'{x!z}'\n", "1:10 expected 'r', 's' or 'a' after '!' in the f-string field, found 'z'"),
        ("s = f'{x # no}'\n", "1:10 an f-string field cannot contain a comment ('#')"),
        ("s = f'{a b}'\n", "1:10 expected '}' after the f-string field's expression, found name 'b'"),
        ("s = '\\xZZ'\n", "1:6 invalid \\x escape: it needs 2 hex digits"),
        ("s = '\\N{BULLET}'\n", "1:6 \\N{...} escapes are not supported here; write the character itself"),
        ("x = 0123\n", "1:5 leading zeros are not allowed in a decimal number; write 0o... for octal"),
        ("x = 1__0\n", "1:5 invalid number literal '1__0': '_' must sit between digits"),
        ("x = 3abc\n", "1:6 invalid number literal: a letter follows '3'"),
        ("x = 0xZ\n", "1:5 invalid hexadecimal number literal"),
        (
            "x = 99999999999999999999\n",
            "1:5 this number is too large (the largest integer here is 9223372036854775807)",
        ),
        ("x = 1j\n", "1:5 complex numbers are not supported here"),
        ("x = $\n", "1:5 unexpected character '$'"),
        ("x = 1 \\ 2\n", "1:7 unexpected character after the line continuation '\\'"),
        ("x = 1 + \\", "1:9 the code ends just after a line continuation ('\\')"),
        ("f() = 1\n", "1:1 cannot assign to a function call"),
        ("a + 1 = 2\n", "1:1 cannot assign to an expression"),
        ("None = 1\n", "1:1 cannot assign to None"),
        ("for 'x' in y:\n    pass\n", "1:5 cannot assign to a literal"),
        ("a, *b, *c = d\n", "1:8 only one starred target is allowed in an unpacking"),
        ("*a = b\n", "1:1 a starred expression is only allowed in a tuple, list, set or call"),
        ("(a, b) += 1\n", "1:1 an augmented assignment (such as +=) needs a single target, not a tuple or list"),
        ("a, b: int = 1, 2\n", "1:1 only a single name, attribute or subscript can be annotated"),
        ("del f()\n", "1:5 cannot delete a function call"),
        ("f(a=1, b)\n", "1:8 a positional argument cannot follow a keyword argument"),
        ("f(a=1, a=2)\n", "1:8 keyword argument 'a' is repeated"),
        ("f(x for x in y, 1)\n", "1:3 a generator expression must be in parentheses unless it is the only argument"),
        ("f(a.b=1)\n", "1:6 a keyword argument's name must be a plain name (name=value)"),
        ("def f(a=1, b):\n    pass\n", "1:12 parameter 'b' without a default follows one with a default"),
        ("def f(a, a):\n    pass\n", "1:10 duplicate parameter 'a'"),
        ("def f(*, **k):\n    pass\n", "1:7 a bare '*' must be followed by a named parameter"),
        ("def f(**k, a):\n    pass\n", "1:12 no parameter can follow the '**' parameter"),
        ("try:\n    pass\nx = 1\n", "3:1 expected 'except' or 'finally' after the try block, found name 'x'"),
        (
            "try:\n    pass\nexcept:\n    pass\nexcept ValueError:\n    pass\n",
            "3:1 a bare 'except:' must be the last except clause",
        ),
        (
            "try:\n    pass\nexcept A, B:\n    pass\n",
            "3:9 several exception classes must be in parentheses: except (A, B):",
        ),
        ("return 1\n", "1:1 'return' is only allowed inside a function"),
        ("class A:\n    return\n", "2:5 'return' is only allowed inside a function"),
        ("break\n", "1:1 'break' is only allowed inside a loop"),
        ("for x in y:\n    def f():\n        continue\n", "3:9 'continue' is only allowed inside a loop"),
        ("await x\n", "1:1 'await' is only allowed inside an async def"),
        ("def f():\n    await x\n", "2:5 'await' is only allowed inside an async def"),
        ("async def f():\n    g = lambda: await x\n", "2:17 'await' is only allowed inside an async def"),
        ("def f():\n    async with x:\n        pass\n", "2:5 'async with' is only allowed inside an async def"),
        ("async for x in y:\n    pass\n", "1:1 'async for' is only allowed inside an async def"),
        ("async x = 1\n", "1:7 expected 'def', 'with' or 'for' after 'async', found name 'x'"),
        ("nonlocal x\n", "1:1 'nonlocal' is only allowed inside a nested function"),
        ("@dec\nx = 1\n", "2:1 expected 'def' or 'class' after the decorators, found name 'x'"),
        ("class A(metaclass=M):\n    pass\n", "1:8 class keywords (such as metaclass=...) are not supported here"),
        ("x = a.if\n", "1:7 expected an attribute name after '.', found 'if'"),
        ("import\n", "1:7 expected a module name after 'import', found newline"),
        ("from asyncio sleep\n", "1:14 expected 'import' after the module name, found name 'sleep'"),
        ("x = {1: 2, 3}\n", "1:13 expected ':' between the dict key and its value, found '}'"),
        ("x[]\n", "1:3 expected an index or a slice, found ']'"),
        ("print 'hello'\n", "1:1 missing parentheses in the call to 'print': write print(...)"),
    ] {
        assert_eq!(error(src), want, "{src:?}");
    }
}

#[test]
fn an_async_def_with_yield_is_an_async_generator() {
    let module = parse(
        "async def ticker(n):\n    for i in range(n):\n        yield i\n        x = yield\n        y = yield i, x\n        y += (yield)\n        print(await (yield))\n    return\nasync def plain():\n    return 1\n",
    )
    .expect("parses");
    let StmtKind::FunctionDef(f) = &module.body[0].kind else { panic!() };
    assert!(f.is_async && f.is_generator);
    let StmtKind::For { body, .. } = &f.body[0].kind else { panic!() };
    let shown: Vec<String> = body
        .iter()
        .map(|s| match &s.kind {
            StmtKind::Expr(e) => show(e),
            StmtKind::Assign { targets, value } => format!("{} = {}", show(&targets[0]), show(value)),
            StmtKind::AugAssign { target, value, .. } => format!("{} += {}", show(target), show(value)),
            other => format!("{other:?}"),
        })
        .collect();
    assert_eq!(
        shown,
        ["(yield i)", "x = (yield)", "y = (yield (tuple i x))", "y += (yield)", "(call print (await (yield)))"]
    );
    let StmtKind::FunctionDef(f) = &module.body[1].kind else { panic!() };
    assert!(f.is_async && !f.is_generator);
}

#[test]
fn yield_where_cpython_refuses_it_is_refused_with_its_words() {
    for (src, want) in [
        ("yield 1\n", "1:1 'yield' outside function"),
        ("class A:\n    yield 1\n", "2:5 'yield' outside function"),
        ("async def f():\n    return 1\n    yield\n", "2:5 'return' with value in async generator"),
        ("async def f():\n    yield\n    return 2\n", "3:5 'return' with value in async generator"),
        ("async def f():\n    yield from g()\n", "2:5 'yield from' inside async function"),
        ("async def f():\n    x = [(yield) for i in range(3)]\n", "2:11 'yield' inside list comprehension"),
        ("async def f():\n    x = {i: (yield) for i in range(3)}\n", "2:14 'yield' inside dict comprehension"),
        ("async def f():\n    print(yield)\n", "2:11 a `yield` expression must be in parentheses here: (yield value)"),
        ("async def f():\n    yield = 3\n", "2:5 assignment to yield expression not possible"),
        ("async def f():\n    x = yield = 3\n", "2:9 assignment to yield expression not possible"),
    ] {
        assert_eq!(error(src), want, "{src:?}");
    }
    // `return` without a value, and a nested function's `return 1`, are allowed.
    assert!(parse("async def f():\n    def g():\n        return 1\n    yield g()\n    return\n").is_ok());
}

/// Assignment expressions parse where CPython's grammar takes them, and are refused, as CPython
/// refuses them, outside parentheses, before anything but a plain name, rebinding a
/// comprehension's variable or in a comprehension's iterable.
#[test]
fn assignment_expressions_parse_where_cpython_takes_them() {
    for src in [
        "if (n := len(a)) > 10:\n    pass\n",
        "while (item := q.get()) is not None:\n    pass\n",
        "print(f'{(y := 2)}', [z := 3, z], {w := 1}, (v := 4, v), g(u := 5))\n",
        "if n := 3:\n    pass\nelif m := 4:\n    pass\n",
        "kept = [y for x in data if (y := f(x))]\nf = lambda: (t := 1)\n",
        "print(x[i := 1], x[(n := 1):], {(k := 1): 2})\nclass A:\n    (y := 5)\n",
    ] {
        assert!(parse(src).is_ok(), "{src:?}: {:?}", parse(src).err());
    }
    let misplaced = "':=' assigns to a plain name, and here it needs parentheses: `(n := len(items))`";
    for (src, want) in [
        ("x := 1\n", format!("1:3 {misplaced}")),
        ("y = x := 1\n", format!("1:7 {misplaced}")),
        ("print(a.b := 1)\n", format!("1:11 {misplaced}")),
        ("f(k=x := 1)\n", format!("1:7 {misplaced}")),
        (
            "[x := 1 for x in range(3)]\n",
            "1:2 assignment expression cannot rebind comprehension iteration variable 'x'".into(),
        ),
        (
            "[y for x in (z := [1])]\n",
            "1:14 assignment expression cannot be used in a comprehension iterable expression".into(),
        ),
        ("d = {y := 1: 2}\n", "1:12 expected ',' or '}', found ':'".into()),
        ("x[n := 1:]\n", "1:3 ':=' in a slice needs parentheses: `x[(n := 1):]`".into()),
        (
            "class A:\n    b = [(z := 1) for _ in 'a']\n",
            "2:11 assignment expression within a comprehension cannot be used in a class body".into(),
        ),
    ] {
        assert_eq!(error(src), want, "{src:?}");
    }
}

#[test]
fn constructs_outside_the_subset_are_refused_with_a_sentence() {
    for (src, want) in [
        ("import threading\n", "1:8 `threading` is not available here: awaitlab runs one event loop"),
        ("import asyncio\nasync def main():\n    await asyncio.to_thread(print, 1)\n", &format!("3:11 {}", parse::TO_THREAD)),
        ("from asyncio import sleep, to_thread\n", &format!("1:28 {}", parse::TO_THREAD)),
        ("import asyncio, multiprocessing\n", "1:17 `multiprocessing` is not available here: awaitlab runs one event loop on one thread"),
        ("from concurrent.futures import ThreadPoolExecutor\n", "1:6 `concurrent.futures` is not available here: awaitlab runs one event loop on one thread"),
        ("import concurrent.futures as cf\n", "1:8 `concurrent.futures` is not available here: awaitlab runs one event loop on one thread"),
        ("import requests\n", "1:8 `requests` is not available here (it would block the event loop): use aiohttp"),
        ("import numpy as np\n", "1:8 `numpy` is not available here: awaitlab can import asyncio, random, time, aiohttp, json, math, dataclasses"),
        ("from . import sibling\n", "1:6 relative imports are not supported here: awaitlab runs a single file"),
        ("from asyncio import *\n", "1:21 `from asyncio import *` is not supported here: import the names you use"),
        ("def gen():\n    yield 1\n", "2:5 generators (`yield` in a def) are not supported here: write an async generator (async def) or return a list"),
        ("def gen():\n    x = yield\n", "2:9 generators (`yield` in a def) are not supported here: write an async generator (async def) or return a list"),
        ("f = lambda: (yield)\n", "1:14 generators (`yield` in a def) are not supported here: write an async generator (async def) or return a list"),
        ("match command:\n    case 'go':\n        pass\n", "1:1 the `match` statement is not supported here; use if/elif/else"),
        ("type Point = tuple[int, int]\n", "1:1 type alias statements (`type X = ...`) are not supported here"),
        ("try:\n    pass\nexcept* ValueError:\n    pass\n", "3:7 'except*' (exception groups) is not supported here; use 'except'"),
        ("x = b'bytes'\n", "1:5 bytes literals (b'...') are not supported here"),
        ("x = a @ b\n", "1:7 the '@' operator (matrix multiplication) is not supported here"),
        ("x @= b\n", "1:3 the '@' operator (matrix multiplication) is not supported here"),
    ] {
        assert_eq!(error(src), want, "{src:?}");
    }
    // `match` and `type` stay ordinary names.
    ok("match = re.match(p, s)\nmatch(x)\ntype(x)\ntype = 3\nprint(match, type)\n");
}

#[test]
fn control_characters_and_nul_are_refused_where_they_are() {
    assert_eq!(error("x = 1\ny = \0\n"), "2:5 control character U+0000 is not allowed in code");
    assert_eq!(error("s = 'a\u{7}b'\n"), "1:7 control character U+0007 is not allowed in code");
    assert_eq!(error("# comment \u{1b}[31m\n"), "1:11 control character U+001B is not allowed in code");
    assert_eq!(error("x = 1\u{8}\n"), "1:6 control character U+0008 is not allowed in code");
    ok("x = 1\u{c}\n\u{c}y = 2\n");
}

// ---- Limits and hostile input -----------------------------------------------------------------

#[test]
fn code_over_the_size_limit_is_refused_at_line_one() {
    let big = "x = 1\n".repeat(MAX_SOURCE_BYTES / 6 + 1);
    assert!(big.len() > MAX_SOURCE_BYTES);
    assert_eq!(error(&big), format!("1:1 the code is {} bytes long; the limit is 65536 bytes (64 KiB)", big.len()));
    let fits = "x = 1\n".repeat(MAX_SOURCE_BYTES / 6);
    assert_eq!(ok(&fits).body.len(), MAX_SOURCE_BYTES / 6);
}

#[test]
fn absurd_nesting_is_an_error_not_a_crash() {
    let n = 10_000;
    let cases: Vec<(&str, String)> = vec![
        ("parentheses", format!("x = {}1{}\n", "(".repeat(n), ")".repeat(n))),
        ("unclosed", format!("x = {}\n", "[".repeat(n))),
        ("unary minus", format!("x = {}1\n", "-".repeat(n))),
        ("not", format!("x = {}1\n", "not ".repeat(n))),
        ("power", format!("x = 2{}\n", " ** 2".repeat(n))),
        ("conditional", format!("x = {}0\n", "1 if a else ".repeat(n))),
        ("lambda", format!("x = {}0\n", "lambda: ".repeat(n))),
        ("await", format!("async def f():\n    {}x{}\n", "await g(".repeat(n), ")".repeat(n))),
        ("calls", format!("x = {}{}\n", "f(".repeat(n), ")".repeat(n))),
        ("subscripts", format!("x = a{}{}\n", "[b".repeat(n), "]".repeat(n))),
        ("dicts", format!("x = {}{}\n", "{1: ".repeat(n), "}".repeat(n))),
        ("f-strings", format!("x = {}1{}\n", "f'{".repeat(n), "}'".repeat(n))),
        ("blocks", (0..n).map(|i| format!("{}if x:\n", " ".repeat(i))).collect::<String>() + &" ".repeat(n) + "pass\n"),
        // Long chains nest each node in the next: the tree's depth is bounded too.
        ("additions", format!("x = 1{}\n", " + 1".repeat(n))),
        ("attributes", format!("x = a{}\n", ".b".repeat(n))),
        ("calls", format!("x = f{}\n", "()".repeat(n))),
        ("subscripts", format!("x = a{}\n", "[0]".repeat(n))),
        ("elifs", format!("if a:\n    pass\n{}", "elif b:\n    pass\n".repeat(n))),
        ("chains in brackets", format!("x = {}1{}\n", "(1 + 1 + 1 + 1 + 1 + ".repeat(n), ")".repeat(n))),
    ];
    for (what, src) in &cases {
        let src = if src.len() > MAX_SOURCE_BYTES { &src[..MAX_SOURCE_BYTES] } else { &src[..] };
        let started = Instant::now();
        let e = parse(src).expect_err(what);
        assert!(e.message.contains("nested too deeply") || e.message.contains("too long a chain"), "{what}: {e}");
        assert!(started.elapsed() < Duration::from_secs(2), "{what} took {:?}", started.elapsed());
    }
}

#[test]
fn long_chains_up_to_the_tree_limit_parse() {
    let k = MAX_TREE_DEPTH - 10;
    ok(&format!("x = 1{}\n", " + 1".repeat(k)));
    ok(&format!("x = a{}\n", ".b()".repeat(k / 2)));
    let m = ok(&format!("if a:\n    pass\n{}else:\n    x = 1\n", "elif b:\n    pass\n".repeat(k)));
    let mut depth = 0;
    let mut s = &m.body[0];
    while let StmtKind::If { orelse, .. } = &s.kind {
        depth += 1;
        s = &orelse[0];
    }
    assert_eq!((depth, s.pos), (k + 1, pos(4 + 2 * k as u32, 5)), "each elif nests in the one before, the else last");
    assert_eq!(
        error(&format!("x = 1{}\n", "+1".repeat(MAX_TREE_DEPTH + 1))),
        format!("1:{} this is too long a chain: the syntax tree would be more than {MAX_TREE_DEPTH} levels deep; split it into several statements", 6 + 2 * MAX_TREE_DEPTH)
    );
}

#[test]
fn nesting_up_to_the_limit_parses_and_fits_a_test_threads_stack() {
    let n = MAX_NESTING / 2;
    ok(&format!("x = {}1{}\n", "(".repeat(n), ")".repeat(n)));
    ok(&format!("x = {}1{}\n", "[f(".repeat(n / 2), ")]".repeat(n / 2)));
    let blocks: String = (0..n / 2).map(|i| format!("{}if x:\n", "  ".repeat(i))).collect();
    ok(&format!("{blocks}{}pass\n", "  ".repeat(n / 2)));
    // Around the limit, each construct parses or is refused, within the 2 MiB of a test thread
    // (a debug build's frames are several times a release build's).
    for k in MAX_NESTING - 3..=MAX_NESTING + 1 {
        for src in [
            format!("x = {}1{}\n", "(".repeat(k), ")".repeat(k)),
            format!("x = {}1{}\n", "f(".repeat(k), ")".repeat(k)),
            format!("x = a{}{}\n", "[b".repeat(k), "]".repeat(k)),
            format!("x = {}1{}\n", "{1: ".repeat(k), "}".repeat(k)),
            format!("x = {}1{}\n", "f'{".repeat(k / 4), "}'".repeat(k / 4)),
            format!("x = {}1\n", "lambda: ".repeat(k)),
            format!("x = {}0\n", "1 if a else ".repeat(k)),
            format!(
                "{}{}(1){}\n",
                (0..k / 2).map(|i| format!("{}if x:\n", " ".repeat(i))).collect::<String>(),
                " ".repeat(k / 2),
                ""
            ),
            format!(
                "{}{}x = {}1{}\n",
                (0..k / 2).map(|i| format!("{}if x:\n", " ".repeat(i))).collect::<String>(),
                " ".repeat(k / 2),
                "(".repeat(k / 2),
                ")".repeat(k / 2)
            ),
        ] {
            let _ = parse(&src);
        }
    }
}

/// Parses `src`, failing the test with the input if the parser panics.
fn survive(src: &str) {
    let result = std::panic::catch_unwind(|| parse(src));
    assert!(result.is_ok(), "the parser panicked on {src:?}");
}

#[test]
fn random_bytes_never_panic() {
    let mut rng = Pcg64::seed_from_u64(15);
    let alphabet: Vec<char> =
        " \t\n\r\\'\"#:()[]{}.,;=+-*/%<>!&|^~@0123456789abcdefrxjo_ifelsedefasyncawaitforinlambdayieldé\u{0}\u{7}"
            .chars()
            .collect();
    let started = Instant::now();
    for case in 0..2_000 {
        let len = (rng.next_u32() % 200) as usize;
        let src: String = if case % 4 == 0 {
            // Raw bytes, lossily decoded like a paste of binary junk.
            let bytes: Vec<u8> = (0..len).map(|_| rng.next_u32() as u8).collect();
            String::from_utf8_lossy(&bytes).into_owned()
        } else {
            (0..len).map(|_| alphabet[rng.next_u32() as usize % alphabet.len()]).collect()
        };
        survive(&src);
    }
    assert!(started.elapsed() < Duration::from_secs(20), "2,000 random inputs took {:?}", started.elapsed());
}

#[test]
fn mutated_article_programs_never_panic() {
    let mut rng = Pcg64::seed_from_u64(1215);
    let snippets = [
        "(", ")", "[", "]", "{", "}", ":", "\n", "    ", "\t", "'", "\"", "f'{", "}", "\\", "#", ",", "*", "**", "=",
        "await ", "async ", "lambda ", "yield ", "not ", "if ", "else ", ":=", "'''", "\0", "é",
    ];
    let started = Instant::now();
    let mut refused = 0;
    for case in 0..3_000 {
        let base: Vec<char> = ARTICLE[case % ARTICLE.len()].1.chars().collect();
        let mut chars = base.clone();
        for _ in 0..1 + rng.next_u32() % 4 {
            let at = rng.next_u32() as usize % (chars.len() + 1);
            match rng.next_u32() % 3 {
                0 if at < chars.len() => {
                    chars.remove(at);
                }
                1 => {
                    let s = snippets[rng.next_u32() as usize % snippets.len()];
                    chars.splice(at..at, s.chars());
                }
                _ => {
                    let from = rng.next_u32() as usize % base.len();
                    let len = (rng.next_u32() % 12) as usize;
                    let piece: Vec<char> = base[from..(from + len).min(base.len())].to_vec();
                    chars.splice(at..at, piece);
                }
            }
        }
        let src: String = chars.into_iter().collect();
        let result = std::panic::catch_unwind(|| parse(&src));
        match result {
            Ok(Err(e)) => {
                refused += 1;
                assert!(e.line >= 1 && e.col >= 1, "{e} for {src:?}");
                assert!(e.line as usize <= src.lines().count() + 1, "{e} points past the code: {src:?}");
            }
            Ok(Ok(_)) => {}
            Err(_) => panic!("the parser panicked on {src:?}"),
        }
    }
    assert!(refused > 1_000, "most mutations break the code; only {refused} were refused");
    assert!(started.elapsed() < Duration::from_secs(20), "3,000 mutated programs took {:?}", started.elapsed());
}
