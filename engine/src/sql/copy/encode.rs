//! [`CopyEncoder`]: rows → `COPY … TO STDOUT` data, byte for byte as
//! PostgreSQL 15 writes it.
//!
//! Clients diff dumps and tools parse them, so the output follows
//! PostgreSQL's `copyto.c` exactly:
//!
//! - text: each value's text form, with backslash, the delimiter and the
//!   control characters `\b \f \n \r \t \v` backslash-escaped (other control
//!   characters pass through); NULL is the NULL string (`\N`); rows end in
//!   `\n`.
//! - CSV: a value is quoted when it contains the delimiter, the quote, CR
//!   or LF, or equals the NULL string (so with the default empty NULL an
//!   empty string is `""`), or — in a one-column table — is exactly `\.`,
//!   which would otherwise read back as the end-of-data marker. Inside
//!   quotes the quote and escape bytes are preceded by the escape byte.
//! - binary: the signature, flags and an empty header extension; per row an
//!   int16 field count and per field an int32 length (-1 for NULL) and the
//!   type's binary (send) form; an int16 -1 trailer.
//!
//! The host calls [`header`](CopyEncoder::header) once, then
//! [`row`](CopyEncoder::row) per row, then [`trailer`](CopyEncoder::trailer),
//! and sends each result as CopyData.

use twill_types::{Format, FormatSettings, Oid, Value};

use super::decode::BINARY_SIGNATURE;
use super::options::{CopyFormat, CopyOptions};

/// Encodes rows as COPY TO data. See the module docs.
#[derive(Debug)]
pub struct CopyEncoder {
    /// The checked COPY options.
    options: CopyOptions,
    /// The output columns' types. Their values' variants decide the
    /// encoding; the count is what a binary tuple announces.
    types: Vec<Oid>,
    /// DateStyle, TimeZone, bytea_output, … for the output functions.
    settings: FormatSettings,
    /// Scratch space for one value's output, reused across rows.
    scratch: Vec<u8>,
}

impl CopyEncoder {
    /// An encoder for columns of `types` with checked `options` and the
    /// session's `settings`.
    pub fn new(options: CopyOptions, types: Vec<Oid>, settings: FormatSettings) -> CopyEncoder {
        CopyEncoder {
            options,
            types,
            settings,
            scratch: Vec::new(),
        }
    }

    /// What goes before the first row: the binary header, or the HEADER
    /// line of column `names` when asked for (empty otherwise).
    pub fn header(&self, names: &[String]) -> Vec<u8> {
        let mut out = Vec::new();
        match self.options.format {
            CopyFormat::Binary => {
                out.extend_from_slice(BINARY_SIGNATURE);
                out.extend_from_slice(&0i32.to_be_bytes()); // flags
                out.extend_from_slice(&0i32.to_be_bytes()); // extension length
            }
            _ if !self.options.header => {}
            format => {
                for (i, name) in names.iter().enumerate() {
                    if i > 0 {
                        out.push(self.options.delimiter);
                    }
                    if format == CopyFormat::Csv {
                        self.csv_field(name.as_bytes(), names.len() == 1, &mut out);
                    } else {
                        self.text_field(name.as_bytes(), &mut out);
                    }
                }
                out.push(b'\n');
            }
        }
        out
    }

    /// Appends one row to `out`. `row` has one value per column type.
    pub fn row(&mut self, row: &[Value], out: &mut Vec<u8>) {
        let mut scratch = std::mem::take(&mut self.scratch);
        if self.options.format == CopyFormat::Binary {
            out.extend_from_slice(&(row.len() as i16).to_be_bytes());
            for v in row {
                if v.is_null() {
                    out.extend_from_slice(&(-1i32).to_be_bytes());
                    continue;
                }
                let at = out.len();
                out.extend_from_slice(&[0; 4]);
                v.encode(Format::Binary, &self.settings, out);
                // Back-patch the length now that it is known.
                let len = (out.len() - at - 4) as i32;
                out[at..at + 4].copy_from_slice(&len.to_be_bytes());
            }
        } else {
            let csv = self.options.format == CopyFormat::Csv;
            let single = self.types.len() == 1;
            for (i, v) in row.iter().enumerate() {
                if i > 0 {
                    out.push(self.options.delimiter);
                }
                if v.is_null() {
                    out.extend_from_slice(self.options.null.as_bytes());
                    continue;
                }
                scratch.clear();
                v.encode(Format::Text, &self.settings, &mut scratch);
                if csv {
                    self.csv_field(&scratch, single, out);
                } else {
                    self.text_field(&scratch, out);
                }
            }
            out.push(b'\n');
        }
        self.scratch = scratch;
    }

    /// What goes after the last row: the binary trailer (empty otherwise).
    pub fn trailer(&self) -> Vec<u8> {
        match self.options.format {
            CopyFormat::Binary => (-1i16).to_be_bytes().to_vec(),
            _ => Vec::new(),
        }
    }

    /// `CopyAttributeOutText`.
    fn text_field(&self, s: &[u8], out: &mut Vec<u8>) {
        let delim = self.options.delimiter;
        for &c in s {
            if c < 0x20 {
                let e = match c {
                    0x08 => b'b',
                    0x0c => b'f',
                    b'\n' => b'n',
                    b'\r' => b'r',
                    b'\t' => b't',
                    0x0b => b'v',
                    // A control-character delimiter is backslashed as is.
                    _ if c == delim => c,
                    _ => {
                        out.push(c);
                        continue;
                    }
                };
                out.extend_from_slice(&[b'\\', e]);
            } else if c == b'\\' || c == delim {
                out.extend_from_slice(&[b'\\', c]);
            } else {
                out.push(c);
            }
        }
    }

    /// `CopyAttributeOutCSV`.
    fn csv_field(&self, s: &[u8], single_column: bool, out: &mut Vec<u8>) {
        let CopyOptions {
            delimiter,
            quote,
            escape,
            ..
        } = self.options;
        let use_quote = s == self.options.null.as_bytes()
            || (single_column && s == b"\\.")
            || s.iter()
                .any(|&c| c == delimiter || c == quote || c == b'\n' || c == b'\r');
        if !use_quote {
            out.extend_from_slice(s);
            return;
        }
        out.push(quote);
        for &c in s {
            if c == quote || c == escape {
                out.push(escape);
            }
            out.push(c);
        }
        out.push(quote);
    }
}
