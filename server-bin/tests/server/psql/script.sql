-- Run by the psql_script test: psql -X -q -A -t -f script.sql.
-- DDL, DML, errors, \copy from a file; script.out and script.err are
-- PostgreSQL 15's output for it.
create table items (
    id int primary key,
    name text not null,
    price numeric(10, 2),
    tags text[]
);
insert into items values (1, 'apple', 1.25, '{fruit,red}'), (2, 'bread', 2.5, '{bakery}');
update items set price = price * 2 where id = 2;
-- a unique violation: the script goes on
insert into items values (1, 'duplicate', 0, null);
\copy items from 'copy.tsv'
select id, name, price, tags from items order by id;
select count(*), sum(price), min(name), max(id) from items;
select name from items where 'fruit' = any(tags) order by name;
-- an error inside a transaction: the block is failed until ROLLBACK
begin;
delete from items where id > 10;
select 1 / 0;
select count(*) from items;
rollback;
select count(*) from items;
begin;
update items set name = upper(name) where price is null;
commit;
select id, name, coalesce(price::text, 'null') from items where id >= 10 order by id;
alter table items add column stock int default 5;
select id, stock from items where id < 3 order by id;
select 12345::int2, 9000000000::int8, 1.5::float8, true, '\x00ff'::bytea, 'a b'::varchar;
select '2024-02-29'::date, '2024-02-29 12:34:56.789'::timestamp, '1 day 02:00'::interval;
select '{"b": 1, "a": [1, 2]}'::jsonb, '{1,NULL,3}'::int4[];
insert into items (id, name) values (20, null);
delete from items where id = 11;
select string_agg(name, ',' order by id) from items;
drop table items;
select 'done';
