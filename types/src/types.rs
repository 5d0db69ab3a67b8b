//! The built-in types by OID, as `pg_type` describes them.

/// A PostgreSQL object identifier; for types, the `pg_type.oid`.
pub type Oid = u32;

/// Type OIDs as named constants (the `pg_type.oid` values of PostgreSQL 15).
pub mod oid {
    use super::Oid;
    /// `unknown` / unspecified (0 on the wire)
    pub const UNSPECIFIED: Oid = 0;
    /// bool
    pub const BOOL: Oid = 16;
    /// bytea
    pub const BYTEA: Oid = 17;
    /// "char"
    pub const CHAR: Oid = 18;
    /// name
    pub const NAME: Oid = 19;
    /// int8
    pub const INT8: Oid = 20;
    /// int2
    pub const INT2: Oid = 21;
    /// int4
    pub const INT4: Oid = 23;
    /// text
    pub const TEXT: Oid = 25;
    /// oid
    pub const OID: Oid = 26;
    /// json
    pub const JSON: Oid = 114;
    /// float4
    pub const FLOAT4: Oid = 700;
    /// float8
    pub const FLOAT8: Oid = 701;
    /// unknown
    pub const UNKNOWN: Oid = 705;
    /// bpchar
    pub const BPCHAR: Oid = 1042;
    /// varchar
    pub const VARCHAR: Oid = 1043;
    /// date
    pub const DATE: Oid = 1082;
    /// time
    pub const TIME: Oid = 1083;
    /// timestamp
    pub const TIMESTAMP: Oid = 1114;
    /// timestamptz
    pub const TIMESTAMPTZ: Oid = 1184;
    /// interval
    pub const INTERVAL: Oid = 1186;
    /// numeric
    pub const NUMERIC: Oid = 1700;
    /// regclass
    pub const REGCLASS: Oid = 2205;
    /// regtype
    pub const REGTYPE: Oid = 2206;
    /// void
    pub const VOID: Oid = 2278;
    /// uuid
    pub const UUID: Oid = 2950;
    /// jsonb
    pub const JSONB: Oid = 3802;
    /// int4[]
    pub const INT4_ARRAY: Oid = 1007;
    /// text[]
    pub const TEXT_ARRAY: Oid = 1009;
}

/// One built-in type: the columns of its `pg_type` row that the wire and the
/// planner need.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Type {
    /// `pg_type.oid`
    pub oid: Oid,
    /// `pg_type.typname`
    pub name: &'static str,
    /// `pg_type.typlen`: bytes for fixed-size types, -1 for varlena, -2 for C strings.
    pub len: i16,
}
