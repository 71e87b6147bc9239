//! The syntax tree of the Python subset awaitlab runs (see the README's table). Every node
//! carries the position of its first character, so errors and the timeline point at the
//! reader's own line and column.

/// A 1-based line and column (columns count characters, as CPython's tracebacks do).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Pos {
    pub line: u32,
    pub col: u32,
}

/// A whole program: the module's statements.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Module {
    pub body: Vec<Stmt>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Stmt {
    pub pos: Pos,
    pub kind: StmtKind,
}

#[derive(Debug, Clone, PartialEq)]
pub enum StmtKind {
    /// An expression on its own (a call, an `await`).
    Expr(Expr),
    /// `a = b = value` (targets left to right); targets are names, attributes, subscripts or
    /// tuples/lists of them (unpacking).
    Assign {
        targets: Vec<Expr>,
        value: Expr,
    },
    /// `x += 1`.
    AugAssign {
        target: Expr,
        op: BinOp,
        value: Expr,
    },
    /// `x: int = 5` (the annotation is parsed and ignored).
    AnnAssign {
        target: Expr,
        value: Option<Expr>,
    },
    Return(Option<Expr>),
    If {
        test: Expr,
        body: Vec<Stmt>,
        orelse: Vec<Stmt>,
    },
    While {
        test: Expr,
        body: Vec<Stmt>,
        orelse: Vec<Stmt>,
    },
    /// `for target in iter:` (`is_async`: `async for`).
    For {
        target: Expr,
        iter: Expr,
        body: Vec<Stmt>,
        orelse: Vec<Stmt>,
        is_async: bool,
    },
    Break,
    Continue,
    Pass,
    Try {
        body: Vec<Stmt>,
        handlers: Vec<Handler>,
        orelse: Vec<Stmt>,
        finalbody: Vec<Stmt>,
    },
    /// `raise`, `raise exc`, `raise exc from cause`.
    Raise {
        exc: Option<Expr>,
        cause: Option<Expr>,
    },
    /// `with a as x, b:` / `async with ...`.
    With {
        items: Vec<WithItem>,
        body: Vec<Stmt>,
        is_async: bool,
    },
    FunctionDef(std::rc::Rc<Function>),
    ClassDef {
        name: String,
        bases: Vec<Expr>,
        body: Vec<Stmt>,
        decorators: Vec<Expr>,
    },
    Global(Vec<String>),
    Nonlocal(Vec<String>),
    /// `import a, b.c as d`: (dotted module name, alias).
    Import(Vec<(String, Option<String>)>),
    /// `from module import a, b as c`: (name, alias).
    ImportFrom {
        module: String,
        names: Vec<(String, Option<String>)>,
    },
    Assert {
        test: Expr,
        msg: Option<Expr>,
    },
    /// `del x`, `del d[k]`.
    Delete(Vec<Expr>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Handler {
    pub pos: Pos,
    /// The exception class (or a tuple of them); `None` for a bare `except:`.
    pub kind: Option<Expr>,
    pub name: Option<String>,
    pub body: Vec<Stmt>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct WithItem {
    pub context: Expr,
    pub target: Option<Expr>,
}

/// A `def` or `async def` (also a `lambda`, whose body is one `return`).
#[derive(Debug, Clone, PartialEq)]
pub struct Function {
    pub pos: Pos,
    pub name: String,
    pub params: Params,
    pub body: Vec<Stmt>,
    pub is_async: bool,
    /// An `async def` with `yield` in its body: an async generator.
    pub is_generator: bool,
    /// The names the functions defined in its body use, sorted: the only local variables that
    /// may outlive a call (CPython keeps them in cells; the call's other locals go as it returns).
    pub captured: Vec<String>,
    /// Its local variables, sorted: the names its body binds (assigns, loops over, catches,
    /// imports, defines, deletes), less those it declares `global` or `nonlocal`. CPython decides
    /// them as it compiles the function: reading one before it is bound raises
    /// `UnboundLocalError`, even with a global of that name.
    pub locals: Vec<String>,
    pub decorators: Vec<Expr>,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Params {
    /// Positional-or-keyword parameters, with their defaults (evaluated at `def` time).
    pub args: Vec<Param>,
    /// `*args`.
    pub vararg: Option<String>,
    /// Keyword-only parameters (after `*` or `*args`).
    pub kwonly: Vec<Param>,
    /// `**kwargs`.
    pub kwarg: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Param {
    pub name: String,
    pub default: Option<Expr>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Expr {
    pub pos: Pos,
    pub kind: ExprKind,
}

/// A body's docstring: a string literal as its first statement (`__doc__`).
pub fn docstring(body: &[Stmt]) -> Option<&str> {
    match &body.first()?.kind {
        StmtKind::Expr(Expr { kind: ExprKind::Const(Const::Str(s)), .. }) => Some(s),
        _ => None,
    }
}

impl Expr {
    /// Whether CPython's compiler folds it into a constant: a literal, a sign on a number, an
    /// operator between numbers, a tuple of such. (A set display of three or more of them is
    /// built from a constant frozenset, which decides its elements' places.)
    pub fn is_folded_constant(&self) -> bool {
        let number = |e: &Expr| matches!(e.kind, ExprKind::Const(Const::Int(_) | Const::Float(_) | Const::Bool(_)));
        match &self.kind {
            ExprKind::Const(_) => true,
            ExprKind::UnaryOp { operand, .. } => number(operand),
            ExprKind::BinOp { left, right, .. } => number(left) && number(right),
            ExprKind::Tuple(items) => items.iter().all(Expr::is_folded_constant),
            _ => false,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum ExprKind {
    Name(String),
    Const(Const),
    /// An f-string: literal text and `{expr}` / `{expr:spec}` / `{expr!r}` parts, in order.
    FString(Vec<FPart>),
    List(Vec<Expr>),
    Tuple(Vec<Expr>),
    Set(Vec<Expr>),
    /// `{k: v, **other}`: `None` as a key is a `**` unpacking.
    Dict(Vec<(Option<Expr>, Expr)>),
    /// `[elt for ... in ... if ...]`, `(elt for ...)` (run eagerly, as a list), `{...}` sets.
    Comp {
        kind: CompKind,
        elt: Box<Expr>,
        generators: Vec<Comprehension>,
    },
    /// `{k: v for ...}`.
    DictComp {
        key: Box<Expr>,
        value: Box<Expr>,
        generators: Vec<Comprehension>,
    },
    BinOp {
        left: Box<Expr>,
        op: BinOp,
        right: Box<Expr>,
    },
    UnaryOp {
        op: UnaryOp,
        operand: Box<Expr>,
    },
    /// `a and b and c` / `a or b`.
    BoolOp {
        op: BoolOp,
        values: Vec<Expr>,
    },
    /// `a < b <= c`: chained comparisons.
    Compare {
        left: Box<Expr>,
        ops: Vec<CmpOp>,
        comparators: Vec<Expr>,
    },
    /// `f(a, *rest, k=v, **kw)`.
    Call {
        func: Box<Expr>,
        args: Vec<Expr>,
        keywords: Vec<Keyword>,
    },
    Attribute {
        value: Box<Expr>,
        attr: String,
    },
    /// `value[index]`; a slice index is [`ExprKind::Slice`].
    Subscript {
        value: Box<Expr>,
        index: Box<Expr>,
    },
    Slice {
        lower: Option<Box<Expr>>,
        upper: Option<Box<Expr>>,
        step: Option<Box<Expr>>,
    },
    /// `*value` in a call, list, tuple or assignment target.
    Starred(Box<Expr>),
    Await(Box<Expr>),
    /// `yield` or `yield value` (in an async generator).
    Yield(Option<Box<Expr>>),
    /// `target := value`, an assignment expression: it binds `target` in the function (or the
    /// module) around any comprehensions it is in, as CPython's does, and is `value`.
    NamedExpr {
        target: String,
        value: Box<Expr>,
    },
    Lambda(std::rc::Rc<Function>),
    /// `body if test else orelse`.
    IfExp {
        test: Box<Expr>,
        body: Box<Expr>,
        orelse: Box<Expr>,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub enum Const {
    None,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
}

#[derive(Debug, Clone, PartialEq)]
pub enum FPart {
    Lit(String),
    /// `{value!conversion:spec}`; the spec may itself hold `{}` parts.
    Value {
        value: Box<Expr>,
        conversion: Option<char>,
        spec: Vec<FPart>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CompKind {
    List,
    Set,
    /// A generator expression, run eagerly into a list: enough for `gather(*(f(i) for i in ...))`.
    Generator,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Comprehension {
    pub target: Expr,
    pub iter: Expr,
    pub ifs: Vec<Expr>,
    pub is_async: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Keyword {
    /// `None` for `**mapping`.
    pub name: Option<String>,
    pub value: Expr,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinOp {
    Add,
    Sub,
    Mul,
    Div,
    FloorDiv,
    Mod,
    Pow,
    BitAnd,
    BitOr,
    BitXor,
    LShift,
    RShift,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnaryOp {
    Neg,
    Pos,
    Not,
    Invert,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BoolOp {
    And,
    Or,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CmpOp {
    Eq,
    NotEq,
    Lt,
    LtE,
    Gt,
    GtE,
    Is,
    IsNot,
    In,
    NotIn,
}
