//! Catalog queries run through a session, as clients send them.
//!
//! Expected rows were checked against PostgreSQL 15 for the same schema
//! where they can match (OIDs differ by design).

use twill_types::{FormatSettings, Value};

use super::SystemTable;
use super::columns;
use crate::{Database, Output, Session};

fn session() -> Session {
    let db = Database::open("memory://").expect("memory database");
    db.connect("alice", &[]).expect("session")
}

/// Runs SQL; the rows of the last statement as text (`NULL` for NULL), or
/// the first error's message.
fn query(s: &mut Session, sql: &str) -> Result<Vec<Vec<String>>, String> {
    let settings = FormatSettings::default();
    let mut rows = Vec::new();
    for out in s.simple_query(sql) {
        match out {
            Output::Columns(_) => rows.clear(),
            Output::Rows(batch) => rows.extend(batch.into_iter().map(|r| {
                r.iter()
                    .map(|v| match v {
                        Value::Null => "NULL".to_owned(),
                        v => v.to_text(&settings),
                    })
                    .collect()
            })),
            Output::Error(e) => return Err(format!("{}: {}", e.code.code(), e.message)),
            _ => {}
        }
    }
    Ok(rows)
}

fn ok(s: &mut Session, sql: &str) -> Vec<Vec<String>> {
    query(s, sql).unwrap_or_else(|e| panic!("{sql}\n  failed: {e}"))
}

fn flat(rows: Vec<Vec<String>>) -> Vec<String> {
    rows.into_iter().map(|r| r.join("|")).collect()
}

const SCHEMA: &str = "
    CREATE TABLE owners (id int PRIMARY KEY, name text NOT NULL);
    CREATE TABLE items (
        id serial PRIMARY KEY,
        name varchar(40) NOT NULL UNIQUE,
        price numeric(10,2) DEFAULT 0 CHECK (price >= 0),
        owner_id int REFERENCES owners(id) ON DELETE CASCADE,
        tags text[],
        created timestamptz
    );
    CREATE INDEX items_owner_idx ON items (owner_id, name);
";

fn with_schema() -> Session {
    let mut s = session();
    for out in s.simple_query(SCHEMA) {
        if let Output::Error(e) = out {
            panic!("schema: {}", e.message);
        }
    }
    s
}

#[test]
fn every_table_has_rows_of_its_width() {
    let mut s = with_schema();
    for t in SystemTable::ALL {
        let schema = match t.schema() {
            super::SystemSchema::PgCatalog => "pg_catalog",
            super::SystemSchema::InformationSchema => "information_schema",
        };
        let rows = ok(&mut s, &format!("SELECT * FROM {schema}.{}", t.name()));
        let width = columns::of(*t).len();
        for r in &rows {
            assert_eq!(r.len(), width, "{}", t.name());
        }
    }
}

#[test]
fn pg_class_rows_of_a_table_and_its_indexes() {
    let mut s = with_schema();
    let rows = ok(
        &mut s,
        "SELECT c.relname, c.relkind, n.nspname, c.relnatts, c.relchecks, c.relhasindex,
                c.relpersistence, c.reltuples, c.relispartition, am.amname
         FROM pg_catalog.pg_class c
         JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
         LEFT JOIN pg_catalog.pg_am am ON am.oid = c.relam
         WHERE n.nspname = 'public' ORDER BY c.relname",
    );
    assert_eq!(
        flat(rows),
        [
            "items|r|public|6|1|t|p|-1|f|heap",
            "items_id_seq|S|public|3|0|f|p|1|f|NULL",
            "items_name_key|i|public|1|0|f|p|0|f|btree",
            "items_owner_idx|i|public|2|0|f|p|0|f|btree",
            "items_pkey|i|public|1|0|f|p|0|f|btree",
            "owners|r|public|2|0|t|p|-1|f|heap",
            "owners_pkey|i|public|1|0|f|p|0|f|btree",
        ]
    );
    // The table's OID is the one RowDescription reports.
    let oid = ok(&mut s, "SELECT 'items'::regclass::oid");
    let by_name = ok(
        &mut s,
        "SELECT oid FROM pg_class WHERE relname = 'items' AND relkind = 'r'",
    );
    assert_eq!(oid, by_name);
}

#[test]
fn pg_attribute_rows() {
    let mut s = with_schema();
    let rows = ok(
        &mut s,
        "SELECT a.attname, a.atttypid, a.attnum, a.atttypmod, a.attnotnull, a.atthasdef,
                a.attisdropped, a.attlen, a.attidentity, a.attgenerated,
                pg_catalog.format_type(a.atttypid, a.atttypmod)
         FROM pg_catalog.pg_attribute a JOIN pg_catalog.pg_class c ON c.oid = a.attrelid
         WHERE c.relname = 'items' AND a.attnum > 0 AND NOT a.attisdropped
         ORDER BY a.attnum",
    );
    assert_eq!(
        flat(rows),
        [
            "id|23|1|-1|t|t|f|4|||integer",
            "name|1043|2|44|t|f|f|-1|||character varying(40)",
            "price|1700|3|655366|f|t|f|-1|||numeric(10,2)",
            "owner_id|23|4|-1|f|f|f|4|||integer",
            "tags|1009|5|-1|f|f|f|-1|||text[]",
            "created|1184|6|-1|f|f|f|8|||timestamp with time zone",
        ]
    );
    let defaults = ok(
        &mut s,
        "SELECT d.adnum, pg_catalog.pg_get_expr(d.adbin, d.adrelid, true)
         FROM pg_catalog.pg_attrdef d WHERE d.adrelid = 'items'::regclass ORDER BY 1",
    );
    assert_eq!(defaults.len(), 2);
    assert!(
        defaults[0][1].starts_with("nextval('items_id_seq'"),
        "{defaults:?}"
    );
    assert_eq!(defaults[1][1], "0");
}

