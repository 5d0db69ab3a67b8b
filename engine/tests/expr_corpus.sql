-- Differential corpus: one SELECT per line, run on PostgreSQL 15 and on twill.
-- literals and typing
SELECT 1
SELECT -1
SELECT 2147483647
SELECT 2147483648
SELECT -2147483648
SELECT 9223372036854775807
SELECT 9223372036854775808
SELECT 1.5
SELECT 1.50
SELECT 0.000
SELECT 1e3
SELECT 1.5e-3
SELECT 'abc'
SELECT ''
SELECT NULL
SELECT true, false
SELECT 'it''s'
SELECT E'a\tb'
SELECT $$dollar$$
SELECT 'a' = 'a'
SELECT 'abc' < 'abd'
SELECT 'B' < 'a'
-- integer arithmetic
SELECT 1 + 2
SELECT 7 - 10
SELECT 6 * 7
SELECT 7 / 2
SELECT -7 / 2
SELECT 7 % 3
SELECT -7 % 3
SELECT 2147483647 + 1
SELECT -2147483648 - 1
SELECT 2147483647 * 2
SELECT 9223372036854775807 + 1
SELECT 1 / 0
SELECT 1 % 0
SELECT (-2147483648) / -1
SELECT (-2147483648) % -1
SELECT 32767::int2 + 1::int2
SELECT 1::int2 + 1
SELECT 1::int2 * 2::int8
SELECT 3000000000 * 2
SELECT 5 & 3, 5 | 3, 5 # 3
SELECT 1 << 4, 256 >> 2
SELECT ~5
SELECT -(-5)
SELECT +5
SELECT 2 + 3 * 4
SELECT (2 + 3) * 4
-- numeric arithmetic and scales
SELECT 1.5 + 2.25
SELECT 1.50 * 2.0
SELECT 10.0 / 3
SELECT 1 / 3.0
SELECT 2.5 - 3
SELECT 7.5 % 2
SELECT 1.0 / 0
SELECT 0.1 + 0.2
SELECT 123456789012345678901234567890 + 1
SELECT 1::numeric / 7
SELECT 100.0 / 8
SELECT -0.5 * 4
SELECT 'NaN'::numeric + 1
SELECT 'Infinity'::numeric
SELECT 2.0 * 3
-- floats
SELECT 1.5::float8 + 1
SELECT 0.1::float8 + 0.2::float8
SELECT 1::float8 / 3
SELECT 'NaN'::float8
SELECT 'NaN'::float8 = 'NaN'::float8
SELECT 'Infinity'::float8 > 1e308::float8
SELECT '-0'::float8
SELECT 1e308::float8 * 10
SELECT 1::float8 / 0
SELECT 1.5::float4 + 1.5::float4
SELECT 3.14159::real
SELECT 1e-300::float8 * 1e-300::float8
SELECT 'inf'::float8 - 'inf'::float8
SELECT 100::float8
SELECT 1.0e10::float8
SELECT 1.0e20::float8
-- comparisons across types
SELECT 1 = 1.0
SELECT 1::int2 = 1::int8
SELECT 1 < 2.5
SELECT 2.5 > 1::float8
SELECT 1 <> 2
SELECT 1 != 1
SELECT 'a' <> 'b'
SELECT 'abc'::varchar = 'abc'::text
SELECT 'a  '::char(3) = 'a'::char(3)
SELECT date '2024-01-01' < timestamp '2024-01-01 00:00:01'
SELECT date '2024-01-01' = timestamp '2024-01-01'
SELECT true > false
SELECT 1 = NULL
SELECT NULL = NULL
-- three-valued logic
SELECT true AND NULL
SELECT false AND NULL
SELECT true OR NULL
SELECT false OR NULL
SELECT NOT NULL::boolean
SELECT NOT true
SELECT NULL::boolean IS NULL
SELECT 1 IS NULL, 1 IS NOT NULL
SELECT NULL IS TRUE, NULL IS NOT TRUE
SELECT true IS TRUE, false IS FALSE, NULL::bool IS UNKNOWN
SELECT false IS NOT FALSE
SELECT 1 IS DISTINCT FROM NULL
SELECT NULL IS NOT DISTINCT FROM NULL
SELECT 1 IS DISTINCT FROM 1
SELECT 'a' IS DISTINCT FROM 'b'
SELECT 1 AND true
SELECT NOT 1
SELECT 1 IS TRUE
-- CASE, COALESCE, NULLIF, GREATEST, LEAST
SELECT CASE WHEN 1 = 1 THEN 'yes' ELSE 'no' END
SELECT CASE WHEN 1 = 2 THEN 'yes' END
SELECT CASE 2 WHEN 1 THEN 'one' WHEN 2 THEN 'two' ELSE 'many' END
SELECT CASE WHEN true THEN 1 ELSE 2.5 END
SELECT CASE WHEN false THEN 1 ELSE 1/0 END
SELECT CASE WHEN true THEN 1 ELSE 1/0 END
SELECT CASE WHEN true THEN 1 ELSE false END
SELECT CASE WHEN 1 THEN 1 END
SELECT COALESCE(NULL, 2, 3)
SELECT COALESCE(NULL, NULL)
SELECT COALESCE(NULL, 'x')
SELECT COALESCE(1, 2.5)
SELECT COALESCE(1, 'a')
SELECT COALESCE(1, true)
SELECT NULLIF(1, 1)
SELECT NULLIF(1, 2)
SELECT NULLIF('a', 'b')
SELECT GREATEST(1, 5, 3)
SELECT LEAST(1, 5, 3)
SELECT GREATEST(1, NULL, 3)
SELECT LEAST('b', 'a', 'c')
SELECT GREATEST(1, 2.5)
SELECT GREATEST(NULL, NULL)
-- IN, BETWEEN
SELECT 1 IN (1, 2, 3)
SELECT 4 IN (1, 2, 3)
SELECT 4 NOT IN (1, 2, 3)
SELECT 1 IN (NULL, 2)
SELECT 1 IN (NULL, 1)
SELECT 1 NOT IN (NULL, 2)
SELECT 'a' IN ('a', 'b')
SELECT 1 IN (1.0, 2)
SELECT 5 BETWEEN 1 AND 10
SELECT 5 NOT BETWEEN 1 AND 10
SELECT 'b' BETWEEN 'a' AND 'c'
SELECT NULL BETWEEN 1 AND 2
-- LIKE, ILIKE, regex
SELECT 'hello' LIKE 'h%'
SELECT 'hello' LIKE 'H%'
SELECT 'hello' ILIKE 'H%'
SELECT 'hello' NOT LIKE '%x%'
SELECT 'hello' LIKE 'h_llo'
SELECT '50%' LIKE '50\%'
SELECT '50x' LIKE '50\%'
SELECT 'a_c' LIKE 'a#_c' ESCAPE '#'
SELECT 'abc' LIKE 'a%' ESCAPE ''
SELECT 'hello' NOT ILIKE 'HE%'
SELECT 'abc' LIKE 'abc\'
SELECT NULL LIKE 'a'
SELECT 'hello' ~ 'l+'
SELECT 'hello' ~ '^h.*o$'
SELECT 'HELLO' ~* 'hel'
SELECT 'hello' !~ 'x'
SELECT 'hello' !~* 'H'
SELECT 'abc123' ~ '[0-9]+'
SELECT 'abc' ~ '('
SELECT 'a.c' ~ 'a\.c'
SELECT 'hello' OPERATOR(pg_catalog.~) 'ell'
-- casts
SELECT '42'::int
SELECT ' 42 '::int
SELECT 'abc'::int
SELECT '99999999999'::int
SELECT '1.5'::numeric
SELECT 1.5::int
SELECT 2.5::int
SELECT -2.5::int
SELECT 2.5::float8::int
SELECT 3.5::float8::int
SELECT 1e10::int
SELECT 42::text
SELECT 4.20::text
SELECT true::text
SELECT 'yes'::boolean
SELECT 'maybe'::boolean
SELECT 1::boolean
SELECT 0::boolean
SELECT true::int
SELECT '2024-02-29'::date
SELECT '2023-02-29'::date
SELECT 'not a date'::date
SELECT '2024-01-15 10:30:00'::timestamp
SELECT '2024-01-15 10:30:00+02'::timestamptz
SELECT '1 day 2 hours'::interval
SELECT '10:30'::time
SELECT CAST('7' AS bigint)
SELECT CAST(3.7 AS integer)
SELECT CAST(1 AS date)
SELECT 'abcdef'::varchar(3)
SELECT 'abc'::char(5)
SELECT 'abc'::char(5) || 'x'
SELECT 123.456::numeric(5,2)
SELECT 123.456::numeric(4,2)
SELECT 0.5::numeric(1,0)
SELECT 12345::numeric(3)
SELECT 99.995::numeric(4,2)
SELECT 1::int2::text
SELECT 70000::int2
SELECT '1e5'::float8::int
SELECT 'NaN'::numeric::int
SELECT 1.99::float4
SELECT 10::float4 / 3::float4
SELECT 0.1::float4::float8
SELECT 0.1::float4::numeric
SELECT 123456789::float4
SELECT 1::oid
SELECT 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid
SELECT 'not-a-uuid'::uuid
SELECT '{1,2,3}'::int[]
SELECT '{a,b}'::text[]
SELECT ARRAY[1,2]::text[]
SELECT '{"a":1}'::json
SELECT '{"b":1, "a":2}'::jsonb
SELECT '{bad'::jsonb
SELECT '\x0102'::bytea
SELECT date '2024-01-01'::timestamp
SELECT timestamp '2024-01-01 13:45:00'::date
SELECT timestamp '2024-01-01 13:45:00'::time
SELECT 'infinity'::date
SELECT '-infinity'::timestamp
SELECT pg_catalog.int4('5')
-- strings
SELECT 'abc' || 'def'
SELECT 'abc' || 1
SELECT 1 || 'abc'
SELECT 'abc' || NULL
SELECT 'a' || 'b' || 'c'
SELECT length('héllo')
SELECT char_length('abc'), character_length('ab')
SELECT octet_length('héllo')
SELECT lower('ABC'), upper('abc')
SELECT substring('hello world' from 7)
SELECT substring('hello world' from 1 for 5)
SELECT substring('hello', 0, 3)
SELECT substring('hello', -2, 5)
SELECT substring('hello', 2)
SELECT substr('hello', 2, 3)
SELECT substring('hello' from 'l+')
SELECT substring('hello', 1, -1)
SELECT position('lo' in 'hello')
SELECT position('x' in 'hello')
SELECT strpos('hello', 'll')
SELECT replace('hello', 'l', 'L')
SELECT replace('hello', '', 'x')
SELECT trim('  hi  ')
SELECT trim(leading 'x' from 'xxhixx')
SELECT trim(trailing 'x' from 'xxhixx')
SELECT trim(both 'xy' from 'xyhiyx')
SELECT btrim('xxhixx', 'x'), ltrim('  a'), rtrim('a  ')
SELECT ltrim('xxa', 'x'), rtrim('axx', 'x')
SELECT split_part('a,b,c', ',', 2)
SELECT split_part('a,b,c', ',', 5)
SELECT split_part('a,b,c', ',', -1)
SELECT split_part('a,b,c', ',', 0)
SELECT concat('a', 1, NULL, true)
SELECT concat_ws('-', 'a', NULL, 'b', 2)
SELECT concat_ws(NULL, 'a', 'b')
SELECT format('Hello %s, %s', 'world', 42)
SELECT format('%I', 'my table')
SELECT format('%I', 'simple')
SELECT format('%L', 'it''s')
SELECT format('%L', NULL)
SELECT format('%s|%s', NULL, 'x')
SELECT format('%2$s %1$s', 'a', 'b')
SELECT format('[%5s][%-5s]', 'ab', 'cd')
SELECT format('100%%')
SELECT format('%s')
SELECT format('%x', 1)
SELECT left('hello', 2), right('hello', 2)
SELECT left('hello', -2), right('hello', -2)
SELECT lpad('5', 3, '0'), rpad('ab', 5, 'xy')
SELECT lpad('hello', 3), rpad('hi', 4)
SELECT repeat('ab', 3), repeat('x', 0)
SELECT md5('hello')
SELECT md5('')
SELECT starts_with('hello', 'he'), starts_with('hello', 'lo')
SELECT reverse('abc')
SELECT initcap('hello wORLD foo_bar')
SELECT chr(65), ascii('A'), ascii('')
SELECT chr(0)
SELECT to_hex(255), to_hex(-1), to_hex(4294967296)
SELECT quote_ident('Foo'), quote_ident('foo'), quote_ident('select')
SELECT quote_literal('O''Reilly'), quote_literal(42)
SELECT quote_nullable(NULL), quote_nullable('x')
SELECT translate('12345', '143', 'ax')
SELECT regexp_replace('foobarbaz', 'b..', 'X')
SELECT regexp_replace('foobarbaz', 'b..', 'X', 'g')
SELECT regexp_replace('abc', '(b)', '[\1]')
SELECT regexp_match('foobar', 'o(b)')
SELECT 'hello' ^@ 'he'
SELECT length(NULL)
SELECT upper(NULL)
SELECT length(1)
SELECT 'a' + 'b'
-- math
SELECT abs(-5), abs(5.5), abs(-2.5::float8)
SELECT abs(-2147483648)
SELECT round(2.5), round(-2.5), round(2.4)
SELECT round(2.5::float8), round(3.5::float8)
SELECT round(3.14159, 2), round(1234.5, -2)
SELECT round(1.005, 2)
SELECT trunc(3.789), trunc(3.789, 1), trunc(-3.7)
SELECT trunc(3.7::float8)
SELECT ceil(1.2), ceil(-1.2), ceiling(4.0)
SELECT floor(1.8), floor(-1.2)
SELECT ceil(1.2::float8), floor(-1.5::float8)
SELECT mod(10, 3), mod(-10, 3), mod(10.5, 3)
SELECT mod(1, 0)
SELECT power(2, 10), power(2, 0.5)
SELECT 2 ^ 3
SELECT sqrt(16), sqrt(2)
SELECT sqrt(-1)
SELECT sqrt(2.0)
SELECT sqrt(16::numeric)
SELECT exp(1), ln(10)
SELECT ln(0)
SELECT ln(-1)
SELECT log(100), log10(1000)
SELECT sign(-3), sign(0), sign(2.5)
SELECT pi()
SELECT random() < 1
SELECT random() >= 0
SELECT degrees(pi()), radians(180)
SELECT power(0, -1)
SELECT power(-8, 0.5)
SELECT |/ 25
SELECT @ -5
SELECT cbrt(27)
SELECT div(7, 2)
SELECT exp(1000)
SELECT sin(0), cos(0)
SELECT width_bucket(5.35, 0.024, 10.06, 5)
-- dates and times
SELECT date '2024-01-31' + 1
SELECT date '2024-03-01' - 1
SELECT date '2024-03-01' - date '2024-01-01'
SELECT 1 + date '2024-01-01'
SELECT date '2024-01-31' + interval '1 month'
SELECT timestamp '2024-01-31 10:00' + interval '1 month'
SELECT timestamp '2024-01-01 10:00' - interval '1 day 2 hours'
SELECT timestamp '2024-03-01 00:00' - timestamp '2024-01-01 12:00'
SELECT timestamp '2024-01-01' - timestamp '2024-01-01 00:00:01'
SELECT timestamptz '2024-01-01 00:00+00' + interval '36 hours'
SELECT interval '1 day' + interval '3 hours'
SELECT interval '1 day' - interval '3 hours'
SELECT interval '1 hour' * 2.5
SELECT interval '1 month' / 2
SELECT - interval '1 day'
SELECT interval '90 minutes'
SELECT interval '1 year 2 months 3 days'
SELECT INTERVAL '2' DAY
SELECT extract(year from date '2024-05-06')
SELECT extract(month from timestamp '2024-05-06 07:08:09.5')
SELECT extract(day from date '2024-05-06'), extract(dow from date '2024-05-06')
SELECT extract(hour from timestamp '2024-05-06 07:08:09')
SELECT extract(second from timestamp '2024-05-06 07:08:09.5')
SELECT extract(epoch from timestamp '2024-01-01 00:00:00')
SELECT extract(epoch from timestamptz '2024-01-01 00:00:00+00')
SELECT extract(doy from date '2024-12-31'), extract(week from date '2024-12-31')
SELECT extract(quarter from date '2024-08-01'), extract(isodow from date '2024-05-05')
SELECT extract(century from date '2000-01-01'), extract(millennium from date '2001-01-01')
SELECT extract(epoch from interval '1 day 1 hour')
SELECT extract(hour from interval '25 hours')
SELECT extract(hour from date '2024-01-01')
SELECT extract(foo from date '2024-01-01')
SELECT date_part('year', timestamp '2024-05-06 07:08:09')
SELECT date_part('minute', timestamp '2024-05-06 07:08:09')
SELECT date_trunc('month', timestamp '2024-05-06 07:08:09')
SELECT date_trunc('hour', timestamp '2024-05-06 07:08:09')
SELECT date_trunc('year', timestamp '2024-05-06 07:08:09')
SELECT date_trunc('week', timestamp '2024-05-08 07:08:09')
SELECT date_trunc('day', timestamptz '2024-05-06 07:08:09+00')
SELECT date_trunc('quarter', timestamp '2024-05-06')
SELECT date_trunc('bogus', timestamp '2024-05-06')
SELECT age(timestamp '2024-03-15', timestamp '2023-01-20')
SELECT age(timestamp '2024-01-01', timestamp '2024-03-15 10:00')
SELECT age(date '2024-03-01', date '2024-01-31')
SELECT now() = now()
SELECT now() = current_timestamp
SELECT current_date = now()::date
SELECT clock_timestamp() >= now()
SELECT now() IS NOT NULL
SELECT make_date(2024, 2, 29)
SELECT make_date(2023, 2, 29)
SELECT to_timestamp(0)
SELECT to_timestamp(1700000000.5)
SELECT justify_days(interval '35 days'), justify_hours(interval '27 hours')
SELECT to_char(timestamp '2024-05-06 07:08:09', 'YYYY-MM-DD HH24:MI:SS')
SELECT to_char(timestamp '2024-05-06 17:08:09', 'DD/MM/YY HH12:MI AM')
SELECT to_char(timestamp '2024-05-06 07:08:09', 'Mon DD, YYYY')
SELECT to_char(timestamp '2024-05-06 07:08:09', 'FMMonth FMDD Day')
SELECT to_char(timestamp '2024-05-06 07:08:09.123', 'HH24:MI:SS.MS')
SELECT date '2024-01-01' + 'x'
SELECT timestamp '2024-01-01' + 1
SELECT date '2024-01-01' > '2023-12-31'
SELECT timestamp '2024-01-01 10:00' > date '2024-01-01'
SELECT '2024-01-01'::date - 30
-- json
SELECT '{"a":1,"b":[1,2]}'::json -> 'b'
SELECT '{"a":1,"b":[1, 2]}'::json -> 'b'
SELECT '{"a":1,"b":[1,2]}'::jsonb -> 'b'
SELECT '{"a":{"c":"x"}}'::jsonb -> 'a' ->> 'c'
SELECT '{"a":"text"}'::json ->> 'a'
SELECT '[1,2,3]'::jsonb -> 1
SELECT '[1,2,3]'::jsonb -> -1
SELECT '[1,2,3]'::jsonb -> 5
SELECT '{"a":1}'::jsonb -> 'z'
SELECT '{"a":{"b":{"c":42}}}'::jsonb #> '{a,b}'
SELECT '{"a":{"b":{"c":42}}}'::jsonb #>> '{a,b,c}'
SELECT '{"a":[10,20]}'::json #>> '{a,1}'
SELECT '{"a":1,"b":2}'::jsonb @> '{"a":1}'
SELECT '{"a":1,"b":2}'::jsonb @> '{"a":2}'
SELECT '[1,2,3]'::jsonb @> '[3,1]'
SELECT '[1,2,3]'::jsonb @> '2'
SELECT '{"a":1}'::jsonb <@ '{"a":1,"b":2}'
SELECT '{"a":1}'::jsonb ? 'a'
SELECT '{"a":1}'::jsonb ? 'b'
SELECT '["a","b"]'::jsonb ? 'b'
SELECT '{"a":1,"b":2}'::jsonb ?| ARRAY['b','c'], '{"a":1,"b":2}'::jsonb ?& ARRAY['a','c']
SELECT jsonb_build_object('a', 1, 'b', 'two', 'c', NULL)
SELECT json_build_object('a', 1, 'b', true)
SELECT jsonb_build_object('a')
SELECT jsonb_build_array(1, 'x', NULL, 2.5)
SELECT json_build_array(1, 'x')
SELECT to_json('he said "hi"'::text)
SELECT to_jsonb(42), to_json(ARRAY[1,2,3])
SELECT to_json(true), to_jsonb(1.50)
SELECT to_json(timestamp '2024-01-01 10:00:00')
SELECT to_json(date '2024-01-01')
SELECT jsonb_typeof('{"a":1}'), jsonb_typeof('[1]'), jsonb_typeof('"s"'), jsonb_typeof('1.5'), jsonb_typeof('null')
SELECT json_typeof('true')
SELECT json_array_length('[1,2,3]'), jsonb_array_length('[]')
SELECT json_array_length('{"a":1}')
SELECT '{"a":1}'::jsonb || '{"b":2}'::jsonb
SELECT '{"a":1,"b":2}'::jsonb - 'a'
SELECT '{"a":1}'::jsonb = '{"a":1}'::jsonb
SELECT '{"a": 1, "b": 2}'::jsonb = '{"b":2,"a":1}'::jsonb
SELECT ('{"n":5}'::jsonb -> 'n')::int + 1
SELECT ('{"n":"x"}'::jsonb -> 'n')::int
SELECT '{"a":1}'::json = '{"a":1}'::json
SELECT '{"a":1}'::jsonb -> 'a' = '1'::jsonb
-- arrays
SELECT ARRAY[1,2,3]
SELECT ARRAY['a','b']
SELECT ARRAY[1,2.5]
SELECT ARRAY[1,NULL,3]
SELECT ARRAY[]::int[]
SELECT ARRAY[]
SELECT ARRAY[1,'a']
SELECT ARRAY[1,2,3][2]
SELECT ARRAY[1,2,3][5]
SELECT (ARRAY[1,2,3])[1:2]
SELECT (ARRAY[1,2,3,4])[2:]
SELECT (ARRAY[1,2,3,4])[:2]
SELECT array_length(ARRAY[1,2,3], 1), array_length(ARRAY[]::int[], 1)
SELECT cardinality(ARRAY[1,2,3]), cardinality(ARRAY[]::text[])
SELECT array_position(ARRAY['a','b','c'], 'b'), array_position(ARRAY[1,2], 5)
SELECT array_positions(ARRAY[1,2,1], 1)
SELECT array_to_string(ARRAY[1,2,3], ',')
SELECT array_to_string(ARRAY['a',NULL,'c'], ',', '*')
SELECT array_to_string(ARRAY['a',NULL,'c'], ',')
SELECT string_to_array('a,b,c', ',')
SELECT string_to_array('a,,c', ',', '')
SELECT string_to_array('abc', NULL)
SELECT array_append(ARRAY[1,2], 3), array_prepend(0, ARRAY[1,2])
SELECT array_cat(ARRAY[1,2], ARRAY[3,4])
SELECT array_remove(ARRAY[1,2,1,3], 1)
SELECT ARRAY[1,2] || ARRAY[3]
SELECT ARRAY[1,2] || 3
SELECT 0 || ARRAY[1,2]
SELECT ARRAY[1,2,3] @> ARRAY[2,3], ARRAY[1,2] @> ARRAY[5]
SELECT ARRAY[1,2] <@ ARRAY[1,2,3]
SELECT ARRAY[1,2] && ARRAY[2,3], ARRAY[1,2] && ARRAY[3,4]
SELECT ARRAY[1,2] = ARRAY[1,2], ARRAY[1,2] < ARRAY[1,3]
SELECT array_lower(ARRAY[1,2], 1), array_upper(ARRAY[1,2], 1), array_ndims(ARRAY[1])
SELECT array_dims(ARRAY[1,2,3])
SELECT 2 = ANY(ARRAY[1,2,3])
SELECT 5 = ANY(ARRAY[1,2,3])
SELECT 5 = ANY(ARRAY[1,NULL,3])
SELECT 1 < ALL(ARRAY[2,3])
SELECT 1 < ALL(ARRAY[0,3])
SELECT 1 = ALL(ARRAY[]::int[])
SELECT 'b' = ANY('{a,b}')
SELECT 2 = ANY('{1,2}')
SELECT 'x' LIKE ANY(ARRAY['a%','x%'])
SELECT 1 = ANY(1)
SELECT ARRAY[1,2,3]::bigint[]
SELECT 1 + ARRAY[1]
-- uuid
SELECT length(gen_random_uuid()::text)
SELECT gen_random_uuid() = gen_random_uuid()
SELECT 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid = 'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11'::uuid
-- errors and type resolution
SELECT 1 + true
SELECT true + true
SELECT 'a' || true
SELECT foo(1)
SELECT length(1, 2)
SELECT nosuchcolumn
SELECT t.x
SELECT 1 + 'a'
SELECT 1 + '2'
SELECT '1' + '2'
SELECT 1 = '1'
SELECT 1.5 = '1.5'
SELECT date '2024-01-01' = '2024-01-01'
SELECT CAST(true AS date)
SELECT 'abc'::nosuchtype
SELECT 1::varchar(0)
SELECT sqrt('4')
SELECT abs('-4')
SELECT upper(1)
SELECT round(1.5, 'a')
SELECT 5 > 'x'
SELECT -'1'
SELECT NOT 'true'
SELECT 'true' AND 'false'
SELECT CASE WHEN 'yes' THEN 1 END
SELECT 'abc' LIKE 1
SELECT 1 LIKE 'a'
SELECT coalesce()
SELECT greatest('a', 1)
SELECT nullif(1, 'a')
SELECT 3 BETWEEN 'a' AND 'z'
-- more
SELECT int4('5'), text(42), float8(2)
SELECT 2.0 ^ 3
SELECT 0.5 ^ 10
SELECT power(2.5, 2)
SELECT 'abc' LIKE ANY(ARRAY['x%','a%']), 'abc' ILIKE ALL(ARRAY['A%','%C'])
SELECT 1 = ANY(ARRAY[1.0, 2.0])
SELECT 2 > ALL(ARRAY[1, NULL])
SELECT 3 > ALL(ARRAY[1, NULL])
SELECT 1::varchar(3)
SELECT 'x'::char
SELECT 'xy'::char
SELECT 'ab '::varchar(2)
SELECT numeric '1.25'
SELECT 1.25::numeric(10,1)
SELECT -1.25::numeric(10,1)
SELECT 12.5::numeric(3,-1)
SELECT interval '1 day' > interval '23 hours'
SELECT interval '1 month' = interval '30 days'
SELECT time '10:00' + interval '3 hours'
SELECT time '10:00' < time '11:00'
SELECT timestamp '2024-01-01 10:00' + time '01:30'
SELECT date '2024-02-28' + interval '1 day'
SELECT date '2024-01-01' - interval '1 month'
SELECT timestamp '2024-12-31 23:59:59.999999' + interval '1 microsecond'
SELECT '2024-01-01'::timestamptz < '2024-01-02'::timestamptz
SELECT extract(year from interval '2 years 3 months'), extract(month from interval '2 years 3 months')
SELECT extract(microseconds from time '10:00:01.5')
SELECT date_part('epoch', interval '1 minute')
SELECT 'abc' = ANY('{abc,def}'::text[])
SELECT length('abc'::char(5))
SELECT 'abc'::char(5) = 'abc'
SELECT octet_length('abc'::bytea)
SELECT md5('abc'::bytea)
SELECT upper('éa')
SELECT '{"a":[1,2,{"b":null}]}'::jsonb #> '{a,2}'
SELECT '{"a":[1,2,{"b":null}]}'::jsonb #>> '{a,2,b}'
SELECT jsonb_build_object('k', ARRAY[1,2])
SELECT json_build_object('k', '{"x":1}'::json)
SELECT to_jsonb('x'::text), to_jsonb(NULL::text)
SELECT '[]'::jsonb @> '[]'
SELECT '{"a":{"b":1,"c":2}}'::jsonb @> '{"a":{"b":1}}'
SELECT 'null'::jsonb -> 'a'
SELECT '"str"'::jsonb ->> 0
SELECT 1 IN (1, NULL), 2 IN (1, NULL)
SELECT NULL IN (1, 2)
SELECT 1 + 1 = 2 AND 'a' < 'b' OR false
SELECT CASE NULL WHEN NULL THEN 'eq' ELSE 'ne' END
SELECT CASE 1.0 WHEN 1 THEN 'one' END
SELECT COALESCE(NULL::int, 5) + 1
SELECT GREATEST('2024-01-01'::date, '2023-01-01'::date)
SELECT LEAST(1, 2.5, 0.5::float8)
SELECT ARRAY[1,2] || ARRAY[NULL::int]
SELECT array_append(NULL::int[], 1)
SELECT ARRAY['x'] || 'y'
SELECT (ARRAY['a','b'])[1] || 'c'
SELECT 9223372036854775807::int8 * 2
SELECT -9223372036854775808::int8 / -1
SELECT 32767::int2 * 2::int2
SELECT (-32768)::int2 / (-1)::int2
SELECT abs(-32768::int2)
SELECT 5::int2 % 3::int2
SELECT 10 / 3.0::float4
SELECT 1.0::float4 / 3
SELECT 3::float8 / 2::int
SELECT 1e-5::float8, 1e16::float8, 123456789012345678::float8
SELECT 0.1::float8 * 3
SELECT 1::numeric / 3 * 3
SELECT 2::numeric / 3
SELECT 123.456 / 0.001
SELECT 1 / 1e-20
SELECT round(1e-20, 25)
SELECT 7.0 % 0
SELECT 7::float8 % 2
SELECT 1 + NULL
SELECT NULL + NULL
SELECT NULL || NULL
SELECT 1 < NULL
SELECT NULL::int IS DISTINCT FROM 1
SELECT 'abc' IS NOT DISTINCT FROM 'abc'
SELECT TRUE IS NOT NULL
SELECT CAST(NULL AS int) IS NULL
SELECT '   '::int
SELECT '+5'::int, '-0'::int
SELECT '0x10'::int
SELECT '1_000'::int
SELECT '1.5e2'::numeric
SELECT ' 1.5 '::numeric
SELECT '1.5.5'::numeric
SELECT 'infinity'::float8 > 0
SELECT '-Infinity'::float8
SELECT 'nan'::numeric
SELECT '2024-13-01'::date
SELECT '2024-01-01 25:00'::timestamp
SELECT 'January 5, 2024'::date
SELECT '20240105'::date
SELECT '1 year -2 months'::interval
SELECT '-1 day'::interval
SELECT '1:30'::interval
SELECT 'P1Y2M'::interval
SELECT 'true'::bool AND 't'::bool
SELECT 'off'::bool
-- harder cases
SELECT 'a' < 'B', 'Z' < 'a', 'abc' > 'ab'
SELECT 'é' > 'z'
SELECT 1 = 1 = true
SELECT (1 = 1) IS TRUE
SELECT 1.0 = 1::float8
SELECT 0.1 + 0.2 = 0.3
SELECT 0.1::float8 + 0.2::float8 = 0.3::float8
SELECT 1::numeric(5,2)
SELECT 123.4500
SELECT -0.0
SELECT 0.0 * -1
SELECT 1000000 * 1000000
SELECT 100000 * 100000
SELECT 46341 * 46341
SELECT 2147483647::int8 + 1
SELECT 10::int2 / 4::int2
SELECT 2 ^ 0.5
SELECT 4 ^ 0.5
SELECT (-8) ^ (1.0/3)
SELECT 10 % 3.5
SELECT 1.23e2, 5e-1
SELECT .5, 5.
SELECT 1.000000000000000000001 + 1
SELECT 99999999999999999999999999999999999999 * 10
SELECT round(12345.6789, 2), round(-12345.6789, -2), round(0.5)
SELECT trunc(-0.5), trunc(12.3456, 2), trunc(123.45, -1)
SELECT floor(-0.0), ceil(0.1)
SELECT abs(-0.0::float8)
SELECT sqrt(0), sqrt(1e10)
SELECT exp(0), ln(1)
SELECT sign(-0.0), sign('-Infinity'::float8)
SELECT mod(-7, -3), mod(7, -3)
SELECT 'ab' || 'cd' || 1 || true
SELECT 1 || 2
SELECT 'x' || 1.50
SELECT 'x' || NULL::int
SELECT 'x' || date '2024-01-01'
SELECT concat()
SELECT concat(NULL)
SELECT concat(1.50, ' ', date '2024-01-01')
SELECT concat_ws(',', 1, 2, 3)
SELECT format('%s-%s', 1)
SELECT format('%s', ARRAY[1,2])
SELECT format('%I.%I', 'public', 'T')
SELECT format('%3$s', 1, 2)
SELECT length(''), length(' ')
SELECT substring('hello' from 2 for 0)
SELECT substring('' from 1)
SELECT substring('hello' for 2)
SELECT substr('hello', 10)
SELECT left('', 5), right('abc', 0)
SELECT lpad('abc', 0), lpad('abc', -1), lpad('abc', 5, '')
SELECT repeat('-', -1)
SELECT replace('aaa', 'a', 'aa')
SELECT split_part('', ',', 1)
SELECT split_part('abc', '', 1)
SELECT strpos('', ''), strpos('abc', '')
SELECT position('' in 'abc')
SELECT trim(both from '  x  ')
SELECT btrim('')
SELECT initcap('')
SELECT reverse('')
SELECT upper('ß'), lower('ÀB')
SELECT chr(233), ascii('é')
SELECT chr(-1)
SELECT quote_ident(''), quote_ident('a"b')
SELECT quote_literal('a\b')
SELECT md5('The quick brown fox')
SELECT 'abc' LIKE '%', '' LIKE '%', '' LIKE '_'
SELECT 'a%b' LIKE 'a\%b', 'axb' LIKE 'a\%b'
SELECT 'ABC' ILIKE '%b%', 'abc' NOT ILIKE '%B%'
SELECT 'foo\bar' LIKE 'foo\\bar'
SELECT 'aaa' LIKE 'a%a%a'
SELECT 'hello world' ~ 'wor'
SELECT 'hello' ~ 'HELLO', 'hello' ~* 'HELLO'
SELECT 'test123' ~ '^[a-z]+[0-9]{3}$'
SELECT 'a' ~ '\d'
SELECT regexp_replace('Hello World', '[aeiou]', '*', 'g')
SELECT regexp_replace('abc', 'x', 'y')
SELECT regexp_replace('aBc', 'b', 'X', 'i')
SELECT regexp_match('abc', 'x')
SELECT regexp_match('2024-05-06', '(\d+)-(\d+)-(\d+)')
SELECT substring('foo123bar' from '[0-9]+')
SELECT substring('foobar' from 'o(b)a')
SELECT date '2024-01-01' + 365
SELECT date '2024-12-31' - date '2024-01-01'
SELECT date 'infinity' + 1
SELECT date 'infinity' - date '2024-01-01'
SELECT timestamp '2024-01-01 00:00:00.123456'
SELECT timestamp '2024-01-01 00:00:00.1234567'
SELECT '2024-01-01 10:00:00.5'::timestamp(0)
SELECT '2024-01-01 10:00:00.123456'::timestamp(3)
SELECT timestamptz '2024-06-01 12:00:00+02'
SELECT timestamptz '2024-06-01 12:00:00+02'::timestamp
SELECT timestamptz '2024-06-01 12:00:00+02'::date
SELECT timestamp '2024-06-01 12:00:00'::timestamptz
SELECT date '2024-06-01'::timestamptz
SELECT timestamp '2024-01-31' + interval '1 month 1 day'
SELECT timestamp '2024-02-29' + interval '1 year'
SELECT timestamp '2024-01-01' + interval '-1 month'
SELECT timestamp '2024-03-31 10:00' - interval '1 month'
SELECT interval '1 day 25 hours'
SELECT interval '1.5 days'
SELECT interval '1 month' * 0.5
SELECT interval '3 days' / 2
SELECT interval '1 day' / 0
SELECT interval '1 hour' * 1e20
SELECT extract(year from date '0001-01-01'), extract(century from date '1900-01-01')
SELECT extract(decade from date '2024-05-05'), extract(millennium from date '2000-12-31')
SELECT extract(week from date '2024-01-01'), extract(week from date '2021-01-03')
SELECT extract(doy from timestamp '2024-03-01 00:00')
SELECT extract(epoch from date '2024-01-01')
SELECT extract(milliseconds from timestamp '2024-01-01 00:00:01.25')
SELECT extract(dow from timestamp '2024-05-12 00:00')
SELECT date_trunc('minute', timestamp '2024-05-06 07:08:09.5')
SELECT date_trunc('second', timestamp '2024-05-06 07:08:09.5')
SELECT date_trunc('decade', timestamp '2024-05-06')
SELECT date_trunc('century', timestamp '2024-05-06')
SELECT date_trunc('millennium', timestamp '2024-05-06')
SELECT date_trunc('month', date '2024-05-06')
SELECT date_trunc('day', interval '1 day 5 hours')
SELECT age(timestamp '2024-01-31', timestamp '2024-01-01')
SELECT age(timestamp '2000-02-29', timestamp '1999-03-31')
SELECT to_char(timestamp '2024-01-05 00:00:00', 'HH12 AM')
SELECT to_char(timestamp '2024-01-05 12:30:00', 'HH:MI PM')
SELECT to_char(timestamp '2024-01-05', 'Day, DD Month YYYY')
SELECT to_char(timestamp '2024-01-05', 'DY dy Q DDD')
SELECT to_char(timestamp '2024-01-05', '"Year:" YYYY')
SELECT to_char(timestamp '2024-01-05 10:00', 'YYYY-MM-DD"T"HH24:MI:SS')
SELECT make_date(-44, 3, 15)
SELECT to_timestamp(-1)
SELECT '{"a":1}'::jsonb ->> 'a', '{"a":1.50}'::jsonb ->> 'a', '{"a":1.50}'::json ->> 'a'
SELECT '{"a":true}'::jsonb -> 'a', '{"a":null}'::jsonb ->> 'a'
SELECT '{"a":{"b":2}}'::json -> 'a'
SELECT '{"a":{"b": 2}}'::json -> 'a', '{"a":{"b": 2}}'::jsonb -> 'a'
SELECT '{"a":[1,2]}'::jsonb #> '{}'
SELECT '{"a":[1,2]}'::jsonb #> '{a,x}'
SELECT '[1,[2,3]]'::jsonb #>> '{1,0}'
SELECT '{"a":1,"a":2}'::json ->> 'a'
SELECT '{"a":1,"a":2}'::jsonb
SELECT '{"a":"\u00e9"}'::jsonb ->> 'a'
SELECT '{"a":"x\ny"}'::json -> 'a'
SELECT jsonb_build_object('a', 1.0, 'b', 'x"y', 'c', ARRAY['p','q'])
SELECT json_build_object()
SELECT json_build_array()
SELECT jsonb_build_object(1, 2)
SELECT jsonb_build_object(NULL, 2)
SELECT to_json('NaN'::float8), to_json(1e100::float8)
SELECT to_jsonb(ARRAY['a', NULL])
SELECT to_json(timestamptz '2024-01-01 10:00:00+00')
SELECT to_json('a'::char(3))
SELECT '[1,2]'::jsonb @> '[1,2,2]', '[[1,2]]'::jsonb @> '[1]'
SELECT '{"a":[1,2,3]}'::jsonb @> '{"a":[3]}'
SELECT '1'::jsonb @> '1', '"a"'::jsonb @> '"a"'
SELECT '{"a":1}'::jsonb ? 'a' AND '[]'::jsonb ? 'a'
SELECT '[1,2]'::jsonb || '3'::jsonb, '{"a":1}'::jsonb || '[1]'::jsonb
SELECT ('1.5'::jsonb)::numeric, ('true'::jsonb)::bool, ('2'::jsonb)::float8
SELECT ('"x"'::jsonb)::numeric
SELECT ('{}'::jsonb)::int
SELECT '{"b":1}'::jsonb < '{"a":2}'::jsonb
SELECT ARRAY[1,2,3] = ARRAY[1,2,3]::int8[]
SELECT ARRAY[1.5, 2]
SELECT ARRAY['a', NULL]
SELECT ARRAY[NULL, NULL]
SELECT ARRAY[NULL]::int[]
SELECT ARRAY[date '2024-01-01']
SELECT ARRAY[true, false]
SELECT ARRAY[1,2] @> ARRAY[NULL::int]
SELECT ARRAY[NULL::int] <@ ARRAY[NULL::int]
SELECT (ARRAY[1,2,3])[0]
SELECT (ARRAY[1,2,3])[NULL]
SELECT (ARRAY[1,2,3])[1.6]
SELECT (ARRAY[1,2,3])['2']
SELECT (ARRAY[1,2,3])[3:1]
SELECT ('{1,2,3}'::int[])[2]
SELECT ('[0:2]={1,2,3}'::int[])[0]
SELECT array_length('[0:2]={1,2,3}'::int[], 1), array_lower('[0:2]={1,2,3}'::int[], 1)
SELECT array_to_string(ARRAY[1.5, 2.25], ';')
SELECT array_to_string(ARRAY[]::int[], ',')
SELECT string_to_array('', ',')
SELECT string_to_array('a b', ' ')
SELECT string_to_array(NULL, ',')
SELECT array_position(ARRAY[1,NULL,3], NULL)
SELECT array_position(ARRAY[1,2,3,2], 2, 3)
SELECT array_remove(ARRAY['a','b'], 'a')
SELECT array_cat(NULL, ARRAY[1])
SELECT array_cat(ARRAY[]::int[], ARRAY[1])
SELECT ARRAY[1] || NULL::int
SELECT ARRAY[1] || NULL::int[]
SELECT ARRAY[1,2] || '{3,4}'
SELECT cardinality(NULL::int[])
SELECT 1 = ANY('{}'::int[]), 1 <> ALL('{}'::int[])
SELECT NULL = ANY(ARRAY[1])
SELECT 1 = ANY(NULL::int[])
SELECT 'a' < ANY(ARRAY['b','c'])
SELECT 1.5 = ANY(ARRAY[1, 2])
SELECT 3 IN (1.5, 3)
SELECT 1 IN ('1', '2')
SELECT 1 IN ('x')
SELECT '1' IN ('1', 2)
SELECT 1 BETWEEN 2 AND 0
SELECT 1 BETWEEN 0.5 AND 1.5
SELECT CASE WHEN NULL THEN 1 ELSE 2 END
SELECT CASE 'a' WHEN 'b' THEN 1 WHEN 'a' THEN 2 END
SELECT CASE WHEN true THEN NULL ELSE 1 END
SELECT CASE WHEN true THEN 'a' ELSE NULL END
SELECT CASE WHEN false THEN 1 WHEN true THEN 2.5 ELSE 3::int8 END
SELECT CASE WHEN true THEN 1 ELSE 'x' END
SELECT CASE WHEN true THEN date '2024-01-01' ELSE timestamp '2024-01-01 10:00' END
SELECT COALESCE(NULL, 1::int2, 2::int8)
SELECT COALESCE('a'::varchar, 'b'::text)
SELECT COALESCE(NULL::text, NULL::varchar)
SELECT NULLIF(NULL, 1)
SELECT NULLIF(1, NULL)
SELECT NULLIF(1.0, 1)
SELECT GREATEST('a', 'B'), LEAST(date '2024-01-01', '2023-06-01')
SELECT GREATEST(1, '2')
SELECT GREATEST(1, 'x')
SELECT 'abc'::varchar(10) || 'def'::varchar(2)
SELECT 'abc'::char(2)
SELECT 'a'::char(3) || 'b'::char(3)
SELECT length('a '::char(5)), octet_length('a'::char(5))
SELECT 'a'::char(3)::text || '|'
SELECT 'a'::char(3)::varchar || '|'
SELECT CAST('  x  ' AS char(10))
SELECT 12.345::numeric(10,2)::text
SELECT 1::numeric(10,3)
SELECT 999.999::numeric(5,2)
SELECT 'Infinity'::numeric::numeric(10,2)
SELECT 'NaN'::numeric::numeric(3,1)
SELECT 1::int2::int4::int8::numeric::float8::text
SELECT 3.99::int2, (-3.5)::int8, 2.5::int2
SELECT 1e20::int8
SELECT 1e19::float8::int8
SELECT 'Infinity'::float8::int
SELECT 123.456::float4::text
SELECT 1.0::float8::text, 1.5e300::float8::text, 1e-7::float8::text
SELECT 100000000000000000000::float8
SELECT '3.4e39'::float4
SELECT 3.4e39::float8::float4
SELECT 1e-50::float8::float4
SELECT 0::float8::float4
SELECT true::int::bool
SELECT 2::bool
SELECT 't'::bool::int
SELECT 'x'::"char", 65::"char"
SELECT 'abc'::name
SELECT 1::oid + 1
SELECT 4294967295::oid
SELECT -1::oid
SELECT 'a'::text::varchar(1)::char(2) || '|'
SELECT ' '::char(3) = ''::char(1)
SELECT 'abc' = 'abc '
SELECT 'abc'::char(4) = 'abc '::text
SELECT uuid 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11' < 'b0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'
SELECT '{a0eebc999c0b4ef8bb6d6bb9bd380a11}'::uuid
SELECT md5('a')::uuid
SELECT '\xdeadbeef'::bytea, 'abc'::bytea
SELECT '\xdead'::bytea = '\xDEAD'::bytea
SELECT '\xzz'::bytea
-- time zones
SELECT timestamptz '2024-06-01 12:00:00+00' AT TIME ZONE 'Europe/Paris'
SELECT timestamp '2024-06-01 12:00:00' AT TIME ZONE 'America/New_York'
SELECT timestamp '2024-01-01 12:00:00' AT TIME ZONE 'UTC'
SELECT timestamptz '2024-01-01 12:00:00+00' AT TIME ZONE 'Asia/Tokyo'
SELECT timestamptz '2024-01-01 12:00:00+00' AT TIME ZONE 'Mars/Olympus'
SELECT extract(year from 'infinity'::timestamp), extract(hour from 'infinity'::timestamp)
SELECT date '294277-01-01'::timestamp
SELECT 'infinity'::timestamp - timestamp '2024-01-01'
SELECT justify_days(interval '2147483647 days')
SELECT extract(epoch from interval '1000000 years')
SELECT age(timestamptz 'infinity', timestamptz '2024-01-01')
SELECT localtimestamp = now()::timestamp, current_timestamp = transaction_timestamp()
SELECT current_date - 1 < current_date
SELECT statement_timestamp() >= now()
SELECT extract(year from now()) > 2000
-- to_char for numbers
SELECT to_char(123.45, '999.99')
SELECT to_char(-123.45, '999.99')
SELECT to_char(1.5, '999.99')
SELECT to_char(-1.5, '999.99')
SELECT to_char(0.5, '999.99'), to_char(0.5, '0.99')
SELECT to_char(5, '000'), to_char(5, '999')
SELECT to_char(1234, '9,999'), to_char(1234567, '9,999,999')
SELECT to_char(12, '9,999')
SELECT to_char(12345, '999')
SELECT to_char(123.4, 'FM999.99'), to_char(123, 'FM999.99')
SELECT to_char(1234.5, 'FM9,999.00')
SELECT to_char(-42, 'FM999')
SELECT to_char(3.14159, '9.999')
SELECT to_char(0, '999'), to_char(0, 'FM999')
SELECT to_char(1e10::float8, '99999999999')
SELECT to_char(7, '00.0')
-- strings and bytea (added with overlay, encode/decode, sha2)
SELECT bit_length('ab'), bit_length('é'), bit_length('\x0102'::bytea)
SELECT overlay('abcdef' PLACING 'XY' FROM 3 FOR 2), overlay('abcdef' PLACING 'XY' FROM 3)
SELECT overlay('abcdef' PLACING 'X' FROM 3 FOR 0), overlay('abcdef' PLACING 'X' FROM 5 FOR 10), overlay('abc' PLACING 'X' FROM 3 FOR -1)
SELECT overlay('abc' PLACING 'X' FROM 0)
SELECT overlay('\x010203'::bytea PLACING '\xff'::bytea FROM 2)
SELECT encode('hi'::bytea, 'hex'), encode('hi'::bytea, 'base64'), encode('a\000b\\c\377'::bytea, 'escape')
SELECT encode(repeat('x', 70)::bytea, 'base64')
SELECT decode('6869', 'hex'), decode('aGk=', 'base64'), decode('a\\b\001', 'escape'), decode('68 69', 'hex')
SELECT decode('686', 'hex')
SELECT decode('6g', 'hex')
SELECT decode('a*b', 'base64')
SELECT encode('x'::bytea, 'rot13')
SELECT convert_to('é', 'UTF8'), convert_to('é', 'LATIN1'), convert_from('\xc3a9'::bytea, 'UTF8'), convert_from('\xe9'::bytea, 'LATIN1')
SELECT convert_from('\xff'::bytea, 'UTF8')
SELECT convert_to('x', 'nosuch')
SELECT 'ab'::bytea || '\x00ff'::bytea, get_byte('\x0102'::bytea, 1), set_byte('\x0102'::bytea, 0, 255)
SELECT get_byte('\x0102'::bytea, 2)
SELECT sha224('abc'::bytea), sha256('abc'::bytea)
SELECT sha512(''::bytea), sha384('a'::bytea)
SELECT 'abc' SIMILAR TO 'a%', 'abc' SIMILAR TO 'b%', 'abc' NOT SIMILAR TO '(a|x)bc', 'a.c' SIMILAR TO 'a.c', 'abc' SIMILAR TO 'a.c'
SELECT 'a_c' SIMILAR TO 'a#_c' ESCAPE '#', 'abc' SIMILAR TO '[a-c]+', 'ab' SIMILAR TO 'a|b', 'x%' SIMILAR TO 'x\%'
SELECT similar_to_escape('a%b_c'), similar_to_escape('a#%', '#')
SELECT 'a' SIMILAR TO 'a' ESCAPE 'xy'
-- math (gcd, factorial, scale)
SELECT log(2, 8), log(10, 1000), log(2, 1024), log(10, 0.001)
SELECT log(2.0, 10)
SELECT log(0, 8)
SELECT log(1, 8)
SELECT gcd(12, 18), gcd(-12, 18), gcd(0, 0), lcm(4, 6), lcm(-4, 6), lcm(0, 5), gcd(12::int8, 18::int8)
SELECT gcd(-2147483648, 0)
SELECT lcm(2147483647, 2147483646)
SELECT factorial(5), factorial(0), factorial(20), factorial(25)
SELECT factorial(-1)
SELECT scale(1.2300), trim_scale(1.2300), min_scale(1.2300), scale(10), trim_scale(100.000), min_scale(0.0)
SELECT scale('NaN'::numeric), trim_scale('NaN'::numeric), min_scale(12.5)
-- date/time constructors and justify
SELECT make_time(1, 2, 3.5), make_time(24, 0, 0), make_timestamp(2024, 1, 2, 3, 4, 5), make_timestamp(2024, 2, 29, 23, 59, 59.5)
SELECT make_time(25, 0, 0)
SELECT make_time(1, 60, 0)
SELECT make_timestamp(2024, 1, 1, 25, 0, 0)
SELECT make_timestamp(2023, 2, 29, 0, 0, 0)
SELECT make_timestamptz(2024, 1, 2, 3, 4, 5), make_timestamptz(2024, 1, 2, 3, 4, 5, 'America/New_York'), make_timestamptz(2024, 7, 2, 3, 4, 5, '+02')
SELECT make_interval(days => 3, hours => 4), make_interval(1, 2, 3), make_interval(), make_interval(secs => 1.5), make_interval(years => 1, mins => 90)
SELECT make_interval(weeks => 2, days => -1)
SELECT justify_interval(interval '1 month -1 hour'), justify_interval(interval '-1 month 1 hour'), justify_interval(interval '35 days 25 hours'), justify_interval(interval '-35 days -25 hours')
SELECT isfinite('2024-01-01'::date), isfinite('infinity'::timestamp), isfinite('-infinity'::date), isfinite(interval '1 day'), isfinite(now())
SELECT ('2024-01-01'::date, '2024-02-01'::date) OVERLAPS ('2024-01-15'::date, '2024-03-01'::date)
SELECT ('2024-01-01'::timestamp, '2024-02-01'::timestamp) OVERLAPS ('2024-02-01'::timestamp, '2024-03-01'::timestamp)
SELECT ('2024-02-01'::timestamp, '2024-01-01'::timestamp) OVERLAPS ('2024-01-15'::timestamp, NULL::timestamp)
SELECT ('2024-01-01'::timestamp, interval '10 days') OVERLAPS ('2024-01-05'::timestamp, interval '1 day')
SELECT (time '10:00', time '11:00') OVERLAPS (time '10:30', time '12:00'), (NULL::timestamp, NULL::timestamp) OVERLAPS ('2024-01-01'::timestamp, '2024-01-02'::timestamp)
SELECT to_date('05 Mar 2024', 'DD Mon YYYY'), to_date('2024-03-05', 'YYYY-MM-DD'), to_date('20240305', 'YYYYMMDD'), to_date('March 5, 2024', 'Month DD, YYYY')
SELECT to_timestamp('2024-03-05 14:07', 'YYYY-MM-DD HH24:MI'), to_timestamp('05/03/2024 02:07:09 PM', 'DD/MM/YYYY HH:MI:SS PM'), to_timestamp('2024-03-05 14:07:09.123', 'YYYY-MM-DD HH24:MI:SS.MS')
SELECT to_timestamp('2024-03-05 14:07:09.5', 'YYYY-MM-DD HH24:MI:SS.US'), to_date('2024 065', 'YYYY DDD'), to_date('24-03-05', 'YY-MM-DD')
SELECT to_date('2024-xx-01', 'YYYY-MM-DD')
SELECT to_date('2024-13-01', 'YYYY-MM-DD')
SELECT to_date('2024-02-30', 'YYYY-MM-DD')
SELECT to_date('05 Foo 2024', 'DD Mon YYYY')
SELECT to_timestamp('13:00 PM', 'HH:MI PM')
-- jsonb modification
SELECT '{"a": 1, "b": 2}'::jsonb - 'a', '[1, 2, 3]'::jsonb - 1, '[1, 2, 3]'::jsonb - -1, '[1, 2, 3]'::jsonb - 5, '{"a": 1, "b": 2, "c": 3}'::jsonb - '{a,c}'::text[]
SELECT '{"a": 1}'::jsonb - 0
SELECT '1'::jsonb - 0
SELECT '{"a": {"b": 1, "c": 2}}'::jsonb #- '{a,b}', '[1, [2, 3]]'::jsonb #- '{1,0}', '{"a": 1}'::jsonb #- '{x,y}'
SELECT '[1]'::jsonb #- '{a}'
SELECT '1'::jsonb #- '{a}'
SELECT jsonb_strip_nulls('{"a": null, "b": 1, "c": {"d": null}, "e": [null]}')
SELECT jsonb_set('{"a": 1}', '{b}', '2'), jsonb_set('{"a": [1, 2]}', '{a,0}', '"x"'), jsonb_set('{"a": 1}', '{b}', '2', false), jsonb_set('[1, 2]', '{5}', '3'), jsonb_set('[1, 2]', '{-5}', '0')
SELECT jsonb_set('{"a": {"b": 1}}', '{a,b}', '[true]'), jsonb_set('{"a": 1}', '{x,y}', '2')
SELECT jsonb_set('{"a": [1]}', '{a,x}', '2')
SELECT jsonb_set('5', '{a}', '2')
SELECT jsonb_insert('[1, 3]', '{1}', '2'), jsonb_insert('[1, 3]', '{1}', '2', true), jsonb_insert('{"a": 1}', '{b}', '2'), jsonb_insert('[1, 3]', '{-1}', '2')
SELECT jsonb_insert('{"a": 1}', '{a}', '2')
SELECT jsonb_pretty('{"a": 1, "b": [1, {"c": null}], "d": {}}'), jsonb_pretty('[]'), jsonb_pretty('"x"')
SELECT jsonb_path_query_first('{"a": [1, 2, 3]}', '$.a[1]'), jsonb_path_exists('{"a": 1}', '$.b'), jsonb_path_exists('{"a": {"b": 2}}', '$.a.b'), jsonb_path_query_first('{"a": [{"b": 5}]}', '$.a.b')
SELECT jsonb_path_query_first('[1, 2]', '$[*]'), jsonb_path_query_first('{"a": 1}', '$'), jsonb_path_query_first('{"a": 1}', '$.a[0]')
-- arrays
SELECT array_replace(ARRAY[1, 2, 1], 1, 9), array_replace(ARRAY[1, NULL, 2], NULL, 0), array_replace(ARRAY['a'], 'b', 'c')
SELECT array_fill(7, ARRAY[3]), array_fill('x'::text, ARRAY[2], ARRAY[0]), array_fill(NULL::int, ARRAY[2]), array_fill(1, ARRAY[0])
SELECT array_fill(1, NULL)
SELECT array_fill(1, ARRAY[2], ARRAY[1, 2])
-- row comparisons
SELECT (1, 2) = (1, 2), (1, 2) = (1, 3), (1, 2) <> (1, 3), (1, NULL) = (1, 2), (1, NULL) = (2, 2)
SELECT (1, 2) < (1, 3), (1, 2) < (0, 9), (1, 2) <= (1, 2), (2, 1) > (1, 9), (1, 2) >= (1, 3), (1, NULL) < (2, 0)
SELECT (1, 'a') IN ((1, 'a'), (2, 'b')), (3, 'c') IN ((1, 'a'), (2, 'b')), (3, 'c') NOT IN ((1, 'a'), (2, 'b')), (1, NULL) IN ((1, 2))
SELECT (1, 2) = (1, 2, 3)
-- time arithmetic
SELECT '10:30'::time + interval '90 minutes', '23:30'::time + interval '1 hour', interval '1 day 2 hours' + '01:00'::time, '01:00'::time - interval '2 hours', '10:30'::time - '08:15'::time, '08:15'::time - '10:30'::time
SELECT to_number('12,345', '99G999'), to_number('12.34', '99.99'), to_number('-12.5', '999.9'), to_number('1,234.5', '9,999.99'), to_number('  42', '9999'), to_number('007', '000')
SELECT to_number('12.3456', '99.99'), to_number('12', '9999.99'), to_number('1 2', '9 9'), to_number('$12', 'L99')
