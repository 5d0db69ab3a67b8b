// pgjdbc: what it really sends (shared/clients/SUMMARY.md §2.12): only the
// extended protocol; SET extra_float_digits / application_name at connect;
// the unnamed statement for the first 4 runs and a named S_n from the 5th
// (prepareThreshold=5); executeBatch as B/D/E(max_rows=1) xN + one S; BEGIN
// as a named statement pipelined before the first statement with autocommit
// off; setFetchSize as a named portal read with E(max_rows) across Syncs;
// RETURN_GENERATED_KEYS as `RETURNING *`; DatabaseMetaData catalog queries.
//
// Usage: java -cp postgresql.jar:. JdbcClient [feature...]   (PGHOST, PGPORT, PGUSER, PGDATABASE)

import java.sql.*;
import java.util.*;

public class JdbcClient {
    static Connection c;

    static String env(String k) {
        String v = System.getenv(k);
        if (v == null || v.isEmpty()) {
            System.err.println(k + " is not set (the Rust test sets PGHOST, PGPORT, PGUSER, PGDATABASE)");
            System.exit(2);
        }
        return v;
    }

    static Connection open() throws SQLException {
        String url = "jdbc:postgresql://" + env("PGHOST") + ":" + env("PGPORT") + "/" + env("PGDATABASE")
                + "?sslmode=disable&connectTimeout=10&socketTimeout=30";
        Properties p = new Properties();
        p.setProperty("user", env("PGUSER"));
        return DriverManager.getConnection(url, p);
    }

    static void eq(Object actual, Object expected, String what) {
        if (!Objects.equals(actual, expected)) {
            throw new AssertionError(what + ": expected " + expected + ", got " + actual);
        }
    }

    static void check(boolean cond, String what) {
        if (!cond) throw new AssertionError(what);
    }

    static void connect() throws Exception {
        c = open();
        try (Statement s = c.createStatement()) {
            s.execute("drop table if exists jdbc_items");
            s.execute("create table jdbc_items (id serial primary key, name varchar(40) not null, qty int, price float8)");
        }
        DatabaseMetaData md = c.getMetaData();
        check(md.getDatabaseMajorVersion() >= 15, "server major version " + md.getDatabaseMajorVersion());
    }

    static void prepared_threshold() throws Exception {
        try (PreparedStatement ins = c.prepareStatement("insert into jdbc_items (name, qty) values (?, ?)")) {
            for (int i = 0; i < 6; i++) {
                ins.setString(1, "p" + i);
                ins.setInt(2, i);
                eq(ins.executeUpdate(), 1, "insert run " + i);
            }
        }
        try (PreparedStatement q = c.prepareStatement("select name, qty from jdbc_items where qty = ?")) {
            for (int i = 0; i < 6; i++) { // runs 5 and 6 use the named S_n (binary results)
                q.setInt(1, i);
                try (ResultSet rs = q.executeQuery()) {
                    check(rs.next(), "row for run " + i);
                    eq(rs.getString(1), "p" + i, "name in run " + i);
                    eq(rs.getInt(2), i, "qty in run " + i);
                    check(!rs.next(), "one row in run " + i);
                }
            }
        }
    }

