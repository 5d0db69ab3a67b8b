//! Every system table's columns: PostgreSQL 15's names and types, in
//! PostgreSQL's order, for the columns provided (a subset for some
//! tables; `docs/catalogs.md` lists what is left out).
//!
//! `int2vector`/`oidvector` values are zero-based arrays (so `indkey[0]`,
//! `unnest(indkey)` and `generate_subscripts(indkey, 1)` behave as in
//! PostgreSQL; their text form is the array's, `[0:1]={1,2}`, not `1 2`).
//! Types twill-types has no value for are carried as text: `regproc` (the
//! function name) and `pg_node_tree` (the expression's SQL text, which
//! `pg_get_expr` returns as is). `information_schema`'s domains are their base types:
//! `sql_identifier` → `name`, `character_data` and `yes_or_no` →
//! `character varying`, `cardinal_number` → `integer`.

use twill_types::Oid;
use twill_types::oid::*;

use super::SystemTable;

type Cols = &'static [(&'static str, Oid)];

const ID: Oid = NAME; // information_schema.sql_identifier
const CHARS: Oid = VARCHAR; // information_schema.character_data
const YESNO: Oid = VARCHAR; // information_schema.yes_or_no
const CARD: Oid = INT4; // information_schema.cardinal_number

const PG_NAMESPACE: Cols = &[
    ("oid", OID),
    ("nspname", NAME),
    ("nspowner", OID),
    ("nspacl", ACLITEM_ARRAY),
];

const PG_CLASS: Cols = &[
    ("oid", OID),
    ("relname", NAME),
    ("relnamespace", OID),
    ("reltype", OID),
    ("reloftype", OID),
    ("relowner", OID),
    ("relam", OID),
    ("relfilenode", OID),
    ("reltablespace", OID),
    ("relpages", INT4),
    ("reltuples", FLOAT4),
    ("relallvisible", INT4),
    ("reltoastrelid", OID),
    ("relhasindex", BOOL),
    ("relisshared", BOOL),
    ("relpersistence", CHAR),
    ("relkind", CHAR),
    ("relnatts", INT2),
    ("relchecks", INT2),
    ("relhasrules", BOOL),
    ("relhastriggers", BOOL),
    ("relhassubclass", BOOL),
    ("relrowsecurity", BOOL),
    ("relforcerowsecurity", BOOL),
    ("relispopulated", BOOL),
    ("relreplident", CHAR),
    ("relispartition", BOOL),
    ("relrewrite", OID),
    ("relacl", ACLITEM_ARRAY),
    ("reloptions", TEXT_ARRAY),
    ("relpartbound", PG_NODE_TREE),
];

const PG_ATTRIBUTE: Cols = &[
    ("attrelid", OID),
    ("attname", NAME),
    ("atttypid", OID),
    ("attstattarget", INT4),
    ("attlen", INT2),
    ("attnum", INT2),
    ("attndims", INT4),
    ("attcacheoff", INT4),
    ("atttypmod", INT4),
    ("attbyval", BOOL),
    ("attalign", CHAR),
    ("attstorage", CHAR),
    ("attcompression", CHAR),
    ("attnotnull", BOOL),
    ("atthasdef", BOOL),
    ("atthasmissing", BOOL),
    ("attidentity", CHAR),
    ("attgenerated", CHAR),
    ("attisdropped", BOOL),
    ("attislocal", BOOL),
    ("attinhcount", INT4),
    ("attcollation", OID),
    ("attacl", ACLITEM_ARRAY),
    ("attoptions", TEXT_ARRAY),
    ("attfdwoptions", TEXT_ARRAY),
];

const PG_ATTRDEF: Cols = &[
    ("oid", OID),
    ("adrelid", OID),
    ("adnum", INT2),
    ("adbin", PG_NODE_TREE),
];

