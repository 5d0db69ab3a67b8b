//! The front step: splitting a query string into statements and parsing
//! each, including the few forms real clients send that sqlparser rejects.
//!
//! `pgbench -i` sends `copy … from stdin with (freeze on)` and
//! `vacuum analyze t`; applications send `SELECT … FOR NO KEY UPDATE`,
//! `FOR KEY SHARE` and `BEGIN … DEFERRABLE`. This step tokenizes the string
//! with sqlparser's own tokenizer (so quotes, dollar quotes and comments are
//! honoured), splits it at top-level semicolons, recognises VACUUM/ANALYZE
//! itself, and removes the clauses sqlparser does not know from the token
//! stream, remembering what they asked for. Everything else is parsed by
//! sqlparser. As in PostgreSQL, the whole string is parsed before any
//! statement runs: a syntax error anywhere runs nothing.

use sqlparser::ast;
use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::keywords::Keyword;
use sqlparser::parser::{Parser, ParserError};
use sqlparser::tokenizer::{Token, TokenWithSpan, Tokenizer};

use crate::sql::error::SqlError;

/// One statement of a query string.
#[derive(Debug, Clone)]
pub struct Parsed {
    /// What it is.
    pub kind: StatementKind,
    /// Its text (without the trailing semicolon).
    pub text: String,
    /// Options the front step removed before sqlparser saw the text.
    pub extras: Extras,
}

/// Statements the front step parses itself, or sqlparser's AST.
#[derive(Debug, Clone)]
pub enum StatementKind {
    /// Anything sqlparser parses.
    Sql(Box<ast::Statement>),
    /// `VACUUM [FULL] [FREEZE] [VERBOSE] [ANALYZE] [table, …]` or
    /// `ANALYZE [VERBOSE] [table, …]`.
    Maintenance {
        /// VACUUM (true) or ANALYZE only.
        vacuum: bool,
        /// The tables named, as written (folded).
        tables: Vec<String>,
    },
    /// `CHECKPOINT` (sqlparser does not parse it).
    Checkpoint,
    /// `FETCH` or `MOVE` on a SQL cursor (parsed here: sqlparser knows no
    /// MOVE and only part of FETCH's grammar).
    Fetch {
        /// MOVE (position only, no rows).
        is_move: bool,
        /// Where to go.
        direction: FetchDirection,
        /// The cursor's name (folded).
        cursor: String,
    },
}

/// A FETCH/MOVE direction, normalised.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FetchDirection {
    /// `NEXT`, `PRIOR`, `n`, `ALL`, `FORWARD …`, `BACKWARD …`: this many
    /// rows forward (negative: backward; 0: the current row again;
    /// `ALL` is ±`i64::MAX`).
    Step(i64),
    /// `FIRST` (1), `LAST` (-1), `ABSOLUTE n`.
    Absolute(i64),
    /// `RELATIVE n`.
    Relative(i64),
}

/// Clauses removed by the front step.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Extras {
    /// `FOR NO KEY UPDATE` was written (parsed as FOR UPDATE).
    pub no_key_update: bool,
    /// `FOR KEY SHARE` was written (parsed as FOR SHARE).
    pub key_share: bool,
    /// `COPY … WITH (FREEZE [ON|TRUE])` was written.
    pub freeze: bool,
    /// `DEFERRABLE` was written on BEGIN/START/SET TRANSACTION.
    pub deferrable: bool,
}

/// Parses a query string into statements (empty for an empty string).
pub fn parse(sql: &str) -> Result<Vec<Parsed>, SqlError> {
    let dialect = PostgreSqlDialect {};
    let tokens = Tokenizer::new(&dialect, sql)
        .tokenize_with_location()
        .map_err(|e| tokenizer_error(sql, &e.to_string()))?;
    let mut out = Vec::new();
    let mut current: Vec<TokenWithSpan> = Vec::new();
    for t in tokens {
        if t.token == Token::SemiColon {
            if let Some(p) = statement(sql, std::mem::take(&mut current))? {
                out.push(p);
            }
        } else {
            current.push(t);
        }
    }
    if let Some(p) = statement(sql, current)? {
        out.push(p);
    }
    Ok(out)
}

