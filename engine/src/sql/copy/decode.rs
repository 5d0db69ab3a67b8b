//! [`CopyDecoder`]: `COPY … FROM STDIN` data → rows of [`Value`]s.
//!
//! The client sends COPY data in CopyData messages whose boundaries mean
//! nothing: a row, a `\r\n`, a UTF-8 character or a binary length word may
//! be split across two messages. So the decoder is a push parser that owns
//! one buffer of not-yet-consumed bytes:
//!
//! ```text
//!   feed(chunk) ─► buffer ─► complete lines / tuples ─► rows (returned)
//!                    └─ the incomplete tail waits for the next feed
//!   finish()    ─► the tail is the last line (text/CSV need no final
//!                  newline); a half tuple is an error (binary)
//! ```
//!
//! Text and CSV go in two stages, as in PostgreSQL's `copyfromparse.c`:
//! first find where the line ends (which needs to know about backslashes
//! in text and quotes in CSV, since both can hide a newline), then split
//! the line into fields and undo the escaping. The first line ending fixes
//! the newline style (`\n`, `\r` or `\r\n`); a different one later is an
//! error, as in PostgreSQL. `\.` on a line of its own ends the data (in
//! text format anywhere a backslash may start); whatever follows it is
//! ignored. Binary goes tuple by tuple and decodes nothing until a whole
//! tuple is buffered.
//!
//! Each field goes through its column type's input (or receive) function
//! and then the column's typmod, so `varchar(3)` rejects `'abcd'` with
//! 22001 as PostgreSQL does. Errors carry PostgreSQL's SQLSTATE and
//! wording; PostgreSQL also adds a CONTEXT line (`COPY t, line 2, column
//! a: "x"`), for which [`CopyDecoder::line`] keeps the line number.
//!
//! An error is sticky: every later call returns it again.

use twill_types::{Format, FormatSettings, Oid, SqlState, Value};

use super::options::{CopyFormat, CopyOptions};
use crate::sql::SqlError;
use crate::sql::expr::cast::apply_typmod;

/// The 11-byte signature that starts every binary COPY stream.
pub(crate) const BINARY_SIGNATURE: &[u8; 11] = b"PGCOPY\n\xff\r\n\0";

/// One target column of `COPY t [(cols)] FROM STDIN`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CopyColumn {
    /// The column's name, for `missing data for column "name"` and
    /// `HEADER MATCH`.
    pub name: String,
    /// The column's type: which input/receive function parses its fields.
    pub ty: Oid,
    /// The column's typmod (-1 for none): `varchar(n)`, `numeric(p,s)`, ….
    pub typmod: i32,
}

/// The newline style of a text/CSV stream, fixed by its first line ending.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Eol {
    Unknown,
    Nl,
    Cr,
    CrNl,
}

/// Where the decoder is in the stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stage {
    /// Text/CSV: the HEADER line is still to come. Binary: the signature,
    /// flags and header extension are.
    Header,
    /// Rows.
    Rows,
    /// After `\.` (text/CSV: later data is ignored) or the binary trailer
    /// (later data is an error).
    Done,
}

/// The line scanner's progress through the current, incomplete line, kept
/// between feeds so a long line fed byte by byte is scanned once.
#[derive(Debug, Clone, Copy)]
struct Scan {
    /// Absolute index in the buffer of the next byte to examine.
    pos: usize,
    /// CSV: inside a quoted field (a newline here is data).
    in_quote: bool,
    /// CSV: the previous byte was an escape inside quotes.
    last_was_esc: bool,
}

/// A complete line found by the scanner.
struct LineEnd {
    /// End (exclusive, absolute) of the line's data, before the newline or `\.`.
    end: usize,
    /// Where the next line starts.
    next: usize,
    /// The line ended with the end-of-data marker or the end of input.
    last: bool,
}

