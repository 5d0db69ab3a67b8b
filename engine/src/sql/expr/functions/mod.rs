//! The registry of built-in functions and operators.
//!
//! Every callable thing — `length(text)`, `int4 + int4`, `jsonb -> text` —
//! is one [`Proc`]: a name, argument types, a result type, a volatility and
//! an implementation. Operators are procs too, with their symbol as the
//! name and [`ProcKind::BinaryOperator`] or [`ProcKind::PrefixOperator`]. This one table is what the binder
//! resolves calls against (by PostgreSQL's candidate rules, in
//! `coerce.rs`), what the evaluator calls through [`FuncId`], and what the
//! `pg_proc`/`pg_operator` catalogs will be generated from, so a function
//! exists in all three places or in none. Nothing here matches query text:
//! names are looked up as identifiers after parsing.
//!
//! Polymorphic signatures use PostgreSQL's pseudo-types: `anyelement` and
//! `anyarray` resolve to one common element type per call; a variadic
//! `"any"` last argument accepts any number of arguments of any types.
//!
//! ```text
//! mod.rs        Proc, Registry, the builder
//! string.rs     text functions and operators (||, LIKE, regex)
//! math.rs       numeric functions
//! datetime.rs   date/time functions and arithmetic, calendar helpers
//! json.rs       json/jsonb functions and operators
//! array.rs      array functions and operators
//! misc.rs       uuid, random, comparison operators of every type
//! session.rs    sequences, settings, pg_sleep: forwarded to the session
//! catalog.rs    version(), current_schemas(), format_type, pg_get_indexdef…
//! ```

pub(crate) mod array;
mod catalog;
pub(crate) use catalog::{named_namespace, named_regclass, named_regproc, regproc_oid};
pub(crate) mod datetime;
pub(crate) mod json;
pub(crate) mod math;
pub(crate) mod misc;
mod session;
pub(crate) mod string;

use std::collections::HashMap;
use std::sync::OnceLock;

use twill_types::{Oid, Value};

use super::EvalContext;
use crate::sql::error::SqlError;

/// How often a function's result may change for the same arguments; the
/// planner may pre-evaluate immutable calls and evaluates stable ones once
/// per statement (`pg_proc.provolatile`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Volatility {
    /// Same arguments, same result, forever (`i`).
    Immutable,
    /// Same result within one statement (`s`): `now()`, anything reading
    /// settings such as the time zone.
    Stable,
    /// May change on every call (`v`): `random()`, `clock_timestamp()`.
    Volatile,
}

/// Whether a proc is called by name or written as an operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ProcKind {
    /// `name(args)`.
    Function,
    /// A binary operator `left name right`.
    BinaryOperator,
    /// A prefix operator `name right`.
    PrefixOperator,
}

/// A registry entry's position, stable for the life of the process.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct FuncId(pub u32);

/// What an implementation gets besides its argument values: the evaluation
/// context and the resolved result and argument types (polymorphic
/// functions need them, e.g. to type an empty array).
pub(crate) struct FnCtx<'a, 'b> {
    /// The evaluation context (settings, transaction time).
    pub(crate) eval: &'a EvalContext<'b>,
    /// The resolved result type.
    pub(crate) ret: Oid,
    /// The argument types as bound.
    pub(crate) arg_types: &'a [Oid],
}

/// A function implementation: argument values in, value out.
pub(crate) type ImplFn = fn(&FnCtx<'_, '_>, &[Value]) -> Result<Value, SqlError>;

/// One built-in function or operator (a `pg_proc` row, plus a
/// `pg_operator` row for operators).
pub struct Proc {
    /// Function name, or the operator symbol.
    pub name: &'static str,
    /// Function or operator.
    pub kind: ProcKind,
    /// Declared argument types (pseudo-types for polymorphic arguments).
    pub args: Vec<Oid>,
    /// Whether the last argument repeats (`VARIADIC`).
    pub variadic: bool,
    /// Declared result type.
    pub ret: Oid,
    /// `provolatile`.
    pub volatility: Volatility,
    /// `proisstrict`: NULL in any argument gives NULL without a call.
    pub strict: bool,
    /// The implementation.
    pub(crate) imp: ImplFn,
}

impl std::fmt::Debug for Proc {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Proc")
            .field("name", &self.name)
            .field("kind", &self.kind)
            .field("args", &self.args)
            .field("ret", &self.ret)
            .finish()
    }
}

/// All built-in procs, indexed by name.
pub struct Registry {
    procs: Vec<Proc>,
    /// Per kind (function, binary, prefix): name → candidates.
    by_name: [HashMap<&'static str, Vec<FuncId>>; 3],
}

impl Registry {
    /// Every proc, in [`FuncId`] order.
    pub fn procs(&self) -> &[Proc] {
        &self.procs
    }

    /// The proc with this id.
    pub fn get(&self, id: FuncId) -> &Proc {
        // Ids are only ever made by this registry from positions in `procs`.
        &self.procs[id.0 as usize]
    }

    /// The candidates for a call: all procs of this name and kind.
    pub fn candidates(&self, name: &str, kind: ProcKind) -> &[FuncId] {
        self.by_name[kind as usize]
            .get(name)
            .map_or(&[], |v| v.as_slice())
    }

