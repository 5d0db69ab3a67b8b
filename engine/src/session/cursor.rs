//! SQL cursors: DECLARE, FETCH, MOVE, CLOSE.
//!
//! A cursor is a portal made by SQL instead of Bind, so it lives in the
//! session's portal map: the protocol may Describe and Execute it by name
//! (psycopg's server-side cursors do), and FETCH may read a bound portal.
//! Its rows come from its running plan ([`Rows`]); a SCROLL cursor keeps
//! what it has read so it can move backward.
//!
//! ```text
//! DECLARE c [BINARY] [NO] [SCROLL] CURSOR [WITH[OUT] HOLD] FOR query   tag DECLARE CURSOR
//! FETCH|MOVE [direction] [FROM|IN] c                                   tag FETCH n / MOVE n
//! CLOSE c | ALL                                                        tag CLOSE CURSOR
//! ```
//!
//! Transaction end: a commit first reads WITH HOLD cursors to the end
//! (they then need no transaction), then every other portal is dropped;
//! a rollback drops all but the cursors held by earlier commits.
//!
//! Not done: a cursor reads with the transaction's current snapshot, so
//! under READ COMMITTED a FETCH after another statement may see that
//! statement's changes (PostgreSQL keeps the DECLARE's snapshot); `WHERE
//! CURRENT OF` is not supported; BINARY is accepted and ignored (result
//! formats are the protocol's business).

use std::sync::Arc;

use sqlparser::ast;
use twill_types::{SqlState, Value};

use super::portal::{CursorOptions, Portal, PortalState, Rows};
use super::statement::{self, Planned, Prepared as PreparedStatement, StatementResult};
use super::stream::Started;
use super::{ColumnInfo, Output, Session};
use crate::sql::error::SqlError;
use crate::sql::front::{self, FetchDirection, StatementKind};
use crate::sql::plan::query::ident;

fn no_such_cursor(name: &str) -> SqlError {
    SqlError::new(
        SqlState::INVALID_CURSOR_NAME,
        format!("cursor \"{name}\" does not exist"),
    )
}

impl Session {
    /// Statements that act on session state: cursors and COPY. `None` for
    /// the others.
    pub(super) fn session_statement(
        &mut self,
        parsed: &front::Parsed,
        params: &[Value],
    ) -> Result<Option<Started>, SqlError> {
        match &parsed.kind {
            StatementKind::Fetch {
                is_move,
                direction,
                cursor,
            } => self.fetch_cursor(*is_move, *direction, cursor).map(Some),
            StatementKind::Sql(stmt) => match stmt.as_ref() {
                ast::Statement::Declare { stmts, .. } => {
                    self.declare(parsed, stmts, params).map(Some)
                }
                ast::Statement::Close { cursor } => self.close_cursor(cursor).map(Some),
                ast::Statement::Deallocate { name, .. } => self.deallocate(name).map(Some),
                ast::Statement::Copy { .. } => self.copy(parsed).map(Some),
                _ => Ok(None),
            },
            StatementKind::Maintenance { .. } | StatementKind::Checkpoint => Ok(None),
        }
    }

    /// The result columns of cursor `name`, for a prepared FETCH.
    pub(super) fn cursor_columns(&self, name: &str) -> Option<Vec<ColumnInfo>> {
        self.portals
            .get(name)
            .and_then(|p| p.statement.columns.clone())
    }

    fn declare(
        &mut self,
        parsed: &front::Parsed,
        stmts: &[ast::Declare],
        params: &[Value],
    ) -> Result<Started, SqlError> {
        let [d] = stmts else {
            return Err(SqlError::syntax("syntax error at or near \",\""));
        };
        let (Some(ast::DeclareType::Cursor), Some(query), [name]) =
            (&d.declare_type, &d.for_query, d.names.as_slice())
        else {
            return Err(SqlError::syntax("syntax error at or near \"DECLARE\""));
        };
        let name = ident(name);
        let options = CursorOptions {
            scroll: d.scroll == Some(true),
            hold: d.hold == Some(true),
        };
        if !self.block && !options.hold {
            return Err(SqlError::new(
                SqlState::NO_ACTIVE_SQL_TRANSACTION,
                "DECLARE CURSOR can only be used in transaction blocks",
            ));
        }
        if self.portals.contains_key(&name) {
            return Err(SqlError::new(
                SqlState::DUPLICATE_CURSOR,
                format!("cursor \"{name}\" already exists"),
            ));
        }
        let inner = front::Parsed {
            kind: StatementKind::Sql(Box::new(ast::Statement::Query(query.clone()))),
            text: parsed.text.clone(),
            extras: parsed.extras.clone(),
        };
        // Parameters (a DECLARE sent with Bind) plan as the types of their values.
        let param_types: Vec<_> = params.iter().map(Value::type_oid).collect();
        let ((planned, types, columns), _) = self.with_env(|env, txn| {
            txn.begin_statement()?;
            statement::plan(txn, &inner, env.settings, &param_types, env.search_path)
        })?;
        if !matches!(planned, Planned::Query(_)) {
            return Err(SqlError::syntax("syntax error at or near \"FOR\""));
        }
        let stmt = Arc::new(PreparedStatement {
            parsed: None,
            planned: Some(planned),
            param_types: types,
            columns,
        });
        let mut rows = Rows::plan(stmt.clone(), params.to_vec())?;
        if options.scroll {
            rows = rows.scrollable();
        }
        self.portals.insert(
            name,
            Portal {
                statement: stmt,
                params: params.to_vec(),
                state: PortalState::Rows { rows, tag: None },
                cursor: Some(options),
                held: false,
            },
        );
        Ok(Started::Done(StatementResult::tag("DECLARE CURSOR")))
    }

