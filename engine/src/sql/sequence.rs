//! Sequences: CREATE/DROP SEQUENCE, serial and identity columns, and the
//! non-transactional counters behind `nextval`.
//!
//! A sequence's definition is a catalog entry (`RelationKind::Sequence`),
//! created and dropped transactionally like a table. Its *value* is not:
//! as in PostgreSQL, `nextval` is never rolled back, so two transactions
//! never get the same number and a rolled-back insert leaves a gap. The
//! counters live in [`Sequences`], shared by every session of a database.
//!
//! Durability (a `file://` database): a value handed out must never be
//! handed out again after a crash. Like PostgreSQL, a counter logs ahead:
//! when it runs out of logged values it appends one [`SequenceLog`] record
//! covering the next [`LOG_AHEAD`] values, and every `nextval` waits until
//! the record covering its value is durable (one wait per 32 values; most
//! find it durable already). Recovery restores each counter to the last
//! logged state, so after a crash it may skip up to 32 values, never
//! repeat one.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use sqlparser::ast;
use twill_types::SqlState;

use crate::mvcc::{SequenceDef, TableDef, TableId, Transaction};
use crate::sql::catalog::{lookup, split_key};
use crate::sql::error::SqlError;
use crate::sql::plan::query::object_parts;

/// How many values one sequence log record covers.
pub(crate) const LOG_AHEAD: u32 = 32;

/// Where sequence states go to be durable (the WAL of a `file://`
/// database).
pub(crate) trait SequenceLog: Send + Sync {
    /// Appends a sequence's state (`last`, `is_called`); returns a ticket
    /// for [`SequenceLog::wait`]. Called under the counters' lock, so log
    /// order is counter order.
    fn log(&self, id: TableId, last: i64, is_called: bool) -> Result<u64, SqlError>;
    /// Returns once the record with this ticket is durable.
    fn wait(&self, ticket: u64) -> Result<(), SqlError>;
}

/// One sequence's counter.
#[derive(Debug, Clone)]
struct Counter {
    def: SequenceDef,
    name: String,
    last: i64,
    is_called: bool,
    /// Values after `last` covered by the last log record.
    prelogged: u32,
    /// The state of the last log record (what recovery would restore).
    logged: Option<(i64, bool)>,
    /// The ticket of the last log record: a value is handed out only once
    /// it is durable.
    ticket: u64,
}

/// The counters of every sequence of a database.
#[derive(Default)]
pub(crate) struct Sequences {
    counters: Mutex<HashMap<TableId, Counter>>,
    /// The log, for a durable database.
    log: Option<Arc<dyn SequenceLog>>,
}

impl std::fmt::Debug for Sequences {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sequences").finish_non_exhaustive()
    }
}

/// The value after `last`, or `None` at the limit without CYCLE.
fn step(d: &SequenceDef, last: i64) -> Option<i64> {
    match last.checked_add(d.increment) {
        Some(n) if n >= d.min && n <= d.max => Some(n),
        _ if d.cycle => Some(if d.increment > 0 { d.min } else { d.max }),
        _ => None,
    }
}

fn limit_error(name: &str, max: bool, v: i64) -> SqlError {
    SqlError::new(
        SqlState::SEQUENCE_GENERATOR_LIMIT_EXCEEDED,
        format!(
            "nextval: reached {} value of sequence \"{name}\" ({v})",
            if max { "maximum" } else { "minimum" }
        ),
    )
}

impl Sequences {
    /// Counters whose advances go to `log`.
    pub(crate) fn with_log(log: Arc<dyn SequenceLog>) -> Sequences {
        Sequences {
            counters: Mutex::default(),
            log: Some(log),
        }
    }

    /// The state recovery would restore for each counter (the logged one,
    /// which is at or ahead of every value handed out): what a checkpoint
    /// writes.
    pub(crate) fn durable_states(&self) -> Vec<(TableId, i64, bool)> {
        let all = self.counters.lock().expect("sequences lock");
        all.iter()
            .map(|(id, c)| {
                let (last, is_called) = c.logged.unwrap_or((c.last, c.is_called));
                (*id, last, is_called)
            })
            .collect()
    }

    /// Recovery: sets a counter to a logged state.
    pub(crate) fn restore(&self, id: TableId, last: i64, is_called: bool) {
        if let Some(c) = self.counters.lock().expect("sequences lock").get_mut(&id) {
            c.last = last;
            c.is_called = is_called;
            c.prelogged = 0;
            c.logged = Some((last, is_called));
        }
    }