#[test]
fn pg_index_and_pg_constraint_rows() {
    let mut s = with_schema();
    let rows = ok(
        &mut s,
        "SELECT c2.relname, i.indisprimary, i.indisunique, array_to_string(i.indkey, ' '),
                i.indnatts, (i.indkey)[0],
                pg_catalog.pg_get_indexdef(i.indexrelid, 0, true)
         FROM pg_catalog.pg_index i JOIN pg_catalog.pg_class c2 ON c2.oid = i.indexrelid
         WHERE i.indrelid = 'items'::regclass
         ORDER BY i.indisprimary DESC, c2.relname",
    );
    assert_eq!(
        flat(rows),
        [
            "items_pkey|t|t|1|1|1|CREATE UNIQUE INDEX items_pkey ON items USING btree (id)",
            "items_name_key|f|t|2|1|2|CREATE UNIQUE INDEX items_name_key ON items USING btree (name)",
            "items_owner_idx|f|f|4 2|2|4|CREATE INDEX items_owner_idx ON items USING btree (owner_id, name)",
        ]
    );
    let rows = ok(
        &mut s,
        "SELECT conname, contype, conkey, confkey, pg_catalog.pg_get_constraintdef(oid, true),
                confrelid = 'owners'::regclass
         FROM pg_catalog.pg_constraint WHERE conrelid = 'items'::regclass ORDER BY conname",
    );
    assert_eq!(
        flat(rows),
        [
            "items_name_key|u|{2}|NULL|UNIQUE (name)|f",
            "items_owner_id_fkey|f|{4}|{1}|FOREIGN KEY (owner_id) REFERENCES owners(id) ON DELETE CASCADE|t",
            "items_pkey|p|{1}|NULL|PRIMARY KEY (id)|f",
            "items_price_check|c|{3}|NULL|CHECK (price >= 0)|f",
        ]
    );
}

#[test]
fn information_schema_columns_data_type() {
    let mut s = with_schema();
    let rows = ok(
        &mut s,
        "SELECT column_name, ordinal_position, is_nullable, data_type,
                character_maximum_length, numeric_precision, numeric_scale, udt_name
         FROM information_schema.columns
         WHERE table_schema = 'public' AND table_name = 'items' ORDER BY ordinal_position",
    );
    assert_eq!(
        flat(rows),
        [
            "id|1|NO|integer|NULL|32|0|int4",
            "name|2|NO|character varying|40|NULL|NULL|varchar",
            "price|3|YES|numeric|NULL|10|2|numeric",
            "owner_id|4|YES|integer|NULL|32|0|int4",
            "tags|5|YES|ARRAY|NULL|NULL|NULL|_text",
            "created|6|YES|timestamp with time zone|NULL|NULL|NULL|timestamptz",
        ]
    );
    let rows = ok(
        &mut s,
        "SELECT tc.constraint_type, kcu.column_name, kcu.ordinal_position
         FROM information_schema.table_constraints tc
         JOIN information_schema.key_column_usage kcu
           ON kcu.constraint_name = tc.constraint_name AND kcu.table_name = tc.table_name
         WHERE tc.table_name = 'items' ORDER BY 1, 2",
    );
    assert_eq!(
        flat(rows),
        [
            "FOREIGN KEY|owner_id|1",
            "PRIMARY KEY|id|1",
            "UNIQUE|name|1"
        ]
    );
    let rows = ok(
        &mut s,
        "SELECT table_name, table_type FROM information_schema.tables
         WHERE table_schema = 'public' ORDER BY 1",
    );
    assert_eq!(flat(rows), ["items|BASE TABLE", "owners|BASE TABLE"]);
}

/// psql's `\dt` (PostgreSQL 15).
#[test]
fn psql_dt() {
    let mut s = with_schema();
    let rows = ok(
        &mut s,
        r#"SELECT n.nspname as "Schema",
  c.relname as "Name",
  CASE c.relkind WHEN 'r' THEN 'table' WHEN 'v' THEN 'view' WHEN 'm' THEN 'materialized view' WHEN 'i' THEN 'index' WHEN 'S' THEN 'sequence' WHEN 't' THEN 'TOAST table' WHEN 'f' THEN 'foreign table' WHEN 'p' THEN 'partitioned table' WHEN 'I' THEN 'partitioned index' END as "Type",
  pg_catalog.pg_get_userbyid(c.relowner) as "Owner"
FROM pg_catalog.pg_class c
     LEFT JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
     LEFT JOIN pg_catalog.pg_am am ON am.oid = c.relam
WHERE c.relkind IN ('r','p','')
      AND n.nspname <> 'pg_catalog'
      AND n.nspname !~ '^pg_toast'
      AND n.nspname <> 'information_schema'
  AND pg_catalog.pg_table_is_visible(c.oid)
ORDER BY 1,2;"#,
    );
    assert_eq!(
        flat(rows),
        ["public|items|table|alice", "public|owners|table|alice"]
    );
}