/// Decodes COPY FROM data into rows. See the module docs.
///
/// Call [`feed`](CopyDecoder::feed) with each CopyData payload, in order,
/// and [`finish`](CopyDecoder::finish) at CopyDone; each returns the rows
/// completed by that call.
#[derive(Debug)]
pub struct CopyDecoder {
    /// The checked COPY options.
    options: CopyOptions,
    /// The target columns, in data order.
    columns: Vec<CopyColumn>,
    /// DateStyle, TimeZone, … for the input functions.
    settings: FormatSettings,
    /// Bytes received and not yet consumed; `buf[..start]` is consumed and
    /// dropped at the end of each feed.
    buf: Vec<u8>,
    /// Start of the unconsumed part of `buf`.
    start: usize,
    /// Header, rows or done.
    stage: Stage,
    /// The newline style (text/CSV).
    eol: Eol,
    /// The line scanner's state (text/CSV).
    scan: Scan,
    /// 1-based number of the last line (text/CSV) or tuple (binary) read;
    /// the header counts as a line.
    line: u64,
    /// The first error, returned again by every later call.
    failed: Option<SqlError>,
}

impl CopyDecoder {
    /// A decoder for `columns` (the COPY column list, or all columns of the
    /// table) with checked `options` and the session's `settings`.
    pub fn new(
        options: CopyOptions,
        columns: Vec<CopyColumn>,
        settings: FormatSettings,
    ) -> CopyDecoder {
        let header = options.header || options.format == CopyFormat::Binary;
        CopyDecoder {
            options,
            columns,
            settings,
            buf: Vec::new(),
            start: 0,
            stage: if header { Stage::Header } else { Stage::Rows },
            eol: Eol::Unknown,
            scan: Scan {
                pos: 0,
                in_quote: false,
                last_was_esc: false,
            },
            line: 0,
            failed: None,
        }
    }

    /// The 1-based number of the line (text/CSV, counting the header) or
    /// tuple (binary) last read: what PostgreSQL's CONTEXT line reports.
    pub fn line(&self) -> u64 {
        self.line
    }

    /// Consumes one chunk of COPY data (any split) and returns the rows it
    /// completed.
    pub fn feed(&mut self, data: &[u8]) -> Result<Vec<Vec<Value>>, SqlError> {
        self.run(data, false)
    }

    /// The end of the data (CopyDone): decodes the last, unterminated line
    /// and returns its row, or reports a truncated stream.
    pub fn finish(mut self) -> Result<Vec<Vec<Value>>, SqlError> {
        self.run(&[], true)
    }

    fn run(&mut self, data: &[u8], eof: bool) -> Result<Vec<Vec<Value>>, SqlError> {
        if let Some(e) = &self.failed {
            return Err(e.clone());
        }
        if self.stage == Stage::Done {
            if self.options.format == CopyFormat::Binary && !data.is_empty() {
                return self.fail(bad_format("received copy data after EOF marker"));
            }
            return Ok(Vec::new());
        }
        self.buf.extend_from_slice(data);
        let mut rows = Vec::new();
        let r = match self.options.format {
            CopyFormat::Binary => self.binary(eof, &mut rows),
            _ => self.lines(eof, &mut rows),
        };
        if let Err(e) = r {
            return self.fail(e);
        }
        // Drop what was consumed; keep the tail for the next feed.
        self.buf.drain(..self.start);
        self.scan.pos = self.scan.pos.saturating_sub(self.start);
        self.start = 0;
        if self.stage == Stage::Done {
            self.buf = Vec::new();
            self.scan.pos = 0;
        }
        Ok(rows)
    }

    fn fail<T>(&mut self, e: SqlError) -> Result<T, SqlError> {
        self.failed = Some(e.clone());
        Err(e)
    }

    // ---- text and CSV ----------------------------------------------------

    fn lines(&mut self, eof: bool, rows: &mut Vec<Vec<Value>>) -> Result<(), SqlError> {
        while self.stage != Stage::Done {
            let Some(end) = self.scan_line(eof)? else {
                return Ok(());
            };
            let line = self.buf[self.start..end.end].to_vec();
            self.start = end.next;
            self.scan = Scan {
                pos: end.next,
                in_quote: false,
                last_was_esc: false,
            };
            if self.stage == Stage::Header {
                // The header is read (and matched) even when it is the last
                // line.
                self.line += 1;
                if self.options.header_match {
                    self.match_header(&line)?;
                }
                self.stage = if end.last { Stage::Done } else { Stage::Rows };
                continue;
            }
            if end.last {
                self.stage = Stage::Done;
                // EOF (or `\.`) at the start of a line: no row.
                if line.is_empty() {
                    return Ok(());
                }
            }
            self.line += 1;
            let fields = if self.options.format == CopyFormat::Csv {
                self.split_csv(&line)?
            } else {
                self.split_text(&line)?
            };
            rows.push(self.convert(fields, Format::Text)?);
        }
        Ok(())
    }
}

