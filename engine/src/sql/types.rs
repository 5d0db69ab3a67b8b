//! SQL type names → (type OID, typmod), and back (`format_type`).
//!
//! A column or cast target is more than a type: `varchar(20)` and
//! `numeric(10,2)` carry a *type modifier* that assignment enforces and that
//! clients read from RowDescription and `pg_attribute.atttypmod`. PostgreSQL
//! encodes modifiers in one `int4` per type, and drivers decode that number
//! themselves (JDBC computes precision and scale from it), so we use the
//! same encoding:
//!
//! ```text
//!   varchar(n), char(n)        n + 4          (VARHDRSZ)
//!   numeric(p, s)              ((p << 16) | s) + 4
//!   numeric(p)                 (p << 16) + 4
//!   timestamp[tz](p), time(p)  p
//!   bit(n), varbit(n)          n
//!   no modifier                -1             (char alone means char(1): 5)
//! ```
//!
//! Names arrive either as sqlparser's [`DataType`] (from `CAST` and `::`)
//! or as text (`int4`, `pg_catalog.text`, `character varying(20)`,
//! `timestamp(3) with time zone`, `int[]`); both go through one text parser
//! so they cannot disagree. The base-name lookup and its aliases are
//! twill-types' [`Type::by_name`].

use sqlparser::ast::DataType;
use twill_types::{Oid, SqlState, Type, oid};

use super::error::SqlError;

/// `VARHDRSZ`: the offset PostgreSQL adds to length modifiers.
const VARHDRSZ: i32 = 4;
/// The largest numeric precision PostgreSQL accepts.
const NUMERIC_MAX_PRECISION: i64 = 1000;
/// The largest `varchar(n)`/`char(n)` length.
const MAX_CHAR_LENGTH: i64 = 10_485_760;

/// Resolves a sqlparser [`DataType`] to its (type OID, typmod).
pub fn resolve_data_type(data_type: &DataType) -> Result<(Oid, i32), SqlError> {
    // sqlparser's Display writes the type back as SQL; one parser for both
    // forms keeps the rules in one place.
    parse_type_name(&data_type.to_string())
}

/// Resolves a type name written as SQL text (`int4`, `pg_catalog.text`,
/// `character varying(20)`, `numeric(10,2)`, `timestamp(3) with time zone`,
/// `int[]`, `regclass`) to its (type OID, typmod). 42704 for an unknown type.
pub fn parse_type_name(name: &str) -> Result<(Oid, i32), SqlError> {
    let trimmed = name.trim();
    // Split off the first "(...)" modifier list and any "[]" suffixes.
    let (mut base, mut mods, mut rest) = (String::new(), None::<String>, String::new());
    if let Some(open) = trimmed.find('(') {
        let close = trimmed[open..]
            .find(')')
            .map(|i| open + i)
            .ok_or_else(|| SqlError::syntax(format!("syntax error at or near \"{trimmed}\"")))?;
        base.push_str(&trimmed[..open]);
        mods = Some(trimmed[open + 1..close].to_owned());
        rest.push_str(&trimmed[close + 1..]);
    } else {
        base.push_str(trimmed);
    }
    let mut array = false;
    for part in [&mut base, &mut rest] {
        while let Some(i) = part.find('[') {
            let end = part[i..].find(']').map_or(part.len(), |e| i + e + 1);
            part.replace_range(i..end, "");
            array = true;
        }
        let lower = part.to_ascii_lowercase();
        if let Some(stripped) = lower.trim_end().strip_suffix(" array") {
            *part = stripped.to_owned();
            array = true;
        }
    }
    let full = format!("{} {}", base.trim(), rest.trim());
    let full = full.trim();
    let lower = full.to_ascii_lowercase();
    // `"pg_catalog"."int4"` (asyncpg writes types this way): drop the
    // schema's quotes, and the type's unless it is `"char"`.
    let lower = match lower.strip_prefix("\"pg_catalog\".") {
        Some(t) if t == "\"char\"" => t.to_owned(),
        Some(t) => format!("pg_catalog.{}", t.trim_matches('"')),
        None => lower,
    };
    let unquoted: String = if lower.starts_with('"') && lower != "\"char\"" {
        lower.trim_matches('"').to_owned()
    } else {
        lower.clone()
    };
    let ty = match unquoted.as_str() {
        // float(p): p ≤ 24 is real, otherwise double precision.
        "float" if mods.is_some() => {
            let p = parse_mods(mods.as_deref().unwrap_or(""), full)?;
            let p = p.first().copied().unwrap_or(53);
            if p < 1 {
                return Err(SqlError::invalid_parameter(
                    "precision for type float must be at least 1 bit",
                ));
            }
            if p > 53 {
                return Err(SqlError::invalid_parameter(
                    "precision for type float must be less than 54 bits",
                ));
            }
            mods = None;
            Type::by_oid(if p <= 24 { oid::FLOAT4 } else { oid::FLOAT8 })
        }
        _ => Type::by_name(&unquoted),
    }
    .ok_or_else(|| {
        SqlError::new(
            SqlState::UNDEFINED_OBJECT,
            format!("type \"{}\" does not exist", full.trim_matches('"')),
        )
    })?;
    let bare = unquoted
        .strip_prefix("pg_catalog.")
        .unwrap_or(&unquoted)
        .to_owned();
    let typmod = match &mods {
        Some(m) => typmod_for(ty.oid, &parse_mods(m, full)?)?,
        // SQL's `char`/`character` alone is char(1); `bpchar` is unbounded.
        None if ty.oid == oid::BPCHAR && matches!(bare.as_str(), "char" | "character") => {
            1 + VARHDRSZ
        }
        None => -1,
    };
    if array {
        let arr = ty.array_type().filter(|_| !ty.is_array()).unwrap_or(ty);
        return Ok((arr.oid, typmod));
    }
    Ok((ty.oid, typmod))
}