const PG_INDEX: Cols = &[
    ("indexrelid", OID),
    ("indrelid", OID),
    ("indnatts", INT2),
    ("indnkeyatts", INT2),
    ("indisunique", BOOL),
    ("indnullsnotdistinct", BOOL),
    ("indisprimary", BOOL),
    ("indisexclusion", BOOL),
    ("indimmediate", BOOL),
    ("indisclustered", BOOL),
    ("indisvalid", BOOL),
    ("indcheckxmin", BOOL),
    ("indisready", BOOL),
    ("indislive", BOOL),
    ("indisreplident", BOOL),
    ("indkey", INT2VECTOR),
    ("indcollation", OIDVECTOR),
    ("indclass", OIDVECTOR),
    ("indoption", INT2VECTOR),
    ("indexprs", PG_NODE_TREE),
    ("indpred", PG_NODE_TREE),
];

const PG_CONSTRAINT: Cols = &[
    ("oid", OID),
    ("conname", NAME),
    ("connamespace", OID),
    ("contype", CHAR),
    ("condeferrable", BOOL),
    ("condeferred", BOOL),
    ("convalidated", BOOL),
    ("conrelid", OID),
    ("contypid", OID),
    ("conindid", OID),
    ("conparentid", OID),
    ("confrelid", OID),
    ("confupdtype", CHAR),
    ("confdeltype", CHAR),
    ("confmatchtype", CHAR),
    ("conislocal", BOOL),
    ("coninhcount", INT4),
    ("connoinherit", BOOL),
    ("conkey", INT2_ARRAY),
    ("confkey", INT2_ARRAY),
    ("conpfeqop", OID_ARRAY),
    ("conppeqop", OID_ARRAY),
    ("conffeqop", OID_ARRAY),
    ("confdelsetcols", INT2_ARRAY),
    ("conexclop", OID_ARRAY),
    ("conbin", PG_NODE_TREE),
];

const PG_TYPE: Cols = &[
    ("oid", OID),
    ("typname", NAME),
    ("typnamespace", OID),
    ("typowner", OID),
    ("typlen", INT2),
    ("typbyval", BOOL),
    ("typtype", CHAR),
    ("typcategory", CHAR),
    ("typispreferred", BOOL),
    ("typisdefined", BOOL),
    ("typdelim", CHAR),
    ("typrelid", OID),
    ("typsubscript", REGPROC),
    ("typelem", OID),
    ("typarray", OID),
    ("typinput", REGPROC),
    ("typoutput", REGPROC),
    ("typreceive", REGPROC),
    ("typsend", REGPROC),
    ("typmodin", REGPROC),
    ("typmodout", REGPROC),
    ("typanalyze", REGPROC),
    ("typalign", CHAR),
    ("typstorage", CHAR),
    ("typnotnull", BOOL),
    ("typbasetype", OID),
    ("typtypmod", INT4),
    ("typndims", INT4),
    ("typcollation", OID),
    ("typdefaultbin", PG_NODE_TREE),
    ("typdefault", TEXT),
    ("typacl", ACLITEM_ARRAY),
];

const PG_DATABASE: Cols = &[
    ("oid", OID),
    ("datname", NAME),
    ("datdba", OID),
    ("encoding", INT4),
    ("datlocprovider", CHAR),
    ("datistemplate", BOOL),
    ("datallowconn", BOOL),
    ("datconnlimit", INT4),
    ("dattablespace", OID),
    ("datcollate", TEXT),
    ("datctype", TEXT),
    ("daticulocale", TEXT),
    ("datcollversion", TEXT),
    ("datacl", ACLITEM_ARRAY),
];

const PG_ROLES: Cols = &[
    ("rolname", NAME),
    ("rolsuper", BOOL),
    ("rolinherit", BOOL),
    ("rolcreaterole", BOOL),
    ("rolcreatedb", BOOL),
    ("rolcanlogin", BOOL),
    ("rolreplication", BOOL),
    ("rolconnlimit", INT4),
    ("rolpassword", TEXT),
    ("rolvaliduntil", TIMESTAMPTZ),
    ("rolbypassrls", BOOL),
    ("rolconfig", TEXT_ARRAY),
    ("oid", OID),
];

