//! PostgreSQL data types, shared by the wire core and the engine.
//!
//! This crate does no I/O, reads no clock and keeps no global state (the
//! time zone database is jiff's bundled copy, compiled in). It knows three
//! things:
//!
//! - [`Type`]: the built-in types by OID, with every `pg_type` column the
//!   catalog needs ([`Type::all`], [`Type::by_oid`], [`Type::by_name`] with
//!   SQL's aliases), and [`oid`] constants for each type and its array.
//! - [`Value`]: one datum, with its text and binary input/output functions
//!   ([`Value::encode`], [`Value::decode`]) that match PostgreSQL 15 byte for
//!   byte under the session's [`FormatSettings`] (`DateStyle`, `TimeZone`,
//!   `IntervalStyle`, `extra_float_digits`, `bytea_output`).
//! - [`SqlState`]: the five-character error codes, with named constants.
//!
//! The richer values have their own types: [`Numeric`] (PostgreSQL's
//! base-10000 decimal, with its arithmetic and scale rules), [`Interval`],
//! [`Array`] (one to six dimensions, any element type) and [`TimeZone`].
//!
//! Nothing a peer sends can make [`Value::decode`] panic: bad input is a
//! [`TypeError`] carrying PostgreSQL's SQLSTATE and message.
//!
//! ```text
//! lib.rs        this map
//! types.rs      Type, oid::*            the pg_type table
//! value.rs      Value                   encode/decode dispatch, ints, bool, "char", oid
//! settings.rs   FormatSettings          SET/SHOW of the formatting GUCs, TimeZone
//! float.rs                              float4/float8 text (shortest and %g)
//! numeric.rs    Numeric                 numeric layout, text, binary, arithmetic
//! datetime.rs                           date/time/timestamp[tz] text, calendar
//! interval.rs   Interval                interval text in all four styles
//! array.rs      Array                   array text and binary forms
//! json.rs                               json validation, jsonb normal form
//! bytea.rs, uuid.rs                     their text forms
//! error.rs      TypeError               errors with SQLSTATEs; binary reader
//! ```

mod array;
mod bytea;
mod datetime;
mod error;
mod float;
mod format;
mod interval;
mod json;
mod numeric;
mod settings;
mod sqlstate;
mod types;
mod uuid;
mod value;

#[cfg(test)]
mod roundtrip_tests;

pub use array::Array;
pub use datetime::{DATE_INFINITY, DATE_NEG_INFINITY, TIMESTAMP_INFINITY, TIMESTAMP_NEG_INFINITY};
pub use error::TypeError;
pub use format::Format;
pub use interval::Interval;
pub use json::{escape_json, normalize_jsonb};
pub use numeric::Numeric;
pub use settings::{ByteaOutput, DateOrder, DateStyle, FormatSettings, IntervalStyle, TimeZone};
pub use sqlstate::SqlState;
pub use types::{Oid, Type, oid};
pub use value::Value;
