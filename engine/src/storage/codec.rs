//! Payload encodings: commit records, table definitions, rows, sequence
//! states.
//!
//! Plain length-prefixed little-endian fields, written by [`Writer`] and
//! read by [`Reader`], which never panics on bad input (a payload passed
//! its checksum, but a bug or a format change must still be an error, not
//! a crash). A value is its type OID and twill-types' binary encoding —
//! PostgreSQL's `send`/`recv` forms, which round-trip every type — with OID
//! 0 for NULL. Keys are their encoded bytes.

use std::sync::Arc;

use twill_types::{Format, FormatSettings, Value};

use crate::mvcc::{
    Change, CheckDef, ColumnDef, CommitRecord, ForeignKeyDef, IndexDef, Key, ReferentialAction,
    RelationKind, Row, SequenceDef, TableDef, TableId,
};

/// Builds a payload.
#[derive(Default)]
pub(crate) struct Writer {
    pub(crate) out: Vec<u8>,
}

impl Writer {
    pub(crate) fn u8(&mut self, v: u8) {
        self.out.push(v);
    }
    pub(crate) fn u32(&mut self, v: u32) {
        self.out.extend_from_slice(&v.to_le_bytes());
    }
    pub(crate) fn u64(&mut self, v: u64) {
        self.out.extend_from_slice(&v.to_le_bytes());
    }
    pub(crate) fn i64(&mut self, v: i64) {
        self.out.extend_from_slice(&v.to_le_bytes());
    }
    pub(crate) fn bool(&mut self, v: bool) {
        self.out.push(v as u8);
    }
    pub(crate) fn bytes(&mut self, v: &[u8]) {
        self.u32(v.len() as u32);
        self.out.extend_from_slice(v);
    }
    pub(crate) fn str(&mut self, v: &str) {
        self.bytes(v.as_bytes());
    }
    fn opt_str(&mut self, v: Option<&str>) {
        match v {
            Some(s) => {
                self.u8(1);
                self.str(s);
            }
            None => self.u8(0),
        }
    }
    fn positions(&mut self, v: &[usize]) {
        self.u32(v.len() as u32);
        for &p in v {
            self.u32(p as u32);
        }
    }

    /// A value: OID (0 for NULL), then its binary form.
    pub(crate) fn value(&mut self, v: &Value, settings: &FormatSettings) {
        if v.is_null() {
            self.u32(0);
            return;
        }
        self.u32(v.type_oid());
        let at = self.out.len();
        self.u32(0);
        v.encode(Format::Binary, settings, &mut self.out);
        let len = (self.out.len() - at - 4) as u32;
        self.out[at..at + 4].copy_from_slice(&len.to_le_bytes());
    }

    /// A row: its width, then each value.
    pub(crate) fn row(&mut self, row: &[Value], settings: &FormatSettings) {
        self.u32(row.len() as u32);
        for v in row {
            self.value(v, settings);
        }
    }

    /// A table definition, every field.
    pub(crate) fn table_def(&mut self, d: &TableDef) {
        self.u64(d.id.0);
        self.str(&d.name);
        self.u32(d.columns.len() as u32);
        for c in &d.columns {
            self.str(&c.name);
            self.u32(c.type_oid);
            self.u32(c.typmod as u32);
            self.bool(c.nullable);
            self.opt_str(c.default.as_deref());
            self.bool(c.identity);
            self.bool(c.identity_always);
        }
        match &d.primary_key {
            Some(pk) => {
                self.u8(1);
                self.positions(pk);
            }
            None => self.u8(0),
        }
        self.u32(d.indexes.len() as u32);
        for i in &d.indexes {
            self.str(&i.name);
            self.positions(&i.columns);
            self.bool(i.unique);
        }
        match &d.kind {
            RelationKind::Table => self.u8(0),
            RelationKind::View { query } => {
                self.u8(1);
                self.str(query);
            }
            RelationKind::Sequence(s) => {
                self.u8(2);
                self.i64(s.start);
                self.i64(s.increment);
                self.i64(s.min);
                self.i64(s.max);
                self.bool(s.cycle);
                match &s.owned_by {
                    Some((t, c)) => {
                        self.u8(1);
                        self.str(t);
                        self.str(c);
                    }
                    None => self.u8(0),
                }
            }
            RelationKind::Schema => self.u8(3),
        }
        self.u32(d.checks.len() as u32);
        for c in &d.checks {
            self.str(&c.name);
            self.str(&c.expr);
        }
        self.u32(d.foreign_keys.len() as u32);
        for f in &d.foreign_keys {
            self.str(&f.name);
            self.positions(&f.columns);
            self.str(&f.ref_table);
            self.positions(&f.ref_columns);
            self.u8(action_code(f.on_delete));
            self.u8(action_code(f.on_update));
        }
        self.u32(d.depends_on.len() as u32);
        for s in &d.depends_on {
            self.str(s);
        }
    }