/// The integers of a `(a, b)` modifier list.
fn parse_mods(mods: &str, name: &str) -> Result<Vec<i64>, SqlError> {
    mods.split(',')
        .map(|m| {
            m.trim().parse::<i64>().map_err(|_| {
                SqlError::syntax(format!(
                    "type modifiers must be simple constants or identifiers ({name})"
                ))
            })
        })
        .collect()
}

/// PostgreSQL's `typmodin` for the types that take modifiers.
fn typmod_for(ty: Oid, mods: &[i64]) -> Result<i32, SqlError> {
    let name = Type::by_oid(ty).map_or("?", |t| t.name);
    let invalid =
        || SqlError::invalid_parameter("invalid type modifier").with_detail(format!("type {name}"));
    match ty {
        oid::VARCHAR | oid::BPCHAR => {
            let [n] = mods else { return Err(invalid()) };
            if *n < 1 {
                return Err(SqlError::invalid_parameter(format!(
                    "length for type {name} must be at least 1"
                )));
            }
            if *n > MAX_CHAR_LENGTH {
                return Err(SqlError::invalid_parameter(format!(
                    "length for type {name} cannot exceed {MAX_CHAR_LENGTH}"
                )));
            }
            Ok(*n as i32 + VARHDRSZ)
        }
        oid::NUMERIC => {
            let (p, s) = match mods {
                [p] => (*p, 0),
                [p, s] => (*p, *s),
                _ => return Err(invalid()),
            };
            if !(1..=NUMERIC_MAX_PRECISION).contains(&p) {
                return Err(SqlError::invalid_parameter(format!(
                    "NUMERIC precision {p} must be between 1 and {NUMERIC_MAX_PRECISION}"
                )));
            }
            if !(-1000..=1000).contains(&s) {
                return Err(SqlError::invalid_parameter(format!(
                    "NUMERIC scale {s} must be between -1000 and 1000"
                )));
            }
            Ok((((p << 16) | (s & 0x7ff)) + VARHDRSZ as i64) as i32)
        }
        oid::TIMESTAMP | oid::TIMESTAMPTZ | oid::TIME | oid::TIMETZ | oid::INTERVAL => {
            let [p] = mods else { return Err(invalid()) };
            if *p < 0 {
                return Err(SqlError::invalid_parameter(format!(
                    "{} precision must not be negative",
                    Type::by_oid(ty).map_or_else(String::new, |t| t.sql_name().to_uppercase())
                )));
            }
            // PostgreSQL warns and reduces anything above 6 to 6.
            let p = (*p).min(6) as i32;
            if ty == oid::INTERVAL {
                // INTERVAL_TYPMOD(precision, INTERVAL_FULL_RANGE)
                Ok((0x7FFF << 16) | p)
            } else {
                Ok(p)
            }
        }
        oid::BIT | oid::VARBIT => {
            let [n] = mods else { return Err(invalid()) };
            if *n < 1 {
                return Err(SqlError::invalid_parameter(format!(
                    "length for type {name} must be at least 1"
                )));
            }
            Ok(*n as i32)
        }
        _ => Err(SqlError::syntax(format!(
            "type modifier is not allowed for type \"{name}\""
        ))),
    }
}

