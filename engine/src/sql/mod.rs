//! The SQL layer's expression foundation: names and types resolved by
//! PostgreSQL's rules, and expressions evaluated with PostgreSQL's
//! semantics.
//!
//! Statements are parsed by the `sqlparser` crate (PostgreSQL dialect, an
//! exact pinned version, because its AST changes every release); this
//! module binds and evaluates the expressions inside them. Planning and
//! execution (FROM, joins, aggregation) build on it and supply what a
//! single row cannot: they implement [`expr::Scope`] for name resolution
//! and [`expr::PlannerValues`] for subquery, aggregate and window results.
//!
//! ```text
//! error.rs      SqlError                  SQLSTATE + PostgreSQL's wording, detail, hint, position
//! types.rs      type names ⇄ (OID, typmod), format_type
//! expr/         Expr, Binder, EvalContext  bound expressions, the function registry, evaluation
//! copy/         CopyDecoder, CopyEncoder   COPY's text, CSV and binary data formats
//! ```
//!
//! Everything here behaves as a PostgreSQL 15 database created with
//! `--locale=C --encoding=UTF8`: text compares byte-wise and case mapping
//! is ASCII-only. `docs/sql-expressions.md` lists what exists and every
//! deliberate difference.

pub(crate) mod alter;
pub(crate) mod catalog;
pub mod copy;
pub(crate) mod ddl;
pub(crate) mod dml;
pub mod error;
pub(crate) mod exec;
pub mod expr;
pub(crate) mod foreign_key;
pub mod front;
pub(crate) mod objects;
pub(crate) mod plan;
pub(crate) mod sequence;
pub(crate) mod system;
pub mod types;

pub use error::SqlError;
pub use expr::{
    Binder, CastContext, EvalContext, Expr, NoColumns, ParamTypes, PlannerValues, Scope,
    SubqueryKind,
};
pub use types::{format_type, parse_type_name, resolve_data_type};
