//! Bound, typed expressions and their evaluation.
//!
//! The binder ([`bind`]) turns sqlparser's untyped `ast::Expr` into an
//! [`Expr`]: every node knows its result type, every name is resolved to a
//! column index, every operator and function to one registry entry, and
//! every implicit cast PostgreSQL would insert is an explicit
//! [`Expr::Cast`]. Evaluation ([`Expr::eval`]) is then a plain tree walk
//! over one row with no name lookups and no type decisions left:
//!
//! ```text
//!   "a + 1 > $1"  ──sqlparser──▶  ast::Expr  ──bind(Scope)──▶  Expr  ──eval(ctx, row)──▶  Value
//!                                               │ operator resolution (PostgreSQL's rules)
//!                                               │ unknown literals typed by context
//!                                               │ $n types inferred
//! ```
//!
//! What a single row cannot answer — a subquery's rows, an aggregate's or
//! a window function's result, a column of an outer query — is a *hook*:
//! the node names a slot, and the evaluator asks the planner's
//! [`PlannerValues`] in the [`EvalContext`] for it.
//!
//! ```text
//! mod.rs        Expr, EvalContext, PlannerValues   this map
//! bind.rs       Binder, Scope, ParamTypes           ast::Expr → Expr
//! coerce.rs     implicit/assignment/explicit cast rules, type categories, candidate selection
//! eval.rs       Expr::eval                          three-valued logic, CASE, IN, ANY/ALL, …
//! fold.rs       Expr::fold, volatility              pre-evaluating row-independent subtrees
//! ops.rs        operator implementations            arithmetic, comparison
//! cast.rs       cast implementations                incl. typmod coercion (varchar(n), numeric(p,s))
//! record.rs     anonymous record types              field lists by `record` typmod, for `(r).field`
//! functions/    the function and operator registry  and the built-in functions by area
//! ```

mod array_nd;
pub mod bind;
pub(crate) mod cast;
pub(crate) mod coerce;
mod eval;
mod fold;
pub mod functions;
pub(crate) mod ops;
pub(crate) mod record;
#[cfg(test)]
mod robustness_tests;

use twill_types::{FormatSettings, Oid, Value};

pub use bind::{Binder, NoColumns, ParamTypes, Scope};
pub use coerce::CastContext;
pub use functions::{FuncId, Proc, Volatility, registry};

use super::error::SqlError;