    /// A commit record.
    pub(crate) fn commit(&mut self, r: &CommitRecord, settings: &FormatSettings) {
        self.u64(r.csn);
        self.u64(r.txn);
        self.u32(r.changes.len() as u32);
        for c in &r.changes {
            match c {
                Change::CreateTable(d) => {
                    self.u8(1);
                    self.table_def(d);
                }
                Change::AlterTable(d) => {
                    self.u8(2);
                    self.table_def(d);
                }
                Change::DropTable { id, name } => {
                    self.u8(3);
                    self.u64(id.0);
                    self.str(name);
                }
                Change::Put { table, key, row } => {
                    self.u8(4);
                    self.u64(table.0);
                    self.bytes(key.as_bytes());
                    self.row(row, settings);
                }
                Change::Delete { table, key } => {
                    self.u8(5);
                    self.u64(table.0);
                    self.bytes(key.as_bytes());
                }
            }
        }
    }
}

fn action_code(a: ReferentialAction) -> u8 {
    match a {
        ReferentialAction::Restrict => 0,
        ReferentialAction::Cascade => 1,
        ReferentialAction::SetNull => 2,
        ReferentialAction::SetDefault => 3,
    }
}

/// Reads a payload; every method fails rather than panics on bad input.
pub(crate) struct Reader<'a> {
    bytes: &'a [u8],
}

/// A decoding failure (the message says which field).
pub(crate) type DecodeResult<T> = Result<T, String>;

