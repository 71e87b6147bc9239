//! `dataclasses`: `@dataclass` (`init`, `repr`, `eq`, `order`), `field` (`default`,
//! `default_factory`, `init`, `repr`, `compare`) and `asdict`.
//!
//! As CPython's module does, the decorator writes the class's methods as Python source and
//! defines them, here with the interpreter's own parser: each method on the decorated class's
//! line, so a traceback through one (a `default_factory` that raises) names a line of the
//! reader's. The defaults and factories are names in a scope of their own, the methods'.

use std::rc::Rc;

use super::builtins::B;
use super::call::Kwargs;
use super::native::Obj;
use super::value::{Class, Dict, Scope, Value};
use super::{raise, Flow, Frame, Interp, Res, E};

/// A field's options: `field(...)`'s, or a plain default's.
#[derive(Clone)]
pub struct FieldSpec {
    pub default: Option<Value>,
    pub factory: Option<Value>,
    pub init: bool,
    pub repr: bool,
    pub compare: bool,
}

impl FieldSpec {
    fn with_default(default: Option<Value>) -> FieldSpec {
        FieldSpec { default, factory: None, init: true, repr: true, compare: true }
    }
}

/// `field(...)`.
pub fn field(kwargs: &Kwargs) -> Res {
    let get = |k: &str| kwargs.iter().find(|(n, _)| &**n == k).map(|(_, v)| v.clone());
    let flag = |k: &str| get(k).is_none_or(|v| v.truthy());
    let spec = FieldSpec {
        default: get("default"),
        factory: get("default_factory"),
        init: flag("init"),
        repr: flag("repr"),
        compare: flag("compare"),
    };
    if spec.default.is_some() && spec.factory.is_some() {
        return raise(E::ValueError, "cannot specify both default and default_factory");
    }
    Ok(Value::Obj(Rc::new(Obj::DataclassField(spec))))
}

/// `@dataclass`'s options that awaitlab takes.
#[derive(Clone, Copy)]
struct Options {
    init: bool,
    repr: bool,
    eq: bool,
    order: bool,
}

/// The name under which the methods find field `name`'s default or factory.
fn default_name(name: &str) -> String {
    format!("__dataclass_dflt_{name}__")
}

/// What a field's `__init__` parameter defaults to when it has a factory (CPython's name).
const HAS_FACTORY: &str = "__dataclass_HAS_DEFAULT_FACTORY__";

/// Whether `func` is a method `@dataclass` wrote (they share the scope it defines them in,
/// which holds [`HAS_FACTORY`]).
pub fn wrote(func: &super::value::Func) -> bool {
    func.scope.as_ref().is_some_and(|s| s.vars.borrow().contains_key(HAS_FACTORY))
}

