//! The OID scheme: every catalog object gets an OID that is stable for the
//! life of the object and can be turned back into the object.
//!
//! ```text
//! 0 ..= 16383            PostgreSQL's own: types (twill-types), namespaces
//!                        11/99/2200, catalogs (1259 pg_class…), am 2/403,
//!                        collations 100/950/951, databases 1/4/5, role 10
//! 12001 ..= 13999        system views (pg_roles, information_schema.*)
//! 13000                  information_schema's namespace
//! 16384 + 2·id           user relations and schemas (catalog::table_oid)
//! 0x3000_0000 + n        registry proc n (pg_proc, pg_operator)
//! 0x3800_0000 + hash     schemas named only by table keys
//! 0x4000_0000 + 2048·id  objects owned by relation `id`:
//!     + 0·256 + slot       index: slot 0 = primary key, 1 + i = indexes[i]
//!     + 1·256 + slot       the constraint of that index (pkey / unique)
//!     + 2·256 + i          CHECK constraint checks[i]
//!     + 3·256 + i          FOREIGN KEY constraint foreign_keys[i]
//!     + 4·256 + attnum     pg_attrdef row of column attnum
//! ```
//!
//! Index and constraint OIDs follow their position in the table
//! definition, so dropping an earlier index renumbers later ones. Slots
//! above 255 (more than 255 indexes or defaults on one table) are not
//! representable and are left out of the catalogs.

use twill_types::Oid;

use crate::mvcc::TableId;

/// `pg_catalog`.
pub(crate) const PG_CATALOG_NAMESPACE: Oid = 11;
/// `pg_toast`.
pub(crate) const PG_TOAST_NAMESPACE: Oid = 99;
/// `public`.
pub(crate) const PUBLIC_NAMESPACE: Oid = 2200;
/// `information_schema` (dynamic in PostgreSQL; fixed here).
pub(crate) const INFORMATION_SCHEMA_NAMESPACE: Oid = 13000;
/// The bootstrap superuser: the session user is always this role.
pub(crate) const SUPERUSER: Oid = 10;
/// `pg_am`: heap.
pub(crate) const HEAP_AM: Oid = 2;
/// `pg_am`: btree.
pub(crate) const BTREE_AM: Oid = 403;
/// `pg_tablespace`: pg_default.
pub(crate) const DEFAULT_TABLESPACE: Oid = 1663;
/// `pg_collation`: default.
pub(crate) const DEFAULT_COLLATION: Oid = 100;
/// `pg_collation`: "C".
pub(crate) const C_COLLATION: Oid = 950;
/// `pg_language`: internal.
pub(crate) const INTERNAL_LANGUAGE: Oid = 12;

/// The first OID of registry procs.
pub(crate) const PROC_BASE: Oid = 0x3000_0000;
const IMPLICIT_NAMESPACE_BASE: Oid = 0x3800_0000;
const OWNED_BASE: Oid = 0x4000_0000;
const PER_TABLE: Oid = 2048;

/// What an owned-object OID stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Owned {
    /// Slot 0: the primary key index; 1 + i: `indexes[i]`.
    Index(usize),
    /// The constraint of index slot n.
    IndexConstraint(usize),
    /// `checks[i]`.
    Check(usize),
    /// `foreign_keys[i]`.
    ForeignKey(usize),
    /// The default of column `attnum`.
    Default(usize),
}

impl Owned {
    fn parts(self) -> (Oid, usize) {
        match self {
            Owned::Index(s) => (0, s),
            Owned::IndexConstraint(s) => (1, s),
            Owned::Check(s) => (2, s),
            Owned::ForeignKey(s) => (3, s),
            Owned::Default(s) => (4, s),
        }
    }
}

/// The OID of an object owned by table `id`, or `None` when the slot does
/// not fit the scheme.
pub(crate) fn owned(id: TableId, what: Owned) -> Option<Oid> {
    let (kind, slot) = what.parts();
    if slot > 255 {
        return None;
    }
    let base = (id.0 as Oid)
        .checked_mul(PER_TABLE)?
        .checked_add(OWNED_BASE)?;
    base.checked_add(kind * 256 + slot as Oid)
}

/// The owner and meaning of an owned-object OID.
pub(crate) fn decode_owned(oid: Oid) -> Option<(TableId, Owned)> {
    let rel = oid.checked_sub(OWNED_BASE)?;
    let id = TableId((rel / PER_TABLE) as u64);
    let rest = rel % PER_TABLE;
    let slot = (rest % 256) as usize;
    let what = match rest / 256 {
        0 => Owned::Index(slot),
        1 => Owned::IndexConstraint(slot),
        2 => Owned::Check(slot),
        3 => Owned::ForeignKey(slot),
        4 => Owned::Default(slot),
        _ => return None,
    };
    Some((id, what))
}

/// The OID of a registry proc.
pub(crate) fn proc_oid(index: usize) -> Oid {
    PROC_BASE + index as Oid
}

/// The registry index of a proc OID (the inverse of [`proc_oid`]).
pub(crate) fn proc_index(oid: Oid) -> Option<usize> {
    oid.checked_sub(PROC_BASE)
        .map(|i| i as usize)
        .filter(|&i| i < crate::sql::expr::functions::registry().procs().len())
}

/// A stable OID for a schema that exists only as a table-key prefix.
pub(crate) fn implicit_namespace(name: &str) -> Oid {
    // FNV-1a, folded into 2^24 values.
    let mut h: u32 = 0x811c_9dc5;
    for b in name.bytes() {
        h ^= b as u32;
        h = h.wrapping_mul(0x0100_0193);
    }
    IMPLICIT_NAMESPACE_BASE + (h & 0x00ff_ffff)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn owned_oids_round_trip() {
        for id in [0u64, 1, 7, 100_000] {
            for what in [
                Owned::Index(0),
                Owned::Index(3),
                Owned::IndexConstraint(1),
                Owned::Check(2),
                Owned::ForeignKey(255),
                Owned::Default(4),
            ] {
                let oid = owned(TableId(id), what).unwrap();
                assert!(oid >= OWNED_BASE);
                assert_eq!(decode_owned(oid), Some((TableId(id), what)));
            }
        }
        assert_eq!(owned(TableId(1), Owned::Index(256)), None);
        assert_eq!(decode_owned(16386), None);
    }
}