impl CopyDecoder {
    /// Finds the end of the current line (PostgreSQL's `CopyReadLineText`),
    /// resuming where the last call stopped. `None`: more data needed.
    fn scan_line(&mut self, eof: bool) -> Result<Option<LineEnd>, SqlError> {
        let csv = self.options.format == CopyFormat::Csv;
        let quote = self.options.quote;
        // An escape equal to the quote needs no special handling: the quote
        // byte just toggles (PostgreSQL sets `escapec` to NUL then).
        let escape = (self.options.escape != quote).then_some(self.options.escape);
        let len = self.buf.len();
        let line_start = self.start;
        let mut i = self.scan.pos;
        loop {
            if i >= len {
                self.scan.pos = i;
                return Ok(eof.then_some(LineEnd {
                    end: len,
                    next: len,
                    last: true,
                }));
            }
            let c = self.buf[i];
            // To re-examine `c` from scratch when `\.` needs more bytes.
            let (saved_scan, saved_line) = (self.scan, self.line);
            // Both may need the next byte: get it before changing the quote
            // state, so that resuming re-examines `c` from scratch.
            if (c == b'\\' || c == b'\r') && i + 1 >= len && !eof {
                self.scan.pos = i;
                return Ok(None);
            }
            if csv {
                if self.scan.in_quote && Some(c) == escape {
                    self.scan.last_was_esc = !self.scan.last_was_esc;
                }
                if c == quote && !self.scan.last_was_esc {
                    self.scan.in_quote = !self.scan.in_quote;
                }
                if Some(c) != escape {
                    self.scan.last_was_esc = false;
                }
                let nl = if self.eol == Eol::Nl { b'\n' } else { b'\r' };
                if self.scan.in_quote && c == nl {
                    self.line += 1;
                }
            }
            let unquoted = !csv || !self.scan.in_quote;
            if c == b'\r' && unquoted {
                let line = |end, next| {
                    Ok(Some(LineEnd {
                        end,
                        next,
                        last: false,
                    }))
                };
                match self.eol {
                    Eol::Unknown | Eol::CrNl => {
                        if self.buf.get(i + 1) == Some(&b'\n') {
                            self.eol = Eol::CrNl;
                            return line(i, i + 2);
                        }
                        if self.eol == Eol::CrNl {
                            return Err(stray_cr(csv));
                        }
                        self.eol = Eol::Cr;
                        return line(i, i + 1);
                    }
                    Eol::Nl => return Err(stray_cr(csv)),
                    Eol::Cr => return line(i, i + 1),
                }
            }
            if c == b'\n' && unquoted {
                if matches!(self.eol, Eol::Cr | Eol::CrNl) {
                    return Err(if csv {
                        bad_format("unquoted newline found in data")
                            .with_hint("Use quoted CSV field to represent newline.")
                    } else {
                        bad_format("literal newline found in data")
                            .with_hint("Use \"\\n\" to represent newline.")
                    });
                }
                self.eol = Eol::Nl;
                return Ok(Some(LineEnd {
                    end: i,
                    next: i + 1,
                    last: false,
                }));
            }
            // In CSV, `\.` is data unless it is alone on a line.
            if c == b'\\' && (!csv || i == line_start) {
                let Some(&c1) = self.buf.get(i + 1) else {
                    // A backslash at the very end of the input ends the line.
                    self.scan.pos = len;
                    return Ok(Some(LineEnd {
                        end: len,
                        next: len,
                        last: true,
                    }));
                };
                if c1 == b'.' {
                    match self.end_marker(i + 2, eof, csv)? {
                        Marker::NeedMore => {
                            self.scan = saved_scan;
                            self.line = saved_line;
                            self.scan.pos = i;
                            return Ok(None);
                        }
                        Marker::End(next) => {
                            return Ok(Some(LineEnd {
                                end: i,
                                next,
                                last: true,
                            }));
                        }
                        // CSV: `\.` followed by more data is data; the
                        // bytes looked at are skipped, as PostgreSQL does.
                        Marker::Data(next) => {
                            i = next;
                            continue;
                        }
                    }
                } else if !csv {
                    // A backslash quotes the next byte, even a newline.
                    i += 1;
                }
            }
            i += 1;
        }
    }