/// Parses a single query (view bodies, `TABLE t`).
pub(crate) fn parse_query(sql: &str) -> Result<ast::Query, SqlError> {
    let dialect = PostgreSqlDialect {};
    let mut parser = Parser::new(&dialect)
        .try_with_sql(sql)
        .map_err(|e| parse_error(sql, &e))?;
    parser
        .parse_query()
        .map(|q| *q)
        .map_err(|e| parse_error(sql, &e))
}

/// Tokens kept for sqlparser, with their positions in the statement.
#[derive(Default)]
struct Kept {
    toks: Vec<Token>,
    idx: Vec<usize>,
}

impl Kept {
    fn push(&mut self, i: usize, t: Token) {
        self.toks.push(t);
        self.idx.push(i);
    }
    fn pop(&mut self) -> Option<Token> {
        self.idx.pop();
        self.toks.pop()
    }
    fn last(&self) -> Option<&Token> {
        self.toks.last()
    }
    fn iter(&self) -> std::slice::Iter<'_, Token> {
        self.toks.iter()
    }
}

/// Byte offsets of token locations in the query string.
struct Source<'a> {
    sql: &'a str,
    /// Byte offset where each line starts.
    lines: Vec<usize>,
}

impl<'a> Source<'a> {
    fn new(sql: &'a str) -> Source<'a> {
        let lines = std::iter::once(0)
            .chain(
                sql.char_indices()
                    .filter(|(_, c)| *c == '\n')
                    .map(|(i, _)| i + 1),
            )
            .collect();
        Source { sql, lines }
    }

    /// The byte offset of a 1-based line/column location.
    fn offset(&self, loc: sqlparser::tokenizer::Location) -> usize {
        let Some(&start) = self.lines.get((loc.line as usize).saturating_sub(1)) else {
            return self.sql.len();
        };
        self.sql[start..]
            .char_indices()
            .nth((loc.column as usize).saturating_sub(1))
            .map_or(self.sql.len(), |(i, _)| start + i)
    }

    /// The original text of tokens `range`.
    fn slice(&self, tokens: &[TokenWithSpan], range: std::ops::Range<usize>) -> &'a str {
        if range.is_empty() {
            return "";
        }
        let from = self.offset(tokens[range.start].span.start);
        let to = self.offset(tokens[range.end - 1].span.end).max(from);
        &self.sql[from..to]
    }
}

fn is_word(t: &Token, kw: Keyword) -> bool {
    matches!(t, Token::Word(w) if w.keyword == kw)
}

fn word_is(t: &Token, s: &str) -> bool {
    matches!(t, Token::Word(w) if w.quote_style.is_none() && w.value.eq_ignore_ascii_case(s))
}

