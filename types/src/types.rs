//! The built-in types by OID, as `pg_type` describes them.
//!
//! The wire core needs a type's OID and length for RowDescription, the
//! engine needs names and aliases to resolve `CAST(x AS integer)`, and
//! `pg_catalog.pg_type` is built from [`Type::all`]. One static table, copied
//! from PostgreSQL 15's catalog, serves all three so they cannot disagree.

/// A PostgreSQL object identifier; for types, the `pg_type.oid`.
pub type Oid = u32;

/// Type OIDs as named constants (the `pg_type.oid` values of PostgreSQL 15).
///
/// Array types are named after their element with an `_ARRAY` suffix
/// (`INT4_ARRAY` is `_int4`, i.e. `integer[]`).
pub mod oid {
    use super::Oid;
    /// unspecified (0 on the wire: "let the server infer it")
    pub const UNSPECIFIED: Oid = 0;
    /// `bool`
    pub const BOOL: Oid = 16;
    /// `bytea`
    pub const BYTEA: Oid = 17;
    /// `char`
    pub const CHAR: Oid = 18;
    /// `name`
    pub const NAME: Oid = 19;
    /// `int8`
    pub const INT8: Oid = 20;
    /// `int2`
    pub const INT2: Oid = 21;
    /// `int2vector`
    pub const INT2VECTOR: Oid = 22;
    /// `int4`
    pub const INT4: Oid = 23;
    /// `regproc`
    pub const REGPROC: Oid = 24;
    /// `text`
    pub const TEXT: Oid = 25;
    /// `oid`
    pub const OID: Oid = 26;
    /// `tid`
    pub const TID: Oid = 27;
    /// `xid`
    pub const XID: Oid = 28;
    /// `cid`
    pub const CID: Oid = 29;
    /// `oidvector`
    pub const OIDVECTOR: Oid = 30;
    /// `json`
    pub const JSON: Oid = 114;
    /// `xml`
    pub const XML: Oid = 142;
    /// `xml[]`
    pub const XML_ARRAY: Oid = 143;
    /// `pg_node_tree`
    pub const PG_NODE_TREE: Oid = 194;
    /// `json[]`
    pub const JSON_ARRAY: Oid = 199;
    /// `cidr`
    pub const CIDR: Oid = 650;
    /// `cidr[]`
    pub const CIDR_ARRAY: Oid = 651;
    /// `float4`
    pub const FLOAT4: Oid = 700;
    /// `float8`
    pub const FLOAT8: Oid = 701;
    /// `unknown`
    pub const UNKNOWN: Oid = 705;
    /// `money`
    pub const MONEY: Oid = 790;
    /// `money[]`
    pub const MONEY_ARRAY: Oid = 791;
    /// `macaddr`
    pub const MACADDR: Oid = 829;
    /// `inet`
    pub const INET: Oid = 869;
    /// `bool[]`
    pub const BOOL_ARRAY: Oid = 1000;
    /// `bytea[]`
    pub const BYTEA_ARRAY: Oid = 1001;
    /// `char[]`
    pub const CHAR_ARRAY: Oid = 1002;
    /// `name[]`
    pub const NAME_ARRAY: Oid = 1003;
    /// `int2[]`
    pub const INT2_ARRAY: Oid = 1005;
    /// `int2vector[]`
    pub const INT2VECTOR_ARRAY: Oid = 1006;
    /// `int4[]`
    pub const INT4_ARRAY: Oid = 1007;
    /// `regproc[]`
    pub const REGPROC_ARRAY: Oid = 1008;
    /// `text[]`
    pub const TEXT_ARRAY: Oid = 1009;
    /// `tid[]`
    pub const TID_ARRAY: Oid = 1010;
    /// `xid[]`
    pub const XID_ARRAY: Oid = 1011;
    /// `cid[]`
    pub const CID_ARRAY: Oid = 1012;
    /// `oidvector[]`
    pub const OIDVECTOR_ARRAY: Oid = 1013;
    /// `bpchar[]`
    pub const BPCHAR_ARRAY: Oid = 1014;
    /// `varchar[]`
    pub const VARCHAR_ARRAY: Oid = 1015;
    /// `int8[]`
    pub const INT8_ARRAY: Oid = 1016;
    /// `float4[]`
    pub const FLOAT4_ARRAY: Oid = 1021;
    /// `float8[]`
    pub const FLOAT8_ARRAY: Oid = 1022;
    /// `oid[]`
    pub const OID_ARRAY: Oid = 1028;
    /// `aclitem`
    pub const ACLITEM: Oid = 1033;
    /// `aclitem[]`
    pub const ACLITEM_ARRAY: Oid = 1034;
    /// `macaddr[]`
    pub const MACADDR_ARRAY: Oid = 1040;
    /// `inet[]`
    pub const INET_ARRAY: Oid = 1041;
    /// `bpchar`
    pub const BPCHAR: Oid = 1042;
    /// `varchar`
    pub const VARCHAR: Oid = 1043;
    /// `date`
    pub const DATE: Oid = 1082;
    /// `time`
    pub const TIME: Oid = 1083;
    /// `timestamp`
    pub const TIMESTAMP: Oid = 1114;
    /// `timestamp[]`
    pub const TIMESTAMP_ARRAY: Oid = 1115;
    /// `date[]`
    pub const DATE_ARRAY: Oid = 1182;
    /// `time[]`
    pub const TIME_ARRAY: Oid = 1183;
    /// `timestamptz`
    pub const TIMESTAMPTZ: Oid = 1184;
    /// `timestamptz[]`
    pub const TIMESTAMPTZ_ARRAY: Oid = 1185;
    /// `interval`
    pub const INTERVAL: Oid = 1186;
    /// `interval[]`
    pub const INTERVAL_ARRAY: Oid = 1187;
    /// `numeric[]`
    pub const NUMERIC_ARRAY: Oid = 1231;
    /// `cstring[]`
    pub const CSTRING_ARRAY: Oid = 1263;
    /// `timetz`
    pub const TIMETZ: Oid = 1266;
    /// `timetz[]`
    pub const TIMETZ_ARRAY: Oid = 1270;
    /// `bit`
    pub const BIT: Oid = 1560;
    /// `bit[]`
    pub const BIT_ARRAY: Oid = 1561;
    /// `varbit`
    pub const VARBIT: Oid = 1562;
    /// `varbit[]`
    pub const VARBIT_ARRAY: Oid = 1563;
    /// `numeric`
    pub const NUMERIC: Oid = 1700;
    /// `regprocedure`
    pub const REGPROCEDURE: Oid = 2202;
    /// `regoper`
    pub const REGOPER: Oid = 2203;
    /// `regclass`
    pub const REGCLASS: Oid = 2205;
    /// `regtype`
    pub const REGTYPE: Oid = 2206;
    /// `regprocedure[]`
    pub const REGPROCEDURE_ARRAY: Oid = 2207;
    /// `regoper[]`
    pub const REGOPER_ARRAY: Oid = 2208;
    /// `regclass[]`
    pub const REGCLASS_ARRAY: Oid = 2210;
    /// `regtype[]`
    pub const REGTYPE_ARRAY: Oid = 2211;
    /// `record`
    pub const RECORD: Oid = 2249;
    /// `cstring`
    pub const CSTRING: Oid = 2275;
    /// `any`
    pub const ANY: Oid = 2276;
    /// `anyarray`
    pub const ANYARRAY: Oid = 2277;
    /// `void`
    pub const VOID: Oid = 2278;
    /// `trigger`
    pub const TRIGGER: Oid = 2279;
    /// `internal`
    pub const INTERNAL: Oid = 2281;
    /// `anyelement`
    pub const ANYELEMENT: Oid = 2283;
    /// `record[]`
    pub const RECORD_ARRAY: Oid = 2287;
    /// `anynonarray`
    pub const ANYNONARRAY: Oid = 2776;
    /// `uuid`
    pub const UUID: Oid = 2950;
    /// `uuid[]`
    pub const UUID_ARRAY: Oid = 2951;
    /// `pg_lsn`
    pub const PG_LSN: Oid = 3220;
    /// `pg_lsn[]`
    pub const PG_LSN_ARRAY: Oid = 3221;
    /// `anyenum`
    pub const ANYENUM: Oid = 3500;
    /// `jsonb`
    pub const JSONB: Oid = 3802;
    /// `jsonb[]`
    pub const JSONB_ARRAY: Oid = 3807;
    /// `event_trigger`
    pub const EVENT_TRIGGER: Oid = 3838;
    /// `jsonpath`
    pub const JSONPATH: Oid = 4072;
    /// `jsonpath[]`
    pub const JSONPATH_ARRAY: Oid = 4073;
    /// `regnamespace`
    pub const REGNAMESPACE: Oid = 4089;
    /// `regnamespace[]`
    pub const REGNAMESPACE_ARRAY: Oid = 4090;
    /// `regrole`
    pub const REGROLE: Oid = 4096;
    /// `regrole[]`
    pub const REGROLE_ARRAY: Oid = 4097;
}

