//! Property tests over every type: text and binary round trips under
//! several session settings, and decoders fed arbitrary bytes.

use proptest::prelude::*;

use crate::datetime::USECS_PER_DAY;
use crate::{Array, Format, FormatSettings, Interval, Numeric, Oid, Value, oid};

/// Valid dates: 4714-11-24 BC ..= 5874897-12-31, plus the infinities.
fn date() -> impl Strategy<Value = i32> {
    prop_oneof![
        8 => -2_451_545i32..(2_147_483_494 - 2_451_545),
        1 => Just(i32::MIN),
        1 => Just(i32::MAX),
    ]
}

/// Valid timestamps, plus the infinities.
fn timestamp() -> impl Strategy<Value = i64> {
    prop_oneof![
        8 => -211_813_488_000_000_000i64..9_223_371_331_200_000_000,
        4 => -4_000_000_000_000_000i64..4_000_000_000_000_000,
        1 => Just(i64::MIN),
        1 => Just(i64::MAX),
    ]
}

fn float8() -> impl Strategy<Value = f64> {
    prop_oneof![
        any::<f64>().prop_filter("canonical NaN only", |f| !f.is_nan()),
        Just(f64::NAN),
        Just(f64::INFINITY),
        Just(-0.0),
        (-1e6f64..1e6),
    ]
}

fn float4() -> impl Strategy<Value = f32> {
    prop_oneof![
        any::<f32>().prop_filter("canonical NaN only", |f| !f.is_nan()),
        Just(f32::NAN),
        Just(f32::NEG_INFINITY),
        (-1e4f32..1e4),
    ]
}

fn numeric() -> impl Strategy<Value = Numeric> {
    prop_oneof![
        8 => ("-?[0-9]{1,30}", 0usize..30, -40i32..40).prop_map(|(digits, point, exp)| {
            let (sign, d) = digits.split_at(usize::from(digits.starts_with('-')));
            let p = point.min(d.len());
            let s = format!("{sign}{}.{}e{exp}", &d[..d.len() - p], &d[d.len() - p..]);
            let s = s.replace("-.", "-0.");
            let s = if s.starts_with('.') { format!("0{s}") } else { s };
            s.parse::<Numeric>().unwrap_or_else(|e| panic!("{s}: {e}"))
        }),
        1 => Just(Numeric::nan()),
        1 => Just(Numeric::infinity()),
        1 => Just(Numeric::neg_infinity()),
    ]
}

fn json_text() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        Just("null".to_owned()),
        Just("true".to_owned()),
        Just("false".to_owned()),
        "-?(0|[1-9][0-9]{0,12})(\\.[0-9]{1,5})?([eE][+-]?[0-9]{1,2})?",
        "[a-z \\\\\"/\u{e9}\u{1F600}\t]{0,8}".prop_map(|s| {
            let mut out = String::new();
            crate::json::escape_json(&s, &mut out);
            out
        }),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(|v| format!("[{}]", v.join(","))),
            prop::collection::vec(("[a-c]{0,2}", inner), 0..4).prop_map(|v| {
                let members: Vec<String> = v
                    .into_iter()
                    .map(|(k, v)| format!("\"{k}\" : {v}"))
                    .collect();
                format!("{{ {} }}", members.join(" ,"))
            }),
        ]
    })
}

/// A scalar value and the OID it decodes from.
fn scalar() -> impl Strategy<Value = (Oid, Value)> {
    prop_oneof![
        any::<bool>().prop_map(|v| (oid::BOOL, Value::Bool(v))),
        any::<i16>().prop_map(|v| (oid::INT2, Value::Int2(v))),
        any::<i32>().prop_map(|v| (oid::INT4, Value::Int4(v))),
        any::<i64>().prop_map(|v| (oid::INT8, Value::Int8(v))),
        float4().prop_map(|v| (oid::FLOAT4, Value::Float4(v))),
        float8().prop_map(|v| (oid::FLOAT8, Value::Float8(v))),
        numeric().prop_map(|v| (oid::NUMERIC, Value::Numeric(v))),
        "[^\u{0}]{0,12}".prop_map(|v| (oid::TEXT, Value::Text(v))),
        "[^\u{0}]{0,12}".prop_map(|v| (oid::VARCHAR, Value::Text(v))),
        prop::collection::vec(any::<u8>(), 0..16).prop_map(|v| (oid::BYTEA, Value::Bytea(v))),
        any::<u8>().prop_map(|v| (oid::CHAR, Value::Char(v))),
        date().prop_map(|v| (oid::DATE, Value::Date(v))),
        (0..=USECS_PER_DAY).prop_map(|v| (oid::TIME, Value::Time(v))),
        timestamp().prop_map(|v| (oid::TIMESTAMP, Value::Timestamp(v))),
        timestamp().prop_map(|v| (oid::TIMESTAMPTZ, Value::TimestampTz(v))),
        (any::<i32>(), any::<i32>(), any::<i64>()).prop_map(|(months, days, micros)| {
            (
                oid::INTERVAL,
                Value::Interval(Interval {
                    months,
                    days,
                    micros,
                }),
            )
        }),
        (
            -1000i32..1000,
            -40i32..40,
            -100_000_000_000i64..100_000_000_000
        )
            .prop_map(|(months, days, micros)| (
                oid::INTERVAL,
                Value::Interval(Interval {
                    months,
                    days,
                    micros
                })
            )),
        any::<[u8; 16]>().prop_map(|v| (oid::UUID, Value::Uuid(v))),
        json_text().prop_map(|v| (oid::JSON, Value::Json(v))),
        json_text().prop_map(|v| {
            let n = crate::json::normalize_jsonb(&v).unwrap_or_else(|e| panic!("{v}: {e}"));
            (oid::JSONB, Value::Jsonb(n))
        }),
        any::<u32>().prop_map(|v| (oid::OID, Value::Oid(v))),
        any::<u32>().prop_map(|v| (oid::REGCLASS, Value::RegClass(v))),
        any::<u32>().prop_map(|v| (oid::REGTYPE, Value::RegType(v))),
        Just((oid::VOID, Value::Void)),
    ]
}

