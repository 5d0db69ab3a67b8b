//! PostgreSQL data types, shared by the wire core and the engine.
//!
//! This crate does no I/O, reads no clock and keeps no global state. It knows
//! three things:
//!
//! - [`Type`]: the built-in types by OID (name, `typlen`, array type,
//!   category), as `pg_type` lists them.
//! - [`Value`]: one datum, with its text and binary input/output functions
//!   ([`Value::encode`], [`Value::decode`]) that match PostgreSQL 15 byte for
//!   byte under the session's [`FormatSettings`].
//! - [`SqlState`]: the five-character error codes, with named constants.

mod format;
mod sqlstate;
mod types;
mod value;

pub use format::Format;
pub use sqlstate::SqlState;
pub use types::{Oid, Type, oid};
pub use value::{FormatSettings, TypeError, Value};