fn statement(sql: &str, tokens: Vec<TokenWithSpan>) -> Result<Option<Parsed>, SqlError> {
    let significant: Vec<&TokenWithSpan> = tokens
        .iter()
        .filter(|t| !matches!(t.token, Token::Whitespace(_)))
        .collect();
    if significant.is_empty() {
        return Ok(None);
    }
    let source = Source::new(sql);
    let text = source.slice(&tokens, 0..tokens.len()).trim().to_owned();
    let first = &significant[0].token;
    if word_is(first, "checkpoint") && significant.len() == 1 {
        return Ok(Some(Parsed {
            kind: StatementKind::Checkpoint,
            text,
            extras: Extras::default(),
        }));
    }
    if is_word(first, Keyword::VACUUM)
        || is_word(first, Keyword::ANALYZE)
        || word_is(first, "analyse")
    {
        return maintenance(&significant).map(|kind| {
            Some(Parsed {
                kind,
                text,
                extras: Extras::default(),
            })
        });
    }
    if is_word(first, Keyword::FETCH) || word_is(first, "move") {
        return fetch(&significant).map(|kind| {
            Some(Parsed {
                kind,
                text,
                extras: Extras::default(),
            })
        });
    }
    // Remove what sqlparser does not know, remembering it.
    let mut extras = Extras::default();
    let mut kept = Kept::default();
    let sig: Vec<usize> = tokens
        .iter()
        .enumerate()
        .filter(|(_, t)| !matches!(t.token, Token::Whitespace(_)))
        .map(|(i, _)| i)
        .collect();
    let next_sig = |i: usize, n: usize| -> Option<&Token> {
        let pos = sig.iter().position(|&s| s == i)?;
        sig.get(pos + n).map(|&j| &tokens[j].token)
    };
    let is_copy = is_word(first, Keyword::COPY);
    let is_txn = is_word(first, Keyword::BEGIN)
        || is_word(first, Keyword::START)
        || is_word(first, Keyword::SET);
    let mut skip_until = 0usize;
    for (i, t) in tokens.iter().enumerate() {
        if i < skip_until {
            continue;
        }
        let tok = &t.token;
        // FOR NO KEY UPDATE → FOR UPDATE; FOR KEY SHARE → FOR SHARE.
        if is_word(tok, Keyword::NO)
            && next_sig(i, 1).is_some_and(|n| is_word(n, Keyword::KEY))
            && next_sig(i, 2).is_some_and(|n| is_word(n, Keyword::UPDATE))
        {
            extras.no_key_update = true;
            skip_until = sig[sig.iter().position(|&s| s == i).unwrap_or(0) + 2];
            continue;
        }
        if is_word(tok, Keyword::KEY)
            && next_sig(i, 1).is_some_and(|n| is_word(n, Keyword::SHARE))
            && kept
                .iter()
                .rev()
                .find(|k| !matches!(k, Token::Whitespace(_)))
                .is_some_and(|k| is_word(k, Keyword::FOR))
        {
            extras.key_share = true;
            continue;
        }
        // COPY … (FREEZE [ON|TRUE|OFF|FALSE|1|0]) / legacy FREEZE.
        if is_copy && is_word(tok, Keyword::FREEZE) {
            let value = next_sig(i, 1);
            let (on, consumed) = match value {
                Some(v)
                    if word_is(v, "on")
                        || word_is(v, "true")
                        || matches!(v, Token::Number(n, _) if n == "1") =>
                {
                    (true, 1)
                }
                Some(v)
                    if word_is(v, "off")
                        || word_is(v, "false")
                        || matches!(v, Token::Number(n, _) if n == "0") =>
                {
                    (false, 1)
                }
                _ => (true, 0),
            };
            extras.freeze = on;
            let pos = sig.iter().position(|&s| s == i).unwrap_or(0);
            skip_until = sig.get(pos + consumed).map_or(i + 1, |&j| j + 1);
            // Drop a comma that separated it from the previous option…
            while kept
                .last()
                .is_some_and(|k| matches!(k, Token::Whitespace(_)))
            {
                kept.pop();
            }
            if kept.last() == Some(&Token::Comma) {
                kept.pop();
            } else if let Some(&j) = sig.get(pos + consumed + 1)
                && tokens[j].token == Token::Comma
            {
                // …or from the next one.
                skip_until = j + 1;
            }
            // `WITH (FREEZE ON)` alone leaves `WITH ()`: drop the empty list.
            let tail: Vec<&Token> = kept
                .iter()
                .rev()
                .filter(|k| !matches!(k, Token::Whitespace(_)))
                .take(2)
                .collect();
            if tail.len() == 2 && tail[0] == &Token::LParen && is_word(tail[1], Keyword::WITH) {
                let after = sig
                    .iter()
                    .find(|&&s| s >= skip_until)
                    .map(|&s| &tokens[s].token);
                if after == Some(&Token::RParen) {
                    while kept.last().is_some_and(|k| k != &Token::LParen) {
                        kept.pop();
                    }
                    kept.pop();
                    while kept
                        .last()
                        .is_some_and(|k| matches!(k, Token::Whitespace(_)))
                    {
                        kept.pop();
                    }
                    kept.pop(); // WITH
                    let close = sig
                        .iter()
                        .find(|&&s| s >= skip_until)
                        .copied()
                        .unwrap_or(skip_until);
                    skip_until = close + 1;
                }
            }
            continue;
        }
        // [NOT] DEFERRABLE on transaction statements.
        if is_txn && is_word(tok, Keyword::DEFERRABLE) {
            let not = kept
                .iter()
                .rev()
                .find(|k| !matches!(k, Token::Whitespace(_)))
                .is_some_and(|k| is_word(k, Keyword::NOT));
            if not {
                while kept
                    .last()
                    .is_some_and(|k| matches!(k, Token::Whitespace(_)))
                {
                    kept.pop();
                }
                kept.pop();
            } else {
                extras.deferrable = true;
            }
            while kept
                .last()
                .is_some_and(|k| matches!(k, Token::Whitespace(_)))
            {
                kept.pop();
            }
            if kept.last() == Some(&Token::Comma) {
                kept.pop();
            }
            continue;
        }
        kept.push(i, tok.clone());
    }
    // The statement as written, minus what was removed: slices of the
    // original text, so literals keep their quoting exactly.
    let rewritten: String = kept
        .idx
        .iter()
        .map(|&i| source.slice(&tokens, i..i + 1))
        .collect();
    let dialect = PostgreSqlDialect {};
    // Locations in the rewritten text count from its first token.
    let offset = tokens[0].span.start;
    let mut parser = Parser::new(&dialect)
        .try_with_sql(&rewritten)
        .map_err(|e| parse_error_at(sql, &rewritten, offset, &e))?;
    let stmt = parser
        .parse_statement()
        .map_err(|e| parse_error_at(sql, &rewritten, offset, &e))?;
    if parser.peek_token().token != Token::EOF {
        let t = parser.peek_token();
        return Err(syntax_near(
            &t.token.to_string(),
            position_of(sql, offset, t.span.start),
        ));
    }
    Ok(Some(Parsed {
        kind: StatementKind::Sql(Box::new(stmt)),
        text,
        extras,
    }))
}