/// The numeric (precision, scale) a typmod encodes, if any.
pub fn numeric_precision_scale(typmod: i32) -> Option<(i32, i32)> {
    if typmod < VARHDRSZ {
        return None;
    }
    let t = typmod - VARHDRSZ;
    let scale = t & 0x7ff;
    // The scale is an 11-bit two's-complement number.
    let scale = (scale ^ 1024) - 1024;
    Some(((t >> 16) & 0xffff, scale))
}

/// The character length a varchar/bpchar typmod allows, if any.
pub fn char_length(typmod: i32) -> Option<usize> {
    (typmod >= VARHDRSZ).then(|| (typmod - VARHDRSZ) as usize)
}

/// SQL's `format_type(oid, typmod)`: the type as PostgreSQL prints it in
/// `\d`, error messages and `information_schema` (`character varying(20)`,
/// `numeric(10,2)`, `timestamp(3) with time zone`, `integer[]`).
pub fn format_type(ty: Oid, typmod: i32) -> String {
    let Some(t) = Type::by_oid(ty) else {
        // Pseudo-types the registry's polymorphic signatures use, which
        // have no twill value type; 0 (no type) prints as PostgreSQL's `-`.
        return match ty {
            0 => "-",
            5077 => "anycompatible",
            5078 => "anycompatiblearray",
            5079 => "anycompatiblenonarray",
            5080 => "anycompatiblerange",
            _ => "???",
        }
        .to_owned();
    };
    if let Some(elem) = t.element() {
        return format!("{}[]", format_type(elem.oid, typmod));
    }
    let name = t.sql_name();
    if name == "any" {
        // A reserved word: PostgreSQL quotes it (`VARIADIC "any"` in \df).
        return "\"any\"".to_owned();
    }
    if typmod < 0 {
        return name;
    }
    match ty {
        oid::VARCHAR | oid::BPCHAR => match char_length(typmod) {
            Some(n) => format!("{name}({n})"),
            None => name,
        },
        oid::NUMERIC => match numeric_precision_scale(typmod) {
            Some((p, s)) => format!("numeric({p},{s})"),
            None => name,
        },
        oid::TIMESTAMP => format!("timestamp({typmod}) without time zone"),
        oid::TIMESTAMPTZ => format!("timestamp({typmod}) with time zone"),
        oid::TIME => format!("time({typmod}) without time zone"),
        oid::TIMETZ => format!("time({typmod}) with time zone"),
        oid::INTERVAL => format!("interval({})", typmod & 0xffff),
        oid::BIT | oid::VARBIT => format!("{name}({typmod})"),
        _ => name,
    }
}

/// The name of a type for messages (`integer`, `text[]`, `unknown`).
pub fn type_name(ty: Oid) -> String {
    format_type(ty, -1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_typmods() {
        for (name, want) in [
            ("int4", (oid::INT4, -1)),
            ("pg_catalog.text", (oid::TEXT, -1)),
            ("\"pg_catalog\".\"int4\"", (oid::INT4, -1)),
            ("\"pg_catalog\".\"char\"", (oid::CHAR, -1)),
            ("character varying(20)", (oid::VARCHAR, 24)),
            ("varchar(5)", (oid::VARCHAR, 9)),
            ("numeric(10,2)", (oid::NUMERIC, ((10 << 16) | 2) + 4)),
            ("numeric(5)", (oid::NUMERIC, (5 << 16) + 4)),
            ("timestamp(3) with time zone", (oid::TIMESTAMPTZ, 3)),
            ("int[]", (oid::INT4_ARRAY, -1)),
            ("regclass", (oid::REGCLASS, -1)),
            ("char", (oid::BPCHAR, 5)),
            ("bpchar", (oid::BPCHAR, -1)),
            ("\"char\"", (oid::CHAR, -1)),
            ("float(10)", (oid::FLOAT4, -1)),
        ] {
            assert_eq!(parse_type_name(name).unwrap(), want, "{name}");
        }
        assert_eq!(
            parse_type_name("nosuch").unwrap_err().message,
            "type \"nosuch\" does not exist"
        );
    }

    #[test]
    fn format() {
        assert_eq!(format_type(oid::VARCHAR, 24), "character varying(20)");
        assert_eq!(
            format_type(oid::NUMERIC, ((10 << 16) | 2) + 4),
            "numeric(10,2)"
        );
        assert_eq!(
            format_type(oid::TIMESTAMPTZ, 3),
            "timestamp(3) with time zone"
        );
        assert_eq!(format_type(oid::INT4_ARRAY, -1), "integer[]");
        assert_eq!(format_type(oid::BPCHAR, 5), "character(1)");
    }
}