/// One built-in type: the columns of its `pg_type` row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Type {
    /// `pg_type.oid`
    pub oid: Oid,
    /// `pg_type.typname`
    pub name: &'static str,
    /// `pg_type.typlen`: bytes for fixed-size types, -1 for varlena, -2 for C strings.
    pub len: i16,
    /// `pg_type.typbyval`: passed by value inside PostgreSQL (clients such as
    /// JDBC read it from `pg_type`).
    pub by_val: bool,
    /// `pg_type.typtype`: `'b'` base type, `'p'` pseudo-type.
    pub typtype: char,
    /// `pg_type.typcategory`: `'N'` numeric, `'S'` string, `'A'` array, … —
    /// drives implicit-cast preference in the planner.
    pub category: char,
    /// `pg_type.typdelim`: the element delimiter in the array text form.
    pub delim: char,
    /// `pg_type.typelem`: the element type of an array type, else 0.
    pub elem: Oid,
    /// `pg_type.typarray`: the array type whose elements are this type, else 0.
    pub array: Oid,
    /// `pg_type.typinput`: name of the text input function.
    pub input: &'static str,
    /// `pg_type.typoutput`: name of the text output function.
    pub output: &'static str,
    /// `pg_type.typreceive`: name of the binary input function (`-` if none).
    pub receive: &'static str,
    /// `pg_type.typsend`: name of the binary output function (`-` if none).
    pub send: &'static str,
    /// `pg_type.typalign`: storage alignment (`c`, `s`, `i`, `d`).
    pub align: char,
    /// `pg_type.typstorage`: TOAST strategy (`p`, `e`, `m`, `x`).
    pub storage: char,
}