impl<'a> Reader<'a> {
    pub(crate) fn new(bytes: &'a [u8]) -> Reader<'a> {
        Reader { bytes }
    }
    fn take(&mut self, n: usize) -> DecodeResult<&'a [u8]> {
        if self.bytes.len() < n {
            return Err("payload ends early".into());
        }
        let (head, tail) = self.bytes.split_at(n);
        self.bytes = tail;
        Ok(head)
    }
    pub(crate) fn u8(&mut self) -> DecodeResult<u8> {
        Ok(self.take(1)?[0])
    }
    pub(crate) fn u32(&mut self) -> DecodeResult<u32> {
        Ok(u32::from_le_bytes(
            self.take(4)?.try_into().expect("4 bytes"),
        ))
    }
    pub(crate) fn u64(&mut self) -> DecodeResult<u64> {
        Ok(u64::from_le_bytes(
            self.take(8)?.try_into().expect("8 bytes"),
        ))
    }
    pub(crate) fn i64(&mut self) -> DecodeResult<i64> {
        Ok(self.u64()? as i64)
    }
    pub(crate) fn bool(&mut self) -> DecodeResult<bool> {
        Ok(self.u8()? != 0)
    }
    /// A count, sanity-checked against the bytes left (each item takes at
    /// least one byte), so a bad count cannot make a huge allocation.
    fn count(&mut self) -> DecodeResult<usize> {
        let n = self.u32()? as usize;
        if n > self.bytes.len() {
            return Err("count exceeds payload".into());
        }
        Ok(n)
    }
    pub(crate) fn bytes(&mut self) -> DecodeResult<&'a [u8]> {
        let n = self.u32()? as usize;
        self.take(n)
    }
    pub(crate) fn str(&mut self) -> DecodeResult<String> {
        let b = self.bytes()?;
        String::from_utf8(b.to_vec()).map_err(|_| "invalid UTF-8 in a name".to_string())
    }
    fn opt_str(&mut self) -> DecodeResult<Option<String>> {
        Ok(match self.u8()? {
            0 => None,
            _ => Some(self.str()?),
        })
    }
    fn positions(&mut self) -> DecodeResult<Vec<usize>> {
        let n = self.count()?;
        (0..n).map(|_| Ok(self.u32()? as usize)).collect()
    }

    pub(crate) fn value(&mut self, settings: &FormatSettings) -> DecodeResult<Value> {
        let oid = self.u32()?;
        if oid == 0 {
            return Ok(Value::Null);
        }
        let bytes = self.bytes()?;
        Value::decode(oid, Format::Binary, bytes, settings)
            .map_err(|e| format!("value of type {oid}: {}", e.message))
    }

    pub(crate) fn row(&mut self, settings: &FormatSettings) -> DecodeResult<Row> {
        let n = self.count()?;
        let values = (0..n)
            .map(|_| self.value(settings))
            .collect::<DecodeResult<Vec<_>>>()?;
        Ok(values.into())
    }

    pub(crate) fn table_def(&mut self) -> DecodeResult<TableDef> {
        let id = self.u64()?;
        // The store keeps the next free id (id + 1): the largest u64 can
        // never have been handed out, so a log that names it is damaged.
        if id == u64::MAX {
            return Err(format!("table id {id} is out of range"));
        }
        let id = TableId(id);
        let mut d = TableDef::new(self.str()?);
        d.id = id;
        let n = self.count()?;
        for _ in 0..n {
            let mut c = ColumnDef::new(self.str()?, self.u32()?);
            c.typmod = self.u32()? as i32;
            c.nullable = self.bool()?;
            c.default = self.opt_str()?;
            c.identity = self.bool()?;
            c.identity_always = self.bool()?;
            d.columns.push(c);
        }
        d.primary_key = match self.u8()? {
            0 => None,
            _ => Some(self.positions()?),
        };
        let n = self.count()?;
        for _ in 0..n {
            d.indexes.push(IndexDef {
                name: self.str()?,
                columns: self.positions()?,
                unique: self.bool()?,
            });
        }
        d.kind = match self.u8()? {
            0 => RelationKind::Table,
            1 => RelationKind::View { query: self.str()? },
            2 => RelationKind::Sequence(SequenceDef {
                start: self.i64()?,
                increment: self.i64()?,
                min: self.i64()?,
                max: self.i64()?,
                cycle: self.bool()?,
                owned_by: match self.u8()? {
                    0 => None,
                    _ => Some((self.str()?, self.str()?)),
                },
            }),
            3 => RelationKind::Schema,
            k => return Err(format!("unknown relation kind {k}")),
        };
        let n = self.count()?;
        for _ in 0..n {
            d.checks.push(CheckDef {
                name: self.str()?,
                expr: self.str()?,
            });
        }
        let n = self.count()?;
        for _ in 0..n {
            d.foreign_keys.push(ForeignKeyDef {
                name: self.str()?,
                columns: self.positions()?,
                ref_table: self.str()?,
                ref_columns: self.positions()?,
                on_delete: action(self.u8()?)?,
                on_update: action(self.u8()?)?,
            });
        }
        let n = self.count()?;
        for _ in 0..n {
            d.depends_on.push(self.str()?);
        }
        Ok(d)
    }

    pub(crate) fn commit(&mut self, settings: &FormatSettings) -> DecodeResult<CommitRecord> {
        let csn = self.u64()?;
        let txn = self.u64()?;
        let n = self.count()?;
        let mut changes = Vec::with_capacity(n);
        for _ in 0..n {
            changes.push(match self.u8()? {
                1 => Change::CreateTable(Arc::new(self.table_def()?)),
                2 => Change::AlterTable(Arc::new(self.table_def()?)),
                3 => Change::DropTable {
                    id: TableId(self.u64()?),
                    name: self.str()?,
                },
                4 => Change::Put {
                    table: TableId(self.u64()?),
                    key: Key::from_bytes(self.bytes()?.to_vec()),
                    row: self.row(settings)?,
                },
                5 => Change::Delete {
                    table: TableId(self.u64()?),
                    key: Key::from_bytes(self.bytes()?.to_vec()),
                },
                k => return Err(format!("unknown change kind {k}")),
            });
        }
        Ok(CommitRecord { txn, csn, changes })
    }
}

fn action(code: u8) -> DecodeResult<ReferentialAction> {
    Ok(match code {
        0 => ReferentialAction::Restrict,
        1 => ReferentialAction::Cascade,
        2 => ReferentialAction::SetNull,
        3 => ReferentialAction::SetDefault,
        k => return Err(format!("unknown referential action {k}")),
    })
}

/// A sequence state record's payload.
pub(crate) fn sequence_state(id: TableId, last: i64, is_called: bool) -> Vec<u8> {
    let mut w = Writer::default();
    w.u64(id.0);
    w.i64(last);
    w.bool(is_called);
    w.out
}

/// Decodes [`sequence_state`].
pub(crate) fn read_sequence_state(payload: &[u8]) -> DecodeResult<(TableId, i64, bool)> {
    let mut r = Reader::new(payload);
    Ok((TableId(r.u64()?), r.i64()?, r.bool()?))
}
