//! Planning: from a bound statement to a tree of [`Plan`] nodes the
//! executor runs.
//!
//! A plan is made once per prepared statement and run many times, with
//! different parameters each time, so everything that depends only on the
//! statement text is decided here: which columns each name means, which
//! operator each symbol means, whether a WHERE clause pins the primary key
//! (a point lookup instead of a scan), where aggregates and window
//! functions sit. Rows are plain `Vec<Value>`s; a node's output columns are
//! positions, so expressions above it refer to them by index.
//!
//! ```text
//! mod.rs        Plan, SubPlan, OutputColumn     the node tree
//! scope.rs      FromScope                       names → row positions (joins, USING, aliases, outer queries)
//! query.rs      QueryPlanner                    SELECT / VALUES / set operations / CTEs
//! from.rs       FROM items: tables, joins, derived tables, functions
//! aggregate.rs  GROUP BY, aggregates, HAVING     and the rewrite of expressions above them
//! window.rs     window functions
//! access.rs     primary-key and index lookups from WHERE conjuncts
//! explain.rs    EXPLAIN's text
//! ```

pub(crate) mod access;
pub(crate) mod aggregate;
pub(crate) mod explain;
pub(crate) mod from;
pub(crate) mod query;
pub(crate) mod scope;
pub(crate) mod window;

use std::sync::Arc;

use twill_types::Oid;

use crate::mvcc::{LockMode, TableDef, TableId, WaitPolicy};
use crate::sql::expr::{Expr, FuncId};

/// One output column of a plan, as RowDescription describes it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct OutputColumn {
    /// The column name (`?column?` for unnamed expressions).
    pub name: String,
    /// Type OID.
    pub ty: Oid,
    /// Type modifier, or -1.
    pub typmod: i32,
    /// The base table's OID, or 0 when computed.
    pub table_oid: Oid,
    /// The attribute number in that table, or 0.
    pub attnum: i16,
}

/// How a table scan finds its rows.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Access {
    /// Every row, in primary-key order.
    Full,
    /// The rows whose primary key (or leading key columns) equal these values.
    KeyEq(Vec<Expr>),
    /// The rows whose primary key's first column lies in a range.
    KeyRange {
        lower: Option<(Expr, bool)>,
        upper: Option<(Expr, bool)>,
    },
    /// The rows whose key in a secondary index equals these values.
    IndexEq { index: usize, values: Vec<Expr> },
    /// The rows whose secondary index key's first column lies in a range.
    IndexRange {
        index: usize,
        lower: Option<(Expr, bool)>,
        upper: Option<(Expr, bool)>,
    },
}

/// Row locking for `SELECT … FOR UPDATE/SHARE` (and UPDATE/DELETE targets).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct RowLock {
    pub mode: LockMode,
    pub policy: WaitPolicy,
}

/// A table scan.
#[derive(Debug, Clone)]
pub(crate) struct ScanPlan {
    pub table: TableId,
    pub def: Arc<TableDef>,
    pub access: Access,
    /// Rows failing this are skipped (pushed-down WHERE conjuncts).
    pub filter: Option<Expr>,
    /// Append the row's storage key as a trailing `bytea` column (for
    /// UPDATE/DELETE targets and row locks).
    pub with_key: bool,
    /// Scan in reverse key order (ORDER BY … DESC LIMIT).
    pub reverse: bool,
    /// Lock each row returned (`FOR UPDATE` …).
    pub lock: Option<RowLock>,
}

/// Join kinds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum JoinKind {
    Inner,
    Left,
    Right,
    Full,
}

/// A set-returning function in FROM or in the select list.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum SetFunction {
    /// generate_series(start, stop [, step]) over integers, numerics or timestamps.
    GenerateSeries,
    /// unnest(array [, array …]): one column per array.
    Unnest,
    /// generate_subscripts(array, dim [, reverse]).
    GenerateSubscripts,
    /// jsonb_array_elements / json_array_elements (and _text).
    JsonArrayElements { text: bool, jsonb: bool },
    /// jsonb_each / json_each (and _text): (key, value).
    JsonEach { text: bool, jsonb: bool },
    /// jsonb_object_keys / json_object_keys.
    JsonObjectKeys,
    /// regexp_split_to_table, string_to_table.
    SplitToTable { regex: bool },
    /// regexp_matches(text, pattern [, flags]).
    RegexpMatches,
    /// information_schema._pg_expandarray(array): `(x, n)` per element,
    /// `n` counting from 1 (pgjdbc's getPrimaryKeys). Its rows take the
    /// shape the call site asks for.
    ExpandArray { output: RecordOutput },
}