    /// Checks what follows `\.` (starting at `at`): the newline that makes
    /// it the end-of-data marker.
    fn end_marker(&self, at: usize, eof: bool, csv: bool) -> Result<Marker, SqlError> {
        let mut j = at;
        // At the end of the input PostgreSQL sees a NUL byte here.
        let next = |j: &mut usize| -> Option<u8> {
            let b = self.buf.get(*j).copied();
            *j += 1;
            match b {
                Some(b) => Some(b),
                None if eof => Some(0),
                None => None,
            }
        };
        let not_marker = |j: usize, msg: &str| {
            if csv {
                Ok(Marker::Data(j.min(self.buf.len())))
            } else {
                Err(bad_format(msg))
            }
        };
        if self.eol == Eol::CrNl {
            let Some(c2) = next(&mut j) else {
                return Ok(Marker::NeedMore);
            };
            if c2 == b'\n' {
                return not_marker(
                    j,
                    "end-of-copy marker does not match previous newline style",
                );
            }
            if c2 != b'\r' {
                return not_marker(j, "end-of-copy marker corrupt");
            }
        }
        let Some(c2) = next(&mut j) else {
            return Ok(Marker::NeedMore);
        };
        if c2 != b'\r' && c2 != b'\n' {
            return not_marker(j, "end-of-copy marker corrupt");
        }
        let expected = match self.eol {
            Eol::Nl | Eol::CrNl => Some(b'\n'),
            Eol::Cr => Some(b'\r'),
            Eol::Unknown => None,
        };
        if expected.is_some_and(|e| e != c2) {
            return not_marker(
                j,
                "end-of-copy marker does not match previous newline style",
            );
        }
        Ok(Marker::End(j.min(self.buf.len())))
    }

    /// Splits a text-format line into raw fields and undoes the backslash
    /// escapes (`CopyReadAttributesText`). `None` is NULL.
    fn split_text(&self, line: &[u8]) -> Result<Vec<Option<Vec<u8>>>, SqlError> {
        if self.columns.is_empty() {
            if !line.is_empty() {
                return Err(extra_data());
            }
            return Ok(Vec::new());
        }
        let delim = self.options.delimiter;
        let null = self.options.null.as_bytes();
        let mut fields = Vec::new();
        let mut cur = 0;
        loop {
            let start = cur;
            let mut end;
            let mut out = Vec::new();
            let mut found_delim = false;
            loop {
                end = cur;
                let Some(&c) = line.get(cur) else { break };
                cur += 1;
                if c == delim {
                    found_delim = true;
                    break;
                }
                let mut c = c;
                if c == b'\\' {
                    let Some(&e) = line.get(cur) else { break };
                    cur += 1;
                    c = match e {
                        b'0'..=b'7' => {
                            let mut v = u32::from(e - b'0');
                            for _ in 0..2 {
                                match line.get(cur) {
                                    Some(&d @ b'0'..=b'7') => {
                                        v = v * 8 + u32::from(d - b'0');
                                        cur += 1;
                                    }
                                    _ => break,
                                }
                            }
                            (v & 0o377) as u8
                        }
                        b'x' => match line.get(cur).and_then(|&d| hex(d)) {
                            Some(h) => {
                                cur += 1;
                                let mut v = h;
                                if let Some(l) = line.get(cur).and_then(|&d| hex(d)) {
                                    cur += 1;
                                    v = v * 16 + l;
                                }
                                v
                            }
                            None => b'x',
                        },
                        b'b' => 0x08,
                        b'f' => 0x0c,
                        b'n' => b'\n',
                        b'r' => b'\r',
                        b't' => b'\t',
                        b'v' => 0x0b,
                        other => other,
                    };
                }
                out.push(c);
            }
            // NULL is recognised on the raw text, before de-escaping.
            fields.push((&line[start..end] != null).then_some(out));
            if !found_delim {
                return Ok(fields);
            }
        }
    }