/// A bound, typed expression.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    /// A constant. Untyped literals (`'…'`, NULL) have type `unknown` until
    /// context decides; the binder folds the cast into the constant.
    Const {
        /// The value.
        value: Value,
        /// Its type OID.
        ty: Oid,
        /// Its typmod (-1 for none).
        typmod: i32,
    },
    /// A column of the current row, by index.
    Column {
        /// Index into the row.
        index: usize,
        /// Column type.
        ty: Oid,
        /// Column typmod.
        typmod: i32,
    },
    /// A column of an enclosing query's current row (correlated subquery):
    /// a hook answered by [`PlannerValues::outer_column`].
    OuterColumn {
        /// How many query levels up (1 = the immediately enclosing query).
        level: usize,
        /// Index into that query's row.
        index: usize,
        /// Column type.
        ty: Oid,
        /// Column typmod.
        typmod: i32,
    },
    /// Parameter `$n` (`index` = n - 1), read from [`EvalContext::params`].
    Param {
        /// Zero-based parameter index.
        index: usize,
        /// The parameter's (inferred) type.
        ty: Oid,
    },
    /// A function or operator call, resolved to one registry entry.
    Call {
        /// The registry entry.
        func: FuncId,
        /// The arguments, already coerced to the entry's argument types.
        args: Vec<Expr>,
        /// The result type (the entry's, with polymorphic types resolved).
        ty: Oid,
    },
    /// A cast (explicit, or inserted by the binder), including length and
    /// precision coercion to `typmod`.
    Cast {
        /// The input.
        expr: Box<Expr>,
        /// Target type.
        ty: Oid,
        /// Target typmod (-1 for none).
        typmod: i32,
        /// Whether this is an explicit cast: `'abcdef'::varchar(3)` truncates,
        /// an assignment to a varchar(3) column raises 22001.
        explicit: bool,
    },
    /// `(record).field`: one field of a `record` value, by position in the
    /// record type its typmod names (see `expr/record.rs`).
    FieldSelect {
        /// The record.
        expr: Box<Expr>,
        /// The field's position.
        index: usize,
        /// The field's type.
        ty: Oid,
    },
    /// `NOT`.
    Not(Box<Expr>),
    /// `AND` (three-valued).
    And(Vec<Expr>),
    /// `OR` (three-valued).
    Or(Vec<Expr>),
    /// `IS [NOT] NULL`.
    IsNull {
        /// The tested expression.
        expr: Box<Expr>,
        /// `IS NOT NULL`.
        negated: bool,
    },
    /// `IS [NOT] TRUE/FALSE/UNKNOWN` (`value` None = UNKNOWN).
    IsBool {
        /// The tested boolean expression.
        expr: Box<Expr>,
        /// TRUE, FALSE, or None for UNKNOWN.
        value: Option<bool>,
        /// `IS NOT …`.
        negated: bool,
    },
    /// `IS [NOT] DISTINCT FROM`, via an equality call on the two sides.
    Distinct {
        /// The `=` call comparing the operands.
        eq: Box<Expr>,
        /// `IS NOT DISTINCT FROM`.
        negated: bool,
    },
    /// `CASE WHEN c THEN r … ELSE e END` (a `CASE x WHEN v` form is bound to
    /// conditions `x = v`).
    Case {
        /// (condition, result) pairs, tried in order.
        whens: Vec<(Expr, Expr)>,
        /// The ELSE result (NULL when absent).
        else_result: Box<Expr>,
        /// Result type.
        ty: Oid,
    },
    /// `COALESCE(…)`: the first non-NULL argument, later ones unevaluated.
    Coalesce {
        /// The arguments, coerced to `ty`.
        args: Vec<Expr>,
        /// Result type.
        ty: Oid,
    },
    /// `NULLIF(a, b)`: NULL when `a = b`, else `a`.
    NullIf {
        /// The `=` call on the two arguments.
        eq: Box<Expr>,
        /// The first argument (returned).
        value: Box<Expr>,
    },
    /// `GREATEST(…)`/`LEAST(…)`, ignoring NULLs.
    MinMax {
        /// The arguments, coerced to `ty`.
        args: Vec<Expr>,
        /// GREATEST when true.
        greatest: bool,
        /// Result type.
        ty: Oid,
    },
    /// `x IN (a, b, …)`: `x = a OR x = b …` with SQL's NULL rules.
    InList {
        /// One `=` call per list element, each comparing `x` with it.
        eqs: Vec<Expr>,
        /// `NOT IN`.
        negated: bool,
    },
    /// `x op ANY/ALL (array)`: the operator's left side is `left`, its right
    /// side each element of `array`.
    AnyAll {
        /// The left operand.
        left: Box<Expr>,
        /// The array operand.
        array: Box<Expr>,
        /// The comparison function, taking (left, element).
        func: FuncId,
        /// ALL when true.
        all: bool,
    },
    /// `ARRAY[…]`.
    Array {
        /// The elements, coerced to the element type.
        elems: Vec<Expr>,
        /// The array type.
        ty: Oid,
    },
    /// `a[i]` (`a[i:j]` when `upper` is set).
    Subscript {
        /// The array.
        array: Box<Expr>,
        /// The index (or lower bound of a slice; None = from the start).
        index: Option<Box<Expr>>,
        /// The slice's upper bound.
        upper: Option<Box<Expr>>,
        /// Whether this is a slice.
        slice: bool,
        /// Result type (element type, or the array type for a slice).
        ty: Oid,
    },
    /// A subquery's result: a hook answered by
    /// [`PlannerValues::subquery_rows`].
    Subquery {
        /// The planner's id for the subquery.
        id: usize,
        /// What is made of its rows.
        kind: SubqueryKind,
        /// Result type.
        ty: Oid,
    },
    /// An aggregate's result for the current group: a hook answered by
    /// [`PlannerValues::aggregate`].
    Aggregate {
        /// The planner's slot for this aggregate.
        index: usize,
        /// Result type.
        ty: Oid,
    },
    /// A whole-row reference (`t` naming a FROM item): the row's columns,
    /// with their names, as a `record`.
    Row {
        /// (column name, its value) in column order.
        fields: Vec<(String, Expr)>,
    },
    /// A window function's result for the current row: a hook answered by
    /// [`PlannerValues::window`].
    Window {
        /// The planner's slot for this window function.
        index: usize,
        /// Result type.
        ty: Oid,
    },
}

/// What a subquery expression makes of the subquery's rows.
#[derive(Debug, Clone, PartialEq)]
pub enum SubqueryKind {
    /// `(SELECT …)`: the single value of the single row (NULL when no row;
    /// 21000 when more than one).
    Scalar,
    /// `EXISTS (SELECT …)`.
    Exists,
    /// `ARRAY(SELECT …)`.
    Array,
    /// `x op ANY/ALL (SELECT …)`, also `IN (SELECT …)`: `func(left, value)`
    /// per row.
    AnyAll {
        /// The left operand.
        left: Box<Expr>,
        /// The comparison function.
        func: FuncId,
        /// ALL when true.
        all: bool,
    },
}