/// psql's `\df [pattern]` (PostgreSQL 15): `pg_get_function_result` and
/// `pg_get_function_arguments` over pg_proc.
fn psql_df_query(pattern: Option<&str>) -> String {
    let filter = match pattern {
        None => "WHERE pg_catalog.pg_function_is_visible(p.oid)
      AND n.nspname <> 'pg_catalog'
      AND n.nspname <> 'information_schema'"
            .to_owned(),
        Some(p) => format!(
            "WHERE p.proname OPERATOR(pg_catalog.~) '^({p})$' COLLATE pg_catalog.default
  AND pg_catalog.pg_function_is_visible(p.oid)"
        ),
    };
    format!(
        r#"SELECT n.nspname as "Schema",
  p.proname as "Name",
  pg_catalog.pg_get_function_result(p.oid) as "Result data type",
  pg_catalog.pg_get_function_arguments(p.oid) as "Argument data types",
 CASE p.prokind
  WHEN 'a' THEN 'agg'
  WHEN 'w' THEN 'window'
  WHEN 'p' THEN 'proc'
  ELSE 'func'
 END as "Type"
FROM pg_catalog.pg_proc p
     LEFT JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
{filter}
ORDER BY 1, 2, 4;"#
    )
}

#[test]
fn psql_df() {
    let mut s = with_schema();
    // No user functions: an empty list, as PostgreSQL's for a fresh database.
    assert_eq!(ok(&mut s, &psql_df_query(None)), Vec::<Vec<String>>::new());
    assert_eq!(
        flat(ok(&mut s, &psql_df_query(Some("lower")))),
        ["pg_catalog|lower|text|text|func"]
    );
    assert_eq!(
        flat(ok(&mut s, &psql_df_query(Some("concat_ws")))),
        [r#"pg_catalog|concat_ws|text|text, VARIADIC "any"|func"#]
    );
    // `\df+ upper`'s extra columns: volatility, owner, language, source.
    assert_eq!(
        flat(ok(
            &mut s,
            r#"SELECT p.proname,
 CASE WHEN p.provolatile = 'i' THEN 'immutable' WHEN p.provolatile = 's' THEN 'stable' WHEN p.provolatile = 'v' THEN 'volatile' END as "Volatility",
 pg_catalog.pg_get_userbyid(p.proowner) as "Owner",
 CASE WHEN prosecdef THEN 'definer' ELSE 'invoker' END AS "Security",
 pg_catalog.array_to_string(p.proacl, E'\n') AS "Access privileges",
 l.lanname as "Language",
 COALESCE(pg_catalog.pg_get_function_sqlbody(p.oid), p.prosrc) as "Source code",
 pg_catalog.obj_description(p.oid, 'pg_proc') as "Description"
FROM pg_catalog.pg_proc p
     LEFT JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
     LEFT JOIN pg_catalog.pg_language l ON l.oid = p.prolang
WHERE p.proname OPERATOR(pg_catalog.~) '^(upper)$' COLLATE pg_catalog.default
  AND pg_catalog.pg_function_is_visible(p.oid)
ORDER BY 1, 2, 4;"#
        )),
        ["upper|immutable|alice|invoker|NULL|internal|upper|NULL"]
    );
    // Operators are not functions: NULL, as for an unknown OID.
    assert_eq!(
        flat(ok(
            &mut s,
            "SELECT pg_catalog.pg_get_function_result(o.oid) IS NULL FROM pg_catalog.pg_operator o LIMIT 1"
        )),
        ["t"]
    );
}

/// The queries psql's `\d items` sends, in order (PostgreSQL 15).
#[test]
fn psql_d_table() {
    let mut s = with_schema();
    let rows = ok(
        &mut s,
        "SELECT c.oid,
  n.nspname,
  c.relname
FROM pg_catalog.pg_class c
     LEFT JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE c.relname OPERATOR(pg_catalog.~) '^(items)$' COLLATE pg_catalog.default
  AND pg_catalog.pg_table_is_visible(c.oid)
ORDER BY 2, 3;",
    );
    assert_eq!(rows.len(), 1);
    let oid = rows[0][0].clone();
    assert_eq!(rows[0][1..], ["public", "items"]);
    let rows = ok(
        &mut s,
        &format!(
            "SELECT c.relchecks, c.relkind, c.relhasindex, c.relhasrules, c.relhastriggers, c.relrowsecurity, c.relforcerowsecurity, false AS relhasoids, c.relispartition, '', c.reltablespace, CASE WHEN c.reloftype = 0 THEN '' ELSE c.reloftype::pg_catalog.regtype::pg_catalog.text END, c.relpersistence, c.relreplident, am.amname
FROM pg_catalog.pg_class c
 LEFT JOIN pg_catalog.pg_class tc ON (c.reltoastrelid = tc.oid)
LEFT JOIN pg_catalog.pg_am am ON (c.relam = am.oid)
WHERE c.oid = '{oid}';"
        ),
    );
    assert_eq!(flat(rows), ["1|r|t|f|t|f|f|f|f||0||p|d|heap"]);
    let rows = ok(
        &mut s,
        &format!(
            "SELECT a.attname,
  pg_catalog.format_type(a.atttypid, a.atttypmod),
  (SELECT pg_catalog.pg_get_expr(d.adbin, d.adrelid, true)
   FROM pg_catalog.pg_attrdef d
   WHERE d.adrelid = a.attrelid AND d.adnum = a.attnum AND a.atthasdef),
  a.attnotnull,
  (SELECT c.collname FROM pg_catalog.pg_collation c, pg_catalog.pg_type t
   WHERE c.oid = a.attcollation AND t.oid = a.atttypid AND a.attcollation <> t.typcollation) AS attcollation,
  a.attidentity,
  a.attgenerated
FROM pg_catalog.pg_attribute a
WHERE a.attrelid = '{oid}' AND a.attnum > 0 AND NOT a.attisdropped
ORDER BY a.attnum;"
        ),
    );
    assert_eq!(rows.len(), 6);
    assert_eq!(
        rows[1],
        ["name", "character varying(40)", "NULL", "t", "NULL", "", ""]
    );
    let rows = ok(
        &mut s,
        &format!(
            "SELECT c2.relname, i.indisprimary, i.indisunique, i.indisclustered, i.indisvalid, pg_catalog.pg_get_indexdef(i.indexrelid, 0, true),
  pg_catalog.pg_get_constraintdef(con.oid, true), contype, condeferrable, condeferred, i.indisreplident, c2.reltablespace
FROM pg_catalog.pg_class c, pg_catalog.pg_class c2, pg_catalog.pg_index i
  LEFT JOIN pg_catalog.pg_constraint con ON (conrelid = i.indrelid AND conindid = i.indexrelid AND contype IN ('p','u','x'))
WHERE c.oid = '{oid}' AND c.oid = i.indrelid AND i.indexrelid = c2.oid
ORDER BY i.indisprimary DESC, c2.relname;"
        ),
    );
    assert_eq!(
        flat(rows),
        [
            "items_pkey|t|t|f|t|CREATE UNIQUE INDEX items_pkey ON items USING btree (id)|PRIMARY KEY (id)|p|f|f|f|0",
            "items_name_key|f|t|f|t|CREATE UNIQUE INDEX items_name_key ON items USING btree (name)|UNIQUE (name)|u|f|f|f|0",
            "items_owner_idx|f|f|f|t|CREATE INDEX items_owner_idx ON items USING btree (owner_id, name)|NULL|NULL|NULL|NULL|f|0",
        ]
    );
    let rows = ok(
        &mut s,
        &format!(
            "SELECT true as sametable, conname,
  pg_catalog.pg_get_constraintdef(r.oid, true) as condef,
  conrelid::pg_catalog.regclass AS ontable
FROM pg_catalog.pg_constraint r
WHERE r.conrelid = '{oid}' AND r.contype = 'f'
     AND conparentid = 0
ORDER BY conname"
        ),
    );
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0][1], "items_owner_id_fkey");
    for sql in [
        format!(
            "SELECT t.tgname, t.tgenabled, t.tgisinternal FROM pg_catalog.pg_trigger t
             WHERE t.tgrelid = '{oid}' AND (NOT t.tgisinternal OR (t.tgisinternal AND t.tgenabled = 'D'))
             ORDER BY 1;"
        ),
        format!(
            "SELECT c.oid::pg_catalog.regclass
FROM pg_catalog.pg_class c, pg_catalog.pg_inherits i
WHERE c.oid = i.inhparent AND i.inhrelid = '{oid}'
  AND c.relkind != 'p' AND c.relkind != 'I'
ORDER BY inhseqno;"
        ),
    ] {
        assert_eq!(ok(&mut s, &sql).len(), 0, "{sql}");
    }
}

