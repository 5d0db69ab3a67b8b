//! Transactions (rollback, savepoints, 40001, 40P01) and the ways a
//! statement is stopped from outside (CancelRequest, statement_timeout).

use ::std::sync::{Arc, Barrier};
use ::std::thread;
use ::std::time::{Duration, Instant};

use postgres::error::SqlState;
use postgres::{Client, NoTls};

use crate::{block_on, connect, connect_async, with_server};

/// BEGIN / INSERT / ROLLBACK leaves nothing behind; COMMIT keeps it.
pub(crate) fn rollback(runtime: &str) {
    with_server(runtime, |port| {
        let mut client = connect(port);
        client.batch_execute("create table r (x int)").unwrap();
        client.batch_execute("insert into r values (1)").unwrap();

        client.batch_execute("begin").unwrap();
        client
            .execute("insert into r values ($1), ($2)", &[&2i32, &3i32])
            .unwrap();
        let inside: i64 = client
            .query_one("select count(*) from r", &[])
            .unwrap()
            .get(0);
        assert_eq!(inside, 3);
        client.batch_execute("rollback").unwrap();
        let after: i64 = client
            .query_one("select count(*) from r", &[])
            .unwrap()
            .get(0);
        assert_eq!(after, 1, "the rolled-back rows are gone");

        // The same through the driver's transaction API, and a second
        // session that sees only committed rows.
        let mut tx = client.transaction().unwrap();
        tx.execute("insert into r values (10)", &[]).unwrap();
        tx.commit().unwrap();
        let mut other = connect(port);
        let seen: Vec<i32> = other
            .query("select x from r order by x", &[])
            .unwrap()
            .iter()
            .map(|r| r.get(0))
            .collect();
        assert_eq!(seen, vec![1, 10]);
    });
}

/// SAVEPOINT, an error inside it, ROLLBACK TO, RELEASE, nested savepoints;
/// the driver's nested `transaction()` (savepoints) too.
pub(crate) fn savepoints(runtime: &str) {
    with_server(runtime, |port| {
        let mut client = connect(port);
        client.batch_execute("create table s (x int)").unwrap();
        client
            .batch_execute(
                "begin; insert into s values (1); savepoint a; insert into s values (2); \
                 savepoint b; insert into s values (3); rollback to savepoint b; \
                 insert into s values (4); release savepoint a",
            )
            .unwrap();
        let err = client.batch_execute("select 1 / 0").unwrap_err();
        assert_eq!(err.code(), Some(&SqlState::DIVISION_BY_ZERO), "{err}");
        let err = client.batch_execute("select 1").unwrap_err();
        assert_eq!(
            err.code(),
            Some(&SqlState::IN_FAILED_SQL_TRANSACTION),
            "{err}"
        );
        client.batch_execute("rollback").unwrap();
        assert_eq!(xs(&mut client), Vec::<i32>::new());

        client
            .batch_execute("begin; insert into s values (1); savepoint a")
            .unwrap();
        let err = client
            .batch_execute("insert into s values (1 / 0)")
            .unwrap_err();
        assert_eq!(err.code(), Some(&SqlState::DIVISION_BY_ZERO), "{err}");
        client
            .batch_execute("rollback to savepoint a; insert into s values (2); commit")
            .unwrap();
        assert_eq!(xs(&mut client), vec![1, 2]);

        let mut tx = client.transaction().unwrap();
        tx.execute("insert into s values (3)", &[]).unwrap();
        {
            let mut inner = tx.transaction().unwrap();
            inner.execute("insert into s values (4)", &[]).unwrap();
            // Dropped without commit: rolled back to the savepoint.
        }
        {
            let mut inner = tx.transaction().unwrap();
            inner.execute("insert into s values (5)", &[]).unwrap();
            inner.commit().unwrap();
        }
        tx.commit().unwrap();
        assert_eq!(xs(&mut client), vec![1, 2, 3, 5]);
    });
}

fn xs(client: &mut Client) -> Vec<i32> {
    client
        .query("select x from s order by x", &[])
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect()
}