/// How a set-returning function with several output columns delivers a
/// row: as columns (in FROM), as one `record` value (a bare call in the
/// select list), or as one of its fields (`(f(…)).field` in the select
/// list).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RecordOutput {
    /// One column per field.
    Columns,
    /// One `record` column.
    Record,
    /// The field at this position, alone.
    Field(usize),
}

/// An aggregate call, computed per group.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct AggCall {
    pub func: AggFunc,
    /// Argument expressions over the input row.
    pub args: Vec<Expr>,
    pub distinct: bool,
    pub filter: Option<Expr>,
    /// ORDER BY inside the call (`string_agg(x, ',' ORDER BY x)`).
    pub order: Vec<SortKey>,
    /// The result type.
    pub ty: Oid,
    /// For min/max and `sum`: the comparison/addition helpers resolved at plan time.
    pub helper: Option<FuncId>,
}

/// The built-in aggregates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum AggFunc {
    CountStar,
    Count,
    Sum,
    Avg,
    Min,
    Max,
    BoolAnd,
    BoolOr,
    StringAgg,
    ArrayAgg,
    JsonAgg {
        jsonb: bool,
    },
    JsonObjectAgg {
        jsonb: bool,
    },
    BitAnd,
    BitOr,
    Variance {
        sample: bool,
        stddev: bool,
    },
    /// `GROUPING(a, b, …)`: a bit per argument, set when the current
    /// grouping set does not group by it.
    Grouping,
}

/// A sort key.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct SortKey {
    pub expr: Expr,
    pub descending: bool,
    pub nulls_first: bool,
}

/// A window function call.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct WindowCall {
    pub func: WindowFunc,
    pub args: Vec<Expr>,
    pub partition: Vec<Expr>,
    pub order: Vec<SortKey>,
    pub frame: Frame,
    pub filter: Option<Expr>,
    pub ty: Oid,
}

/// Window functions: ranking, offsets, and aggregates over frames.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum WindowFunc {
    RowNumber,
    Rank,
    DenseRank,
    PercentRank,
    CumeDist,
    Ntile,
    Lag,
    Lead,
    FirstValue,
    LastValue,
    NthValue,
    Aggregate(Box<AggCall>),
}

/// A window frame.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Frame {
    /// ROWS (true) or RANGE (false; peers count together).
    pub rows: bool,
    pub start: FrameBound,
    pub end: FrameBound,
}

/// One end of a window frame.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum FrameBound {
    UnboundedPreceding,
    Preceding(u64),
    CurrentRow,
    Following(u64),
    UnboundedFollowing,
}

/// Set operations.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SetOpKind {
    Union,
    Intersect,
    Except,
}