/// Every built-in type, ordered by OID (so [`Type::by_oid`] can bisect).
static TYPES: &[Type] = &[
    Type {
        oid: oid::BOOL,
        name: "bool",
        len: 1,
        by_val: true,
        typtype: 'b',
        category: 'B',
        delim: ',',
        elem: 0,
        array: 1000,
        input: "boolin",
        output: "boolout",
        receive: "boolrecv",
        send: "boolsend",
        align: 'c',
        storage: 'p',
    },
    Type {
        oid: oid::BYTEA,
        name: "bytea",
        len: -1,
        by_val: false,
        typtype: 'b',
        category: 'U',
        delim: ',',
        elem: 0,
        array: 1001,
        input: "byteain",
        output: "byteaout",
        receive: "bytearecv",
        send: "byteasend",
        align: 'i',
        storage: 'x',
    },
    Type {
        oid: oid::CHAR,
        name: "char",
        len: 1,
        by_val: true,
        typtype: 'b',
        category: 'Z',
        delim: ',',
        elem: 0,
        array: 1002,
        input: "charin",
        output: "charout",
        receive: "charrecv",
        send: "charsend",
        align: 'c',
        storage: 'p',
    },
    Type {
        oid: oid::NAME,
        name: "name",
        len: 64,
        by_val: false,
        typtype: 'b',
        category: 'S',
        delim: ',',
        elem: 18,
        array: 1003,
        input: "namein",
        output: "nameout",
        receive: "namerecv",
        send: "namesend",
        align: 'c',
        storage: 'p',
    },
    Type {
        oid: oid::INT8,
        name: "int8",
        len: 8,
        by_val: true,
        typtype: 'b',
        category: 'N',
        delim: ',',
        elem: 0,
        array: 1016,
        input: "int8in",
        output: "int8out",
        receive: "int8recv",
        send: "int8send",
        align: 'd',
        storage: 'p',
    },
    Type {
        oid: oid::INT2,
        name: "int2",
        len: 2,
        by_val: true,
        typtype: 'b',
        category: 'N',
        delim: ',',
        elem: 0,
        array: 1005,
        input: "int2in",
        output: "int2out",
        receive: "int2recv",
        send: "int2send",
        align: 's',
        storage: 'p',
    },
    Type {
        oid: oid::INT2VECTOR,
        name: "int2vector",
        len: -1,
        by_val: false,
        typtype: 'b',
        category: 'A',
        delim: ',',
        elem: 21,
        array: 1006,
        input: "int2vectorin",
        output: "int2vectorout",
        receive: "int2vectorrecv",
        send: "int2vectorsend",
        align: 'i',
        storage: 'p',
    },
    Type {
        oid: oid::INT4,
        name: "int4",
        len: 4,
        by_val: true,
        typtype: 'b',
        category: 'N',
        delim: ',',
        elem: 0,
        array: 1007,
        input: "int4in",
        output: "int4out",
        receive: "int4recv",
        send: "int4send",
        align: 'i',
        storage: 'p',
    },
    Type {
        oid: oid::REGPROC,
        name: "regproc",
        len: 4,
        by_val: true,
        typtype: 'b',
        category: 'N',
        delim: ',',
        elem: 0,
        array: 1008,
        input: "regprocin",
        output: "regprocout",
        receive: "regprocrecv",
        send: "regprocsend",
        align: 'i',
        storage: 'p',
    },
    Type {
        oid: oid::TEXT,
        name: "text",
        len: -1,
        by_val: false,
        typtype: 'b',
        category: 'S',
        delim: ',',
        elem: 0,
        array: 1009,
        input: "textin",
        output: "textout",
        receive: "textrecv",
        send: "textsend",
        align: 'i',
        storage: 'x',
    },
    Type {
        oid: oid::OID,
        name: "oid",
        len: 4,
        by_val: true,
        typtype: 'b',
        category: 'N',
        delim: ',',
        elem: 0,
        array: 1028,
        input: "oidin",
        output: "oidout",
        receive: "oidrecv",
        send: "oidsend",
        align: 'i',
        storage: 'p',
    },
    Type {
        oid: oid::TID,
        name: "tid",
        len: 6,
        by_val: false,
        typtype: 'b',
        category: 'U',
        delim: ',',
        elem: 0,
        array: 1010,
        input: "tidin",
        output: "tidout",
        receive: "tidrecv",
        send: "tidsend",
        align: 's',
        storage: 'p',
    },
    Type {
        oid: oid::XID,
        name: "xid",
        len: 4,
        by_val: true,
        typtype: 'b',
        category: 'U',
        delim: ',',
        elem: 0,
        array: 1011,
        input: "xidin",
        output: "xidout",
        receive: "xidrecv",
        send: "xidsend",
        align: 'i',
        storage: 'p',
    },
    Type {
        oid: oid::CID,
        name: "cid",
        len: 4,
        by_val: true,
        typtype: 'b',
        category: 'U',
        delim: ',',
        elem: 0,
        array: 1012,
        input: "cidin",
        output: "cidout",
        receive: "cidrecv",
        send: "cidsend",
        align: 'i',
        storage: 'p',
    },
    Type {
        oid: oid::OIDVECTOR,
        name: "oidvector",
        len: -1,
        by_val: false,
        typtype: 'b',
        category: 'A',
        delim: ',',
        elem: 26,
        array: 1013,
        input: "oidvectorin",
        output: "oidvectorout",
        receive: "oidvectorrecv",
        send: "oidvectorsend",
        align: 'i',
        storage: 'p',
    },
    Type {
        oid: oid::JSON,
        name: "json",
        len: -1,
        by_val: false,
        typtype: 'b',
        category: 'U',
        delim: ',',
        elem: 0,
        array: 199,
        input: "json_in",
        output: "json_out",
        receive: "json_recv",
        send: "json_send",
        align: 'i',
        storage: 'x',
    },
    Type {
        oid: oid::XML,
        name: "xml",
        len: -1,
        by_val: false,
        typtype: 'b',
        category: 'U',
        delim: ',',
        elem: 0,
        array: 143,
        input: "xml_in",
        output: "xml_out",
        receive: "xml_recv",
        send: "xml_send",
        align: 'i',
        storage: 'x',
    },
    Type {
        oid: oid::XML_ARRAY,
        name: "_xml",
        len: -1,
        by_val: false,
        typtype: 'b',
        category: 'A',
        delim: ',',
        elem: 142,
        array: 0,
        input: "array_in",
        output: "array_out",
        receive: "array_recv",
        send: "array_send",
        align: 'i',
        storage: 'x',
    },
    Type {
        oid: oid::PG_NODE_TREE,
        name: "pg_node_tree",
        len: -1,
        by_val: false,
        typtype: 'b',
        category: 'Z',
        delim: ',',
        elem: 0,
        array: 0,
        input: "pg_node_tree_in",
        output: "pg_node_tree_out",
        receive: "pg_node_tree_recv",
        send: "pg_node_tree_send",
        align: 'i',
        storage: 'x',
    },
    Type {
        oid: oid::JSON_ARRAY,
        name: "_json",
        len: -1,
        by_val: false,
        typtype: 'b',
        category: 'A',
        delim: ',',
        elem: 114,
        array: 0,
        input: "array_in",
        output: "array_out",
        receive: "array_recv",
        send: "array_send",
        align: 'i',
        storage: 'x',
    },
    Type {
        oid: oid::CIDR,
        name: "cidr",
        len: -1,
        by_val: false,
        typtype: 'b',
        category: 'I',
        delim: ',',
        elem: 0,
        array: 651,
        input: "cidr_in",
        output: "cidr_out",
        receive: "cidr_recv",
        send: "cidr_send",
        align: 'i',
        storage: 'm',
    },
    Type {
        oid: oid::CIDR_ARRAY,
        name: "_cidr",
        len: -1,
        by_val: false,
        typtype: 'b',
        category: 'A',
        delim: ',',
        elem: 650,
        array: 0,
        input: "array_in",
        output: "array_out",
        receive: "array_recv",
        send: "array_send",
        align: 'i',
        storage: 'x',
    },
    Type {
        oid: oid::FLOAT4,
        name: "float4",
        len: 4,
        by_val: true,
        typtype: 'b',
        category: 'N',
        delim: ',',
        elem: 0,
        array: 1021,
        input: "float4in",
        output: "float4out",
        receive: "float4recv",
        send: "float4send",
        align: 'i',
        storage: 'p',
    },
    Type {
        oid: oid::FLOAT8,
        name: "float8",
        len: 8,
        by_val: true,
        typtype: 'b',
        category: 'N',
        delim: ',',
        elem: 0,
        array: 1022,
        input: "float8in",
        output: "float8out",
        receive: "float8recv",
        send: "float8send",
        align: 'd',
        storage: 'p',
    },
    Type {
        oid: oid::UNKNOWN,
        name: "unknown",
        len: -2,
        by_val: false,
        typtype: 'p',
        category: 'X',
        delim: ',',
        elem: 0,
        array: 0,
        input: "unknownin",
        output: "unknownout",
        receive: "unknownrecv",
        send: "unknownsend",
        align: 'c',
        storage: 'p',
    },
    Type {
        oid: oid::MONEY,
        name: "money",
        len: 8,
        by_val: true,
        typtype: 'b',
        category: 'N',
        delim: ',',
        elem: 0,
        array: 791,
        input: "cash_in",
        output: "cash_out",
        receive: "cash_recv",
        send: "cash_send",
        align: 'd',
        storage: 'p',
    },
    Type {
        oid: oid::MONEY_ARRAY,
        name: "_money",
        len: -1,
        by_val: false,
        typtype: 'b',
        category: 'A',
        delim: ',',
        elem: 790,
        array: 0,
        input: "array_in",
        output: "array_out",
        receive: "array_recv",
        send: "array_send",
        align: 'd',
        storage: 'x',
    },
    Type {
        oid: oid::MACADDR,
        name: "macaddr",
        len: 6,
        by_val: false,
        typtype: 'b',
        category: 'U',
        delim: ',',
        elem: 0,
        array: 1040,
        input: "macaddr_in",
        output: "macaddr_out",
        receive: "macaddr_recv",
        send: "macaddr_send",
        align: 'i',
        storage: 'p',
    },
    Type {
        oid: oid::INET,
        name: "inet",
        len: -1,
        by_val: false,
        typtype: 'b',
        category: 'I',
        delim: ',',
        elem: 0,
        array: 1041,
        input: "inet_in",
        output: "inet_out",
        receive: "inet_recv",
        send: "inet_send",
        align: 'i',
        storage: 'm',
    },
    Type {
        oid: oid::BOOL_ARRAY,
        name: "_bool",
        len: -1,
        by_val: false,
        typtype: 'b',
        category: 'A',
        delim: ',',
        elem: 16,
        array: 0,
        input: "array_in",
        output: "array_out",
        receive: "array_recv",
        send: "array_send",
        align: 'i',
        storage: 'x',
    },
    Type {
        oid: oid::BYTEA_ARRAY,
        name: "_bytea",
        len: -1,
        by_val: false,
        typtype: 'b',
        category: 'A',
        delim: ',',
        elem: 17,
        array: 0,
        input: "array_in",
        output: "array_out",
        receive: "array_recv",
        send: "array_send",
        align: 'i',
        storage: 'x',
    },
    Type {
        oid: oid::CHAR_ARRAY,
        name: "_char",
        len: -1,
        by_val: false,
        typtype: 'b',
        category: 'A',
        delim: ',',
        elem: 18,
        array: 0,
        input: "array_in",
        output: "array_out",
        receive: "array_recv",
        send: "array_send",
        align: 'i',
        storage: 'x',
    },
    Type {
        oid: oid::NAME_ARRAY,
        name: "_name",
        len: -1,
        by_val: false,
        typtype: 'b',
        category: 'A',
        delim: ',',
        elem: 19,
        array: 0,
        input: "array_in",
        output: "array_out",
        receive: "array_recv",
        send: "array_send",
        align: 'i',
        storage: 'x',
    },
    Type {
        oid: oid::INT2_ARRAY,
        name: "_int2",
        len: -1,
        by_val: false,
        typtype: 'b',
        category: 'A',
        delim: ',',
        elem: 21,
        array: 0,
        input: "array_in",
        output: "array_out",
        receive: "array_recv",
        send: "array_send",
        align: 'i',
        storage: 'x',
    },
    Type {
        oid: oid::INT2VECTOR_ARRAY,
        name: "_int2vector",
        len: -1,
        by_val: false,
        typtype: 'b',
        category: 'A',
        delim: ',',
        elem: 22,
        array: 0,
        input: "array_in",
        output: "array_out",
        receive: "array_recv",
        send: "array_send",
        align: 'i',
        storage: 'x',
    },
    Type {
        oid: oid::INT4_ARRAY,
        name: "_int4",
        len: -1,
        by_val: false,
        typtype: 'b',
        category: 'A',
        delim: ',',
        elem: 23,
        array: 0,
        input: "array_in",
        output: "array_out",
        receive: "array_recv",
        send: "array_send",
        align: 'i',
        storage: 'x',
    },
    Type {
        oid: oid::REGPROC_ARRAY,
        name: "_regproc",
        len: -1,
        by_val: false,
        typtype: 'b',
        category: 'A',
        delim: ',',
        elem: 24,
        array: 0,
        input: "array_in",
        output: "array_out",
        receive: "array_recv",
        send: "array_send",
        align: 'i',
        storage: 'x',
    },
    Type {
        oid: oid::TEXT_ARRAY,
        name: "_text",
        len: -1,
        by_val: false,
        typtype: 'b',
        category: 'A',
        delim: ',',
        elem: 25,
        array: 0,
        input: "array_in",
        output: "array_out",
        receive: "array_recv",
        send: "array_send",
        align: 'i',
        storage: 'x',
    },
    Type {
        oid: oid::TID_ARRAY,
        name: "_tid",
        len: -1,
        by_val: false,
        typtype: 'b',
        category: 'A',
        delim: ',',
        elem: 27,
        array: 0,
        input: "array_in",
        output: "array_out",
        receive: "array_recv",
        send: "array_send",
        align: 'i',
        storage: 'x',
    },
    Type {
        oid: oid::XID_ARRAY,
        name: "_xid",
        len: -1,
        by_val: false,
        typtype: 'b',
        category: 'A',
        delim: ',',
        elem: 28,
        array: 0,
        input: "array_in",
        output: "array_out",
        receive: "array_recv",
        send: "array_send",
        align: 'i',
        storage: 'x',
    },
    Type {
        oid: oid::CID_ARRAY,
        name: "_cid",
        len: -1,
        by_val: false,
        typtype: 'b',
        category: 'A',
        delim: ',',
        elem: 29,
        array: 0,
        input: "array_in",
        output: "array_out",
        receive: "array_recv",
        send: "array_send",
        align: 'i',
        storage: 'x',
    },
    Type {
        oid: oid::OIDVECTOR_ARRAY,
        name: "_oidvector",
        len: -1,
        by_val: false,
        typtype: 'b',
        category: 'A',
        delim: ',',
        elem: 30,
        array: 0,
        input: "array_in",
        output: "array_out",
        receive: "array_recv",
        send: "array_send",
        align: 'i',
        storage: 'x',
    },
    Type {
        oid: oid::BPCHAR_ARRAY,
        name: "_bpchar",
        len: -1,
        by_val: false,
        typtype: 'b',
        category: 'A',
        delim: ',',
        elem: 1042,
        array: 0,
        input: "array_in",
        output: "array_out",
        receive: "array_recv",
        send: "array_send",
        align: 'i',
        storage: 'x',
    },
    Type {
        oid: oid::VARCHAR_ARRAY,
        name: "_varchar",
        len: -1,
        by_val: false,
        typtype: 'b',
        category: 'A',
        delim: ',',
        elem: 1043,
        array: 0,
        input: "array_in",
        output: "array_out",
        receive: "array_recv",
        send: "array_send",
        align: 'i',
        storage: 'x',
    },
    Type {
        oid: oid::INT8_ARRAY,
        name: "_int8",
        len: -1,
        by_val: false,
        typtype: 'b',
        category: 'A',
        delim: ',',
        elem: 20,
        array: 0,
        input: "array_in",
        output: "array_out",
        receive: "array_recv",
        send: "array_send",
        align: 'd',
        storage: 'x',
    },
    Type {
        oid: oid::FLOAT4_ARRAY,
        name: "_float4",
        len: -1,
        by_val: false,
        typtype: 'b',
        category: 'A',
        delim: ',',
        elem: 700,
        array: 0,
        input: "array_in",
        output: "array_out",
        receive: "array_recv",
        send: "array_send",
        align: 'i',
        storage: 'x',
    },
    Type {
        oid: oid::FLOAT8_ARRAY,
        name: "_float8",
        len: -1,
        by_val: false,
        typtype: 'b',
        category: 'A',
        delim: ',',
        elem: 701,
        array: 0,
        input: "array_in",
        output: "array_out",
        receive: "array_recv",
        send: "array_send",
        align: 'd',
        storage: 'x',
    },
    Type {
        oid: oid::OID_ARRAY,
        name: "_oid",
        len: -1,
        by_val: false,
        typtype: 'b',
        category: 'A',
        delim: ',',
        elem: 26,
        array: 0,
        input: "array_in",
        output: "array_out",
        receive: "array_recv",
        send: "array_send",
        align: 'i',
        storage: 'x',
    },
    Type {
        oid: oid::ACLITEM,
        name: "aclitem",
        len: 12,
        by_val: false,
        typtype: 'b',
        category: 'U',
        delim: ',',
        elem: 0,
        array: 1034,
        input: "aclitemin",
        output: "aclitemout",
        receive: "-",
        send: "-",
        align: 'i',
        storage: 'p',
    },
    Type {
        oid: oid::ACLITEM_ARRAY,
        name: "_aclitem",
        len: -1,
        by_val: false,
        typtype: 'b',
        category: 'A',
        delim: ',',
        elem: 1033,
        array: 0,
        input: "array_in",
        output: "array_out",
        receive: "array_recv",
        send: "array_send",
        align: 'i',
        storage: 'x',
    },
    Type {
        oid: oid::MACADDR_ARRAY,
        name: "_macaddr",
        len: -1,
        by_val: false,
        typtype: 'b',
        category: 'A',
        delim: ',',
        elem: 829,
        array: 0,
        input: "array_in",
        output: "array_out",
        receive: "array_recv",
        send: "array_send",
        align: 'i',
        storage: 'x',
    },
    Type {
        oid: oid::INET_ARRAY,
        name: "_inet",
        len: -1,
        by_val: false,
        typtype: 'b',
        category: 'A',
        delim: ',',
        elem: 869,
        array: 0,
        input: "array_in",
        output: "array_out",
        receive: "array_recv",
        send: "array_send",
        align: 'i',
        storage: 'x',
    },
    Type {
        oid: oid::BPCHAR,
        name: "bpchar",
        len: -1,
        by_val: false,
        typtype: 'b',
        category: 'S',
        delim: ',',
        elem: 0,
        array: 1014,
        input: "bpcharin",
        output: "bpcharout",
        receive: "bpcharrecv",
        send: "bpcharsend",
        align: 'i',
        storage: 'x',
    },
    Type {
        oid: oid::VARCHAR,
        name: "varchar",
        len: -1,
        by_val: false,
        typtype: 'b',
        category: 'S',
        delim: ',',
        elem: 0,
        array: 1015,
        input: "varcharin",
        output: "varcharout",
        receive: "varcharrecv",
        send: "varcharsend",
        align: 'i',
        storage: 'x',
    },
    Type {
        oid: oid::DATE,
        name: "date",
        len: 4,
        by_val: true,
        typtype: 'b',
        category: 'D',
        delim: ',',
        elem: 0,
        array: 1182,
        input: "date_in",
        output: "date_out",
        receive: "date_recv",
        send: "date_send",
        align: 'i',
        storage: 'p',
    },
    Type {
        oid: oid::TIME,
        name: "time",
        len: 8,
        by_val: true,
        typtype: 'b',
        category: 'D',
        delim: ',',
        elem: 0,
        array: 1183,
        input: "time_in",
        output: "time_out",
        receive: "time_recv",
        send: "time_send",
        align: 'd',
        storage: 'p',
    },
    Type {
        oid: oid::TIMESTAMP,
        name: "timestamp",
        len: 8,
        by_val: true,
        typtype: 'b',
        category: 'D',
        delim: ',',
        elem: 0,
        array: 1115,
        input: "timestamp_in",
        output: "timestamp_out",
        receive: "timestamp_recv",
        send: "timestamp_send",
        align: 'd',
        storage: 'p',
    },
    Type {
        oid: oid::TIMESTAMP_ARRAY,
        name: "_timestamp",
        len: -1,
        by_val: false,
        typtype: 'b',
        category: 'A',
        delim: ',',
        elem: 1114,
        array: 0,
        input: "array_in",
        output: "array_out",
        receive: "array_recv",
        send: "array_send",
        align: 'd',
        storage: 'x',
    },
    Type {
        oid: oid::DATE_ARRAY,
        name: "_date",
        len: -1,
        by_val: false,
        typtype: 'b',
        category: 'A',
        delim: ',',
        elem: 1082,
        array: 0,
        input: "array_in",
        output: "array_out",
        receive: "array_recv",
        send: "array_send",
        align: 'i',
        storage: 'x',
    },
    Type {
        oid: oid::TIME_ARRAY,
        name: "_time",
        len: -1,
        by_val: false,
        typtype: 'b',
        category: 'A',
        delim: ',',
        elem: 1083,
        array: 0,
        input: "array_in",
        output: "array_out",
        receive: "array_recv",
        send: "array_send",
        align: 'd',
        storage: 'x',
    },
    Type {
        oid: oid::TIMESTAMPTZ,
        name: "timestamptz",
        len: 8,
        by_val: true,
        typtype: 'b',
        category: 'D',
        delim: ',',
        elem: 0,
        array: 1185,
        input: "timestamptz_in",
        output: "timestamptz_out",
        receive: "timestamptz_recv",
        send: "timestamptz_send",
        align: 'd',
        storage: 'p',
    },
    Type {
        oid: oid::TIMESTAMPTZ_ARRAY,
        name: "_timestamptz",
        len: -1,
        by_val: false,
        typtype: 'b',
        category: 'A',
        delim: ',',
        elem: 1184,
        array: 0,
        input: "array_in",
        output: "array_out",
        receive: "array_recv",
        send: "array_send",
        align: 'd',
        storage: 'x',
    },
    Type {
        oid: oid::INTERVAL,
        name: "interval",
        len: 16,
        by_val: false,
        typtype: 'b',
        category: 'T',
        delim: ',',
        elem: 0,
        array: 1187,
        input: "interval_in",
        output: "interval_out",
        receive: "interval_recv",
        send: "interval_send",
        align: 'd',
        storage: 'p',
    },
    Type {
        oid: oid::INTERVAL_ARRAY,
        name: "_interval",
        len: -1,
        by_val: false,
        typtype: 'b',
        category: 'A',
        delim: ',',
        elem: 1186,
        array: 0,
        input: "array_in",
        output: "array_out",
        receive: "array_recv",
        send: "array_send",
        align: 'd',
        storage: 'x',
    },
    Type {
        oid: oid::NUMERIC_ARRAY,
        name: "_numeric",
        len: -1,
        by_val: false,
        typtype: 'b',
        category: 'A',
        delim: ',',
        elem: 1700,
        array: 0,
        input: "array_in",
        output: "array_out",
        receive: "array_recv",
        send: "array_send",
        align: 'i',
        storage: 'x',
    },
    Type {
        oid: oid::CSTRING_ARRAY,
        name: "_cstring",
        len: -1,
        by_val: false,
        typtype: 'b',
        category: 'A',
        delim: ',',
        elem: 2275,
        array: 0,
        input: "array_in",
        output: "array_out",
        receive: "array_recv",
        send: "array_send",
        align: 'i',
        storage: 'x',
    },
    Type {
        oid: oid::TIMETZ,
        name: "timetz",
        len: 12,
        by_val: false,
        typtype: 'b',
        category: 'D',
        delim: ',',
        elem: 0,
        array: 1270,
        input: "timetz_in",
        output: "timetz_out",
        receive: "timetz_recv",
        send: "timetz_send",
        align: 'd',
        storage: 'p',
    },
    Type {
        oid: oid::TIMETZ_ARRAY,
        name: "_timetz",
        len: -1,
        by_val: false,
        typtype: 'b',
        category: 'A',
        delim: ',',
        elem: 1266,
        array: 0,
        input: "array_in",
        output: "array_out",
        receive: "array_recv",
        send: "array_send",
        align: 'd',
        storage: 'x',
    },
    Type {
        oid: oid::BIT,
        name: "bit",
        len: -1,
        by_val: false,
        typtype: 'b',
        category: 'V',
        delim: ',',
        elem: 0,
        array: 1561,
        input: "bit_in",
        output: "bit_out",
        receive: "bit_recv",
        send: "bit_send",
        align: 'i',
        storage: 'x',
    },
    Type {
        oid: oid::BIT_ARRAY,
        name: "_bit",
        len: -1,
        by_val: false,
        typtype: 'b',
        category: 'A',
        delim: ',',
        elem: 1560,
        array: 0,
        input: "array_in",
        output: "array_out",
        receive: "array_recv",
        send: "array_send",
        align: 'i',
        storage: 'x',
    },
    Type {
        oid: oid::VARBIT,
        name: "varbit",
        len: -1,
        by_val: false,
        typtype: 'b',
        category: 'V',
        delim: ',',
        elem: 0,
        array: 1563,
        input: "varbit_in",
        output: "varbit_out",
        receive: "varbit_recv",
        send: "varbit_send",
        align: 'i',
        storage: 'x',
    },
    Type {
        oid: oid::VARBIT_ARRAY,
        name: "_varbit",
        len: -1,
        by_val: false,
        typtype: 'b',
        category: 'A',
        delim: ',',
        elem: 1562,
        array: 0,
        input: "array_in",
        output: "array_out",
        receive: "array_recv",
        send: "array_send",
        align: 'i',
        storage: 'x',
    },
    Type {
        oid: oid::NUMERIC,
        name: "numeric",
        len: -1,
        by_val: false,
        typtype: 'b',
        category: 'N',
        delim: ',',
        elem: 0,
        array: 1231,
        input: "numeric_in",
        output: "numeric_out",
        receive: "numeric_recv",
        send: "numeric_send",
        align: 'i',
        storage: 'm',
    },
    Type {
        oid: oid::REGPROCEDURE,
        name: "regprocedure",
        len: 4,
        by_val: true,
        typtype: 'b',
        category: 'N',
        delim: ',',
        elem: 0,
        array: 2207,
        input: "regprocedurein",
        output: "regprocedureout",
        receive: "regprocedurerecv",
        send: "regproceduresend",
        align: 'i',
        storage: 'p',
    },
    Type {
        oid: oid::REGOPER,
        name: "regoper",
        len: 4,
        by_val: true,
        typtype: 'b',
        category: 'N',
        delim: ',',
        elem: 0,
        array: 2208,
        input: "regoperin",
        output: "regoperout",
        receive: "regoperrecv",
        send: "regopersend",
        align: 'i',
        storage: 'p',
    },
    Type {
        oid: oid::REGCLASS,
        name: "regclass",
        len: 4,
        by_val: true,
        typtype: 'b',
        category: 'N',
        delim: ',',
        elem: 0,
        array: 2210,
        input: "regclassin",
        output: "regclassout",
        receive: "regclassrecv",
        send: "regclasssend",
        align: 'i',
        storage: 'p',
    },
    Type {
        oid: oid::REGTYPE,
        name: "regtype",
        len: 4,
        by_val: true,
        typtype: 'b',
        category: 'N',
        delim: ',',
        elem: 0,
        array: 2211,
        input: "regtypein",
        output: "regtypeout",
        receive: "regtyperecv",
        send: "regtypesend",
        align: 'i',
        storage: 'p',
    },
    Type {
        oid: oid::REGPROCEDURE_ARRAY,
        name: "_regprocedure",
        len: -1,
        by_val: false,
        typtype: 'b',
        category: 'A',
        delim: ',',
        elem: 2202,
        array: 0,
        input: "array_in",
        output: "array_out",
        receive: "array_recv",
        send: "array_send",
        align: 'i',
        storage: 'x',
    },
    Type {
        oid: oid::REGOPER_ARRAY,
        name: "_regoper",
        len: -1,
        by_val: false,
        typtype: 'b',
        category: 'A',
        delim: ',',
        elem: 2203,
        array: 0,
        input: "array_in",
        output: "array_out",
        receive: "array_recv",
        send: "array_send",
        align: 'i',
        storage: 'x',
    },
    Type {
        oid: oid::REGCLASS_ARRAY,
        name: "_regclass",
        len: -1,
        by_val: false,
        typtype: 'b',
        category: 'A',
        delim: ',',
        elem: 2205,
        array: 0,
        input: "array_in",
        output: "array_out",
        receive: "array_recv",
        send: "array_send",
        align: 'i',
        storage: 'x',
    },
    Type {
        oid: oid::REGTYPE_ARRAY,
        name: "_regtype",
        len: -1,
        by_val: false,
        typtype: 'b',
        category: 'A',
        delim: ',',
        elem: 2206,
        array: 0,
        input: "array_in",
        output: "array_out",
        receive: "array_recv",
        send: "array_send",
        align: 'i',
        storage: 'x',
    },
    Type {
        oid: oid::RECORD,
        name: "record",
        len: -1,
        by_val: false,
        typtype: 'p',
        category: 'P',
        delim: ',',
        elem: 0,
        array: 2287,
        input: "record_in",
        output: "record_out",
        receive: "record_recv",
        send: "record_send",
        align: 'd',
        storage: 'x',
    },
    Type {
        oid: oid::CSTRING,
        name: "cstring",
        len: -2,
        by_val: false,
        typtype: 'p',
        category: 'P',
        delim: ',',
        elem: 0,
        array: 1263,
        input: "cstring_in",
        output: "cstring_out",
        receive: "cstring_recv",
        send: "cstring_send",
        align: 'c',
        storage: 'p',
    },
    Type {
        oid: oid::ANY,
        name: "any",
        len: 4,
        by_val: true,
        typtype: 'p',
        category: 'P',
        delim: ',',
        elem: 0,
        array: 0,
        input: "any_in",
        output: "any_out",
        receive: "-",
        send: "-",
        align: 'i',
        storage: 'p',
    },
    Type {
        oid: oid::ANYARRAY,
        name: "anyarray",
        len: -1,
        by_val: false,
        typtype: 'p',
        category: 'P',
        delim: ',',
        elem: 0,
        array: 0,
        input: "anyarray_in",
        output: "anyarray_out",
        receive: "anyarray_recv",
        send: "anyarray_send",
        align: 'd',
        storage: 'x',
    },
    Type {
        oid: oid::VOID,
        name: "void",
        len: 4,
        by_val: true,
        typtype: 'p',
        category: 'P',
        delim: ',',
        elem: 0,
        array: 0,
        input: "void_in",
        output: "void_out",
        receive: "void_recv",
        send: "void_send",
        align: 'i',
        storage: 'p',
    },
    Type {
        oid: oid::TRIGGER,
        name: "trigger",
        len: 4,
        by_val: true,
        typtype: 'p',
        category: 'P',
        delim: ',',
        elem: 0,
        array: 0,
        input: "trigger_in",
        output: "trigger_out",
        receive: "-",
        send: "-",
        align: 'i',
        storage: 'p',
    },
    Type {
        oid: oid::INTERNAL,
        name: "internal",
        len: 8,
        by_val: true,
        typtype: 'p',
        category: 'P',
        delim: ',',
        elem: 0,
        array: 0,
        input: "internal_in",
        output: "internal_out",
        receive: "-",
        send: "-",
        align: 'd',
        storage: 'p',
    },
    Type {
        oid: oid::ANYELEMENT,
        name: "anyelement",
        len: 4,
        by_val: true,
        typtype: 'p',
        category: 'P',
        delim: ',',
        elem: 0,
        array: 0,
        input: "anyelement_in",
        output: "anyelement_out",
        receive: "-",
        send: "-",
        align: 'i',
        storage: 'p',
    },
    Type {
        oid: oid::RECORD_ARRAY,
        name: "_record",
        len: -1,
        by_val: false,
        typtype: 'p',
        category: 'P',
        delim: ',',
        elem: 2249,
        array: 0,
        input: "array_in",
        output: "array_out",
        receive: "array_recv",
        send: "array_send",
        align: 'd',
        storage: 'x',
    },
    Type {
        oid: oid::ANYNONARRAY,
        name: "anynonarray",
        len: 4,
        by_val: true,
        typtype: 'p',
        category: 'P',
        delim: ',',
        elem: 0,
        array: 0,
        input: "anynonarray_in",
        output: "anynonarray_out",
        receive: "-",
        send: "-",
        align: 'i',
        storage: 'p',
    },
    Type {
        oid: oid::UUID,
        name: "uuid",
        len: 16,
        by_val: false,
        typtype: 'b',
        category: 'U',
        delim: ',',
        elem: 0,
        array: 2951,
        input: "uuid_in",
        output: "uuid_out",
        receive: "uuid_recv",
        send: "uuid_send",
        align: 'c',
        storage: 'p',
    },
    Type {
        oid: oid::UUID_ARRAY,
        name: "_uuid",
        len: -1,
        by_val: false,
        typtype: 'b',
        category: 'A',
        delim: ',',
        elem: 2950,
        array: 0,
        input: "array_in",
        output: "array_out",
        receive: "array_recv",
        send: "array_send",
        align: 'i',
        storage: 'x',
    },
    Type {
        oid: oid::PG_LSN,
        name: "pg_lsn",
        len: 8,
        by_val: true,
        typtype: 'b',
        category: 'U',
        delim: ',',
        elem: 0,
        array: 3221,
        input: "pg_lsn_in",
        output: "pg_lsn_out",
        receive: "pg_lsn_recv",
        send: "pg_lsn_send",
        align: 'd',
        storage: 'p',
    },
    Type {
        oid: oid::PG_LSN_ARRAY,
        name: "_pg_lsn",
        len: -1,
        by_val: false,
        typtype: 'b',
        category: 'A',
        delim: ',',
        elem: 3220,
        array: 0,
        input: "array_in",
        output: "array_out",
        receive: "array_recv",
        send: "array_send",
        align: 'd',
        storage: 'x',
    },
    Type {
        oid: oid::ANYENUM,
        name: "anyenum",
        len: 4,
        by_val: true,
        typtype: 'p',
        category: 'P',
        delim: ',',
        elem: 0,
        array: 0,
        input: "anyenum_in",
        output: "anyenum_out",
        receive: "-",
        send: "-",
        align: 'i',
        storage: 'p',
    },
    Type {
        oid: oid::JSONB,
        name: "jsonb",
        len: -1,
        by_val: false,
        typtype: 'b',
        category: 'U',
        delim: ',',
        elem: 0,
        array: 3807,
        input: "jsonb_in",
        output: "jsonb_out",
        receive: "jsonb_recv",
        send: "jsonb_send",
        align: 'i',
        storage: 'x',
    },
    Type {
        oid: oid::JSONB_ARRAY,
        name: "_jsonb",
        len: -1,
        by_val: false,
        typtype: 'b',
        category: 'A',
        delim: ',',
        elem: 3802,
        array: 0,
        input: "array_in",
        output: "array_out",
        receive: "array_recv",
        send: "array_send",
        align: 'i',
        storage: 'x',
    },
    Type {
        oid: oid::EVENT_TRIGGER,
        name: "event_trigger",
        len: 4,
        by_val: true,
        typtype: 'p',
        category: 'P',
        delim: ',',
        elem: 0,
        array: 0,
        input: "event_trigger_in",
        output: "event_trigger_out",
        receive: "-",
        send: "-",
        align: 'i',
        storage: 'p',
    },
    Type {
        oid: oid::JSONPATH,
        name: "jsonpath",
        len: -1,
        by_val: false,
        typtype: 'b',
        category: 'U',
        delim: ',',
        elem: 0,
        array: 4073,
        input: "jsonpath_in",
        output: "jsonpath_out",
        receive: "jsonpath_recv",
        send: "jsonpath_send",
        align: 'i',
        storage: 'x',
    },
    Type {
        oid: oid::JSONPATH_ARRAY,
        name: "_jsonpath",
        len: -1,
        by_val: false,
        typtype: 'b',
        category: 'A',
        delim: ',',
        elem: 4072,
        array: 0,
        input: "array_in",
        output: "array_out",
        receive: "array_recv",
        send: "array_send",
        align: 'i',
        storage: 'x',
    },
    Type {
        oid: oid::REGNAMESPACE,
        name: "regnamespace",
        len: 4,
        by_val: true,
        typtype: 'b',
        category: 'N',
        delim: ',',
        elem: 0,
        array: 4090,
        input: "regnamespacein",
        output: "regnamespaceout",
        receive: "regnamespacerecv",
        send: "regnamespacesend",
        align: 'i',
        storage: 'p',
    },
    Type {
        oid: oid::REGNAMESPACE_ARRAY,
        name: "_regnamespace",
        len: -1,
        by_val: false,
        typtype: 'b',
        category: 'A',
        delim: ',',
        elem: 4089,
        array: 0,
        input: "array_in",
        output: "array_out",
        receive: "array_recv",
        send: "array_send",
        align: 'i',
        storage: 'x',
    },
    Type {
        oid: oid::REGROLE,
        name: "regrole",
        len: 4,
        by_val: true,
        typtype: 'b',
        category: 'N',
        delim: ',',
        elem: 0,
        array: 4097,
        input: "regrolein",
        output: "regroleout",
        receive: "regrolerecv",
        send: "regrolesend",
        align: 'i',
        storage: 'p',
    },
    Type {
        oid: oid::REGROLE_ARRAY,
        name: "_regrole",
        len: -1,
        by_val: false,
        typtype: 'b',
        category: 'A',
        delim: ',',
        elem: 4096,
        array: 0,
        input: "array_in",
        output: "array_out",
        receive: "array_recv",
        send: "array_send",
        align: 'i',
        storage: 'x',
    },
];

