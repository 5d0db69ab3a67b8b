//! The session's answers to session-state functions: sequences
//! (`nextval`…), settings (`current_setting`, `set_config`), `pg_sleep`,
//! and relation names in `'t'::regclass` casts.
//!
//! Expressions reach these through `PlannerValues::session_call` (see
//! `sql/expr/functions/session.rs`); the executor hands the call, with the
//! transaction, to [`SessionHooks::call`].

use std::cell::RefCell;
use std::collections::HashMap;
use std::time::{Duration, Instant};

use twill_types::{SqlState, Value};

use super::settings::Settings;
use crate::mvcc::{RelationKind, TableDef, TableId, Transaction};
use crate::sql::catalog::{lookup, table_oid};
use crate::sql::error::SqlError;
use crate::sql::exec::SessionHooks;
use crate::sql::sequence::Sequences;

/// Session state the hooks read and change during one statement.
pub(crate) struct Hooks<'s> {
    pub sequences: &'s Sequences,
    pub settings: RefCell<&'s mut Settings>,
    /// `currval` per sequence and `lastval`, for this session.
    pub last: RefCell<&'s mut HashMap<TableId, i64>>,
    pub lastval: RefCell<&'s mut Option<TableId>>,
    /// Reportable settings changed by `set_config`.
    pub changed: RefCell<Vec<(String, String)>>,
}

/// Splits a possibly qualified, possibly quoted relation name.
fn name_parts(text: &str) -> Vec<String> {
    let mut parts = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    let mut was_quoted = false;
    let mut chars = text.trim().chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                cur.push('"');
                chars.next();
            }
            '"' => {
                quoted = !quoted;
                was_quoted = true;
            }
            '.' if !quoted => {
                parts.push(if was_quoted {
                    std::mem::take(&mut cur)
                } else {
                    std::mem::take(&mut cur).to_lowercase()
                });
                was_quoted = false;
            }
            c => cur.push(c),
        }
    }
    parts.push(if was_quoted { cur } else { cur.to_lowercase() });
    parts
}

impl Hooks<'_> {
    fn relation(
        &self,
        txn: &mut Transaction,
        text: &str,
    ) -> Result<std::sync::Arc<TableDef>, SqlError> {
        let parts = name_parts(text);
        let path = self.settings.borrow().search_path();
        match crate::sql::catalog::resolve(txn, &parts, &path)? {
            Some((_, def)) => Ok(def),
            None => Err(SqlError::new(
                SqlState::UNDEFINED_TABLE,
                format!("relation \"{text}\" does not exist"),
            )),
        }
    }

    /// The sequence a regclass value names.
    fn sequence(&self, txn: &mut Transaction, v: &Value) -> Result<(TableId, String), SqlError> {
        let def = match v {
            Value::RegClass(oid) => {
                let id =
                    TableId(((oid.saturating_sub(crate::sql::catalog::FIRST_USER_OID)) / 2) as u64);
                let names = txn.table_names()?;
                let mut found = None;
                for n in names {
                    if let Some(d) = lookup(txn, &n)?
                        && d.id == id
                    {
                        found = Some(d);
                        break;
                    }
                }
                found.ok_or_else(|| {
                    SqlError::new(
                        SqlState::UNDEFINED_TABLE,
                        format!("could not open relation with OID {oid}"),
                    )
                })?
            }
            Value::Text(t) => self.relation(txn, t)?,
            _ => {
                return Err(SqlError::internal(
                    "sequence argument of an unexpected type",
                ));
            }
        };
        let short = crate::sql::catalog::split_key(&def.name).1.to_owned();
        match def.kind {
            RelationKind::Sequence(_) => Ok((def.id, short)),
            _ => Err(SqlError::new(
                SqlState::WRONG_OBJECT_TYPE,
                format!("\"{short}\" is not a sequence"),
            )),
        }
    }
}

fn int(v: &Value) -> i64 {
    match v {
        Value::Int2(n) => *n as i64,
        Value::Int4(n) => *n as i64,
        Value::Int8(n) => *n,
        _ => 0,
    }
}

