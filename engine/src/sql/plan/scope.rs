//! Names → row positions: what a column reference means in a FROM clause.
//!
//! A FROM clause produces one row per combination of its items, laid out
//! side by side (`t1`'s columns, then `t2`'s, …). A [`FromScope`] records,
//! for each position, the table alias and column name that reach it, so the
//! binder can turn `t2.b` or `b` into a row index, with PostgreSQL's errors
//! for names that match nothing (42703, or 42P01 for an unknown qualifier)
//! or more than one thing (42702).
//!
//! Two twists come from joins. A `USING (a)`/`NATURAL` join merges the
//! join columns: unqualified `a` (and `*`) mean the merged column, while
//! `t1.a` and `t2.a` still reach each side's own; the merged column is
//! computed and appended, and the sides' copies are hidden from
//! unqualified lookup. And a subquery sees its enclosing queries' columns
//! (a correlated reference), which the binder reaches through
//! [`Scope::resolve_outer_column`]; that also marks the subquery
//! correlated, so it is re-run per outer row instead of once.

use std::cell::Cell;

use sqlparser::ast;
use twill_types::{Oid, SqlState};

use super::query::StatementPlanner;
use crate::sql::error::SqlError;
use crate::sql::expr::{Binder, Expr, Scope};

/// One position of a FROM clause's row.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ScopeColumn {
    /// The alias (or table name) that qualifies it; `None` for merged
    /// USING columns of an unaliased join.
    pub qualifier: Option<String>,
    /// The column name.
    pub name: String,
    pub ty: Oid,
    pub typmod: i32,
    /// Base table OID and attribute number, for RowDescription.
    pub table_oid: Oid,
    pub attnum: i16,
    /// Not reachable unqualified (a side of a USING join).
    pub hidden: bool,
    /// Not part of `*` (a side of a USING join, a storage key column).
    pub no_star: bool,
    /// Not reachable by any name (the storage key).
    pub system: bool,
}

impl ScopeColumn {
    /// A visible column.
    pub(crate) fn new(qualifier: Option<&str>, name: &str, ty: Oid, typmod: i32) -> ScopeColumn {
        ScopeColumn {
            qualifier: qualifier.map(str::to_owned),
            name: name.to_owned(),
            ty,
            typmod,
            table_oid: 0,
            attnum: 0,
            hidden: false,
            no_star: false,
            system: false,
        }
    }
}