/// Two REPEATABLE READ transactions update the same row: the second
/// (whose snapshot predates the first's commit) fails with 40001, and its
/// transaction is then failed (status E: 25P02 until ROLLBACK).
pub(crate) fn serialization_failure(runtime: &str) {
    with_server(runtime, |port| {
        let mut a = connect(port);
        let mut b = connect(port);
        a.batch_execute(
            "create table acct (id int primary key, balance int); insert into acct values (1, 100)",
        )
        .unwrap();
        for c in [&mut a, &mut b] {
            c.batch_execute(
                "begin isolation level repeatable read; select balance from acct where id = 1",
            )
            .unwrap();
        }
        a.batch_execute("update acct set balance = balance + 1 where id = 1; commit")
            .unwrap();
        let err = b
            .execute("update acct set balance = balance + 10 where id = 1", &[])
            .unwrap_err();
        assert_eq!(
            err.code(),
            Some(&SqlState::T_R_SERIALIZATION_FAILURE),
            "{err}"
        );
        let err = b.batch_execute("select 1").unwrap_err();
        assert_eq!(
            err.code(),
            Some(&SqlState::IN_FAILED_SQL_TRANSACTION),
            "{err}"
        );
        b.batch_execute("rollback").unwrap();

        // The same race with the second writer already waiting for the
        // row lock when the first commits.
        for c in [&mut a, &mut b] {
            c.batch_execute(
                "begin isolation level repeatable read; select balance from acct where id = 1",
            )
            .unwrap();
        }
        a.batch_execute("update acct set balance = balance + 1 where id = 1")
            .unwrap();
        let waiter = thread::spawn(move || {
            let result = b.execute("update acct set balance = balance + 10 where id = 1", &[]);
            (b, result)
        });
        thread::sleep(Duration::from_millis(300));
        a.batch_execute("commit").unwrap();
        let (mut b, result) = waiter.join().unwrap();
        let err = result.unwrap_err();
        assert_eq!(
            err.code(),
            Some(&SqlState::T_R_SERIALIZATION_FAILURE),
            "{err}"
        );
        b.batch_execute("rollback").unwrap();

        let balance: i32 = a
            .query_one("select balance from acct where id = 1", &[])
            .unwrap()
            .get(0);
        assert_eq!(balance, 102);
    });
}

/// 40 sessions queue for one row lock while its holder sits in a
/// transaction; the holder's COMMIT must still find an engine thread (a
/// pool smaller than the sessions stalled mio here: every worker waited
/// for the lock, none was left to commit), and then every waiter goes
/// through.
pub(crate) fn lock_queue(runtime: &str) {
    const WAITERS: i32 = 40;
    with_server(runtime, |port| {
        let mut holder = connect(port);
        holder
            .batch_execute(
                "create table q (id int primary key, v int); insert into q values (1, 0)",
            )
            .unwrap();
        holder
            .batch_execute("begin; update q set v = v + 1 where id = 1")
            .unwrap();
        let waiters: Vec<_> = (0..WAITERS)
            .map(|_| {
                thread::spawn(move || {
                    connect(port)
                        .execute("update q set v = v + 1 where id = 1", &[])
                        .unwrap()
                })
            })
            .collect();
        thread::sleep(Duration::from_millis(1000));
        holder.batch_execute("commit").unwrap();
        for waiter in waiters {
            assert_eq!(waiter.join().unwrap(), 1);
        }
        let v: i32 = holder
            .query_one("select v from q where id = 1", &[])
            .unwrap()
            .get(0);
        assert_eq!(v, WAITERS + 1);
    });
}

/// Two transactions lock two rows in opposite orders: one of them is
/// chosen as the deadlock victim (40P01), the other goes on and commits.
pub(crate) fn deadlock(runtime: &str) {
    with_server(runtime, |port| {
        let mut setup = connect(port);
        setup
            .batch_execute(
                "create table d (id int primary key, v int); insert into d values (1, 0), (2, 0)",
            )
            .unwrap();
        let both = Arc::new(Barrier::new(2));
        let session = |first: i32, second: i32| {
            let both = Arc::clone(&both);
            thread::spawn(move || {
                let mut c = connect(port);
                c.batch_execute("begin").unwrap();
                c.execute("update d set v = v + 1 where id = $1", &[&first])
                    .unwrap();
                both.wait();
                let result = c.execute("update d set v = v + 1 where id = $1", &[&second]);
                match result {
                    Ok(_) => {
                        c.batch_execute("commit").unwrap();
                        None
                    }
                    Err(err) => {
                        c.batch_execute("rollback").unwrap();
                        Some(err)
                    }
                }
            })
        };
        let one = session(1, 2);
        let two = session(2, 1);
        let errors: Vec<_> = [one.join().unwrap(), two.join().unwrap()]
            .into_iter()
            .flatten()
            .collect();
        assert_eq!(errors.len(), 1, "exactly one victim: {errors:?}");
        assert_eq!(
            errors[0].code(),
            Some(&SqlState::T_R_DEADLOCK_DETECTED),
            "{}",
            errors[0]
        );
        let total: i64 = setup
            .query_one("select sum(v)::int8 from d", &[])
            .unwrap()
            .get(0);
        assert_eq!(total, 2, "the survivor's two updates");
    });
}