#[test]
fn psql_l_dn_du() {
    let mut s = with_schema();
    let rows = ok(
        &mut s,
        r#"SELECT d.datname as "Name",
       pg_catalog.pg_get_userbyid(d.datdba) as "Owner",
       pg_catalog.pg_encoding_to_char(d.encoding) as "Encoding",
       d.datcollate as "Collate",
       d.datctype as "Ctype",
       d.daticulocale as "ICU Locale",
       CASE d.datlocprovider WHEN 'c' THEN 'libc' WHEN 'i' THEN 'icu' END AS "Locale Provider",
       pg_catalog.array_to_string(d.datacl, E'\n') AS "Access privileges"
FROM pg_catalog.pg_database d
ORDER BY 1;"#,
    );
    assert_eq!(
        flat(rows),
        [
            "postgres|alice|UTF8|C|C|NULL|libc|NULL",
            "template0|alice|UTF8|C|C|NULL|libc|NULL",
            "template1|alice|UTF8|C|C|NULL|libc|NULL",
        ]
    );
    ok(&mut s, "CREATE SCHEMA audit");
    let rows = ok(
        &mut s,
        r#"SELECT n.nspname AS "Name",
  pg_catalog.pg_get_userbyid(n.nspowner) AS "Owner"
FROM pg_catalog.pg_namespace n
WHERE n.nspname !~ '^pg_' AND n.nspname <> 'information_schema'
ORDER BY 1;"#,
    );
    assert_eq!(flat(rows), ["audit|alice", "public|pg_database_owner"]);
    let rows = ok(
        &mut s,
        // psql's `\du`, with `ARRAY(SELECT …)` (not yet bound by the
        // binder) replaced by a scalar subquery over the same tables.
        "SELECT r.rolname, r.rolsuper, r.rolinherit,
  r.rolcreaterole, r.rolcreatedb, r.rolcanlogin,
  r.rolconnlimit, r.rolvaliduntil,
  (SELECT count(b.rolname)
        FROM pg_catalog.pg_auth_members m
        JOIN pg_catalog.pg_roles b ON (m.roleid = b.oid)
        WHERE m.member = r.oid) as memberof
, r.rolreplication
, r.rolbypassrls
FROM pg_catalog.pg_roles r
WHERE r.rolname !~ '^pg_'
ORDER BY 1;",
    );
    assert_eq!(flat(rows), ["alice|t|t|t|t|t|-1|NULL|0|t|t"]);
}