/// Where aggregate and window calls go while a select list is bound.
pub(crate) trait CallSink {
    /// Binds an aggregate call over the input scope; returns its hook node.
    fn aggregate(&self, func: &ast::Function, binder: &mut Binder<'_>) -> Result<Expr, SqlError>;
    /// Binds a window call; returns its hook node.
    fn window(&self, func: &ast::Function, binder: &mut Binder<'_>) -> Result<Expr, SqlError>;
}

/// The scope of one query level.
pub(crate) struct FromScope<'p, 't> {
    pub planner: &'p StatementPlanner<'t>,
    pub columns: &'p [ScopeColumn],
    pub parent: Option<&'p FromScope<'p, 't>>,
    /// Set when a name resolved in an enclosing query.
    pub correlated: &'p Cell<bool>,
    /// Where aggregates and window functions go; `None` where they are not
    /// allowed (WHERE, ON, GROUP BY …), with the clause name for the error.
    pub calls: Option<&'p dyn CallSink>,
    /// The clause being bound, for "aggregate functions are not allowed in WHERE".
    pub clause: &'static str,
}

impl FromScope<'_, '_> {
    /// Looks a name up in this level only.
    pub(crate) fn lookup(
        &self,
        qualifier: Option<&str>,
        name: &str,
    ) -> Result<Option<(usize, Oid, i32)>, SqlError> {
        let mut found: Option<usize> = None;
        let mut qualifier_seen = false;
        for (i, c) in self.columns.iter().enumerate() {
            if c.system {
                continue;
            }
            let hit = match qualifier {
                Some(q) => {
                    let same = c.qualifier.as_deref() == Some(q);
                    qualifier_seen |= same;
                    same && c.name == name
                }
                None => !c.hidden && c.name == name,
            };
            if hit {
                if found.is_some() {
                    return Err(match qualifier {
                        Some(q) => SqlError::new(
                            SqlState::AMBIGUOUS_COLUMN,
                            format!("column reference \"{q}.{name}\" is ambiguous"),
                        ),
                        None => SqlError::new(
                            SqlState::AMBIGUOUS_COLUMN,
                            format!("column reference \"{name}\" is ambiguous"),
                        ),
                    });
                }
                found = Some(i);
            }
        }
        if found.is_none() && qualifier.is_some() && !qualifier_seen {
            return Ok(None);
        }
        Ok(found.map(|i| (i, self.columns[i].ty, self.columns[i].typmod)))
    }

    fn has_qualifier(&self, q: &str) -> bool {
        self.columns
            .iter()
            .any(|c| c.qualifier.as_deref() == Some(q))
    }

    /// Whether any level (this or enclosing) knows the qualifier.
    fn qualifier_known(&self, q: &str) -> bool {
        self.has_qualifier(q) || self.parent.is_some_and(|p| p.qualifier_known(q))
    }
}

impl Scope for FromScope<'_, '_> {
    fn resolve_column(
        &self,
        qualifier: Option<&str>,
        name: &str,
    ) -> Result<(usize, Oid, i32), SqlError> {
        if let Some(hit) = self.lookup(qualifier, name)? {
            return Ok(hit);
        }
        // Unknown here: the binder tries resolve_outer_column next; if that
        // fails too, this is the error it reports.
        Err(match qualifier {
            Some(q) if !self.qualifier_known(q) => SqlError::new(
                SqlState::UNDEFINED_TABLE,
                format!("missing FROM-clause entry for table \"{q}\""),
            ),
            Some(q) => SqlError::new(
                SqlState::UNDEFINED_COLUMN,
                format!("column {q}.{name} does not exist"),
            ),
            None => SqlError::new(
                SqlState::UNDEFINED_COLUMN,
                format!("column \"{name}\" does not exist"),
            ),
        })
    }

    fn resolve_outer_column(
        &self,
        qualifier: Option<&str>,
        name: &str,
    ) -> Result<Option<(usize, usize, Oid, i32)>, SqlError> {
        let mut level = 1;
        let mut scope = self.parent;
        let mut crossed: Vec<&Cell<bool>> = vec![self.correlated];
        while let Some(s) = scope {
            if let Some((i, ty, typmod)) = s.lookup(qualifier, name)? {
                for c in crossed {
                    c.set(true);
                }
                return Ok(Some((level, i, ty, typmod)));
            }
            crossed.push(s.correlated);
            level += 1;
            scope = s.parent;
        }
        Ok(None)
    }

    fn bind_subquery(
        &self,
        query: &ast::Query,
        binder: &mut Binder<'_>,
    ) -> Result<(usize, Vec<Oid>), SqlError> {
        self.planner.plan_subquery(query, self, binder)
    }

    fn resolve_row(&self, name: &str) -> Result<Option<Expr>, SqlError> {
        let fields: Vec<(String, Expr)> = self
            .columns
            .iter()
            .enumerate()
            .filter(|(_, c)| c.qualifier.as_deref() == Some(name) && !c.system && !c.no_star)
            .map(|(i, c)| {
                (
                    c.name.clone(),
                    Expr::Column {
                        index: i,
                        ty: c.ty,
                        typmod: c.typmod,
                    },
                )
            })
            .collect();
        Ok((!fields.is_empty()).then_some(Expr::Row { fields }))
    }

    fn bind_aggregate(
        &self,
        func: &ast::Function,
        binder: &mut Binder<'_>,
    ) -> Result<Expr, SqlError> {
        match self.calls {
            Some(sink) => sink.aggregate(func, binder),
            None => Err(SqlError::new(
                SqlState::GROUPING_ERROR,
                format!("aggregate functions are not allowed in {}", self.clause),
            )),
        }
    }

    fn bind_window(&self, func: &ast::Function, binder: &mut Binder<'_>) -> Result<Expr, SqlError> {
        match self.calls {
            Some(sink) => sink.window(func, binder),
            None => Err(SqlError::new(
                SqlState::WINDOWING_ERROR,
                format!("window functions are not allowed in {}", self.clause),
            )),
        }
    }
}
