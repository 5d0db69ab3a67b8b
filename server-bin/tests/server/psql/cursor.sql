-- Run by the psql_cursor_copy test in a temporary directory holding
-- cursor.tsv: psql -X -q -v VERBOSITY=terse -f cursor.sql (aligned output).
-- \copy in and out, and FETCH_COUNT, with which psql reads a SELECT
-- through DECLARE _psql_cursor / FETCH FORWARD 3 inside a transaction.
-- cursor.out is PostgreSQL 15's output; the test also compares the files
-- \copy wrote with cursor.expected.tsv and cursor.expected.csv.
create table parts (id int primary key, name text not null, price numeric(6, 2));
\copy parts from 'cursor.tsv'
select count(*), sum(price) from parts;
\set FETCH_COUNT 3
select id, name, price from parts order by id;
select id from parts where id > 100;
-- an error while fetching ends the cursor's transaction: the chunks
-- before it are printed (no ORDER BY: PostgreSQL would read the primary
-- key index and fail lazily, twill would sort first and fail at once)
select id, 10 / (id - 8) from parts;
select count(*) from parts;
-- inside the script's own transaction psql sends no BEGIN of its own
begin;
update parts set price = price * 2 where id <= 4;
select id, price from parts where id <= 7 order by id;
commit;
\unset FETCH_COUNT
\copy (select id, name, price from parts where id % 2 = 0 order by id) to 'out.tsv'
\copy (select id, name from parts order by id) to 'out.csv' with (format csv, header)
-- \copy from a file with a duplicate key: the whole COPY fails
\copy parts from 'cursor.tsv'
select count(*) from parts;
drop table parts;