    static void batch() throws Exception {
        try (PreparedStatement ins = c.prepareStatement("insert into jdbc_items (name, qty, price) values (?, ?, ?)")) {
            for (int i = 0; i < 5; i++) {
                ins.setString(1, "batch" + i);
                ins.setInt(2, 100 + i);
                ins.setDouble(3, i + 0.5);
                ins.addBatch();
            }
            int[] counts = ins.executeBatch();
            eq(Arrays.toString(counts), "[1, 1, 1, 1, 1]", "batch update counts");
        }
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("select count(*), sum(price) from jdbc_items where qty >= 100")) {
            check(rs.next(), "a row");
            eq(rs.getLong(1), 5L, "batch rows");
            eq(rs.getDouble(2), 12.5, "batch sum");
        }
    }

    static void fetch_size() throws Exception {
        c.setAutoCommit(false);
        try (PreparedStatement q = c.prepareStatement("select id, name from jdbc_items order by id")) {
            q.setFetchSize(2);
            int n = 0;
            try (ResultSet rs = q.executeQuery()) {
                while (rs.next()) n++;
            }
            eq(n, 11, "rows read 2 at a time");
        }
        try (Statement s = c.createStatement()) {
            s.executeUpdate("update jdbc_items set qty = qty + 1000");
        }
        c.rollback();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("select max(qty) from jdbc_items")) {
            rs.next();
            eq(rs.getInt(1), 104, "rollback undid the update");
        }
        c.commit();
        c.setAutoCommit(true);
    }

    static void generated_keys() throws Exception {
        try (PreparedStatement ins = c.prepareStatement("insert into jdbc_items (name, qty) values (?, ?)",
                Statement.RETURN_GENERATED_KEYS)) {
            ins.setString(1, "gk");
            ins.setInt(2, 7);
            eq(ins.executeUpdate(), 1, "insert with generated keys");
            try (ResultSet keys = ins.getGeneratedKeys()) {
                check(keys.next(), "a generated key row");
                int id = keys.getInt("id");
                check(id > 11, "generated id " + id);
                eq(keys.getString("name"), "gk", "RETURNING * includes the name");
            }
        }
        try (PreparedStatement ins = c.prepareStatement("insert into jdbc_items (name) values (?)", new String[] {"id"})) {
            ins.setString(1, "gk2");
            ins.executeUpdate();
            try (ResultSet keys = ins.getGeneratedKeys()) {
                check(keys.next(), "a generated key row (named column)");
                check(keys.getInt(1) > 0, "generated id");
            }
        }
    }

    static void errors() throws Exception {
        try (Statement s = c.createStatement()) {
            s.executeQuery("select * from jdbc_no_such_table");
            throw new AssertionError("expected 42P01");
        } catch (SQLException e) {
            eq(e.getSQLState(), "42P01", "sqlstate of a missing table");
        }
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("select 1")) {
            rs.next();
            eq(rs.getInt(1), 1, "after the error");
        }
    }

    static void md_tables() throws Exception {
        DatabaseMetaData md = c.getMetaData();
        List<String> tables = new ArrayList<>();
        try (ResultSet rs = md.getTables(null, "public", "jdbc_%", new String[] {"TABLE"})) {
            while (rs.next()) tables.add(rs.getString("TABLE_NAME") + ":" + rs.getString("TABLE_TYPE"));
        }
        eq(tables.toString(), "[jdbc_items:TABLE]", "getTables");
    }

    static void md_columns() throws Exception {
        DatabaseMetaData md = c.getMetaData();
        List<String> cols = new ArrayList<>();
        try (ResultSet rs = md.getColumns(null, "public", "jdbc_items", "%")) {
            while (rs.next()) {
                cols.add(rs.getString("COLUMN_NAME") + ":" + rs.getString("TYPE_NAME") + ":" + rs.getInt("NULLABLE"));
            }
        }
        eq(cols.toString(), "[id:serial:0, name:varchar:0, qty:int4:1, price:float8:1]", "getColumns");
    }

    static void md_primary_keys() throws Exception {
        DatabaseMetaData md = c.getMetaData();
        List<String> pk = new ArrayList<>();
        try (ResultSet rs = md.getPrimaryKeys(null, "public", "jdbc_items")) {
            while (rs.next()) pk.add(rs.getString("COLUMN_NAME") + ":" + rs.getInt("KEY_SEQ"));
        }
        eq(pk.toString(), "[id:1]", "getPrimaryKeys");
    }

    static void rs_metadata() throws Exception {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("select id, name from jdbc_items limit 1")) {
            ResultSetMetaData rm = rs.getMetaData();
            eq(rm.getColumnName(2), "name", "column name");
            eq(rm.getTableName(2), "jdbc_items", "ResultSetMetaData.getTableName");
            eq(rm.isNullable(2), ResultSetMetaData.columnNoNulls, "ResultSetMetaData.isNullable");
            eq(rm.isAutoIncrement(1), true, "ResultSetMetaData.isAutoIncrement");
        }
    }

    static void close() throws Exception {
        try (Statement s = c.createStatement()) {
            s.execute("drop table jdbc_items");
        }
        c.close();
    }

    interface Feature { void run() throws Exception; }

    // One machine-readable line per feature on stdout, which the Rust harness
    // collects into the compatibility table (docs/compatibility.md):
    // `TWILL-FEATURE <name> ok` or `TWILL-FEATURE <name> FAIL <reason>`.
    static void report(String name, String error) {
        if (error == null) {
            System.out.println("TWILL-FEATURE " + name + " ok");
        } else {
            String reason = error.replaceAll("\\s+", " ").trim();
            if (reason.length() > 300) reason = reason.substring(0, 300);
            System.out.println("TWILL-FEATURE " + name + " FAIL " + reason);
        }
        System.out.flush();
    }

    public static void main(String[] args) {
        LinkedHashMap<String, Feature> features = new LinkedHashMap<>();
        features.put("connect", JdbcClient::connect);
        features.put("prepared_threshold", JdbcClient::prepared_threshold);
        features.put("batch", JdbcClient::batch);
        features.put("fetch_size", JdbcClient::fetch_size);
        features.put("generated_keys", JdbcClient::generated_keys);
        features.put("errors", JdbcClient::errors);
        features.put("md_tables", JdbcClient::md_tables);
        features.put("md_columns", JdbcClient::md_columns);
        features.put("md_primary_keys", JdbcClient::md_primary_keys);
        features.put("rs_metadata", JdbcClient::rs_metadata);
        features.put("close", JdbcClient::close);
        List<String> names = new ArrayList<>();
        for (String a : args) {
            if (!features.containsKey(a)) {
                System.err.println("jdbc: unknown feature " + a + "; known: " + features.keySet());
                System.exit(2);
            }
        }
        names.add("connect");
        if (args.length == 0) {
            names.addAll(features.keySet());
        } else {
            names.addAll(Arrays.asList(args));
        }
        names.removeIf(n -> n.equals("connect") || n.equals("close"));
        names.add(0, "connect");
        names.add("close");
        for (String name : names) {
            long t0 = System.nanoTime();
            try {
                features.get(name).run();
            } catch (Throwable e) {
                String state = e instanceof SQLException ? " [SQLSTATE " + ((SQLException) e).getSQLState() + "]" : "";
                report(name, (state.trim() + " " + e).trim());
                System.err.println("FAIL jdbc/" + name + state + ": " + e);
                e.printStackTrace();
                System.exit(1);
            }
            report(name, null);
            System.out.println("ok jdbc/" + name + " (" + (System.nanoTime() - t0) / 1_000_000 + " ms)");
        }
    }
}