const PG_USER: Cols = &[
    ("usename", NAME),
    ("usesysid", OID),
    ("usecreatedb", BOOL),
    ("usesuper", BOOL),
    ("userepl", BOOL),
    ("usebypassrls", BOOL),
    ("passwd", TEXT),
    ("valuntil", TIMESTAMPTZ),
    ("useconfig", TEXT_ARRAY),
];

const PG_AUTH_MEMBERS: Cols = &[
    ("roleid", OID),
    ("member", OID),
    ("grantor", OID),
    ("admin_option", BOOL),
];

const PG_AM: Cols = &[
    ("oid", OID),
    ("amname", NAME),
    ("amhandler", REGPROC),
    ("amtype", CHAR),
];

const PG_LANGUAGE: Cols = &[
    ("oid", OID),
    ("lanname", NAME),
    ("lanowner", OID),
    ("lanispl", BOOL),
    ("lanpltrusted", BOOL),
    ("lanplcallfoid", OID),
    ("laninline", OID),
    ("lanvalidator", OID),
    ("lanacl", ACLITEM_ARRAY),
];

const PG_PROC: Cols = &[
    ("oid", OID),
    ("proname", NAME),
    ("pronamespace", OID),
    ("proowner", OID),
    ("prolang", OID),
    ("procost", FLOAT4),
    ("prorows", FLOAT4),
    ("provariadic", OID),
    ("prosupport", REGPROC),
    ("prokind", CHAR),
    ("prosecdef", BOOL),
    ("proleakproof", BOOL),
    ("proisstrict", BOOL),
    ("proretset", BOOL),
    ("provolatile", CHAR),
    ("proparallel", CHAR),
    ("pronargs", INT2),
    ("pronargdefaults", INT2),
    ("prorettype", OID),
    ("proargtypes", OIDVECTOR),
    ("proallargtypes", OID_ARRAY),
    ("proargmodes", CHAR_ARRAY),
    ("proargnames", TEXT_ARRAY),
    ("proargdefaults", PG_NODE_TREE),
    ("protrftypes", OID_ARRAY),
    ("prosrc", TEXT),
    ("probin", TEXT),
    ("prosqlbody", PG_NODE_TREE),
    ("proconfig", TEXT_ARRAY),
    ("proacl", ACLITEM_ARRAY),
];

const PG_OPERATOR: Cols = &[
    ("oid", OID),
    ("oprname", NAME),
    ("oprnamespace", OID),
    ("oprowner", OID),
    ("oprkind", CHAR),
    ("oprcanmerge", BOOL),
    ("oprcanhash", BOOL),
    ("oprleft", OID),
    ("oprright", OID),
    ("oprresult", OID),
    ("oprcom", OID),
    ("oprnegate", OID),
    ("oprcode", REGPROC),
    ("oprrest", REGPROC),
    ("oprjoin", REGPROC),
];

const PG_SETTINGS: Cols = &[
    ("name", TEXT),
    ("setting", TEXT),
    ("unit", TEXT),
    ("category", TEXT),
    ("short_desc", TEXT),
    ("extra_desc", TEXT),
    ("context", TEXT),
    ("vartype", TEXT),
    ("source", TEXT),
    ("min_val", TEXT),
    ("max_val", TEXT),
    ("enumvals", TEXT_ARRAY),
    ("boot_val", TEXT),
    ("reset_val", TEXT),
    ("sourcefile", TEXT),
    ("sourceline", INT4),
    ("pending_restart", BOOL),
];

const PG_DESCRIPTION: Cols = &[
    ("objoid", OID),
    ("classoid", OID),
    ("objsubid", INT4),
    ("description", TEXT),
];