impl Interp<'_> {
    /// `@dataclass`, `@dataclass(...)` (a decorator with those options: `DataclassWith`, its
    /// options the receiver) and that decorator applied.
    pub async fn dataclass(&self, b: B, recv: Option<Value>, args: Vec<Value>, kwargs: Kwargs, f: &Frame) -> Res {
        let opts = match (b, &recv) {
            (B::DataclassWith, Some(Value::Tuple(t))) if t.len() == 4 => {
                Options { init: t[0].truthy(), repr: t[1].truthy(), eq: t[2].truthy(), order: t[3].truthy() }
            }
            _ => {
                let flag = |k: &str, default: bool| {
                    kwargs.iter().find(|(n, _)| &**n == k).map_or(default, |(_, v)| v.truthy())
                };
                Options {
                    init: flag("init", true),
                    repr: flag("repr", true),
                    eq: flag("eq", true),
                    order: flag("order", false),
                }
            }
        };
        if opts.order && !opts.eq {
            return raise(E::ValueError, "eq must be true if order is true");
        }
        match args.into_iter().next() {
            Some(Value::Class(c)) if !c.builtin => {
                self.make_dataclass(&c, opts, f).await?;
                Ok(Value::Class(c))
            }
            None | Some(Value::None) => {
                let opts = [opts.init, opts.repr, opts.eq, opts.order].map(Value::Bool).to_vec();
                Ok(Value::Method(Rc::new((Value::tuple(opts), B::DataclassWith))))
            }
            Some(other) => raise(E::TypeError, format!("dataclass() takes a class, not '{}'", other.type_name())),
        }
    }

    /// Gives class `c` its fields and the methods `opts` asks for.
    async fn make_dataclass(&self, c: &Rc<Class>, opts: Options, f: &Frame) -> Result<(), Flow> {
        let fields = self.fields_of(c)?;
        let table: Vec<(Value, Value)> = fields
            .iter()
            .map(|(n, spec)| (Value::str(n), Value::Obj(Rc::new(Obj::DataclassField(spec.clone())))))
            .collect();
        let mut dict = Dict::default();
        for (k, v) in table {
            self.dict_set(&mut dict, k, v)?;
        }
        c.attrs.borrow_mut().insert(Rc::from("__dataclass_fields__"), Value::dict(dict));
        let mut sources = Vec::new();
        let own = |name: &str| c.attrs.borrow().contains_key(name);
        if opts.init && !own("__init__") {
            sources.push(init_source(&fields, c.lookup("__post_init__").is_some())?);
        }
        let shown = |keep: fn(&FieldSpec) -> bool| fields.iter().filter(move |(_, s)| keep(s)).map(|(n, _)| n.as_str());
        if opts.repr && !own("__repr__") {
            let parts: Vec<String> = shown(|s| s.repr).map(|n| format!("{n}={{self.{n}!r}}")).collect();
            let body = format!("return self.__class__.__qualname__ + f'({})'", parts.join(", "));
            sources.push(format!("def __repr__(self): {body}"));
        }
        let compared: Vec<&str> = shown(|s| s.compare).collect();
        let tuple = |of: &str| compared.iter().map(|n| format!("{of}.{n},")).collect::<String>();
        let mut compare = |name: &str, op: &str| {
            let (mine, theirs) = (tuple("self"), tuple("other"));
            sources.push(format!(
                "def {name}(self, other): return ({mine}) {op} ({theirs}) if other.__class__ is self.__class__ else NotImplemented"
            ));
        };
        if opts.eq && !own("__eq__") {
            compare("__eq__", "==");
        }
        if opts.order {
            for (name, op) in [("__lt__", "<"), ("__le__", "<="), ("__gt__", ">"), ("__ge__", ">=")] {
                if own(name) {
                    let why = format!(
                        "Cannot overwrite attribute {name} in class {}. Consider using functools.total_ordering",
                        c.name
                    );
                    return raise(E::TypeError, why);
                }
                compare(name, op);
            }
        }
        self.define_methods(c, &fields, &sources, f).await
    }

    /// The fields of class `c`, a base dataclass's first: the names its body annotates, each
    /// with its default or `field(...)`, which the class keeps as its attribute (the default)
    /// or loses (no default).
    fn fields_of(&self, c: &Rc<Class>) -> Result<Vec<(String, FieldSpec)>, Flow> {
        let mut fields: Vec<(String, FieldSpec)> = Vec::new();
        for base in c.bases.iter().rev() {
            if let Some(Value::Dict(d)) = base.lookup("__dataclass_fields__") {
                for (k, v) in d.borrow().iter() {
                    if let (Value::Str(name), Some(spec)) = (k, field_spec(v)) {
                        put_field(&mut fields, name, spec);
                    }
                }
            }
        }
        for name in &c.annotated {
            let attr = c.attrs.borrow().get(name).cloned();
            let spec = match attr.as_ref().map(|a| (a, field_spec(a))) {
                Some((_, Some(spec))) => {
                    match &spec.default {
                        Some(d) => c.attrs.borrow_mut().insert(name.clone(), d.clone()),
                        None => c.attrs.borrow_mut().remove(name),
                    };
                    spec
                }
                Some((default, None)) => FieldSpec::with_default(Some(default.clone())),
                None => FieldSpec::with_default(None),
            };
            if let Some(class) = spec.default.as_ref().and_then(unhashable_class) {
                let why = format!("mutable default {class} for field {name} is not allowed: use default_factory");
                return raise(E::ValueError, why);
            }
            put_field(&mut fields, name, spec);
        }
        Ok(fields)
    }

    /// Parses and defines `sources` as methods of `c`, on the decorated class's line, in a
    /// scope holding the fields' defaults and factories.
    async fn define_methods(
        &self,
        c: &Rc<Class>,
        fields: &[(String, FieldSpec)],
        sources: &[String],
        f: &Frame,
    ) -> Result<(), Flow> {
        let scope = Scope::child(None);
        {
            let mut vars = scope.vars.borrow_mut();
            vars.insert(Rc::from(HAS_FACTORY), Value::list(Vec::new()));
            for (name, spec) in fields {
                if let Some(v) = spec.factory.as_ref().or(spec.default.as_ref()) {
                    vars.insert(Rc::from(default_name(name)), v.clone());
                }
            }
        }
        let line = f.line.get();
        let mut frame = Frame::new(scope.clone(), Some(scope), f.task(), c.name.clone(), line);
        frame.qualname = Some(c.qualname.clone());
        frame.class_body = true;
        let lines_above = "\n".repeat(line.saturating_sub(1) as usize);
        for source in sources {
            let module = crate::core::py::parse(&format!("{lines_above}{source}\n"))
                .or_else(|e| raise(E::RuntimeError, format!("@dataclass wrote a method it cannot read: {e:?}")))?;
            for stmt in &module.body {
                if let crate::core::py::ast::StmtKind::FunctionDef(def) = &stmt.kind {
                    let func = self.make_func(def, &frame).await?;
                    if let Value::Func(fun) = &func {
                        *fun.class.borrow_mut() = Some(Rc::downgrade(c));
                    }
                    c.attrs.borrow_mut().insert(Rc::from(def.name.as_str()), func);
                }
            }
        }
        Ok(())
    }

    /// `dataclasses.asdict(obj)`: its fields as a dict, recursively through dataclass
    /// instances, lists, tuples and dicts (other values as they are: CPython deep-copies them).
    pub fn asdict(&self, v: &Value, depth: u32) -> Res {
        let fields = |v: &Value| match v {
            Value::Instance(i) => match i.class.lookup("__dataclass_fields__") {
                Some(Value::Dict(d)) => Some(d.borrow().keys()),
                _ => None,
            },
            _ => None,
        };
        if depth == 0 && fields(v).is_none() {
            return raise(E::TypeError, "asdict() should be called on dataclass instances");
        }
        if depth > super::value::MAX_COMPARE_DEPTH {
            return raise(E::RecursionError, "maximum recursion depth exceeded in asdict()");
        }
        self.work(1)?;
        Ok(match v {
            Value::Instance(i) if fields(v).is_some() => {
                let mut out = Dict::default();
                for name in fields(v).unwrap_or_default() {
                    let Value::Str(n) = &name else { continue };
                    let x = i.attrs.borrow().get(&**n).cloned().unwrap_or(Value::None);
                    self.dict_set(&mut out, name.clone(), self.asdict(&x, depth + 1)?)?;
                }
                Value::dict(out)
            }
            Value::List(l) => {
                let items = l.borrow().clone();
                Value::list(items.iter().map(|x| self.asdict(x, depth + 1)).collect::<Result<_, _>>()?)
            }
            Value::Tuple(t) => Value::tuple(t.iter().map(|x| self.asdict(x, depth + 1)).collect::<Result<_, _>>()?),
            Value::Dict(d) => {
                let pairs: Vec<(Value, Value)> = d.borrow().iter().cloned().collect();
                let mut out = Dict::default();
                for (k, x) in pairs {
                    self.dict_set(&mut out, self.asdict(&k, depth + 1)?, self.asdict(&x, depth + 1)?)?;
                }
                Value::dict(out)
            }
            other => other.clone(),
        })
    }
}