/// A node of the plan tree. Each produces rows of a known width.
#[derive(Debug, Clone)]
pub(crate) enum Plan {
    /// One row with no columns (SELECT without FROM).
    OneRow,
    /// No rows at all (`WHERE false`, LIMIT 0), of a width.
    Empty,
    /// A VALUES list.
    Values { rows: Vec<Vec<Expr>> },
    /// A table scan.
    Scan(Box<ScanPlan>),
    /// A set-returning function in FROM (evaluated once per execution, or
    /// per outer row under a lateral join).
    Function {
        func: SetFunction,
        args: Vec<Expr>,
        ordinality: bool,
    },
    /// Rows passing a predicate.
    Filter { input: Box<Plan>, predicate: Expr },
    /// Expressions over each input row.
    Project { input: Box<Plan>, exprs: Vec<Expr> },
    /// Set-returning functions in the select list: each input row yields as
    /// many rows as its longest function result (PostgreSQL 10+ rules).
    ProjectSet {
        input: Box<Plan>,
        /// Plain expressions evaluated per input row, then one column per
        /// function result; `items` says which.
        items: Vec<ProjectItem>,
    },
    /// A join; the output row is the left row followed by the right row.
    Join {
        kind: JoinKind,
        left: Box<Plan>,
        right: Box<Plan>,
        right_width: usize,
        left_width: usize,
        /// Equality keys for a hash join (left expr, right expr); empty = nested loop.
        hash_keys: Vec<(Expr, Expr)>,
        /// The rest of the ON condition, over the joined row.
        condition: Option<Expr>,
        /// The right side reads columns of the left row (LATERAL): rerun it per left row.
        lateral: bool,
    },
    /// Grouping and aggregation: output = group values, then aggregate values.
    Aggregate {
        input: Box<Plan>,
        group: Vec<Expr>,
        aggs: Vec<AggCall>,
        /// GROUPING SETS / ROLLUP / CUBE: the group columns each set groups
        /// by (the others are NULL in its rows); `None` for plain GROUP BY.
        sets: Option<Vec<Vec<usize>>>,
    },
    /// Window functions: output = input row, then one value per call.
    Window {
        input: Box<Plan>,
        calls: Vec<WindowCall>,
    },
    /// Sort.
    Sort {
        input: Box<Plan>,
        keys: Vec<SortKey>,
    },
    /// LIMIT/OFFSET.
    Limit {
        input: Box<Plan>,
        limit: Option<Expr>,
        offset: Option<Expr>,
    },
    /// DISTINCT (all columns) or DISTINCT ON (the first `on` columns'
    /// expressions; the input is sorted by them).
    Distinct {
        input: Box<Plan>,
        on: Option<Vec<Expr>>,
    },
    /// UNION / INTERSECT / EXCEPT.
    SetOp {
        kind: SetOpKind,
        all: bool,
        left: Box<Plan>,
        right: Box<Plan>,
    },
    /// The rows of a WITH query (materialized once per execution).
    CteScan { id: usize },
    /// WITH RECURSIVE: the non-recursive term, then the recursive term
    /// re-run over the previous iteration's rows (in `WorkTable { id }`)
    /// until it yields nothing.
    Recursive {
        id: usize,
        base: Box<Plan>,
        step: Box<Plan>,
        all: bool,
    },
    /// The previous iteration of a recursive CTE.
    WorkTable { id: usize },
    /// A `pg_catalog` / `information_schema` table, computed from the
    /// transaction's catalog when the node first runs (`sql/system/`).
    System {
        table: crate::sql::system::SystemTable,
        /// A value fixed for the execution (a constant, a parameter) that
        /// the table's relation column equals, from a pushed-down
        /// `oid = …` / `attrelid = …` conjunct: the rows are then computed
        /// for that relation only. The conjunct stays in the filter above,
        /// so this only ever narrows what is computed.
        relation: Option<crate::sql::expr::Expr>,
    },
}

/// An item of a [`Plan::ProjectSet`].
#[derive(Debug, Clone)]
pub(crate) enum ProjectItem {
    /// A plain expression, repeated on every output row of its input row.
    Expr(Expr),
    /// A set-returning function; NULL once it runs out.
    Set { func: SetFunction, args: Vec<Expr> },
}

/// A subquery used inside an expression (`Expr::Subquery { id }`), or a
/// WITH query.
#[derive(Debug, Clone)]
pub(crate) struct SubPlan {
    pub plan: Plan,
    /// Reads columns of an enclosing query: rerun per outer row. Otherwise
    /// the result is computed once per execution.
    pub correlated: bool,
}

/// A planned query: the plan, its output columns and its subplans.
#[derive(Debug, Clone)]
pub(crate) struct PlannedQuery {
    pub plan: Plan,
    pub columns: Vec<OutputColumn>,
    pub subplans: Vec<SubPlan>,
    /// The relations it was planned against (see `StatementPlanner`).
    pub dependencies: Vec<(String, Arc<TableDef>)>,
}