#[test]
fn pgbench_partition_probe() {
    let mut s = session();
    ok(
        &mut s,
        "CREATE TABLE pgbench_accounts (aid int PRIMARY KEY, bid int, abalance int, filler char(84))",
    );
    let rows = ok(
        &mut s,
        "select o.n, p.partstrat, pg_catalog.count(i.inhparent) from pg_catalog.pg_class as c join pg_catalog.pg_namespace as n on (n.oid = c.relnamespace) cross join lateral (select pg_catalog.array_position(pg_catalog.current_schemas(true), n.nspname)) as o(n) left join pg_catalog.pg_partitioned_table as p on (p.partrelid = c.oid) left join pg_catalog.pg_inherits as i on (c.oid = i.inhparent) where c.relname = 'pgbench_accounts' and o.n is not null group by 1, 2 order by 1 asc limit 1",
    );
    assert_eq!(flat(rows), ["2|NULL|0"]);
}

#[test]
fn type_introspection() {
    let mut s = session();
    let rows = ok(
        &mut s,
        "SELECT t.typname, t.typtype, t.typelem, r.rngsubtype, t.typbasetype, n.nspname, t.typrelid
         FROM pg_catalog.pg_type t
         LEFT OUTER JOIN pg_catalog.pg_range r ON r.rngtypid = t.oid
         INNER JOIN pg_catalog.pg_namespace n ON t.typnamespace = n.oid
         WHERE t.oid = 1007",
    );
    assert_eq!(flat(rows), ["_int4|b|23|NULL|0|pg_catalog|0"]);
    let rows = ok(
        &mut s,
        "select b.oid, b.typarray from pg_catalog.pg_type a
         left join pg_catalog.pg_type b on b.oid = a.typelem
         where a.typcategory = 'A' group by b.oid, b.typarray order by b.oid",
    );
    assert!(rows.contains(&vec!["23".to_owned(), "1007".to_owned()]));
}

#[test]
fn functions() {
    let mut s = with_schema();
    let rows = ok(
        &mut s,
        "SELECT version(), current_database(), current_schema(), current_schemas(true),
                current_schemas(false), format_type(1043, 24), format_type(23, NULL),
                pg_encoding_to_char(6), to_regtype('int4'), pg_type_is_visible(23),
                has_table_privilege('items', 'select'), to_regclass('items') = 'items'::regclass,
                to_regclass('nope'), pg_get_serial_sequence('items', 'id')",
    );
    assert_eq!(
        rows[0],
        [
            "PostgreSQL 15.0 (twill) on x86_64-pc-linux-gnu, compiled by rustc, 64-bit",
            "postgres",
            "public",
            "{pg_catalog,public}",
            "{public}",
            "character varying(20)",
            "integer",
            "UTF8",
            "integer",
            "t",
            "t",
            "t",
            "NULL",
            "public.items_id_seq",
        ]
    );
    let rows = ok(
        &mut s,
        "SELECT current_user, session_user, pg_get_userbyid(10)",
    );
    assert_eq!(rows[0], ["alice", "alice", "alice"]);
    let rows = ok(
        &mut s,
        "SELECT 'pg_class'::regclass::oid, 'pg_catalog.pg_type'::regclass::oid",
    );
    assert_eq!(rows[0], ["1259", "1247"]);
}

#[test]
fn user_tables_shadow_unqualified_system_names() {
    let mut s = session();
    ok(&mut s, "CREATE TABLE pg_am (x int)");
    assert_eq!(ok(&mut s, "SELECT * FROM pg_am").len(), 0);
    assert_eq!(ok(&mut s, "SELECT * FROM pg_catalog.pg_am").len(), 2);
    // Catalog reads see the transaction's own DDL.
    ok(&mut s, "BEGIN");
    ok(&mut s, "CREATE TABLE t1 (a int)");
    assert_eq!(
        ok(&mut s, "SELECT count(*) FROM pg_class WHERE relname = 't1'"),
        [["1"]]
    );
    ok(&mut s, "ROLLBACK");
    assert_eq!(
        ok(&mut s, "SELECT count(*) FROM pg_class WHERE relname = 't1'"),
        [["0"]]
    );
}