/// What the planner supplies to expressions: the values a single row does
/// not hold. Every method has a default that reports 0A000, so a planner
/// implements only what it binds.
pub trait PlannerValues {
    /// The rows of subquery `id`, evaluated for the current `row` (for a
    /// correlated subquery).
    fn subquery_rows(&self, id: usize, row: &[Value]) -> Result<Vec<Vec<Value>>, SqlError> {
        let _ = (id, row);
        Err(SqlError::unsupported("subqueries are not supported here"))
    }
    /// The current group's value of aggregate slot `index`.
    fn aggregate(&self, index: usize) -> Result<Value, SqlError> {
        let _ = index;
        Err(SqlError::unsupported("aggregates are not supported here"))
    }
    /// The current row's value of window slot `index`.
    fn window(&self, index: usize) -> Result<Value, SqlError> {
        let _ = index;
        Err(SqlError::unsupported(
            "window functions are not supported here",
        ))
    }
    /// A function that reads or changes session state (`nextval`,
    /// `current_setting`, `set_config`, `pg_sleep`): the session answers.
    fn session_call(&self, name: &str, args: &[Value]) -> Result<Value, SqlError> {
        let _ = args;
        Err(SqlError::unsupported(format!(
            "{name}() is not supported here"
        )))
    }
    /// Column `index` of the query `level` levels up.
    fn outer_column(&self, level: usize, index: usize) -> Result<Value, SqlError> {
        let _ = (level, index);
        Err(SqlError::unsupported(
            "outer references are not supported here",
        ))
    }
}

/// Everything evaluation needs besides the row: the session's formatting
/// settings (time zone, DateStyle for text casts), parameter values, the
/// transaction's start time (so `now()` is stable within a transaction),
/// and the planner's hook values.
pub struct EvalContext<'a> {
    /// DateStyle, TimeZone, IntervalStyle, … for casts to and from text and
    /// for time-zone-dependent arithmetic.
    pub settings: FormatSettings,
    /// Values of `$1…$n`, already decoded to their inferred types.
    pub params: Vec<Value>,
    /// `now()`/`current_timestamp`/`transaction_timestamp()`: microseconds
    /// since 2000-01-01 UTC, fixed for the transaction.
    pub transaction_timestamp: i64,
    /// `statement_timestamp()`: fixed for the statement.
    pub statement_timestamp: i64,
    /// Subquery, aggregate, window and outer-column values.
    pub planner: Option<&'a dyn PlannerValues>,
}

impl EvalContext<'_> {
    /// A context with default settings, no parameters, no planner, and
    /// `now()` at the moment of the call.
    pub fn new() -> EvalContext<'static> {
        let now = functions::datetime::clock_now();
        EvalContext {
            settings: FormatSettings::default(),
            params: Vec::new(),
            transaction_timestamp: now,
            statement_timestamp: now,
            planner: None,
        }
    }

    pub(crate) fn planner(&self) -> Result<&dyn PlannerValues, SqlError> {
        self.planner
            .ok_or_else(|| SqlError::internal("expression needs planner values but has none"))
    }
}

impl Expr {
    /// The result type OID.
    pub fn ty(&self) -> Oid {
        use twill_types::oid;
        match self {
            Expr::Const { ty, .. }
            | Expr::Column { ty, .. }
            | Expr::OuterColumn { ty, .. }
            | Expr::Param { ty, .. }
            | Expr::Call { ty, .. }
            | Expr::Cast { ty, .. }
            | Expr::Case { ty, .. }
            | Expr::Coalesce { ty, .. }
            | Expr::MinMax { ty, .. }
            | Expr::FieldSelect { ty, .. }
            | Expr::Array { ty, .. }
            | Expr::Subscript { ty, .. }
            | Expr::Subquery { ty, .. }
            | Expr::Aggregate { ty, .. }
            | Expr::Window { ty, .. } => *ty,
            Expr::Row { .. } => oid::RECORD,
            Expr::NullIf { value, .. } => value.ty(),
            Expr::Not(_)
            | Expr::And(_)
            | Expr::Or(_)
            | Expr::IsNull { .. }
            | Expr::IsBool { .. }
            | Expr::Distinct { .. }
            | Expr::InList { .. }
            | Expr::AnyAll { .. } => oid::BOOL,
        }
    }

    /// The result typmod (-1 when unknown or none).
    pub fn typmod(&self) -> i32 {
        match self {
            Expr::Const { typmod, .. }
            | Expr::Column { typmod, .. }
            | Expr::OuterColumn { typmod, .. }
            | Expr::Cast { typmod, .. } => *typmod,
            _ => -1,
        }
    }

    /// A constant of this value and type.
    pub fn constant(value: Value, ty: Oid) -> Expr {
        Expr::Const {
            value,
            ty,
            typmod: -1,
        }
    }
}