    /// Whether any function of this name exists (for "function does not
    /// exist" vs. argument mismatch wording).
    pub fn has_function(&self, name: &str) -> bool {
        !self.candidates(name, ProcKind::Function).is_empty()
    }
}

/// The process-wide registry.
pub fn registry() -> &'static Registry {
    static REGISTRY: OnceLock<Registry> = OnceLock::new();
    REGISTRY.get_or_init(|| {
        let mut b = Builder { procs: Vec::new() };
        misc::register(&mut b);
        math::register(&mut b);
        string::register(&mut b);
        datetime::register(&mut b);
        json::register(&mut b);
        array::register(&mut b);
        session::register(&mut b);
        catalog::register(&mut b);
        let mut by_name: [HashMap<&'static str, Vec<FuncId>>; 3] = Default::default();
        for (i, p) in b.procs.iter().enumerate() {
            by_name[p.kind as usize]
                .entry(p.name)
                .or_default()
                .push(FuncId(i as u32));
        }
        Registry {
            procs: b.procs,
            by_name,
        }
    })
}

/// Collects procs; each area's `register` adds its own.
pub(crate) struct Builder {
    procs: Vec<Proc>,
}

impl Builder {
    fn push(
        &mut self,
        name: &'static str,
        kind: ProcKind,
        args: &[Oid],
        ret: Oid,
        imp: ImplFn,
    ) -> &mut Builder {
        self.procs.push(Proc {
            name,
            kind,
            args: args.to_vec(),
            variadic: false,
            ret,
            volatility: Volatility::Immutable,
            strict: true,
            imp,
        });
        self
    }

    /// Adds function `name(args) → ret`.
    pub(crate) fn func(
        &mut self,
        name: &'static str,
        args: &[Oid],
        ret: Oid,
        imp: ImplFn,
    ) -> &mut Builder {
        self.push(name, ProcKind::Function, args, ret, imp)
    }

    /// Adds binary operator `left name right → ret`.
    pub(crate) fn op(
        &mut self,
        name: &'static str,
        left: Oid,
        right: Oid,
        ret: Oid,
        imp: ImplFn,
    ) -> &mut Builder {
        self.push(name, ProcKind::BinaryOperator, &[left, right], ret, imp)
    }

    /// Adds prefix operator `name right → ret`.
    pub(crate) fn prefix(
        &mut self,
        name: &'static str,
        right: Oid,
        ret: Oid,
        imp: ImplFn,
    ) -> &mut Builder {
        self.push(name, ProcKind::PrefixOperator, &[right], ret, imp)
    }

    fn last(&mut self) -> &mut Proc {
        // Only called right after a push.
        let n = self.procs.len() - 1;
        &mut self.procs[n]
    }

    /// Marks the last proc stable.
    pub(crate) fn stable(&mut self) -> &mut Builder {
        self.last().volatility = Volatility::Stable;
        self
    }

    /// Marks the last proc volatile.
    pub(crate) fn volatile(&mut self) -> &mut Builder {
        self.last().volatility = Volatility::Volatile;
        self
    }

    /// Marks the last proc as called with NULL arguments too.
    pub(crate) fn nonstrict(&mut self) -> &mut Builder {
        self.last().strict = false;
        self
    }

    /// Marks the last proc's last argument variadic.
    pub(crate) fn variadic(&mut self) -> &mut Builder {
        self.last().variadic = true;
        self
    }
}

/// Argument `i` as text (the binder coerced it; anything else is a bug
/// reported as XX000, never a panic).
pub(crate) fn text_arg(args: &[Value], i: usize) -> Result<&str, SqlError> {
    match args.get(i) {
        Some(Value::Text(s)) => Ok(s),
        other => Err(SqlError::internal(format!(
            "expected text argument, got {other:?}"
        ))),
    }
}

/// Argument `i` as an integer of any width.
pub(crate) fn int_arg(args: &[Value], i: usize) -> Result<i64, SqlError> {
    match args.get(i) {
        Some(Value::Int2(v)) => Ok(*v as i64),
        Some(Value::Int4(v)) => Ok(*v as i64),
        Some(Value::Int8(v)) => Ok(*v),
        other => Err(SqlError::internal(format!(
            "expected integer argument, got {other:?}"
        ))),
    }
}

/// Argument `i` as a float.
pub(crate) fn float_arg(args: &[Value], i: usize) -> Result<f64, SqlError> {
    match args.get(i) {
        Some(Value::Float8(v)) => Ok(*v),
        Some(Value::Float4(v)) => Ok(*v as f64),
        Some(Value::Numeric(n)) => Ok(n.to_f64()),
        _ => Ok(int_arg(args, i)? as f64),
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use twill_types::Type;

    use super::*;
    use crate::sql::expr::coerce::{ANYCOMPATIBLE, ANYCOMPATIBLEARRAY};

    #[test]
    fn registry_is_consistent() {
        let reg = registry();
        let mut seen = HashSet::new();
        for p in reg.procs() {
            // One entry per signature, or resolution would be ambiguous.
            assert!(
                seen.insert((p.name, p.kind, p.args.clone())),
                "duplicate signature {p:?}"
            );
            for t in p.args.iter().chain([&p.ret]) {
                assert!(
                    Type::by_oid(*t).is_some() || matches!(*t, ANYCOMPATIBLE | ANYCOMPATIBLEARRAY),
                    "unknown type {t} in {p:?}"
                );
            }
            if p.kind != ProcKind::Function {
                assert!(!p.name.chars().any(|c| c.is_ascii_alphabetic()), "{p:?}");
            }
        }
        assert!(reg.has_function("length"));
        assert!(!reg.has_function("no_such_function"));
        assert!(!reg.candidates("+", ProcKind::BinaryOperator).is_empty());
    }
}