/// Any value: a scalar or a one-dimensional array of scalars of one type.
fn value() -> impl Strategy<Value = (Oid, Value)> {
    prop_oneof![
        3 => scalar(),
        1 => multi_array(),
        1 => (scalar(), prop::collection::vec((scalar(), any::<bool>()), 0..5), -3i32..3)
            .prop_filter_map("same element type, has an array type", |((ty, first), rest, lb)| {
                if ty == oid::VOID {
                    return None;
                }
                let mut elements = vec![first];
                for ((t, v), null) in rest {
                    if null {
                        elements.push(Value::Null);
                    } else if t == ty {
                        elements.push(v);
                    }
                }
                // A zero-based int2/oid array is an int2vector/oidvector,
                // which has its own text form (see `Value::encode`).
                let lb = if lb == 0 && matches!(ty, oid::INT2 | oid::OID) { 1 } else { lb };
                let array = Array { element_type: ty, lower_bound: lb, elements };
                Some((array.type_oid(), Value::Array(array)))
            }),
    ]
}

/// A multidimensional array: 2 or 3 dimensions of one scalar type.
fn multi_array() -> impl Strategy<Value = (Oid, Value)> {
    (
        scalar(),
        prop::collection::vec((1i32..4, -2i32..3), 2..4),
        prop::collection::vec((scalar(), any::<bool>()), 27),
    )
        .prop_filter_map(
            "an element type with an array",
            |((ty, first), dims, pool)| {
                if ty == oid::VOID {
                    return None;
                }
                let total: i32 = dims.iter().map(|d| d.0).product();
                let leaves: Vec<Value> = (0..total as usize)
                    .map(|i| match &pool[i] {
                        (_, true) => Value::Null,
                        ((t, v), false) if *t == ty => v.clone(),
                        _ => first.clone(),
                    })
                    .collect();
                let array = Array::with_dimensions(ty, &dims, leaves).ok()?;
                Some((array.type_oid(), Value::Array(array)))
            },
        )
}

fn settings() -> impl Strategy<Value = FormatSettings> {
    (
        prop::sample::select(vec!["1", "2", "3"]),
        prop::sample::select(vec!["ISO, MDY", "ISO, DMY", "ISO, YMD"]),
        prop::sample::select(vec![
            "postgres",
            "iso_8601",
            "postgres_verbose",
            "sql_standard",
        ]),
        prop::sample::select(vec![
            "Etc/UTC",
            "Europe/Berlin",
            "America/New_York",
            "Asia/Kolkata",
            "+02:00",
            "-3.5",
        ]),
        prop::sample::select(vec!["hex", "escape"]),
    )
        .prop_map(|(efd, ds, is, tz, bo)| {
            let mut s = FormatSettings::default();
            for (k, v) in [
                ("extra_float_digits", efd),
                ("DateStyle", ds),
                ("IntervalStyle", is),
                ("TimeZone", tz),
                ("bytea_output", bo),
            ] {
                assert!(s.set(k, v).unwrap());
            }
            s
        })
}

fn enc(v: &Value, f: Format, s: &FormatSettings) -> Vec<u8> {
    let mut out = Vec::new();
    v.encode(f, s, &mut out);
    out
}

/// Equality that treats NaN as equal to NaN (via the binary form).
fn same(a: &Value, b: &Value, s: &FormatSettings) -> bool {
    a == b || enc(a, Format::Binary, s) == enc(b, Format::Binary, s)
}