/// The class of `default` as CPython prints it, if instances of it are unhashable, as CPython
/// tells a mutable default: a list, dict or set, or the reader's class with an `__eq__` and no
/// `__hash__` (an `eq=True` dataclass's instances too).
fn unhashable_class(default: &Value) -> Option<String> {
    match default {
        Value::List(_) | Value::Dict(_) | Value::Set(_) => Some(format!("<class '{}'>", default.type_name())),
        Value::Instance(i) if i.class.lookup("__eq__").is_some() && i.class.lookup("__hash__").is_none() => {
            Some(format!("<class '__main__.{}'>", i.class.qualname))
        }
        _ => None,
    }
}

/// The options of a `field(...)` (or of a field in `__dataclass_fields__`).
fn field_spec(v: &Value) -> Option<FieldSpec> {
    match v {
        Value::Obj(o) => match &**o {
            Obj::DataclassField(spec) => Some(spec.clone()),
            _ => None,
        },
        _ => None,
    }
}

/// Adds field `name`, or replaces a base's of that name where it stands (as CPython orders them).
fn put_field(fields: &mut Vec<(String, FieldSpec)>, name: &str, spec: FieldSpec) {
    match fields.iter_mut().find(|(n, _)| n == name) {
        Some(slot) => slot.1 = spec,
        None => fields.push((name.to_string(), spec)),
    }
}

/// `__init__`'s source: a parameter per field it takes (with its default, or the factory's
/// marker), and an assignment per field, then `__post_init__`.
fn init_source(fields: &[(String, FieldSpec)], post_init: bool) -> Result<String, Flow> {
    let mut params = vec!["self".to_string()];
    let mut body = Vec::new();
    let mut defaulted: Option<&str> = None;
    for (name, spec) in fields {
        let dflt = default_name(name);
        if spec.init {
            let has_default = spec.default.is_some() || spec.factory.is_some();
            match (has_default, defaulted) {
                (false, Some(_)) => {
                    return raise(E::TypeError, format!("non-default argument '{name}' follows default argument"));
                }
                (true, _) => defaulted = Some(name),
                (false, None) => {}
            }
            params.push(match (&spec.default, &spec.factory) {
                (Some(_), _) => format!("{name}={dflt}"),
                (None, Some(_)) => format!("{name}={HAS_FACTORY}"),
                (None, None) => name.clone(),
            });
            body.push(match spec.factory {
                Some(_) => format!("self.{name} = {dflt}() if {name} is {HAS_FACTORY} else {name}"),
                None => format!("self.{name} = {name}"),
            });
        } else if spec.factory.is_some() {
            body.push(format!("self.{name} = {dflt}()"));
        } else if spec.default.is_some() {
            body.push(format!("self.{name} = {dflt}"));
        }
    }
    if post_init {
        body.push("self.__post_init__()".into());
    }
    if body.is_empty() {
        body.push("pass".into());
    }
    Ok(format!("def __init__({}): {}", params.join(", "), body.join("; ")))
}
