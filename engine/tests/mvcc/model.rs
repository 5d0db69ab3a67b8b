//! Model-based test: random interleavings of transactions on one thread,
//! checked against a `BTreeMap` oracle that encodes the isolation rules.
//!
//! The oracle keeps the committed map with, per key, the sequence number of
//! its last commit, and per transaction its snapshot, its own writes, the
//! keys it locked and (SERIALIZABLE) what it read. From that it predicts
//! every result: what a read returns, which write is a 23505 or a 40001,
//! which commit fails validation. Operations that would block (a key
//! locked by another open transaction) are skipped, since one thread cannot
//! wait for itself; every transaction also has a short `lock_timeout`, so an
//! oracle bug shows up as a failure, not a hang.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use proptest::prelude::*;
use twill_engine::mvcc::{
    CommitOutcome, Engine, Error, IsolationLevel, Key, Row, TableDef, TableId, Transaction,
};
use twill_types::{SqlState, Value};

const SLOTS: usize = 3;
const KEYS: u8 = 5;

#[derive(Debug, Clone)]
enum Op {
    Begin(usize, IsolationLevel),
    Get(usize, u8),
    Put(usize, u8, i64),
    Delete(usize, u8),
    Scan(usize),
    Savepoint(usize),
    RollbackToSavepoint(usize),
    Commit(usize),
    Rollback(usize),
    Vacuum,
}

fn op() -> impl Strategy<Value = Op> {
    let slot = 0..SLOTS;
    let key = 0..KEYS;
    let level = prop_oneof![
        Just(IsolationLevel::ReadCommitted),
        Just(IsolationLevel::RepeatableRead),
        Just(IsolationLevel::Serializable),
    ];
    prop_oneof![
        3 => (slot.clone(), level).prop_map(|(s, l)| Op::Begin(s, l)),
        4 => (slot.clone(), key.clone()).prop_map(|(s, k)| Op::Get(s, k)),
        6 => (slot.clone(), key.clone(), 0..100i64).prop_map(|(s, k, v)| Op::Put(s, k, v)),
        2 => (slot.clone(), key).prop_map(|(s, k)| Op::Delete(s, k)),
        2 => slot.clone().prop_map(Op::Scan),
        1 => slot.clone().prop_map(Op::Savepoint),
        1 => slot.clone().prop_map(Op::RollbackToSavepoint),
        3 => slot.clone().prop_map(Op::Commit),
        1 => slot.prop_map(Op::Rollback),
        1 => Just(Op::Vacuum),
    ]
}

/// Own writes by key; `None` is a deletion.
type Writes = BTreeMap<u8, Option<i64>>;

/// The oracle's view of one open transaction.
struct ModelTxn {
    txn: Transaction,
    level: IsolationLevel,
    /// (sequence number, committed rows) as of the snapshot.
    snapshot: Option<(u64, BTreeMap<u8, i64>)>,
    /// Own writes: `None` is a deletion.
    writes: BTreeMap<u8, Option<i64>>,
    /// Keys this transaction holds a lock on.
    locks: BTreeSet<u8>,
    /// SERIALIZABLE: keys read, and whether it scanned the table.
    reads: BTreeSet<u8>,
    scanned: bool,
    /// Savepoint stack: (writes, locks) when it was set.
    savepoints: Vec<(Writes, BTreeSet<u8>)>,
}

#[derive(Default)]
struct Committed {
    rows: BTreeMap<u8, i64>,
    last_write: BTreeMap<u8, u64>,
    seq: u64,
    /// (sequence number, keys written) of every commit.
    commits: Vec<(u64, BTreeSet<u8>)>,
}

fn key(k: u8) -> Key {
    Key::encode(&[Value::Int4(i32::from(k))])
}

fn row(k: u8, v: i64) -> Row {
    vec![Value::Int4(i32::from(k)), Value::Int8(v)].into()
}

fn value(row: &Row) -> i64 {
    match row[1] {
        Value::Int8(v) => v,
        ref other => panic!("unexpected value {other:?}"),
    }
}

impl ModelTxn {
    fn statement(&mut self, committed: &Committed) {
        self.txn
            .begin_statement()
            .expect("an active transaction starts statements");
        if self.level == IsolationLevel::ReadCommitted || self.snapshot.is_none() {
            self.snapshot = Some((committed.seq, committed.rows.clone()));
        }
    }

    fn snapshot_seq(&self) -> u64 {
        self.snapshot.as_ref().map_or(0, |s| s.0)
    }