    fn fetch_cursor(
        &mut self,
        is_move: bool,
        direction: FetchDirection,
        name: &str,
    ) -> Result<Started, SqlError> {
        let Some(mut portal) = self.portals.remove(name) else {
            return Err(no_such_cursor(name));
        };
        let result = match &mut portal.state {
            PortalState::Rows { rows, .. } => self
                .with_env(|env, txn| rows.fetch(env, txn, direction, !is_move))
                .map(|(r, _)| r),
            PortalState::Done(_) => Ok((Vec::new(), 0)),
            PortalState::Unstarted => Err(SqlError::new(
                SqlState::OBJECT_NOT_IN_PREREQUISITE_STATE,
                format!("portal \"{name}\" cannot be run"),
            )),
        };
        let columns = portal.statement.columns.clone();
        self.portals.insert(name.to_owned(), portal);
        let (rows, count) = result?;
        let mut r = StatementResult::tag(&format!(
            "{} {count}",
            if is_move { "MOVE" } else { "FETCH" }
        ));
        if !is_move {
            r.columns = Some(columns.unwrap_or_default());
            r.rows = rows;
        }
        Ok(Started::Done(r))
    }

    fn close_cursor(&mut self, cursor: &ast::CloseCursor) -> Result<Started, SqlError> {
        let closed = match cursor {
            ast::CloseCursor::All => {
                self.portals.clear();
                None
            }
            ast::CloseCursor::Specific { name } => {
                let name = ident(name);
                if self.portals.remove(&name).is_none() {
                    return Err(no_such_cursor(&name));
                }
                Some(name)
            }
        };
        Ok(Started::Outputs(vec![
            Output::PortalsClosed(closed),
            Output::Complete("CLOSE CURSOR".to_owned()),
        ]))
    }

    /// `DEALLOCATE [PREPARE] name | ALL`: drops named prepared statements
    /// (psycopg sends `DEALLOCATE ALL` after a rollback or DDL).
    fn deallocate(&mut self, name: &ast::Ident) -> Result<Started, SqlError> {
        let all = name.quote_style.is_none() && name.value.eq_ignore_ascii_case("all");
        let (dropped, tag) = if all {
            self.statements.retain(|n, _| n.is_empty());
            (None, "DEALLOCATE ALL")
        } else {
            let n = ident(name);
            if self.statements.remove(&n).is_none() {
                return Err(SqlError::new(
                    twill_types::SqlState::INVALID_SQL_STATEMENT_NAME,
                    format!("prepared statement \"{n}\" does not exist"),
                ));
            }
            (Some(n), "DEALLOCATE")
        };
        Ok(Started::Outputs(vec![
            Output::Deallocated(dropped),
            Output::Complete(tag.to_owned()),
        ]))
    }

    /// Reads WITH HOLD cursors to the end so they outlive the commit.
    pub(super) fn hold_cursors(&mut self) -> Result<(), SqlError> {
        let pending = |p: &Portal| p.cursor.is_some_and(|c| c.hold) && !p.held;
        if !self.portals.values().any(pending) {
            return Ok(());
        }
        let mut portals = std::mem::take(&mut self.portals);
        let result = self.with_env(|env, txn| {
            for p in portals.values_mut().filter(|p| pending(p)) {
                if let PortalState::Rows { rows, .. } = &mut p.state {
                    rows.materialize(env, txn)?;
                }
                p.held = true;
            }
            Ok(())
        });
        self.portals = portals;
        result.map(|_| ())
    }
}