/// Every OID worth feeding garbage to.
const OIDS: &[Oid] = &[
    oid::BOOL,
    oid::BYTEA,
    oid::CHAR,
    oid::NAME,
    oid::INT8,
    oid::INT2,
    oid::INT4,
    oid::TEXT,
    oid::OID,
    oid::JSON,
    oid::FLOAT4,
    oid::FLOAT8,
    oid::UNKNOWN,
    oid::BPCHAR,
    oid::VARCHAR,
    oid::DATE,
    oid::TIME,
    oid::TIMESTAMP,
    oid::TIMESTAMPTZ,
    oid::INTERVAL,
    oid::NUMERIC,
    oid::REGCLASS,
    oid::REGTYPE,
    oid::VOID,
    oid::UUID,
    oid::JSONB,
    oid::INT4_ARRAY,
    oid::TEXT_ARRAY,
    oid::NUMERIC_ARRAY,
    oid::FLOAT8_ARRAY,
    oid::TIMESTAMPTZ_ARRAY,
    oid::INTERVAL_ARRAY,
    oid::JSONB_ARRAY,
    oid::BYTEA_ARRAY,
    oid::INT2VECTOR,
    oid::TIMETZ,
    99_999,
];

/// Text-ish garbage: fragments of real syntax, shuffled.
fn texty() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(
        prop::sample::select(vec![
            "1",
            "9",
            "0",
            "-",
            "+",
            ".",
            ":",
            "/",
            " ",
            "e",
            "E",
            "{",
            "}",
            "\"",
            "\\",
            ",",
            "[",
            "]",
            "=",
            "NULL",
            "T",
            "Z",
            "BC",
            "infinity",
            "x",
            "P",
            "D",
            "day",
            "years",
            "ago",
            "@",
            "Jan",
            "am",
            "pm",
            "Europe/Berlin",
            "2024-01-02",
            "12:34:56.789",
            "nan",
            "\\x",
            "true",
            "null",
            "\u{e9}",
            "\\377",
            "99999999999999999999",
        ]),
        0..12,
    )
    .prop_map(|parts| parts.concat().into_bytes())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn text_round_trip((ty, v) in value(), s in settings()) {
        let text = enc(&v, Format::Text, &s);
        let back = Value::decode(ty, Format::Text, &text, &s);
        prop_assert!(back.is_ok(), "{v:?} printed {:?}: {:?}", String::from_utf8_lossy(&text), back);
        let back = back.unwrap();
        prop_assert!(same(&back, &v, &s), "{v:?} → {:?} → {back:?}", String::from_utf8_lossy(&text));
        prop_assert_eq!(enc(&back, Format::Text, &s), text);
    }

    #[test]
    fn binary_round_trip((ty, v) in value(), s in settings()) {
        let bin = enc(&v, Format::Binary, &s);
        let back = Value::decode(ty, Format::Binary, &bin, &s);
        prop_assert!(back.is_ok(), "{v:?} sent {bin:02x?}: {:?}", back);
        let back = back.unwrap();
        prop_assert!(same(&back, &v, &s), "{v:?} → {bin:02x?} → {back:?}");
        prop_assert_eq!(enc(&back, Format::Binary, &s), bin);
    }

    /// The non-ISO `DateStyle`s print dates that read back under the same
    /// setting (zones limited to those whose abbreviation is unambiguous).
    #[test]
    fn datestyle_round_trip(
        style in prop::sample::select(vec!["SQL, MDY", "SQL, DMY", "German", "Postgres, MDY", "Postgres, DMY", "ISO, YMD"]),
        tz in prop::sample::select(vec!["Etc/UTC", "2", "-3.5", "+02:00", "UTC"]),
        (ty, v) in prop_oneof![
            date().prop_map(|v| (oid::DATE, Value::Date(v))),
            timestamp().prop_map(|v| (oid::TIMESTAMP, Value::Timestamp(v))),
            timestamp().prop_map(|v| (oid::TIMESTAMPTZ, Value::TimestampTz(v))),
        ],
    ) {
        let mut s = FormatSettings::default();
        s.set("DateStyle", style).unwrap();
        s.set("TimeZone", tz).unwrap();
        let text = enc(&v, Format::Text, &s);
        let back = Value::decode(ty, Format::Text, &text, &s);
        prop_assert_eq!(back, Ok(v.clone()), "{}", String::from_utf8_lossy(&text));
    }

    #[test]
    fn decoders_never_panic(
        ty in prop::sample::select(OIDS),
        bytes in prop_oneof![prop::collection::vec(any::<u8>(), 0..40), texty()],
        binary in any::<bool>(),
        s in settings(),
    ) {
        let format = if binary { Format::Binary } else { Format::Text };
        if let Ok(v) = Value::decode(ty, format, &bytes, &s) {
            // Whatever we accept, we print, and read back the same way.
            let again = enc(&v, format, &s);
            let back = Value::decode(ty, format, &again, &s);
            prop_assert!(back.is_ok(), "{v:?} re-encoded as {again:?}: {back:?}");
            prop_assert_eq!(enc(&back.unwrap(), format, &s), again);
        }
    }
}
