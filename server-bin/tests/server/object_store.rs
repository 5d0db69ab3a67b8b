//! `s3://` databases through the binary, against a real S3 API (moto,
//! started by each test): psql DDL/DML/SELECT, the log objects in the
//! bucket, a restart that sees the data, and two servers on one URL (the
//! newer one fences the older; no acknowledged commit of either is lost).

use ::std::collections::BTreeSet;
use ::std::sync::atomic::{AtomicBool, Ordering};
use ::std::sync::{Arc, Mutex};
use ::std::thread;
use ::std::time::{Duration, Instant};

use twill_testkit::MotoServer;

use crate::{Server, describe, psql_command, run};

/// psql against an `s3://` server; the log lands in the bucket; a restart
/// (after SIGTERM) sees everything.
pub(crate) fn s3_database(runtime: &str) {
    let moto = MotoServer::start();
    let bucket = format!("twill-{runtime}");
    moto.create_bucket(&bucket);
    let url = moto.url(&bucket, "db");
    let mut server = Server::start_with(runtime, &["--db", &url]);
    let script = "create table notes (id serial primary key, body text not null);
insert into notes (body) values ('first'), ('second');
update notes set body = 'SECOND' where id = 2;
delete from notes where id = 1;
insert into notes (body) values ('third');
select id, body from notes order by id;";
    let out = run(
        psql_command(server.port()).args(["-A", "-t", "-c", script]),
        60,
    );
    assert!(out.status.success(), "{}", describe(&out));
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "CREATE TABLE\nINSERT 0 2\nUPDATE 1\nDELETE 1\nINSERT 0 1\n2|SECOND\n3|third\n"
    );
    let keys = moto.keys(&bucket, "db/log/");
    assert!(
        keys.len() >= 3,
        "expected log objects in the bucket, found {keys:?}"
    );
    let status = server.terminate().expect("exit after SIGTERM");
    assert!(status.success(), "{status}; log:\n{}", server.log());

    let server = Server::start_with(runtime, &["--db", &url]);
    let out = run(
        psql_command(server.port()).args([
            "-A",
            "-t",
            "-c",
            "select id, body from notes order by id",
        ]),
        60,
    );
    assert!(out.status.success(), "{}", describe(&out));
    assert_eq!(String::from_utf8_lossy(&out.stdout), "2|SECOND\n3|third\n");
}

/// Inserts ids `from..` one per transaction until told to stop or refused;
/// records each acknowledged id. Returns the refusal, if any.
fn writer(
    port: u16,
    from: i64,
    acked: Arc<Mutex<BTreeSet<i64>>>,
    stop: Arc<AtomicBool>,
) -> thread::JoinHandle<Option<postgres::Error>> {
    thread::spawn(move || {
        let mut client = crate::connect(port);
        for id in from.. {
            if stop.load(Ordering::Relaxed) {
                return None;
            }
            match client.execute("insert into ledger values ($1)", &[&id]) {
                Ok(_) => {
                    acked.lock().unwrap().insert(id);
                }
                Err(e) => return Some(e),
            }
        }
        None
    })
}

/// Two servers on one `s3://` URL: the second takes over, the first is
/// fenced (25006 for every write from then on), the second keeps writing,
/// and a third sees every commit either acknowledged.
#[test]
fn s3_second_server_fences_the_first() {
    let moto = MotoServer::start();
    moto.create_bucket("twill-fencing");
    let url = moto.url("twill-fencing", "shared");
    let first = Server::start_with("std", &["--db", &url]);
    first
        .client()
        .batch_execute("create table ledger (id bigint primary key)")
        .unwrap();
    let acked = Arc::new(Mutex::new(BTreeSet::new()));
    let stop = Arc::new(AtomicBool::new(false));
    let old_writer = writer(first.port(), 0, acked.clone(), stop.clone());
    // Let the first server commit for a while, then start the second.
    let deadline = Instant::now() + Duration::from_secs(20);
    while acked.lock().unwrap().len() < 20 {
        assert!(Instant::now() < deadline, "first server commits nothing");
        thread::sleep(Duration::from_millis(20));
    }
    let second = Server::start_with("std", &["--db", &url]);
    let new_writer = writer(second.port(), 1_000_000, acked.clone(), stop.clone());

    // The first server's writer is refused with 25006 and stops.
    let refusal = old_writer
        .join()
        .unwrap()
        .expect("the first server kept writing after the takeover");
    let db = refusal.as_db_error().expect("a server error");
    assert_eq!(db.code().code(), "25006", "{db:?}");
    assert!(db.message().contains("taken over"), "{}", db.message());
    // ... and stays refused.
    let again = first
        .client()
        .execute("insert into ledger values (-1)", &[])
        .expect_err("fenced server accepted a write");
    assert_eq!(again.code().map(|c| c.code()), Some("25006"), "{again:?}");

    // The second keeps writing.
    let before = acked.lock().unwrap().range(1_000_000..).count();
    thread::sleep(Duration::from_millis(500));
    let after = acked.lock().unwrap().range(1_000_000..).count();
    assert!(after > before, "the second server stopped writing");
    stop.store(true, Ordering::Relaxed);
    assert!(
        new_writer.join().unwrap().is_none(),
        "second server refused"
    );
    drop(first);
    drop(second);

    // Every acknowledged commit of either server is there.
    let third = Server::start_with("std", &["--db", &url]);
    let present: BTreeSet<i64> = third
        .client()
        .query("select id from ledger", &[])
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    let acked = acked.lock().unwrap();
    let lost: Vec<_> = acked.difference(&present).collect();
    assert!(lost.is_empty(), "acknowledged commits lost: {lost:?}");
}