impl SessionHooks for Hooks<'_> {
    fn call(&self, txn: &mut Transaction, name: &str, args: &[Value]) -> Result<Value, SqlError> {
        match name {
            "regclass" => {
                let Some(Value::Text(t)) = args.first() else {
                    return Err(SqlError::internal("regclass of a non-text value"));
                };
                let def = self.relation(txn, t)?;
                Ok(Value::RegClass(table_oid(def.id)))
            }
            "nextval" => {
                let (id, _) = self.sequence(txn, &args[0])?;
                let v = self.sequences.next(id)?;
                self.last.borrow_mut().insert(id, v);
                **self.lastval.borrow_mut() = Some(id);
                Ok(Value::Int8(v))
            }
            "currval" => {
                let (id, short) = self.sequence(txn, &args[0])?;
                match self.last.borrow().get(&id) {
                    Some(v) => Ok(Value::Int8(*v)),
                    None => Err(SqlError::new(
                        SqlState::OBJECT_NOT_IN_PREREQUISITE_STATE,
                        format!(
                            "currval of sequence \"{short}\" is not yet defined in this session"
                        ),
                    )),
                }
            }
            "lastval" => {
                let id = **self.lastval.borrow();
                match id.and_then(|id| self.last.borrow().get(&id).copied()) {
                    Some(v) => Ok(Value::Int8(v)),
                    None => Err(SqlError::new(
                        SqlState::OBJECT_NOT_IN_PREREQUISITE_STATE,
                        "lastval is not yet defined in this session",
                    )),
                }
            }
            "setval" => {
                let (id, _) = self.sequence(txn, &args[0])?;
                let value = int(&args[1]);
                let called = !matches!(args.get(2), Some(Value::Bool(false)));
                self.sequences.set(id, value, called)?;
                if called {
                    self.last.borrow_mut().insert(id, value);
                }
                Ok(Value::Int8(value))
            }
            "current_setting" => {
                let Some(Value::Text(n)) = args.first() else {
                    return Err(SqlError::internal("current_setting of a non-text value"));
                };
                let missing_ok = matches!(args.get(1), Some(Value::Bool(true)));
                match self.settings.borrow().get(n) {
                    Some(v) => Ok(Value::Text(v)),
                    None if missing_ok => Ok(Value::Null),
                    None => Err(SqlError::new(
                        SqlState::UNDEFINED_OBJECT,
                        format!("unrecognized configuration parameter \"{n}\""),
                    )),
                }
            }
            "set_config" => {
                let (Some(Value::Text(n)), Some(v)) = (args.first(), args.get(1)) else {
                    return Err(SqlError::new(
                        SqlState::NULL_VALUE_NOT_ALLOWED,
                        "SET requires parameter name",
                    ));
                };
                let value = match v {
                    Value::Text(t) => t.clone(),
                    _ => String::new(),
                };
                let mut settings = self.settings.borrow_mut();
                settings.set(n, &value)?;
                let now = settings.get(n).unwrap_or_default();
                if let Some(reported) = settings.reportable_name(n) {
                    self.changed.borrow_mut().push((reported, now.clone()));
                }
                Ok(Value::Text(now))
            }
            "pg_sleep" => {
                let secs = match args.first() {
                    Some(Value::Float8(f)) => *f,
                    _ => 0.0,
                };
                // NaN sleeps not at all, as in PostgreSQL (its loop's
                // comparisons fail); clamp alone would keep the NaN.
                let secs = if secs.is_nan() {
                    0.0
                } else {
                    secs.clamp(0.0, 1e6)
                };
                let until = Instant::now() + Duration::from_secs_f64(secs);
                loop {
                    txn.check_interrupts()?;
                    let now = Instant::now();
                    if now >= until {
                        return Ok(Value::Void);
                    }
                    std::thread::sleep((until - now).min(Duration::from_millis(10)));
                }
            }
            other => Err(SqlError::unsupported(format!("{other}() is not supported"))),
        }
    }
}
