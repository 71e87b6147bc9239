//! What a call's local variables become when it returns, as CPython's frames and cells make it:
//! the frame's locals go (what they held may be freed then: an async generator left unfinished
//! is closed then, by asyncio's finalizer), the cells of the variables its nested functions use
//! stay as long as those functions do.
//!
//! Here a call's variables are one scope, which the functions defined in it keep whole (their
//! closure): a function kept in a variable of the scope it captures is a cycle of references,
//! which CPython does not have (its frame does not hold its cells), and which would keep every
//! variable of a finished call alive. So a returning call drops its variables but those its
//! nested functions use, and then all of them if nothing but its own variables' objects (its
//! functions, classes, coroutines and generators, held by nothing else) still refers to it.

use std::rc::Rc;

use super::value::{Func, Scope, Value};
use super::Interp;

impl<'a> Interp<'a> {
    /// `scope`'s call returned: its variables go, but those in `captured` (sorted: the names its
    /// nested functions use), and those too if nothing else refers to it. `held` references to
    /// `scope` are the caller's: its frame's, and `owners` more (its coroutine's).
    pub fn release_locals(&self, scope: &Rc<Scope>, captured: &[String], held: usize, owners: usize) {
        if Rc::strong_count(scope) == held {
            // Nothing else refers to it: its frame's end frees it (a call's), or (a coroutine's,
            // which may outlive its run) every variable goes now.
            if owners > 0 {
                let gone: Vec<Value> = scope.vars.borrow_mut().drain().map(|(_, v)| v).collect();
                super::value::bury(gone.into_iter());
            }
            return;
        }
        let gone: Vec<Value> = {
            let mut vars = scope.vars.borrow_mut();
            let names: Vec<Rc<str>> =
                vars.keys().filter(|k| captured.binary_search_by(|c| c.as_str().cmp(k)).is_err()).cloned().collect();
            names.iter().filter_map(|k| vars.remove(k)).collect()
        };
        super::value::bury(gone.into_iter());
        if vars_only_refer_to(scope, held) {
            let gone: Vec<Value> = scope.vars.borrow_mut().drain().map(|(_, v)| v).collect();
            super::value::bury(gone.into_iter());
        }
    }
}

/// Whether every reference to `scope` but the `held` ones comes from an object in its own
/// variables that nothing else holds: a function defined in it (directly, or as a method of a
/// class defined in it, or the function of a coroutine or generator made there), or the scope of
/// a coroutine or generator of such a function (a child of `scope`).
fn vars_only_refer_to(scope: &Rc<Scope>, held: usize) -> bool {
    let vars = scope.vars.borrow();
    // Each object found: its address, how many references to it were found, how many it has.
    let mut found: Vec<(usize, usize, usize)> = Vec::new();
    let mut see = |addr: usize, strong: usize| match found.iter_mut().find(|f| f.0 == addr) {
        Some(f) => f.1 += 1,
        None => found.push((addr, 1, strong)),
    };
    let captures = |func: &Func| func.scope.as_ref().is_some_and(|s| Rc::ptr_eq(s, scope));
    let (mut funcs, mut children) = (Vec::new(), 0);
    for v in vars.values() {
        let (func, child) = match v {
            Value::Func(f) => (Some(f), false),
            Value::Coro(c) => {
                see(Rc::as_ptr(c) as usize, Rc::strong_count(c));
                (Some(&c.func), true)
            }
            Value::Obj(o) => match o.agen() {
                Some(g) => {
                    see(Rc::as_ptr(o) as usize, Rc::strong_count(o));
                    (Some(&g.func), g.holds_scope())
                }
                None => (None, false),
            },
            Value::Class(c) => {
                let methods: Vec<Rc<Func>> = c
                    .attrs
                    .borrow()
                    .values()
                    .filter_map(|m| match m {
                        Value::Func(f) if captures(f) => Some(f.clone()),
                        _ => None,
                    })
                    .collect();
                if !methods.is_empty() {
                    see(Rc::as_ptr(c) as usize, Rc::strong_count(c));
                }
                for f in &methods {
                    // Less the clone just made.
                    see(Rc::as_ptr(f) as usize, Rc::strong_count(f) - 1);
                    funcs.push(Rc::as_ptr(f) as usize);
                }
                (None, false)
            }
            _ => (None, false),
        };
        if let Some(f) = func.filter(|f| captures(f)) {
            see(Rc::as_ptr(f) as usize, Rc::strong_count(f));
            funcs.push(Rc::as_ptr(f) as usize);
            children += usize::from(child);
        }
    }
    funcs.sort_unstable();
    funcs.dedup();
    found.iter().all(|&(_, seen, strong)| seen == strong) && Rc::strong_count(scope) == held + funcs.len() + children
}