/// Alternative spellings the SQL grammar accepts for built-in types, mapped
/// to `typname`. Keys are lower case with single spaces.
static ALIASES: &[(&str, &str)] = &[
    ("int", "int4"),
    ("integer", "int4"),
    ("serial", "int4"),
    ("serial4", "int4"),
    ("smallint", "int2"),
    ("smallserial", "int2"),
    ("serial2", "int2"),
    ("bigint", "int8"),
    ("bigserial", "int8"),
    ("serial8", "int8"),
    ("real", "float4"),
    ("float", "float8"),
    ("double precision", "float8"),
    ("decimal", "numeric"),
    ("dec", "numeric"),
    ("boolean", "bool"),
    ("character varying", "varchar"),
    ("char varying", "varchar"),
    ("character", "bpchar"),
    ("char", "bpchar"),
    ("nchar", "bpchar"),
    ("national character", "bpchar"),
    ("\"char\"", "char"),
    ("timestamp without time zone", "timestamp"),
    ("timestamp with time zone", "timestamptz"),
    ("time without time zone", "time"),
    ("time with time zone", "timetz"),
];

impl Type {
    /// All built-in types, ordered by OID (the rows of `pg_type`).
    pub fn all() -> &'static [Type] {
        TYPES
    }

    /// The built-in type with this OID.
    pub fn by_oid(oid: Oid) -> Option<&'static Type> {
        TYPES
            .binary_search_by_key(&oid, |t| t.oid)
            .ok()
            .map(|i| &TYPES[i])
    }

    /// The built-in type with this name, accepting PostgreSQL's aliases
    /// (`integer`, `double precision`, `character varying(10)`,
    /// `timestamp with time zone`, `int4[]`, `_int4`, …). Case-insensitive;
    /// type modifiers in parentheses are ignored.
    pub fn by_name(name: &str) -> Option<&'static Type> {
        // Normalise: lower case, strip "(...)" modifiers, collapse spaces.
        let mut norm = String::with_capacity(name.len());
        let mut depth = 0usize;
        for c in name.chars() {
            match c {
                '(' => depth += 1,
                ')' => depth = depth.saturating_sub(1),
                _ if depth > 0 => {}
                c if c.is_whitespace() => {
                    if !norm.is_empty() && !norm.ends_with(' ') {
                        norm.push(' ');
                    }
                }
                c => norm.push(c.to_ascii_lowercase()),
            }
        }
        let mut norm = norm.trim_end().to_owned();
        // `pg_catalog.int4`
        if let Some(rest) = norm.strip_prefix("pg_catalog.") {
            norm = rest.to_owned();
        }
        let mut array_dims = 0;
        loop {
            let trimmed = norm.trim_end();
            if let Some(rest) = trimmed.strip_suffix("[]") {
                norm = rest.trim_end().to_owned();
                array_dims += 1;
            } else if let Some(rest) = trimmed.strip_suffix(" array") {
                norm = rest.trim_end().to_owned();
                array_dims += 1;
            } else {
                break;
            }
        }
        // "time(3) with time zone" leaves a double space after stripping.
        let norm = norm
            .split(' ')
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join(" ");
        let base = ALIASES
            .iter()
            .find(|(alias, _)| *alias == norm)
            .map(|(_, name)| *name)
            .unwrap_or(&norm);
        let ty = TYPES.iter().find(|t| t.name == base)?;
        match array_dims {
            0 => Some(ty),
            // PostgreSQL has one array type per element type, whatever the
            // number of dimensions.
            _ if ty.elem != 0 && ty.category == 'A' && !ty.is_vector() => Some(ty),
            _ => Type::by_oid(ty.array),
        }
    }

    /// int2vector and oidvector: they look like arrays (category A, an
    /// element type) but are named as themselves, as format_type does, and
    /// have array types of their own (`oidvector[]`).
    fn is_vector(&self) -> bool {
        matches!(self.oid, oid::INT2VECTOR | oid::OIDVECTOR)
    }

    /// The element type of an array type.
    pub fn element(&self) -> Option<&'static Type> {
        if self.category == 'A' && self.elem != 0 {
            Type::by_oid(self.elem)
        } else {
            None
        }
    }

    /// The array type whose elements are this type.
    pub fn array_type(&self) -> Option<&'static Type> {
        Type::by_oid(self.array)
    }

    /// Whether this is an array type (`typcategory = 'A'`).
    pub fn is_array(&self) -> bool {
        self.category == 'A'
    }

    /// The name as SQL's `format_type` shows it (`integer`, `character
    /// varying`, `timestamp with time zone`, `integer[]`), used in error
    /// messages such as `invalid input syntax for type integer`.
    pub fn sql_name(&self) -> String {
        if let Some(elem) = self.element()
            && !self.is_vector()
        {
            return format!("{}[]", elem.sql_name());
        }
        match self.name {
            "int2" => "smallint",
            "int4" => "integer",
            "int8" => "bigint",
            "float4" => "real",
            "float8" => "double precision",
            "bool" => "boolean",
            "varchar" => "character varying",
            "bpchar" => "character",
            "char" => "\"char\"",
            "timestamp" => "timestamp without time zone",
            "timestamptz" => "timestamp with time zone",
            "time" => "time without time zone",
            "timetz" => "time with time zone",
            other => other,
        }
        .to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_sorted_and_consistent() {
        for w in TYPES.windows(2) {
            assert!(w[0].oid < w[1].oid, "{} before {}", w[0].name, w[1].name);
        }
        for t in TYPES {
            if t.array != 0 {
                let arr = Type::by_oid(t.array).unwrap();
                assert_eq!(arr.elem, t.oid, "{}", t.name);
                assert!(matches!(arr.category, 'A' | 'P'), "{}", arr.name);
            }
        }
    }

    #[test]
    fn lookups() {
        assert_eq!(Type::by_oid(oid::INT4).unwrap().name, "int4");
        assert_eq!(Type::by_oid(oid::INT4_ARRAY).unwrap().elem, oid::INT4);
        assert!(Type::by_oid(99999).is_none());
        for (name, want) in [
            ("int", oid::INT4),
            ("INTEGER", oid::INT4),
            ("int4", oid::INT4),
            ("bigint", oid::INT8),
            ("smallint", oid::INT2),
            ("real", oid::FLOAT4),
            ("double   precision", oid::FLOAT8),
            ("float", oid::FLOAT8),
            ("varchar(10)", oid::VARCHAR),
            ("character varying", oid::VARCHAR),
            ("char(3)", oid::BPCHAR),
            ("character", oid::BPCHAR),
            ("bpchar", oid::BPCHAR),
            ("\"char\"", oid::CHAR),
            ("bool", oid::BOOL),
            ("boolean", oid::BOOL),
            ("timestamp with time zone", oid::TIMESTAMPTZ),
            ("timestamp(3) without time zone", oid::TIMESTAMP),
            ("timestamptz", oid::TIMESTAMPTZ),
            ("decimal(10,2)", oid::NUMERIC),
            ("numeric", oid::NUMERIC),
            ("int[]", oid::INT4_ARRAY),
            ("integer[][]", oid::INT4_ARRAY),
            ("_int4", oid::INT4_ARRAY),
            ("text array", oid::TEXT_ARRAY),
            ("pg_catalog.text", oid::TEXT),
            ("jsonb", oid::JSONB),
            ("uuid", oid::UUID),
        ] {
            assert_eq!(Type::by_name(name).map(|t| t.oid), Some(want), "{name}");
        }
        assert!(Type::by_name("nosuchtype").is_none());
        assert_eq!(Type::by_oid(oid::INT4).unwrap().sql_name(), "integer");
        assert_eq!(Type::by_oid(oid::TEXT_ARRAY).unwrap().sql_name(), "text[]");
    }
}