    /// Logs `c`'s state as it is now (setval, restart); returns the ticket.
    fn log_exact(&self, id: TableId, c: &mut Counter) -> Result<u64, SqlError> {
        let Some(log) = &self.log else {
            return Ok(0);
        };
        c.ticket = log.log(id, c.last, c.is_called)?;
        c.logged = Some((c.last, c.is_called));
        c.prelogged = 0;
        Ok(c.ticket)
    }

    fn wait(&self, ticket: u64) -> Result<(), SqlError> {
        match &self.log {
            Some(log) if ticket > 0 => log.wait(ticket),
            _ => Ok(()),
        }
    }

    /// Registers a new sequence's counter.
    pub(crate) fn create(&self, id: TableId, name: &str, def: &SequenceDef) {
        let mut c = self.counters.lock().expect("sequences lock");
        c.insert(
            id,
            Counter {
                def: def.clone(),
                name: name.to_owned(),
                last: def.start,
                is_called: false,
                prelogged: 0,
                logged: None,
                ticket: 0,
            },
        );
    }

    /// `nextval`.
    pub(crate) fn next(&self, id: TableId) -> Result<i64, SqlError> {
        let (value, ticket) = {
            let mut all = self.counters.lock().expect("sequences lock");
            let c = all.get_mut(&id).ok_or_else(|| {
                SqlError::new(SqlState::UNDEFINED_TABLE, "sequence does not exist")
            })?;
            let value = if c.is_called {
                step(&c.def, c.last).ok_or_else(|| {
                    let d = &c.def;
                    limit_error(
                        &c.name,
                        d.increment > 0,
                        if d.increment > 0 { d.max } else { d.min },
                    )
                })?
            } else {
                c.last
            };
            c.last = value;
            c.is_called = true;
            if let Some(log) = &self.log {
                if c.prelogged == 0 {
                    // Log the state LOG_AHEAD - 1 steps ahead (or the
                    // last reachable one): those values need no record.
                    let mut bound = value;
                    let mut ahead = 0;
                    while ahead < LOG_AHEAD - 1 {
                        match step(&c.def, bound) {
                            Some(n) => bound = n,
                            None => break,
                        }
                        ahead += 1;
                    }
                    c.ticket = log.log(id, bound, true)?;
                    c.logged = Some((bound, true));
                    c.prelogged = ahead;
                } else {
                    c.prelogged -= 1;
                }
            }
            (value, c.ticket)
        };
        self.wait(ticket)?;
        Ok(value)
    }

    /// `setval(seq, value, is_called)`.
    pub(crate) fn set(&self, id: TableId, value: i64, is_called: bool) -> Result<i64, SqlError> {
        let mut all = self.counters.lock().expect("sequences lock");
        let c = all
            .get_mut(&id)
            .ok_or_else(|| SqlError::new(SqlState::UNDEFINED_TABLE, "sequence does not exist"))?;
        if value < c.def.min || value > c.def.max {
            return Err(SqlError::new(
                SqlState::NUMERIC_VALUE_OUT_OF_RANGE,
                format!(
                    "setval: value {value} is out of bounds for sequence \"{}\" ({}..{})",
                    c.name, c.def.min, c.def.max
                ),
            ));
        }
        c.last = value;
        c.is_called = is_called;
        let ticket = self.log_exact(id, c)?;
        drop(all);
        self.wait(ticket)?;
        Ok(value)
    }

    /// Restarts a sequence (TRUNCATE … RESTART IDENTITY).
    pub(crate) fn restart(&self, id: TableId) {
        let ticket = {
            let mut all = self.counters.lock().expect("sequences lock");
            let Some(c) = all.get_mut(&id) else {
                return;
            };
            c.last = c.def.start;
            c.is_called = false;
            // A failed log is fatal and reported by the next commit.
            self.log_exact(id, c).unwrap_or(0)
        };
        let _ = self.wait(ticket);
    }
}

fn int(e: &ast::Expr) -> Result<i64, SqlError> {
    let text = e.to_string().replace(' ', "");
    text.parse().map_err(|_| {
        SqlError::new(
            SqlState::INVALID_PARAMETER_VALUE,
            format!("invalid sequence parameter: {text}"),
        )
    })
}