    fn visible(&self, k: u8) -> Option<i64> {
        match self.writes.get(&k) {
            Some(own) => *own,
            None => self
                .snapshot
                .as_ref()
                .and_then(|(_, rows)| rows.get(&k).copied()),
        }
    }

    fn visible_all(&self) -> BTreeMap<u8, i64> {
        let mut rows = self
            .snapshot
            .as_ref()
            .map(|s| s.1.clone())
            .unwrap_or_default();
        for (k, v) in &self.writes {
            match v {
                Some(v) => rows.insert(*k, *v),
                None => rows.remove(k),
            };
        }
        rows
    }

    fn serializable(&self) -> bool {
        self.level == IsolationLevel::Serializable
    }

    fn changed_since_snapshot(&self, committed: &Committed, k: u8) -> bool {
        committed
            .last_write
            .get(&k)
            .is_some_and(|&seq| seq > self.snapshot_seq())
    }
}

fn run(ops: Vec<Op>) {
    let engine = Engine::default();
    let table: TableId = {
        let mut txn = engine.begin(IsolationLevel::ReadCommitted);
        let t = txn
            .create_table(TableDef {
                primary_key: Some(vec![0]),
                ..TableDef::new("t")
            })
            .expect("create");
        assert_eq!(txn.commit(), Ok(CommitOutcome::Committed));
        t
    };
    let mut committed = Committed::default();
    let mut slots: Vec<Option<ModelTxn>> = (0..SLOTS).map(|_| None).collect();

    for op in ops {
        let slot = match &op {
            Op::Vacuum => {
                engine.vacuum();
                continue;
            }
            Op::Begin(s, level) => {
                if slots[*s].is_none() {
                    let mut txn = engine.begin(*level);
                    txn.set_lock_timeout(Some(Duration::from_millis(200)));
                    slots[*s] = Some(ModelTxn {
                        txn,
                        level: *level,
                        snapshot: None,
                        writes: BTreeMap::new(),
                        locks: BTreeSet::new(),
                        reads: BTreeSet::new(),
                        scanned: false,
                        savepoints: Vec::new(),
                    });
                }
                continue;
            }
            Op::Get(s, _)
            | Op::Put(s, _, _)
            | Op::Delete(s, _)
            | Op::Scan(s)
            | Op::Savepoint(s)
            | Op::RollbackToSavepoint(s)
            | Op::Commit(s)
            | Op::Rollback(s) => *s,
        };
        let locked_by_others: BTreeSet<u8> = slots
            .iter()
            .enumerate()
            .filter(|(i, _)| *i != slot)
            .filter_map(|(_, t)| t.as_ref())
            .flat_map(|t| t.locks.iter().copied())
            .collect();
        let Some(mut m) = slots[slot].take() else {
            continue;
        };
        // `Some(expected error)` ends the transaction after the check.
        let mut failed: Option<Error> = None;
        match op {
            Op::Get(_, k) => {
                m.statement(&committed);
                let got = m.txn.get(table, &key(k)).expect("get");
                assert_eq!(got.as_ref().map(value), m.visible(k), "get {k}");
                m.reads.insert(k);
            }
            Op::Scan(_) => {
                m.statement(&committed);
                let got: BTreeMap<u8, i64> = m
                    .txn
                    .scan(table, ..)
                    .expect("scan")
                    .map(|r| {
                        let (_, row) = r.expect("scan row");
                        let Value::Int4(k) = row[0] else {
                            panic!("bad key")
                        };
                        (k as u8, value(&row))
                    })
                    .collect();
                assert_eq!(got, m.visible_all(), "scan");
                m.scanned = true;
            }
            Op::Put(_, k, v) if !locked_by_others.contains(&k) => {
                m.statement(&committed);
                if m.visible(k).is_some() {
                    m.reads.insert(k);
                    let own = m.writes.contains_key(&k);
                    let result = m.txn.update(table, &key(k), row(k, v));
                    if !own
                        && m.level != IsolationLevel::ReadCommitted
                        && m.changed_since_snapshot(&committed, k)
                    {
                        assert_eq!(
                            result.as_ref().map_err(Error::sqlstate),
                            Err(SqlState::T_R_SERIALIZATION_FAILURE)
                        );
                        failed = result.err();
                    } else {
                        assert_eq!(result, Ok(true), "update {k}");
                        m.writes.insert(k, Some(v));
                        m.locks.insert(k);
                    }
                } else {
                    let result = m.txn.insert(table, row(k, v));
                    let own_delete = m.writes.get(&k) == Some(&None);
                    if !own_delete && committed.rows.contains_key(&k) {
                        let expected = if m.serializable() && (m.reads.contains(&k) || m.scanned) {
                            SqlState::T_R_SERIALIZATION_FAILURE
                        } else {
                            SqlState::UNIQUE_VIOLATION
                        };
                        assert_eq!(
                            result.as_ref().map_err(Error::sqlstate),
                            Err(expected),
                            "insert {k}"
                        );
                        failed = result.err();
                    } else {
                        assert_eq!(result, Ok(key(k)), "insert {k}");
                        m.writes.insert(k, Some(v));
                        m.locks.insert(k);
                    }
                }
            }
            Op::Delete(_, k) if !locked_by_others.contains(&k) => {
                m.statement(&committed);
                let result = m.txn.delete(table, &key(k));
                // DELETE … WHERE k = … reads k even when it finds nothing.
                m.reads.insert(k);
                if m.visible(k).is_none() {
                    assert_eq!(result, Ok(false), "delete invisible {k}");
                } else {
                    m.reads.insert(k);
                    let own = m.writes.contains_key(&k);
                    if !own
                        && m.level != IsolationLevel::ReadCommitted
                        && m.changed_since_snapshot(&committed, k)
                    {
                        assert_eq!(
                            result.as_ref().map_err(Error::sqlstate),
                            Err(SqlState::T_R_SERIALIZATION_FAILURE)
                        );
                        failed = result.err();
                    } else {
                        assert_eq!(result, Ok(true), "delete {k}");
                        m.writes.insert(k, None);
                        m.locks.insert(k);
                    }
                }
            }
            Op::Put(..) | Op::Delete(..) => {}
            Op::Savepoint(_) => {
                m.txn.savepoint("sp").expect("savepoint");
                m.savepoints.push((m.writes.clone(), m.locks.clone()));
            }
            Op::RollbackToSavepoint(_) => {
                let result = m.txn.rollback_to_savepoint("sp");
                match m.savepoints.last() {
                    Some((writes, locks)) => {
                        assert_eq!(result, Ok(()));
                        m.writes = writes.clone();
                        m.locks = locks.clone();
                    }
                    None => {
                        assert_eq!(result, Err(Error::NoSuchSavepoint { name: "sp".into() }));
                        failed = result.err();
                    }
                }
            }
            Op::Commit(_) => {
                let seq = m.snapshot_seq();
                let conflict = m.serializable()
                    && !m.writes.is_empty()
                    && committed.commits.iter().any(|(s, keys)| {
                        *s > seq
                            && (keys.iter().any(|k| m.reads.contains(k))
                                || (m.scanned && !keys.is_empty()))
                    });
                let result = m.txn.commit();
                if conflict {
                    assert_eq!(result, Err(Error::ReadWriteDependency));
                } else {
                    assert_eq!(result, Ok(CommitOutcome::Committed));
                    if !m.writes.is_empty() {
                        committed.seq += 1;
                        let seq = committed.seq;
                        for (k, v) in &m.writes {
                            match v {
                                Some(v) => committed.rows.insert(*k, *v),
                                None => committed.rows.remove(k),
                            };
                            committed.last_write.insert(*k, seq);
                        }
                        committed
                            .commits
                            .push((seq, m.writes.keys().copied().collect()));
                    }
                }
                continue;
            }
            Op::Rollback(_) => {
                m.txn.rollback();
                continue;
            }
            Op::Begin(..) | Op::Vacuum => unreachable!("handled above"),
        }
        if failed.is_some() {
            // An error fails the transaction; the session rolls back.
            m.txn.rollback();
        } else {
            slots[slot] = Some(m);
        }
    }
    for m in slots.into_iter().flatten() {
        m.txn.rollback();
    }
    let mut check = engine.begin(IsolationLevel::ReadCommitted);
    let rows: BTreeMap<u8, i64> = check
        .scan(table, ..)
        .expect("scan")
        .map(|r| {
            let (_, row) = r.expect("row");
            let Value::Int4(k) = row[0] else {
                panic!("bad key")
            };
            (k as u8, value(&row))
        })
        .collect();
    assert_eq!(rows, committed.rows);
    check.rollback();
    engine.vacuum();
    let stats = engine.stats();
    assert_eq!(stats.active_transactions, 0);
    assert_eq!(
        stats.row_versions,
        committed.rows.len(),
        "vacuum leaves one version per live row"
    );
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1000, ..ProptestConfig::default() })]

    #[test]
    fn transactions_match_the_oracle(ops in prop::collection::vec(op(), 1..60)) {
        run(ops);
    }
}