const PG_INHERITS: Cols = &[
    ("inhrelid", OID),
    ("inhparent", OID),
    ("inhseqno", INT4),
    ("inhdetachpending", BOOL),
];

const PG_PARTITIONED_TABLE: Cols = &[
    ("partrelid", OID),
    ("partstrat", CHAR),
    ("partnatts", INT2),
    ("partdefid", OID),
    ("partattrs", INT2VECTOR),
    ("partclass", OIDVECTOR),
    ("partcollation", OIDVECTOR),
    ("partexprs", PG_NODE_TREE),
];

const PG_COLLATION: Cols = &[
    ("oid", OID),
    ("collname", NAME),
    ("collnamespace", OID),
    ("collowner", OID),
    ("collprovider", CHAR),
    ("collisdeterministic", BOOL),
    ("collencoding", INT4),
    ("collcollate", TEXT),
    ("collctype", TEXT),
    ("colliculocale", TEXT),
    ("collversion", TEXT),
];

const PG_TABLESPACE: Cols = &[
    ("oid", OID),
    ("spcname", NAME),
    ("spcowner", OID),
    ("spcacl", ACLITEM_ARRAY),
    ("spcoptions", TEXT_ARRAY),
];

const PG_TRIGGER: Cols = &[
    ("oid", OID),
    ("tgrelid", OID),
    ("tgparentid", OID),
    ("tgname", NAME),
    ("tgfoid", OID),
    ("tgtype", INT2),
    ("tgenabled", CHAR),
    ("tgisinternal", BOOL),
    ("tgconstrrelid", OID),
    ("tgconstrindid", OID),
    ("tgconstraint", OID),
    ("tgdeferrable", BOOL),
    ("tginitdeferred", BOOL),
    ("tgnargs", INT2),
    ("tgattr", INT2VECTOR),
    ("tgargs", BYTEA),
    ("tgqual", PG_NODE_TREE),
    ("tgoldtable", NAME),
    ("tgnewtable", NAME),
];

const PG_ENUM: Cols = &[
    ("oid", OID),
    ("enumtypid", OID),
    ("enumsortorder", FLOAT4),
    ("enumlabel", NAME),
];

const PG_RANGE: Cols = &[
    ("rngtypid", OID),
    ("rngsubtype", OID),
    ("rngmultitypid", OID),
    ("rngcollation", OID),
    ("rngsubopc", OID),
    ("rngcanonical", REGPROC),
    ("rngsubdiff", REGPROC),
];

const PG_POLICY: Cols = &[
    ("oid", OID),
    ("polname", NAME),
    ("polrelid", OID),
    ("polcmd", CHAR),
    ("polpermissive", BOOL),
    ("polroles", OID_ARRAY),
    ("polqual", PG_NODE_TREE),
    ("polwithcheck", PG_NODE_TREE),
];

const PG_STATISTIC_EXT: Cols = &[
    ("oid", OID),
    ("stxrelid", OID),
    ("stxname", NAME),
    ("stxnamespace", OID),
    ("stxowner", OID),
    ("stxstattarget", INT4),
    ("stxkeys", INT2VECTOR),
    ("stxkind", CHAR_ARRAY),
    ("stxexprs", PG_NODE_TREE),
];

const PG_OPCLASS: Cols = &[
    ("oid", OID),
    ("opcmethod", OID),
    ("opcname", NAME),
    ("opcnamespace", OID),
    ("opcowner", OID),
    ("opcfamily", OID),
    ("opcintype", OID),
    ("opcdefault", BOOL),
    ("opckeytype", OID),
];

const PG_SEQUENCE: Cols = &[
    ("seqrelid", OID),
    ("seqtypid", OID),
    ("seqstart", INT8),
    ("seqincrement", INT8),
    ("seqmax", INT8),
    ("seqmin", INT8),
    ("seqcache", INT8),
    ("seqcycle", BOOL),
];