fn maintenance(tokens: &[&TokenWithSpan]) -> Result<StatementKind, SqlError> {
    let vacuum = is_word(&tokens[0].token, Keyword::VACUUM);
    let mut tables = Vec::new();
    let mut i = 1;
    // Options: bare words, or a parenthesised list.
    while i < tokens.len() {
        let t = &tokens[i].token;
        if *t == Token::LParen && i == 1 {
            while i < tokens.len() && tokens[i].token != Token::RParen {
                i += 1;
            }
            i += 1;
            continue;
        }
        if ["full", "freeze", "verbose", "analyze", "analyse"]
            .iter()
            .any(|w| word_is(t, w))
            && tables.is_empty()
        {
            i += 1;
            continue;
        }
        break;
    }
    let mut name = String::new();
    while i < tokens.len() {
        match &tokens[i].token {
            Token::Word(w) => {
                name.push_str(&if w.quote_style.is_some() {
                    w.value.clone()
                } else {
                    w.value.to_lowercase()
                });
            }
            Token::Period => name.push('.'),
            Token::Comma => tables.push(std::mem::take(&mut name)),
            Token::LParen => {
                // A column list: skip it.
                while i < tokens.len() && tokens[i].token != Token::RParen {
                    i += 1;
                }
            }
            other => return Err(syntax_near(&other.to_string(), None)),
        }
        i += 1;
    }
    if !name.is_empty() {
        tables.push(name);
    }
    Ok(StatementKind::Maintenance { vacuum, tables })
}

