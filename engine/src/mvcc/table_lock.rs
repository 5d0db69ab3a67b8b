//! Table locks: what keeps DROP TABLE from pulling a table out from under
//! transactions that use it.
//!
//! PostgreSQL has eight table lock modes; the engine needs two of them.
//! Every transaction takes a *shared* lock on a table the first time it
//! reads or writes it (ACCESS SHARE / ROW EXCLUSIVE, which do not conflict
//! with each other), and keeps it until it ends. DROP TABLE takes the
//! *exclusive* lock (ACCESS EXCLUSIVE): it waits until every other user of
//! the table has ended, and whoever comes to the table afterwards waits for
//! the dropper, then finds the table gone (42P01) or, if the drop rolled
//! back, goes on. Waits go through the same waits-for graph as row locks, so
//! a drop that closes a cycle is a deadlock like any other.
//!
//! ```text
//!   T1: insert into t ─────────────── commit
//!   T2:        drop table t ── waits ──────── drops ── commit
//!   T3:                  insert into t ── waits for T2 ───────── 42P01
//! ```
//!
//! A transaction remembers which tables it locked, so after the first use a
//! table lock costs a scan of a short list, not a store lookup.

use std::time::Instant;

use parking_lot::MutexGuard;

use super::error::{Error, Result};
use super::rows::undefined;
use super::schema::TableId;
use super::store::{Shared, Store};
use super::transaction::{TxnInner, Undo};

impl TxnInner {
    /// Takes the shared lock on `table` (once per transaction), waiting for
    /// a dropper; 42P01 if the table is gone.
    pub(crate) fn use_table(
        &mut self,
        shared: &Shared,
        store: &mut MutexGuard<'_, Store>,
        table: TableId,
    ) -> Result<()> {
        if self.tables_used.contains(&table) {
            return Ok(());
        }
        let mut started = None;
        loop {
            let data = store.tables.get(&table).ok_or_else(|| undefined(table))?;
            let name = &data.def.name;
            let live = store
                .catalog
                .get(name)
                .and_then(|chain| match chain.pending_writer() {
                    Some(writer) if writer == self.id => chain.newest(),
                    _ => chain.newest_committed().map(|(_, v)| v),
                });
            if live
                .and_then(|v| v.value.as_ref())
                .is_none_or(|d| d.id != table)
            {
                return Err(Error::UndefinedTable { name: name.clone() });
            }
            let droppers: Vec<_> = data
                .users
                .iter()
                .filter(|(txn, exclusive)| *exclusive && *txn != self.id)
                .map(|(txn, _)| *txn)
                .collect();
            if droppers.is_empty() {
                break;
            }
            let at = *started.get_or_insert_with(Instant::now);
            shared.block(store, self.id, droppers, at, &self.limits)?;
        }
        self.set_table_lock(store, table, false);
        Ok(())
    }

    /// Takes the exclusive lock on `table`, waiting for every other user.
    pub(crate) fn lock_table_exclusive(
        &mut self,
        shared: &Shared,
        store: &mut MutexGuard<'_, Store>,
        table: TableId,
    ) -> Result<()> {
        let mut started = None;
        loop {
            let data = store.tables.get(&table).ok_or_else(|| undefined(table))?;
            let others: Vec<_> = data
                .users
                .iter()
                .filter(|(txn, _)| *txn != self.id)
                .map(|(txn, _)| *txn)
                .collect();
            if others.is_empty() {
                break;
            }
            let at = *started.get_or_insert_with(Instant::now);
            shared.block(store, self.id, others, at, &self.limits)?;
        }
        self.set_table_lock(store, table, true);
        Ok(())
    }

    fn set_table_lock(&mut self, store: &mut Store, table: TableId, exclusive: bool) {
        let Some(data) = store.tables.get_mut(&table) else {
            return;
        };
        let previous = data
            .users
            .iter()
            .find(|(txn, _)| *txn == self.id)
            .map(|(_, e)| *e);
        if previous.is_some_and(|held| held || !exclusive) {
            return;
        }
        data.set_user(self.id, Some(exclusive));
        self.undo.push(Undo::TableLock { table, previous });
        if !self.tables_used.contains(&table) {
            self.tables_used.push(table);
        }
    }
}