const PG_PUBLICATION: Cols = &[
    ("oid", OID),
    ("pubname", NAME),
    ("pubowner", OID),
    ("puballtables", BOOL),
    ("pubinsert", BOOL),
    ("pubupdate", BOOL),
    ("pubdelete", BOOL),
    ("pubtruncate", BOOL),
    ("pubviaroot", BOOL),
];

const PG_PUBLICATION_NAMESPACE: Cols = &[("oid", OID), ("pnpubid", OID), ("pnnspid", OID)];

const PG_PUBLICATION_REL: Cols = &[
    ("oid", OID),
    ("prpubid", OID),
    ("prrelid", OID),
    ("prqual", PG_NODE_TREE),
    ("prattrs", INT2VECTOR),
];

const PG_TABLES: Cols = &[
    ("schemaname", NAME),
    ("tablename", NAME),
    ("tableowner", NAME),
    ("tablespace", NAME),
    ("hasindexes", BOOL),
    ("hasrules", BOOL),
    ("hastriggers", BOOL),
    ("rowsecurity", BOOL),
];

const PG_INDEXES: Cols = &[
    ("schemaname", NAME),
    ("tablename", NAME),
    ("indexname", NAME),
    ("tablespace", NAME),
    ("indexdef", TEXT),
];

const PG_VIEWS: Cols = &[
    ("schemaname", NAME),
    ("viewname", NAME),
    ("viewowner", NAME),
    ("definition", TEXT),
];

const PG_SEQUENCES: Cols = &[
    ("schemaname", NAME),
    ("sequencename", NAME),
    ("sequenceowner", NAME),
    ("data_type", REGTYPE),
    ("start_value", INT8),
    ("min_value", INT8),
    ("max_value", INT8),
    ("increment_by", INT8),
    ("cycle", BOOL),
    ("cache_size", INT8),
    ("last_value", INT8),
];

const SCHEMATA: Cols = &[
    ("catalog_name", ID),
    ("schema_name", ID),
    ("schema_owner", ID),
    ("default_character_set_catalog", ID),
    ("default_character_set_schema", ID),
    ("default_character_set_name", ID),
    ("sql_path", CHARS),
];

const TABLES: Cols = &[
    ("table_catalog", ID),
    ("table_schema", ID),
    ("table_name", ID),
    ("table_type", CHARS),
    ("self_referencing_column_name", ID),
    ("reference_generation", CHARS),
    ("user_defined_type_catalog", ID),
    ("user_defined_type_schema", ID),
    ("user_defined_type_name", ID),
    ("is_insertable_into", YESNO),
    ("is_typed", YESNO),
    ("commit_action", CHARS),
];

const COLUMNS: Cols = &[
    ("table_catalog", ID),
    ("table_schema", ID),
    ("table_name", ID),
    ("column_name", ID),
    ("ordinal_position", CARD),
    ("column_default", CHARS),
    ("is_nullable", YESNO),
    ("data_type", CHARS),
    ("character_maximum_length", CARD),
    ("character_octet_length", CARD),
    ("numeric_precision", CARD),
    ("numeric_precision_radix", CARD),
    ("numeric_scale", CARD),
    ("datetime_precision", CARD),
    ("interval_type", CHARS),
    ("interval_precision", CARD),
    ("character_set_catalog", ID),
    ("character_set_schema", ID),
    ("character_set_name", ID),
    ("collation_catalog", ID),
    ("collation_schema", ID),
    ("collation_name", ID),
    ("domain_catalog", ID),
    ("domain_schema", ID),
    ("domain_name", ID),
    ("udt_catalog", ID),
    ("udt_schema", ID),
    ("udt_name", ID),
    ("scope_catalog", ID),
    ("scope_schema", ID),
    ("scope_name", ID),
    ("maximum_cardinality", CARD),
    ("dtd_identifier", ID),
    ("is_self_referencing", YESNO),
    ("is_identity", YESNO),
    ("identity_generation", CHARS),
    ("identity_start", CHARS),
    ("identity_increment", CHARS),
    ("identity_maximum", CHARS),
    ("identity_minimum", CHARS),
    ("identity_cycle", YESNO),
    ("is_generated", CHARS),
    ("generation_expression", CHARS),
    ("is_updatable", YESNO),
];