/// `FETCH|MOVE [direction] [FROM|IN] cursor`.
fn fetch(tokens: &[&TokenWithSpan]) -> Result<StatementKind, SqlError> {
    let is_move = word_is(&tokens[0].token, "move");
    let mut i = 1;
    let at = |i: usize| tokens.get(i).map(|t| &t.token);
    // A signed integer at `i`: (value, tokens used).
    let number = |i: usize| -> Option<(i64, usize)> {
        let (sign, j) = match at(i)? {
            Token::Minus => (-1, i + 1),
            Token::Plus => (1, i + 1),
            _ => (1, i),
        };
        match at(j)? {
            Token::Number(n, _) => n.parse::<i64>().ok().map(|v| (sign * v, j + 1 - i)),
            _ => None,
        }
    };
    let word = |i: usize, w: &str| at(i).is_some_and(|t| word_is(t, w));
    let mut direction = FetchDirection::Step(1);
    if word(i, "next") {
        i += 1;
    } else if word(i, "prior") {
        direction = FetchDirection::Step(-1);
        i += 1;
    } else if word(i, "first") {
        direction = FetchDirection::Absolute(1);
        i += 1;
    } else if word(i, "last") {
        direction = FetchDirection::Absolute(-1);
        i += 1;
    } else if word(i, "absolute") || word(i, "relative") {
        let abs = word(i, "absolute");
        let (n, used) = number(i + 1).ok_or_else(|| {
            syntax_near(
                &at(i + 1).map(ToString::to_string).unwrap_or_default(),
                None,
            )
        })?;
        direction = if abs {
            FetchDirection::Absolute(n)
        } else {
            FetchDirection::Relative(n)
        };
        i += 1 + used;
    } else if word(i, "all") {
        direction = FetchDirection::Step(i64::MAX);
        i += 1;
    } else if word(i, "forward") || word(i, "backward") {
        let sign = if word(i, "forward") { 1 } else { -1 };
        i += 1;
        let n = if word(i, "all") {
            i += 1;
            i64::MAX
        } else if let Some((n, used)) = number(i) {
            i += used;
            n
        } else {
            1
        };
        direction = FetchDirection::Step(sign * n);
    } else if let Some((n, used)) = number(i) {
        direction = FetchDirection::Step(n);
        i += used;
    }
    if word(i, "from") || word(i, "in") {
        i += 1;
    }
    let cursor = match at(i) {
        Some(Token::Word(w)) if w.quote_style.is_some() => w.value.clone(),
        Some(Token::Word(w)) => w.value.to_lowercase(),
        Some(other) => return Err(syntax_near(&other.to_string(), None)),
        None => return Err(syntax_near("", None)),
    };
    if let Some(t) = at(i + 1) {
        return Err(syntax_near(&t.to_string(), None));
    }
    Ok(StatementKind::Fetch {
        is_move,
        direction,
        cursor,
    })
}

/// PostgreSQL's 42601 wording.
pub(crate) fn syntax_near(token: &str, position: Option<u32>) -> SqlError {
    let message = if token.is_empty() || token == "EOF" {
        "syntax error at end of input".to_owned()
    } else {
        format!("syntax error at or near \"{token}\"")
    };
    SqlError::syntax(message).at(position)
}

/// The 1-based character position in `sql` of a location inside a
/// statement that starts at `start` (locations are 1-based line/column).
fn position_of(
    sql: &str,
    start: sqlparser::tokenizer::Location,
    at: sqlparser::tokenizer::Location,
) -> Option<u32> {
    // `at` is relative to the rewritten statement text, whose first line
    // begins at `start`.
    let line_starts: Vec<usize> = std::iter::once(0)
        .chain(
            sql.char_indices()
                .filter(|(_, c)| *c == '\n')
                .map(|(i, _)| i + 1),
        )
        .collect();
    let abs_line = start.line + at.line.saturating_sub(1);
    let col = if at.line <= 1 {
        start.column + at.column.saturating_sub(1)
    } else {
        at.column
    };
    let line_start = *line_starts.get(abs_line.checked_sub(1)? as usize)?;
    let chars_before = sql[..line_start].chars().count();
    Some((chars_before + col as usize) as u32)
}

fn parse_error_at(
    sql: &str,
    _rewritten: &str,
    start: sqlparser::tokenizer::Location,
    e: &ParserError,
) -> SqlError {
    let text = e.to_string();
    let (message, loc) = split_location(&text);
    let found = message
        .rsplit_once("found: ")
        .map(|(_, f)| f.trim().to_owned())
        .unwrap_or_default();
    let position = loc.and_then(|(line, column)| {
        position_of(sql, start, sqlparser::tokenizer::Location { line, column })
    });
    if found.is_empty() {
        return SqlError::syntax(format!("syntax error: {message}")).at(position);
    }
    syntax_near(&found, position)
}

fn parse_error(sql: &str, e: &ParserError) -> SqlError {
    parse_error_at(
        sql,
        sql,
        sqlparser::tokenizer::Location { line: 1, column: 1 },
        e,
    )
}

fn tokenizer_error(_sql: &str, message: &str) -> SqlError {
    let (m, _) = split_location(message);
    if m.contains("Unterminated string literal") || m.contains("unterminated") {
        return SqlError::syntax("unterminated quoted string at or near \"'\"");
    }
    SqlError::syntax(format!("syntax error: {m}"))
}