/// A CancelRequest reaches the engine: a statement waiting for a row lock
/// ends with 57014 "…user request". With `statement_timeout` given at
/// startup (`options=-c …`, which the core applies to its own timer), the
/// same wait ends with 57014 "…statement timeout" — the core's interrupt,
/// reworded by the backend. The sessions go on.
pub(crate) fn cancel_lock_wait(runtime: &str) {
    with_server(runtime, |port| {
        let mut holder = connect(port);
        holder
            .batch_execute(
                "create table c (id int primary key, v int); insert into c values (1, 0)",
            )
            .unwrap();
        holder
            .batch_execute("begin; update c set v = 1 where id = 1")
            .unwrap();

        let mut waiter = connect(port);
        let token = waiter.cancel_token();
        let blocked = thread::spawn(move || {
            let err = waiter
                .execute("update c set v = 2 where id = 1", &[])
                .unwrap_err();
            (waiter, err)
        });
        thread::sleep(Duration::from_millis(300));
        token.cancel_query(NoTls).unwrap();
        let (mut waiter, err) = blocked.join().unwrap();
        let db = err.as_db_error().unwrap_or_else(|| panic!("{err:?}"));
        assert_eq!(db.code(), &SqlState::QUERY_CANCELED, "{err}");
        assert_eq!(db.message(), "canceling statement due to user request");

        let mut timed = postgres::Config::new()
            .host("127.0.0.1")
            .port(port)
            .user("postgres")
            .dbname("postgres")
            .options("-c statement_timeout=200")
            .connect_timeout(Duration::from_secs(5))
            .connect(NoTls)
            .expect("connect with options");
        let started = Instant::now();
        let err = timed
            .execute("update c set v = 3 where id = 1", &[])
            .unwrap_err();
        let db = err.as_db_error().unwrap_or_else(|| panic!("{err:?}"));
        assert_eq!(db.code(), &SqlState::QUERY_CANCELED, "{err}");
        assert_eq!(db.message(), "canceling statement due to statement timeout");
        assert!(started.elapsed() < Duration::from_secs(5));

        holder.batch_execute("rollback").unwrap();
        assert_eq!(
            waiter
                .execute("update c set v = 4 where id = 1", &[])
                .unwrap(),
            1
        );
        assert_eq!(
            timed
                .execute("update c set v = 5 where id = 1", &[])
                .unwrap(),
            1
        );
    });
}

/// `cancel_token()` stops a running `SELECT pg_sleep(10)` (simple and
/// extended protocol) with 57014 within a few seconds; the session goes on.
pub(crate) fn cancel_sleep(runtime: &str) {
    with_server(runtime, |port| {
        block_on(async move {
            let client = Arc::new(connect_async(port).await);
            for extended in [false, true] {
                let token = client.cancel_token();
                let started = Instant::now();
                let sleeper = {
                    let client = Arc::clone(&client);
                    ::tokio::spawn(async move {
                        if extended {
                            client.query("select pg_sleep(10)", &[]).await.map(|_| ())
                        } else {
                            client.simple_query("select pg_sleep(10)").await.map(|_| ())
                        }
                    })
                };
                ::tokio::time::sleep(Duration::from_millis(300)).await;
                token.cancel_query(NoTls).await.unwrap();
                let err = sleeper.await.unwrap().unwrap_err();
                let db = err.as_db_error().unwrap_or_else(|| panic!("{err:?}"));
                assert_eq!(db.code(), &SqlState::QUERY_CANCELED, "{err}");
                assert_eq!(db.message(), "canceling statement due to user request");
                assert!(
                    started.elapsed() < Duration::from_secs(5),
                    "{:?}",
                    started.elapsed()
                );
                let row = client.query_one("select 7", &[]).await.unwrap();
                assert_eq!(row.get::<_, i32>(0), 7);
            }
        });
    });
}

/// `SET statement_timeout` reaches the core's timer: a `pg_sleep` and a
/// row-lock wait end with 57014 "…statement timeout"; short statements
/// are unaffected, and `SET statement_timeout = 0` turns it off.
pub(crate) fn statement_timeout(runtime: &str) {
    with_server(runtime, |port| {
        let mut client = connect(port);
        client.batch_execute("set statement_timeout = 200").unwrap();
        let started = Instant::now();
        let err = client.batch_execute("select pg_sleep(10)").unwrap_err();
        let db = err.as_db_error().unwrap_or_else(|| panic!("{err:?}"));
        assert_eq!(db.code(), &SqlState::QUERY_CANCELED, "{err}");
        assert_eq!(db.message(), "canceling statement due to statement timeout");
        assert!(
            started.elapsed() < Duration::from_secs(3),
            "{:?}",
            started.elapsed()
        );
        let err = client.query("select pg_sleep(10)", &[]).unwrap_err();
        assert_eq!(err.code(), Some(&SqlState::QUERY_CANCELED), "{err}");
        client.batch_execute("select pg_sleep(0.05)").unwrap();

        let mut holder = connect(port);
        holder
            .batch_execute("create table s (id int primary key); insert into s values (1)")
            .unwrap();
        holder
            .batch_execute("begin; update s set id = 1 where id = 1")
            .unwrap();
        let err = client
            .execute("update s set id = 1 where id = 1", &[])
            .unwrap_err();
        let db = err.as_db_error().unwrap_or_else(|| panic!("{err:?}"));
        assert_eq!(db.message(), "canceling statement due to statement timeout");
        holder.batch_execute("rollback").unwrap();

        client.batch_execute("set statement_timeout = 0").unwrap();
        client.batch_execute("select pg_sleep(0.4)").unwrap();
    });
}
