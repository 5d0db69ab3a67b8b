//! Anonymous record types: which fields a `record` value has.
//!
//! A function returning `record` — `information_schema._pg_expandarray`,
//! whose rows are `(x, n)` — has no named composite type in the catalog,
//! yet `(_pg_expandarray(a)).n` and `(t.keys).x` must bind to a typed
//! field. PostgreSQL solves this with its backend's record type cache: a
//! `record` typmod indexes a registered tuple descriptor. So do we: the
//! planner registers the field list once and types the expression
//! `record` with that index as its typmod; the typmod travels with the
//! column through derived tables like any other typmod, and field
//! selection ([`Expr::FieldSelect`](super::Expr::FieldSelect)) looks the
//! fields up by it.
//!
//! ```text
//!   _pg_expandarray(int2[])  ──register([x int2, n int4])──▶  record, typmod 0
//!   (t.keys).x               ──fields(0)[x]────────────────▶  FieldSelect { index 0, int2 }
//! ```
//!
//! Descriptors are interned, so the table holds one entry per distinct
//! field list the process has planned (a handful: one per element type of
//! `_pg_expandarray`), never one per query.

use std::sync::{Arc, Mutex, OnceLock};

use twill_types::Oid;

/// A record's fields, in order: name and type.
pub(crate) type Fields = Arc<[(String, Oid)]>;

fn table() -> &'static Mutex<Vec<Fields>> {
    static TABLE: OnceLock<Mutex<Vec<Fields>>> = OnceLock::new();
    TABLE.get_or_init(|| Mutex::new(Vec::new()))
}

/// The typmod of a `record` with these fields (registered on first use).
pub(crate) fn register(fields: &[(&str, Oid)]) -> i32 {
    // A poisoned lock only means another thread panicked mid-push; the
    // vector itself is always valid.
    let mut t = table().lock().unwrap_or_else(|p| p.into_inner());
    let same = |f: &Fields| {
        f.len() == fields.len()
            && f.iter()
                .zip(fields)
                .all(|((n, t), (m, u))| n == m && t == u)
    };
    if let Some(i) = t.iter().position(same) {
        return i as i32;
    }
    t.push(fields.iter().map(|&(n, ty)| (n.to_owned(), ty)).collect());
    (t.len() - 1) as i32
}

/// The fields of the `record` typmod `typmod`, if one was registered.
pub(crate) fn fields(typmod: i32) -> Option<Fields> {
    let t = table().lock().unwrap_or_else(|p| p.into_inner());
    usize::try_from(typmod).ok().and_then(|i| t.get(i).cloned())
}

#[cfg(test)]
mod tests {
    use twill_types::oid;

    #[test]
    fn interned_by_field_list() {
        let a = super::register(&[("x", oid::INT2), ("n", oid::INT4)]);
        let b = super::register(&[("x", oid::INT2), ("n", oid::INT4)]);
        let c = super::register(&[("x", oid::TEXT), ("n", oid::INT4)]);
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert_eq!(super::fields(c).unwrap()[0], ("x".to_owned(), oid::TEXT));
        assert!(super::fields(-1).is_none());
    }
}