/// Splits sqlparser's " at Line: L, Column: C" suffix off a message.
fn split_location(text: &str) -> (String, Option<(u64, u64)>) {
    let text = text.strip_prefix("sql parser error: ").unwrap_or(text);
    match text.rfind(" at Line: ") {
        Some(i) => {
            let rest = &text[i + " at Line: ".len()..];
            let mut parts = rest.split(", Column: ");
            let line = parts.next().and_then(|l| l.trim().parse().ok());
            let column = parts.next().and_then(|c| c.trim().parse().ok());
            (text[..i].to_owned(), line.zip(column))
        }
        None => (text.to_owned(), None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(sql: &str) -> Parsed {
        let mut v = parse(sql).unwrap_or_else(|e| panic!("{sql}: {e}"));
        assert_eq!(v.len(), 1, "{sql}");
        v.remove(0)
    }

    #[test]
    fn splits_and_skips_empty_statements() {
        assert_eq!(parse("select 1; ; select 'a;b' ;").unwrap().len(), 2);
        assert!(parse("  -- only a comment\n").unwrap().is_empty());
    }

    #[test]
    fn pgbench_forms() {
        let p = one("copy pgbench_accounts from stdin with (freeze on)");
        assert!(p.extras.freeze);
        assert!(matches!(p.kind, StatementKind::Sql(_)));
        let p = one("copy t from stdin with (format csv, freeze true, header)");
        assert!(p.extras.freeze);
        match one("vacuum analyze pgbench_branches").kind {
            StatementKind::Maintenance { vacuum, tables } => {
                assert!(vacuum);
                assert_eq!(tables, vec!["pgbench_branches"]);
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            one("analyze").kind,
            StatementKind::Maintenance { vacuum: false, .. }
        ));
    }

    #[test]
    fn lock_strengths_and_deferrable() {
        assert!(
            one("select * from t for no key update")
                .extras
                .no_key_update
        );
        assert!(
            one("select * from t for key share skip locked")
                .extras
                .key_share
        );
        assert!(
            one("begin isolation level serializable, read only, deferrable")
                .extras
                .deferrable
        );
        assert!(!one("start transaction not deferrable").extras.deferrable);
    }

    #[test]
    fn fetch_and_move() {
        let f = |sql: &str| match one(sql).kind {
            StatementKind::Fetch {
                is_move,
                direction,
                cursor,
            } => (is_move, direction, cursor),
            other => panic!("{other:?}"),
        };
        use FetchDirection::*;
        assert_eq!(f("fetch c1"), (false, Step(1), "c1".into()));
        assert_eq!(f("FETCH FORWARD 3 FROM c1"), (false, Step(3), "c1".into()));
        assert_eq!(
            f("move backward all in \"C\""),
            (true, Step(-i64::MAX), "C".into())
        );
        assert_eq!(
            f("fetch relative -1 from c"),
            (false, Relative(-1), "c".into())
        );
        assert_eq!(f("fetch last c"), (false, Absolute(-1), "c".into()));
        assert_eq!(f("fetch -2 c"), (false, Step(-2), "c".into()));
        assert!(parse("fetch next from").is_err());
    }

    #[test]
    fn literals_keep_their_quoting() {
        let p = one("select 'it''s', E'tab\\there', $$dollar$$ , 'é'");
        assert_eq!(p.text, "select 'it''s', E'tab\\there', $$dollar$$ , 'é'");
        let StatementKind::Sql(stmt) = p.kind else {
            panic!("not sql")
        };
        assert!(stmt.to_string().contains("'it''s'"), "{stmt}");
        // Removal keeps the rest byte for byte.
        let p = one("copy t from stdin with (format csv, freeze on, quote '''')");
        assert!(p.extras.freeze);
        let StatementKind::Sql(stmt) = p.kind else {
            panic!("not sql")
        };
        let sqlparser::ast::Statement::Copy { options, .. } = *stmt else {
            panic!("not copy")
        };
        assert!(
            options.contains(&sqlparser::ast::CopyOption::Quote('\'')),
            "{options:?}"
        );
    }

    #[test]
    fn syntax_errors_have_positions() {
        let e = parse("select 1; selec 2").unwrap_err();
        assert_eq!(e.code, twill_types::SqlState::SYNTAX_ERROR);
        assert_eq!(e.message, "syntax error at or near \"selec\"");
        assert_eq!(e.position, Some(11));
    }
}