/// Driver queries (SQLAlchemy `has_table`/type lookup, JDBC getColumns,
/// index reflection through `unnest(indkey)`), with literal parameters.
#[test]
fn driver_queries() {
    let mut s = with_schema();
    let rows = ok(
        &mut s,
        "SELECT pg_catalog.pg_class.relname FROM pg_catalog.pg_class JOIN pg_catalog.pg_namespace ON pg_catalog.pg_namespace.oid = pg_catalog.pg_class.relnamespace WHERE pg_catalog.pg_class.relname IN ('items'::VARCHAR, 'x'::VARCHAR) AND pg_catalog.pg_class.relkind = ANY (ARRAY['r'::VARCHAR, 'p'::VARCHAR, 'f'::VARCHAR, 'v'::VARCHAR, 'm'::VARCHAR]) AND pg_catalog.pg_table_is_visible(pg_catalog.pg_class.oid) AND pg_catalog.pg_namespace.nspname != 'pg_catalog'::VARCHAR",
    );
    assert_eq!(flat(rows), ["items"]);
    let rows = ok(
        &mut s,
        "SELECT typname AS name, oid, typarray AS array_oid, oid::regtype::text AS regtype, typdelim AS delimiter FROM pg_type t WHERE t.oid = to_regtype('int4') ORDER BY t.oid",
    );
    assert_eq!(flat(rows), ["int4|23|1007|integer|,"]);
    let rows = ok(
        &mut s,
        "SELECT * FROM (SELECT n.nspname,c.relname,a.attname,a.atttypid,a.attnotnull OR (t.typtype = 'd' AND t.typnotnull) AS attnotnull,a.atttypmod,a.attlen,t.typtypmod,row_number() OVER (PARTITION BY a.attrelid ORDER BY a.attnum) AS attnum, nullif(a.attidentity, '') as attidentity,nullif(a.attgenerated, '') as attgenerated,pg_catalog.pg_get_expr(def.adbin, def.adrelid) AS adsrc,dsc.description,t.typbasetype,t.typtype  FROM pg_catalog.pg_namespace n  JOIN pg_catalog.pg_class c ON (c.relnamespace = n.oid)  JOIN pg_catalog.pg_attribute a ON (a.attrelid=c.oid)  JOIN pg_catalog.pg_type t ON (a.atttypid = t.oid)  LEFT JOIN pg_catalog.pg_attrdef def ON (a.attrelid=def.adrelid AND a.attnum = def.adnum)  LEFT JOIN pg_catalog.pg_description dsc ON (c.oid=dsc.objoid AND a.attnum = dsc.objsubid)  LEFT JOIN pg_catalog.pg_class dc ON (dc.oid=dsc.classoid AND dc.relname='pg_class')  LEFT JOIN pg_catalog.pg_namespace dn ON (dc.relnamespace=dn.oid AND dn.nspname='pg_catalog')  WHERE c.relkind in ('r','p','v','f','m') and a.attnum > 0 AND NOT a.attisdropped  AND n.nspname LIKE 'public' AND c.relname LIKE 'owners') c WHERE true  ORDER BY nspname,c.relname,attnum",
    );
    assert_eq!(
        flat(rows),
        [
            "public|owners|id|23|t|-1|4|-1|1|NULL|NULL|NULL|NULL|0|b",
            "public|owners|name|25|t|-1|-1|-1|2|NULL|NULL|NULL|NULL|0|b",
        ]
    );
    let rows = ok(
        &mut s,
        "SELECT c.relname, a.attname, k.ord
         FROM (SELECT indexrelid, indrelid, unnest(indkey) AS attnum,
                      generate_subscripts(indkey, 1) AS ord
               FROM pg_catalog.pg_index WHERE NOT indisprimary) k
         JOIN pg_catalog.pg_class c ON c.oid = k.indexrelid
         JOIN pg_catalog.pg_attribute a ON a.attrelid = k.indrelid AND a.attnum = k.attnum
         ORDER BY 1, 3",
    );
    assert_eq!(
        flat(rows),
        [
            "items_name_key|name|0",
            "items_owner_idx|owner_id|0",
            "items_owner_idx|name|1"
        ]
    );
    let rows = ok(
        &mut s,
        "SELECT setting FROM pg_settings WHERE name = 'search_path'",
    );
    assert_eq!(flat(rows), ["\"$user\", public"]);
    let rows = ok(&mut s, "SELECT txid_current() > 0, pg_backend_pid() > 0");
    assert_eq!(flat(rows), ["t|t"]);
}

/// pgjdbc's `DatabaseMetaData.getPrimaryKeys` (42.5): the key columns in
/// key order, through `information_schema._pg_expandarray(i.indkey)` used
/// twice in the select list (lockstep) and `(result.KEYS).x` on the
/// derived table's record column.
#[test]
fn jdbc_get_primary_keys() {
    let mut s = session();
    ok(
        &mut s,
        "CREATE TABLE jdbc_pk (a int, b text, c int, PRIMARY KEY (c, a))",
    );
    let rows = ok(
        &mut s,
        "SELECT        result.TABLE_CAT,        result.TABLE_SCHEM,        result.TABLE_NAME,        result.COLUMN_NAME,        result.KEY_SEQ,        result.PK_NAME FROM      (SELECT NULL AS TABLE_CAT, n.nspname AS TABLE_SCHEM,   ct.relname AS TABLE_NAME, a.attname AS COLUMN_NAME,   (information_schema._pg_expandarray(i.indkey)).n AS KEY_SEQ, ci.relname AS PK_NAME,   information_schema._pg_expandarray(i.indkey) AS KEYS, a.attnum AS A_ATTNUM FROM pg_catalog.pg_class ct   JOIN pg_catalog.pg_attribute a ON (ct.oid = a.attrelid)   JOIN pg_catalog.pg_namespace n ON (ct.relnamespace = n.oid)   JOIN pg_catalog.pg_index i ON ( a.attrelid = i.indrelid)   JOIN pg_catalog.pg_class ci ON (ci.oid = i.indexrelid) WHERE true  AND n.nspname = 'public' AND ct.relname = 'jdbc_pk' AND i.indisprimary  ) result where  result.A_ATTNUM = (result.KEYS).x  ORDER BY result.table_name, result.pk_name, result.key_seq",
    );
    assert_eq!(
        flat(rows),
        [
            "NULL|public|jdbc_pk|c|1|jdbc_pk_pkey",
            "NULL|public|jdbc_pk|a|2|jdbc_pk_pkey"
        ]
    );
}