    /// Splits a CSV line (`CopyReadAttributesCSV`): quotes, escapes inside
    /// quotes, and NULL only for an unquoted field equal to the NULL string.
    fn split_csv(&self, line: &[u8]) -> Result<Vec<Option<Vec<u8>>>, SqlError> {
        if self.columns.is_empty() {
            if !line.is_empty() {
                return Err(extra_data());
            }
            return Ok(Vec::new());
        }
        let CopyOptions {
            delimiter,
            quote,
            escape,
            ..
        } = self.options;
        let null = self.options.null.as_bytes();
        let mut fields = Vec::new();
        let mut cur = 0;
        loop {
            let start = cur;
            let mut end;
            let mut out = Vec::new();
            let mut found_delim = false;
            let mut saw_quote = false;
            'field: loop {
                // Outside quotes.
                loop {
                    end = cur;
                    let Some(&c) = line.get(cur) else {
                        break 'field;
                    };
                    cur += 1;
                    if c == delimiter {
                        found_delim = true;
                        break 'field;
                    }
                    if c == quote {
                        saw_quote = true;
                        break;
                    }
                    out.push(c);
                }
                // Inside quotes.
                loop {
                    let Some(&c) = line.get(cur) else {
                        return Err(bad_format("unterminated CSV quoted field"));
                    };
                    cur += 1;
                    // An escape escapes only a following escape or quote.
                    if let Some(&n) = line
                        .get(cur)
                        .filter(|&&n| c == escape && (n == escape || n == quote))
                    {
                        out.push(n);
                        cur += 1;
                        continue;
                    }
                    if c == quote {
                        break;
                    }
                    out.push(c);
                }
            }
            let is_null = !saw_quote && &line[start..end] == null;
            fields.push((!is_null).then_some(out));
            if !found_delim {
                return Ok(fields);
            }
        }
    }

    /// Raw fields → one row: the column count check, then each column's
    /// input function and typmod, in column order.
    fn convert(
        &self,
        fields: Vec<Option<Vec<u8>>>,
        format: Format,
    ) -> Result<Vec<Value>, SqlError> {
        if fields.len() > self.columns.len() {
            return Err(extra_data());
        }
        let mut fields = fields.into_iter();
        let mut row = Vec::with_capacity(self.columns.len());
        for col in &self.columns {
            let Some(field) = fields.next() else {
                return Err(bad_format(format!(
                    "missing data for column \"{}\"",
                    col.name
                )));
            };
            row.push(match field {
                None => Value::Null,
                Some(bytes) => {
                    let v = Value::decode(col.ty, format, &bytes, &self.settings)?;
                    apply_typmod(v, col.ty, col.typmod, false)?
                }
            });
        }
        Ok(row)
    }

    /// `HEADER MATCH`: the header's fields must be the column names.
    fn match_header(&self, line: &[u8]) -> Result<(), SqlError> {
        let fields = if self.options.format == CopyFormat::Csv {
            self.split_csv(line)
        } else {
            self.split_text(line)
        };
        // A header wider than a zero-column table is a count mismatch, not
        // "extra data".
        let fields = match fields {
            Ok(f) => f,
            Err(_) if self.columns.is_empty() => vec![Some(line.to_vec())],
            Err(e) => return Err(e),
        };
        if fields.len() != self.columns.len() {
            return Err(bad_format(format!(
                "wrong number of fields in header line: got {}, expected {}",
                fields.len(),
                self.columns.len()
            )));
        }
        for (n, (field, col)) in fields.iter().zip(&self.columns).enumerate() {
            let n = n + 1;
            match field {
                None => {
                    return Err(bad_format(format!(
                        "column name mismatch in header line field {n}: got null value (\"{}\"), expected \"{}\"",
                        self.options.null, col.name
                    )));
                }
                Some(name) if name.as_slice() != col.name.as_bytes() => {
                    return Err(bad_format(format!(
                        "column name mismatch in header line field {n}: got \"{}\", expected \"{}\"",
                        String::from_utf8_lossy(name),
                        col.name
                    )));
                }
                Some(_) => {}
            }
        }
        Ok(())
    }

    // ---- binary ----------------------------------------------------------

    fn binary(&mut self, eof: bool, rows: &mut Vec<Vec<Value>>) -> Result<(), SqlError> {
        if self.stage == Stage::Header {
            let avail = &self.buf[self.start..];
            let n = avail.len().min(BINARY_SIGNATURE.len());
            if avail[..n] != BINARY_SIGNATURE[..n] || (eof && n < BINARY_SIGNATURE.len()) {
                return Err(bad_format("COPY file signature not recognized"));
            }
            let mut at = BINARY_SIGNATURE.len();
            let Some(flags) = be_i32(avail, at) else {
                return if eof {
                    Err(bad_format("invalid COPY file header (missing flags)"))
                } else {
                    Ok(())
                };
            };
            if flags & (1 << 16) != 0 {
                return Err(bad_format("invalid COPY file header (WITH OIDS)"));
            }
            if (flags & !(1 << 16)) >> 16 != 0 {
                return Err(bad_format(
                    "unrecognized critical flags in COPY file header",
                ));
            }
            at += 4;
            let ext = match be_i32(avail, at) {
                Some(ext) if ext >= 0 => ext as usize,
                None if !eof => return Ok(()),
                _ => return Err(bad_format("invalid COPY file header (missing length)")),
            };
            at += 4;
            if avail.len() - at < ext {
                return if eof {
                    Err(bad_format("invalid COPY file header (wrong length)"))
                } else {
                    Ok(())
                };
            }
            self.start += at + ext;
            self.stage = Stage::Rows;
        }
        while self.stage == Stage::Rows {
            let avail = &self.buf[self.start..];
            // A stream that stops inside the field count just ends, as in
            // PostgreSQL.
            let Some(count) = be_i16(avail, 0) else {
                return Ok(());
            };
            if count == -1 {
                if avail.len() > 2 {
                    return Err(bad_format("received copy data after EOF marker"));
                }
                self.start += 2;
                self.stage = Stage::Done;
                return Ok(());
            }
            if count as i64 != self.columns.len() as i64 {
                self.line += 1;
                return Err(bad_format(format!(
                    "row field count is {count}, expected {}",
                    self.columns.len()
                )));
            }
            // Find the tuple's extent before decoding anything.
            let mut at = 2;
            let mut spans = Vec::with_capacity(self.columns.len());
            for _ in 0..count {
                let Some(size) = be_i32(avail, at) else {
                    return if eof { Err(unexpected_eof()) } else { Ok(()) };
                };
                at += 4;
                if size == -1 {
                    spans.push(None);
                    continue;
                }
                if size < 0 {
                    return Err(bad_format("invalid field size"));
                }
                let size = size as usize;
                if avail.len() - at < size {
                    return if eof { Err(unexpected_eof()) } else { Ok(()) };
                }
                spans.push(Some(at..at + size));
                at += size;
            }
            self.line += 1;
            let fields = spans
                .into_iter()
                .map(|s| s.map(|r| avail[r].to_vec()))
                .collect();
            self.start += at;
            rows.push(self.convert(fields, Format::Binary)?);
        }
        Ok(())
    }
}