/// A sequence definition from CREATE SEQUENCE (or identity) options.
pub(crate) fn definition(
    options: &[ast::SequenceOptions],
    bits: u32,
) -> Result<SequenceDef, SqlError> {
    let mut increment = 1i64;
    let mut min = None;
    let mut max = None;
    let mut start = None;
    let mut cycle = false;
    let mut bits = bits;
    for o in options {
        match o {
            ast::SequenceOptions::IncrementBy(e, _) => increment = int(e)?,
            ast::SequenceOptions::MinValue(e) => min = e.as_ref().map(int).transpose()?,
            ast::SequenceOptions::MaxValue(e) => max = e.as_ref().map(int).transpose()?,
            ast::SequenceOptions::StartWith(e, _) => start = Some(int(e)?),
            ast::SequenceOptions::Cache(_) => {}
            ast::SequenceOptions::Cycle(no) => cycle = !*no,
            ast::SequenceOptions::OwnedBy(_) => {}
            ast::SequenceOptions::DataType(t) => {
                bits = match crate::sql::types::resolve_data_type(t)?.0 {
                    twill_types::oid::INT2 => 16,
                    twill_types::oid::INT4 => 32,
                    twill_types::oid::INT8 => 64,
                    _ => {
                        return Err(SqlError::new(
                            SqlState::INVALID_PARAMETER_VALUE,
                            "sequence type must be smallint, integer, or bigint",
                        ));
                    }
                }
            }
        }
    }
    if increment == 0 {
        return Err(SqlError::new(
            SqlState::INVALID_PARAMETER_VALUE,
            "INCREMENT must not be zero",
        ));
    }
    let type_max = match bits {
        16 => i16::MAX as i64,
        32 => i32::MAX as i64,
        _ => i64::MAX,
    };
    let (min, max) = if increment > 0 {
        (min.unwrap_or(1), max.unwrap_or(type_max))
    } else {
        (min.unwrap_or(-type_max - 1), max.unwrap_or(-1))
    };
    let start = start.unwrap_or(if increment > 0 { min } else { max });
    if min >= max {
        return Err(SqlError::new(
            SqlState::INVALID_PARAMETER_VALUE,
            format!("MINVALUE ({min}) must be less than MAXVALUE ({max})"),
        ));
    }
    if start < min {
        return Err(SqlError::new(
            SqlState::INVALID_PARAMETER_VALUE,
            format!("START value ({start}) cannot be less than MINVALUE ({min})"),
        ));
    }
    if start > max {
        return Err(SqlError::new(
            SqlState::INVALID_PARAMETER_VALUE,
            format!("START value ({start}) cannot be greater than MAXVALUE ({max})"),
        ));
    }
    Ok(SequenceDef {
        start,
        increment,
        min,
        max,
        cycle,
        owned_by: None,
    })
}

/// Creates a sequence relation at catalog key `key`.
pub(crate) fn create(
    txn: &mut Transaction,
    sequences: &Sequences,
    key: &str,
    def: SequenceDef,
) -> Result<TableId, SqlError> {
    let short = split_key(key).1.to_owned();
    crate::sql::objects::ensure_schema_of(txn, key)?;
    if lookup(txn, key)?.is_some() {
        return Err(SqlError::new(
            SqlState::DUPLICATE_TABLE,
            format!("relation \"{short}\" already exists"),
        ));
    }
    let mut table = TableDef::new(key);
    table.kind = crate::mvcc::RelationKind::Sequence(def.clone());
    let id = txn.create_table(table)?;
    sequences.create(id, &short, &def);
    Ok(id)
}

/// CREATE SEQUENCE. Returns false when IF NOT EXISTS skipped it.
pub(crate) fn create_statement(
    txn: &mut Transaction,
    sequences: &Sequences,
    if_not_exists: bool,
    name: &ast::ObjectName,
    options: &[ast::SequenceOptions],
    search_path: &[String],
) -> Result<bool, SqlError> {
    let (key, _) = crate::sql::ddl::key_for(name, search_path);
    if if_not_exists && lookup(txn, &key)?.is_some() {
        return Ok(false);
    }
    let mut def = definition(options, 64)?;
    for o in options {
        if let ast::SequenceOptions::OwnedBy(Some(owner)) = o {
            let parts = object_parts(owner);
            if let [.., t, c] = parts.as_slice() {
                def.owned_by = Some((t.clone(), c.clone()));
            }
        }
    }
    create(txn, sequences, &key, def)?;
    Ok(true)
}