const VIEWS: Cols = &[
    ("table_catalog", ID),
    ("table_schema", ID),
    ("table_name", ID),
    ("view_definition", CHARS),
    ("check_option", CHARS),
    ("is_updatable", YESNO),
    ("is_insertable_into", YESNO),
    ("is_trigger_updatable", YESNO),
    ("is_trigger_deletable", YESNO),
    ("is_trigger_insertable_into", YESNO),
];

const TABLE_CONSTRAINTS: Cols = &[
    ("constraint_catalog", ID),
    ("constraint_schema", ID),
    ("constraint_name", ID),
    ("table_catalog", ID),
    ("table_schema", ID),
    ("table_name", ID),
    ("constraint_type", CHARS),
    ("is_deferrable", YESNO),
    ("initially_deferred", YESNO),
    ("enforced", YESNO),
    ("nulls_distinct", YESNO),
];

const KEY_COLUMN_USAGE: Cols = &[
    ("constraint_catalog", ID),
    ("constraint_schema", ID),
    ("constraint_name", ID),
    ("table_catalog", ID),
    ("table_schema", ID),
    ("table_name", ID),
    ("column_name", ID),
    ("ordinal_position", CARD),
    ("position_in_unique_constraint", CARD),
];

/// The columns of `table`.
pub(crate) fn of(table: SystemTable) -> Cols {
    use SystemTable as T;
    match table {
        T::PgNamespace => PG_NAMESPACE,
        T::PgClass => PG_CLASS,
        T::PgAttribute => PG_ATTRIBUTE,
        T::PgAttrdef => PG_ATTRDEF,
        T::PgIndex => PG_INDEX,
        T::PgConstraint => PG_CONSTRAINT,
        T::PgType => PG_TYPE,
        T::PgDatabase => PG_DATABASE,
        T::PgRoles => PG_ROLES,
        T::PgUser => PG_USER,
        T::PgAuthMembers => PG_AUTH_MEMBERS,
        T::PgAm => PG_AM,
        T::PgLanguage => PG_LANGUAGE,
        T::PgProc => PG_PROC,
        T::PgOperator => PG_OPERATOR,
        T::PgSettings => PG_SETTINGS,
        T::PgDescription => PG_DESCRIPTION,
        T::PgInherits => PG_INHERITS,
        T::PgPartitionedTable => PG_PARTITIONED_TABLE,
        T::PgCollation => PG_COLLATION,
        T::PgTablespace => PG_TABLESPACE,
        T::PgTrigger => PG_TRIGGER,
        T::PgEnum => PG_ENUM,
        T::PgRange => PG_RANGE,
        T::PgPolicy => PG_POLICY,
        T::PgStatisticExt => PG_STATISTIC_EXT,
        T::PgOpclass => PG_OPCLASS,
        T::PgSequence => PG_SEQUENCE,
        T::PgPublication => PG_PUBLICATION,
        T::PgPublicationNamespace => PG_PUBLICATION_NAMESPACE,
        T::PgPublicationRel => PG_PUBLICATION_REL,
        T::PgTables => PG_TABLES,
        T::PgIndexes => PG_INDEXES,
        T::PgViews => PG_VIEWS,
        T::PgSequences => PG_SEQUENCES,
        T::Schemata => SCHEMATA,
        T::Tables => TABLES,
        T::Columns => COLUMNS,
        T::Views => VIEWS,
        T::TableConstraints => TABLE_CONSTRAINTS,
        T::KeyColumnUsage => KEY_COLUMN_USAGE,
    }
}