/// What follows a `\.`.
enum Marker {
    /// Not enough bytes yet to tell.
    NeedMore,
    /// The end-of-data marker; data resumes (and is ignored) here.
    End(usize),
    /// CSV: not a marker; scanning resumes here.
    Data(usize),
}

fn bad_format(message: impl Into<String>) -> SqlError {
    SqlError::new(SqlState::BAD_COPY_FILE_FORMAT, message)
}

fn extra_data() -> SqlError {
    bad_format("extra data after last expected column")
}

fn unexpected_eof() -> SqlError {
    bad_format("unexpected EOF in COPY data")
}

fn stray_cr(csv: bool) -> SqlError {
    if csv {
        bad_format("unquoted carriage return found in data")
            .with_hint("Use quoted CSV field to represent carriage return.")
    } else {
        bad_format("literal carriage return found in data")
            .with_hint("Use \"\\r\" to represent carriage return.")
    }
}

fn hex(d: u8) -> Option<u8> {
    (d as char).to_digit(16).map(|v| v as u8)
}

fn be_i16(b: &[u8], at: usize) -> Option<i16> {
    Some(i16::from_be_bytes(b.get(at..at + 2)?.try_into().ok()?))
}

fn be_i32(b: &[u8], at: usize) -> Option<i32> {
    Some(i32::from_be_bytes(b.get(at..at + 4)?.try_into().ok()?))
}