/// `_pg_expandarray` in FROM (two columns) and in the select list (a
/// record, printed as PostgreSQL prints it; one field of it).
#[test]
fn pg_expandarray_shapes() {
    let mut s = session();
    assert_eq!(
        flat(ok(
            &mut s,
            "SELECT x, n FROM information_schema._pg_expandarray(ARRAY['a','b'])"
        )),
        ["a|1", "b|2"]
    );
    assert_eq!(
        flat(ok(
            &mut s,
            "SELECT information_schema._pg_expandarray(ARRAY[10,20])"
        )),
        ["(10,1)", "(20,2)"]
    );
    assert_eq!(
        flat(ok(
            &mut s,
            "SELECT (information_schema._pg_expandarray(ARRAY[10,20])).x"
        )),
        ["10", "20"]
    );
    assert_eq!(
        query(&mut s, "SELECT (1).x"),
        Err(
            "42809: column notation .x applied to type integer, which is not a composite type"
                .into()
        )
    );
    assert_eq!(
        query(
            &mut s,
            "SELECT (k).y FROM (SELECT information_schema._pg_expandarray(ARRAY[1]) AS k) t"
        ),
        Err("42703: could not identify column \"y\" in record data type".into())
    );
}

/// regclass values print as relation names, as PostgreSQL's regclassout:
/// in result columns (psql's `\d` "Referenced by" uses
/// `conrelid::pg_catalog.regclass`) and cast to text; schema-qualified when
/// not visible, quoted when needed, `-` for 0, the number for an unknown
/// OID. Inner queries still compare OIDs.
#[test]
fn regclass_prints_names() {
    let mut s = with_schema();
    ok(
        &mut s,
        r#"CREATE SCHEMA other; CREATE TABLE other.t (x int); CREATE TABLE "Mixed Case" (x int)"#,
    );
    assert_eq!(
        flat(ok(
            &mut s,
            "SELECT 'items'::regclass, 'items'::regclass::text, 'pg_class'::regclass, \
             0::regclass, 999999::regclass, 'other.t'::regclass, '\"Mixed Case\"'::regclass::text"
        )),
        [r#"items|items|pg_class|-|999999|other.t|"Mixed Case""#]
    );
    assert_eq!(
        flat(ok(
            &mut s,
            "SELECT conname, conrelid::pg_catalog.regclass AS ontable
             FROM pg_catalog.pg_constraint c
             WHERE confrelid = 'owners'::regclass AND contype = 'f'"
        )),
        ["items_owner_id_fkey|items"]
    );
    assert_eq!(
        flat(ok(
            &mut s,
            "SELECT count(*) FROM (SELECT oid::regclass AS r FROM pg_class) t WHERE r = 'items'::regclass"
        )),
        ["1"]
    );
    // regnamespace, likewise (regnamespacein / regnamespaceout).
    assert_eq!(
        flat(ok(
            &mut s,
            "SELECT 'public'::regnamespace, 'public'::regnamespace::oid, \
             'other'::regnamespace::text, 11::regnamespace"
        )),
        ["public|2200|other|pg_catalog"]
    );
    assert_eq!(
        flat(ok(
            &mut s,
            "SELECT relnamespace::regnamespace FROM pg_class WHERE relname = 't'"
        )),
        ["other"]
    );
    assert_eq!(
        query(&mut s, "SELECT 'nope'::regnamespace"),
        Err("3F000: schema \"nope\" does not exist".into())
    );
    // regproc: a name to anything but text is an OID (regprocin), an OID
    // prints as the name (qualified when overloaded).
    let rows = ok(
        &mut s,
        "SELECT 'now'::regproc::oid, 'now'::regproc::oid::regproc, \
         'now'::regproc::oid::regproc::text, '-'::regproc::oid",
    );
    let now_oid = rows[0][0].clone();
    assert_eq!(rows[0][1..], ["now", "now", "0"]);
    assert_eq!(
        flat(ok(
            &mut s,
            &format!("SELECT oid::regproc FROM pg_proc WHERE oid = {now_oid}")
        )),
        ["now"]
    );
    assert_eq!(
        query(&mut s, "SELECT 'no_such_fn'::regproc::oid"),
        Err("42883: function \"no_such_fn\" does not exist".into())
    );
    // The wire's binary form is still the OID.
    let mut rows = Vec::new();
    for out in s.simple_query("SELECT 'items'::regclass") {
        if let Output::Rows(batch) = out {
            rows.extend(batch);
        }
    }
    let Value::RegNamed { oid, ref name, .. } = rows[0][0] else {
        panic!("a named regclass: {:?}", rows[0][0]);
    };
    assert_eq!(name, "items");
    let mut bin = Vec::new();
    rows[0][0].encode(
        twill_types::Format::Binary,
        &FormatSettings::default(),
        &mut bin,
    );
    assert_eq!(bin, oid.to_be_bytes());
}

/// psql's `\db` (pg_tablespace_location) and `\do` (pg_operator_is_visible).
#[test]
fn psql_db_and_do() {
    let mut s = session();
    assert_eq!(
        flat(ok(
            &mut s,
            r#"SELECT spcname AS "Name",
  pg_catalog.pg_get_userbyid(spcowner) AS "Owner",
  pg_catalog.pg_tablespace_location(oid) AS "Location"
FROM pg_catalog.pg_tablespace
ORDER BY 1;"#
        )),
        ["pg_default|alice|", "pg_global|alice|"]
    );
    let rows = flat(ok(
        &mut s,
        r#"SELECT n.nspname as "Schema",
  o.oprname AS "Name",
  CASE WHEN o.oprkind='l' THEN NULL ELSE pg_catalog.format_type(o.oprleft, NULL) END AS "Left arg type",
  CASE WHEN o.oprkind='r' THEN NULL ELSE pg_catalog.format_type(o.oprright, NULL) END AS "Right arg type",
  pg_catalog.format_type(o.oprresult, NULL) AS "Result type",
  coalesce(pg_catalog.obj_description(o.oid, 'pg_operator'),
           pg_catalog.obj_description(o.oprcode, 'pg_proc')) AS "Description"
FROM pg_catalog.pg_operator o
     LEFT JOIN pg_catalog.pg_namespace n ON n.oid = o.oprnamespace
WHERE o.oprname OPERATOR(pg_catalog.~) E'^(\\|\\|)$' COLLATE pg_catalog.default
  AND pg_catalog.pg_operator_is_visible(o.oid)
ORDER BY 1, 2, 3, 4;"#,
    ));
    assert!(
        rows.contains(&"pg_catalog||||text|text|text|NULL".to_owned()),
        "{rows:?}"
    );
    assert!(
        rows.contains(
            &"pg_catalog||||anycompatiblearray|anycompatiblearray|anycompatiblearray|NULL"
                .to_owned()
        ),
        "{rows:?}"
    );
    assert!(!rows.iter().any(|r| r.contains("???")), "{rows:?}");
}

/// `relcol = <oid>` on a per-relation catalog computes one relation's rows
/// (EXPLAIN: "Relation Scan") and answers exactly what the unnarrowed scan
/// filtered the same way answers, for a table, an index, a system table
/// and an unknown OID; a join with an empty side stays correct.
#[test]
fn point_lookups_narrow_per_relation_catalogs() {
    let mut s = session();
    ok(&mut s, SCHEMA);
    let table = ok(&mut s, "select 'items'::regclass::oid")[0][0].clone();
    let index = ok(&mut s, "select indexrelid from pg_index where indrelid = 'items'::regclass and not indisprimary order by 1 limit 1")[0][0].clone();
    let lookups = [
        ("pg_class", "oid"),
        ("pg_attribute", "attrelid"),
        ("pg_attrdef", "adrelid"),
        ("pg_index", "indrelid"),
        ("pg_constraint", "conrelid"),
    ];
    for (catalog, col) in lookups {
        for oid in [table.as_str(), index.as_str(), "1259", "424242"] {
            let narrowed = format!("select * from {catalog} where {col} = '{oid}' order by 1, 2");
            let whole =
                format!("select * from {catalog} where not ({col} <> '{oid}') order by 1, 2");
            assert_eq!(ok(&mut s, &narrowed), ok(&mut s, &whole), "{narrowed}");
            let plan = flat(ok(&mut s, &format!("explain {narrowed}"))).join("\n");
            assert!(
                plan.contains(&format!("Relation Scan on {catalog}")),
                "{plan}"
            );
        }
    }
    let n = ok(
        &mut s,
        &format!("select count(*) from pg_attribute where attrelid = '{table}'"),
    );
    assert_eq!(n, [["6"]]);
    // `c.oid = X AND c.oid = i.indrelid` narrows pg_index too.
    let via = format!(
        "select count(*) from pg_class c, pg_index i where c.oid = '{table}' and c.oid = i.indrelid"
    );
    assert_eq!(ok(&mut s, &via), [["3"]]);
    let plan = flat(ok(&mut s, &format!("explain {via}"))).join("\n");
    assert!(plan.contains("Relation Scan on pg_index"), "{plan}");
    let joined = "select count(*) from pg_class c, pg_inherits i where c.oid = i.inhparent";
    assert_eq!(ok(&mut s, joined), [["0"]]);
    let left = "select count(*) from owners o left join (select * from items where false) i on i.owner_id = o.id";
    ok(&mut s, "insert into owners values (1, 'a'), (2, 'b')");
    assert_eq!(ok(&mut s, left), [["2"]]);
    ok(
        &mut s,
        "insert into items (name, owner_id) values ('x', 1), ('y', 2), ('z', 1)",
    );
    let implied =
        "select i.name from owners o, items i where o.id = 1 and i.owner_id = o.id order by 1";
    assert_eq!(flat(ok(&mut s, implied)), ["x", "z"]);
    let inner = "select count(*) from owners o join (select * from items where false) i on true";
    assert_eq!(ok(&mut s, inner), [["0"]]);
    let right =
        "select count(*) from (select * from items where false) i right join owners o on true";
    assert_eq!(ok(&mut s, right), [["2"]]);
}
