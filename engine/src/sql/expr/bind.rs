//! Binding: sqlparser's `ast::Expr` → a typed [`Expr`].
//!
//! The binder resolves names against a [`Scope`] (which the planner
//! implements for each FROM clause) and types everything by PostgreSQL's
//! rules:
//!
//! - **Literals.** `42` is `integer`, `3000000000` `bigint`, anything
//!   larger or with a point or exponent `numeric`. A quoted string is
//!   `unknown` until context decides: `int4col = '5'` makes it an integer
//!   (parsed right away, so `'x'` fails here with 22P02, as in PostgreSQL),
//!   `'a' || 'b'` makes both text, and a lone `SELECT 'a'` outputs text.
//! - **Parameters.** `$n` is unknown until context decides, exactly like a
//!   literal: `WHERE int4col = $1` infers int4, `$1::int` int4, and a
//!   parameter still unknown at the end is text ([`ParamTypes::finish`]).
//!   `$1 + $2` is 42725, `operator is not unique: unknown + unknown`.
//! - **Operators and functions** resolve against the registry with
//!   PostgreSQL's candidate rules (`coerce.rs`), and every implicit
//!   conversion they need becomes an explicit cast node, so `int2col = 1`
//!   finds `int2 = int4` and `int2col = $1` (psycopg's int2 against an int4
//!   column) coerces by the implicit int2 → int4 cast.
//!
//! What the binder cannot know — subqueries, aggregates, window functions,
//! outer columns — it hands to [`Scope`] hooks, which return the hook nodes
//! ([`Expr::Subquery`], [`Expr::Aggregate`], …) the planner will supply
//! values for.

use sqlparser::ast::{
    self, BinaryOperator, CastKind, DataType, Function, FunctionArg, FunctionArgExpr,
    FunctionArguments, Spanned, UnaryOperator,
};
use twill_types::{Array, FormatSettings, Oid, SqlState, Value, oid};

use super::cast::{apply_typmod, cast_value, decode_text};
use super::coerce::{
    CastContext, NoCandidate, array_of, cast_context, common_type, declared_args, elem, is_array,
    resolve_polymorphic, select_candidate,
};
use super::functions::{FuncId, ProcKind, registry};
use super::{EvalContext, Expr, SubqueryKind};
use crate::sql::error::SqlError;
use crate::sql::types::{format_type, resolve_data_type, type_name};

/// What names mean where an expression is bound: the planner implements
/// this for each query level. Only [`Scope::resolve_column`] is required;
/// the hooks default to 0A000.
pub trait Scope {
    /// Resolves `[qualifier.]name` to (row index, type OID, typmod).
    /// 42703 `column "x" does not exist` when unknown, 42702 when
    /// ambiguous.
    fn resolve_column(
        &self,
        qualifier: Option<&str>,
        name: &str,
    ) -> Result<(usize, Oid, i32), SqlError>;

    /// Resolves a name that [`Scope::resolve_column`] did not know against
    /// enclosing queries: (levels up, row index, type, typmod).
    fn resolve_outer_column(
        &self,
        qualifier: Option<&str>,
        name: &str,
    ) -> Result<Option<(usize, usize, Oid, i32)>, SqlError> {
        let _ = (qualifier, name);
        Ok(None)
    }

    /// A whole-row reference: `name` naming a FROM item rather than a
    /// column (`row_to_json(t)`). `None` when no item has that name.
    fn resolve_row(&self, name: &str) -> Result<Option<Expr>, SqlError> {
        let _ = name;
        Ok(None)
    }

    /// Plans a subquery, returning the planner's id for it and the types of
    /// its output columns. The binder is passed so the subquery shares the
    /// statement's parameter types.
    fn bind_subquery(
        &self,
        query: &ast::Query,
        binder: &mut Binder<'_>,
    ) -> Result<(usize, Vec<Oid>), SqlError> {
        let _ = (query, binder);
        Err(SqlError::unsupported("subqueries are not supported here"))
    }

    /// Binds an aggregate call (`count(*)`, `sum(x) FILTER (…)`), returning
    /// the hook node, typically [`Expr::Aggregate`].
    fn bind_aggregate(&self, func: &Function, binder: &mut Binder<'_>) -> Result<Expr, SqlError> {
        let _ = binder;
        Err(SqlError::new(
            SqlState::GROUPING_ERROR,
            format!("aggregate functions are not allowed here ({})", func.name),
        ))
    }

    /// Binds a window function call (`… OVER (…)`), returning the hook
    /// node, typically [`Expr::Window`].
    fn bind_window(&self, func: &Function, binder: &mut Binder<'_>) -> Result<Expr, SqlError> {
        let _ = binder;
        Err(SqlError::new(
            SqlState::GROUPING_ERROR,
            format!("window functions are not allowed here ({})", func.name),
        ))
    }
}

/// The scope of a query without FROM: no columns at all.
#[derive(Debug, Default, Clone, Copy)]
pub struct NoColumns;

impl Scope for NoColumns {
    fn resolve_column(
        &self,
        qualifier: Option<&str>,
        name: &str,
    ) -> Result<(usize, Oid, i32), SqlError> {
        Err(match qualifier {
            Some(q) => SqlError::new(
                SqlState::UNDEFINED_TABLE,
                format!("missing FROM-clause entry for table \"{q}\""),
            ),
            None => SqlError::new(
                SqlState::UNDEFINED_COLUMN,
                format!("column \"{name}\" does not exist"),
            ),
        })
    }
}

/// The types of a statement's parameters `$1…$n`: declared by the client
/// (Parse message) or inferred while binding (`unknown` = not yet).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ParamTypes {
    types: Vec<Oid>,
}

impl ParamTypes {
    /// Parameter types as the client declared them (0 or `unknown` = infer).
    pub fn new(declared: &[Oid]) -> ParamTypes {
        ParamTypes {
            types: declared
                .iter()
                .map(|&t| if t == 0 { oid::UNKNOWN } else { t })
                .collect(),
        }
    }

    /// The current type of `$index+1` (`unknown` if not yet inferred).
    pub fn get(&self, index: usize) -> Oid {
        self.types.get(index).copied().unwrap_or(oid::UNKNOWN)
    }

    fn set(&mut self, index: usize, ty: Oid) {
        if self.types.len() <= index {
            self.types.resize(index + 1, oid::UNKNOWN);
        }
        self.types[index] = ty;
    }

    /// The final types: anything never inferred is text, as in PostgreSQL.
    pub fn finish(&self) -> Vec<Oid> {
        self.types
            .iter()
            .map(|&t| if t == oid::UNKNOWN { oid::TEXT } else { t })
            .collect()
    }
}

/// Aggregate function names the binder hands to [`Scope::bind_aggregate`].
pub const AGGREGATES: &[&str] = &[
    "count",
    "sum",
    "avg",
    "min",
    "max",
    "bool_and",
    "bool_or",
    "every",
    "string_agg",
    "array_agg",
    "json_agg",
    "jsonb_agg",
    "json_object_agg",
    "jsonb_object_agg",
    "stddev",
    "stddev_pop",
    "stddev_samp",
    "variance",
    "var_pop",
    "var_samp",
    "bit_and",
    "bit_or",
    "grouping",
];

/// Binds expressions of one statement against a scope.
pub struct Binder<'a> {
    scope: &'a dyn Scope,
    /// The statement's parameter types, shared by all its expressions
    /// (take and restore it to bind a subquery with another binder).
    pub params: ParamTypes,
    /// Settings used to parse typed literals (`DateStyle` for dates).
    settings: FormatSettings,
    /// The statement text, for error positions.
    source: Option<&'a str>,
}

/// The context words of errors about non-boolean conditions.
fn bool_error(what: &str, ty: Oid) -> SqlError {
    SqlError::new(
        SqlState::DATATYPE_MISMATCH,
        format!(
            "argument of {what} must be type boolean, not type {}",
            type_name(ty)
        ),
    )
}

/// An identifier as PostgreSQL folds it: lower case unless quoted.
fn ident_name(i: &ast::Ident) -> String {
    if i.quote_style.is_some() {
        i.value.clone()
    } else {
        i.value.to_lowercase()
    }
}

fn op_symbol(op: &BinaryOperator) -> Option<String> {
    use BinaryOperator::*;
    Some(
        match op {
            Plus => "+",
            Minus => "-",
            Multiply => "*",
            Divide => "/",
            Modulo => "%",
            StringConcat => "||",
            Gt => ">",
            Lt => "<",
            GtEq => ">=",
            LtEq => "<=",
            Eq => "=",
            NotEq => "<>",
            PGExp => "^",
            BitwiseAnd => "&",
            BitwiseOr => "|",
            BitwiseXor | PGBitwiseXor => "#",
            PGBitwiseShiftLeft => "<<",
            PGBitwiseShiftRight => ">>",
            PGRegexMatch => "~",
            PGRegexIMatch => "~*",
            PGRegexNotMatch => "!~",
            PGRegexNotIMatch => "!~*",
            PGLikeMatch => "~~",
            PGILikeMatch => "~~*",
            PGNotLikeMatch => "!~~",
            PGNotILikeMatch => "!~~*",
            PGStartsWith => "^@",
            Arrow => "->",
            LongArrow => "->>",
            HashArrow => "#>",
            HashLongArrow => "#>>",
            AtArrow => "@>",
            ArrowAt => "<@",
            Question => "?",
            QuestionAnd => "?&",
            QuestionPipe => "?|",
            PGOverlap => "&&",
            HashMinus => "#-",
            Custom(s) => return Some(s.clone()),
            PGCustomBinaryOperator(parts) => return parts.last().cloned(),
            _ => return None,
        }
        .to_owned(),
    )
}

impl<'a> Binder<'a> {
    /// A binder over `scope` with default settings and no declared
    /// parameter types.
    pub fn new(scope: &'a dyn Scope) -> Binder<'a> {
        Binder {
            scope,
            params: ParamTypes::default(),
            settings: FormatSettings::default(),
            source: None,
        }
    }

    /// Uses the client's declared parameter types.
    pub fn with_params(mut self, params: ParamTypes) -> Binder<'a> {
        self.params = params;
        self
    }

    /// Uses the session's settings to parse typed literals.
    pub fn with_settings(mut self, settings: FormatSettings) -> Binder<'a> {
        self.settings = settings;
        self
    }

    /// Reports error positions into this statement text.
    pub fn with_source(mut self, source: &'a str) -> Binder<'a> {
        self.source = Some(source);
        self
    }

    /// The 1-based character position of a sqlparser location.
    fn position(&self, loc: sqlparser::tokenizer::Location) -> Option<u32> {
        let src = self.source?;
        if loc.line == 0 {
            return None;
        }
        let mut chars = 0usize;
        for (n, line) in src.split('\n').enumerate() {
            if n as u64 + 1 == loc.line {
                return Some((chars + loc.column as usize) as u32);
            }
            chars += line.chars().count() + 1;
        }
        None
    }

    /// The statement text as characters and the 0-based character index of
    /// a location.
    fn char_index(&self, loc: sqlparser::tokenizer::Location) -> Option<(Vec<char>, usize)> {
        let p = self.position(loc)? as usize;
        let chars: Vec<char> = self.source?.chars().collect();
        let i = p.checked_sub(1)?.min(chars.len());
        Some((chars, i))
    }

    /// The 1-based position of the first token after `e` (skipping
    /// blanks and closing parentheses): where an infix operator or `::`
    /// that follows `e` starts.
    fn pos_after(&self, e: &ast::Expr) -> Option<u32> {
        // sqlparser's span of `x::type` ends at `x`: step over `::type`.
        if let ast::Expr::Cast {
            kind: CastKind::DoubleColon,
            expr,
            data_type,
            ..
        } = e
        {
            let ty = self.pos_skip(self.pos_after(expr), 2)?;
            let len = data_type.to_string().chars().count() as u32;
            let chars: Vec<char> = self.source?.chars().collect();
            let mut i = (ty - 1 + len) as usize;
            while i < chars.len() && (chars[i].is_whitespace() || chars[i] == ')') {
                i += 1;
            }
            return (i < chars.len()).then_some(i as u32 + 1);
        }
        let (chars, mut i) = self.char_index(e.span().end)?;
        while i < chars.len() && (chars[i].is_whitespace() || chars[i] == ')') {
            i += 1;
        }
        (i < chars.len()).then_some(i as u32 + 1)
    }

    /// The 1-based position of the token after the `skip`-character token
    /// at 1-based position `pos` (the type name after `::` or `AS`).
    fn pos_skip(&self, pos: Option<u32>, skip: usize) -> Option<u32> {
        let chars: Vec<char> = self.source?.chars().collect();
        let mut i = pos? as usize - 1 + skip;
        while i < chars.len() && chars[i].is_whitespace() {
            i += 1;
        }
        (i < chars.len()).then_some(i as u32 + 1)
    }

    /// The 1-based position of the `len`-character prefix operator in
    /// front of `x`.
    fn pos_before(&self, x: &ast::Expr, len: usize) -> Option<u32> {
        let (chars, mut i) = self.char_index(x.span().start)?;
        while i > 0 && chars[i - 1].is_whitespace() {
            i -= 1;
        }
        Some(i.checked_sub(len)? as u32 + 1)
    }

    /// The 1-based position of `CAST` in `CAST(inner AS …)`.
    fn pos_cast_keyword(&self, inner: &ast::Expr) -> Option<u32> {
        let (chars, mut i) = self.char_index(inner.span().start)?;
        while i > 0 && (chars[i - 1].is_whitespace() || chars[i - 1] == '(') {
            i -= 1;
        }
        while i > 0 && chars[i - 1].is_ascii_alphabetic() {
            i -= 1;
        }
        Some(i as u32 + 1)
    }

    fn pos_of(&self, e: &ast::Expr) -> Option<u32> {
        self.position(e.span().start)
    }

    fn eval_ctx(&self) -> EvalContext<'static> {
        EvalContext {
            settings: self.settings.clone(),
            params: Vec::new(),
            transaction_timestamp: 0,
            statement_timestamp: 0,
            planner: None,
        }
    }

    /// Binds an expression whose value is output or stored as is: a type
    /// still unknown (`SELECT 'a'`, `SELECT $1`) becomes text.
    pub fn bind_value(&mut self, e: &ast::Expr) -> Result<Expr, SqlError> {
        let x = self.bind(e)?;
        if x.ty() == oid::UNKNOWN {
            return self.coerce(x, oid::TEXT, -1, CastContext::Implicit);
        }
        Ok(x)
    }

    /// Binds a condition (WHERE, HAVING, ON, CHECK): it must be boolean.
    /// `what` names the clause for the error (`WHERE`).
    pub fn bind_condition(&mut self, e: &ast::Expr, what: &str) -> Result<Expr, SqlError> {
        let x = self.bind(e)?;
        self.coerce_bool(x, what)
            .map_err(|err| err.at(self.pos_of(e)))
    }

    /// Binds a value assigned to a column of type `ty`/`typmod` (INSERT,
    /// UPDATE): assignment casts apply, and 42804 names the column when no
    /// cast exists.
    pub fn bind_assignment(
        &mut self,
        e: &ast::Expr,
        column: &str,
        ty: Oid,
        typmod: i32,
    ) -> Result<Expr, SqlError> {
        let x = self.bind(e)?;
        let from = x.ty();
        if cast_context(from, ty).is_none_or(|c| c > CastContext::Assignment) {
            return Err(SqlError::new(
                SqlState::DATATYPE_MISMATCH,
                format!(
                    "column \"{column}\" is of type {} but expression is of type {}",
                    format_type(ty, -1),
                    type_name(from)
                ),
            )
            .with_hint("You will need to rewrite or cast the expression.")
            .at(self.pos_of(e)));
        }
        self.coerce(x, ty, typmod, CastContext::Assignment)
    }

    fn coerce_bool(&mut self, x: Expr, what: &str) -> Result<Expr, SqlError> {
        match x.ty() {
            oid::BOOL => Ok(x),
            oid::UNKNOWN => self.coerce(x, oid::BOOL, -1, CastContext::Implicit),
            t => Err(bool_error(what, t)),
        }
    }

    /// Coerces a bound expression to `ty`/`typmod` in `context`; unknown
    /// literals are parsed now, unknown parameters get their type.
    pub fn coerce(
        &mut self,
        x: Expr,
        ty: Oid,
        typmod: i32,
        context: CastContext,
    ) -> Result<Expr, SqlError> {
        let from = x.ty();
        let explicit = context == CastContext::Explicit;
        if from == ty && (typmod < 0 || x.typmod() == typmod) {
            return Ok(x);
        }
        match x {
            Expr::Const {
                value,
                ty: oid::UNKNOWN,
                ..
            } => {
                // A relation or schema name needs the catalog: resolved at
                // run time.
                if let Value::Text(s) = &value
                    && matches!(ty, oid::REGCLASS | oid::REGNAMESPACE)
                    && s.trim() != "-"
                    && !s.trim().bytes().all(|c| c.is_ascii_digit())
                {
                    return Ok(Expr::Cast {
                        expr: Box::new(Expr::constant(value, oid::TEXT)),
                        ty,
                        typmod,
                        explicit,
                    });
                }
                let ctx = self.eval_ctx();
                let v = match value {
                    Value::Text(s) => decode_text(&ctx, ty, &s)?,
                    other => other,
                };
                let v = apply_typmod(v, ty, typmod, explicit)?;
                Ok(Expr::Const {
                    value: v,
                    ty,
                    typmod,
                })
            }
            Expr::Param {
                index,
                ty: oid::UNKNOWN,
            } => {
                self.params.set(index, ty);
                let p = Expr::Param { index, ty };
                if typmod >= 0 {
                    Ok(Expr::Cast {
                        expr: Box::new(p),
                        ty,
                        typmod,
                        explicit,
                    })
                } else {
                    Ok(p)
                }
            }
            x => {
                let allowed = cast_context(from, ty).is_some_and(|c| c <= context);
                if !allowed {
                    return Err(SqlError::new(
                        SqlState::CANNOT_COERCE,
                        format!(
                            "cannot cast type {} to {}",
                            type_name(from),
                            format_type(ty, typmod)
                        ),
                    ));
                }
                // Folding a cast of a constant keeps plans small and reports
                // bad literals at bind time, as PostgreSQL does.
                if let Expr::Const { value, .. } = &x
                    && !matches!(
                        ty,
                        oid::TIMESTAMPTZ | oid::DATE | oid::TIMESTAMP | oid::TIME | oid::REGCLASS
                    )
                    // Naming an OID (regclass → text) needs the catalog.
                    && !matches!(from, oid::TIMESTAMPTZ | oid::REGCLASS | oid::REGNAMESPACE)
                {
                    let v =
                        cast_value(&self.eval_ctx(), value.clone(), from, ty, typmod, explicit)?;
                    return Ok(Expr::Const {
                        value: v,
                        ty,
                        typmod,
                    });
                }
                Ok(Expr::Cast {
                    expr: Box::new(x),
                    ty,
                    typmod,
                    explicit,
                })
            }
        }
    }

    /// Binds an expression; its type may be `unknown`.
    pub fn bind(&mut self, e: &ast::Expr) -> Result<Expr, SqlError> {
        use ast::Expr as A;
        match e {
            A::Identifier(id) => self.column(None, id),
            A::CompoundIdentifier(ids) => {
                let n = ids.len();
                if n < 2 {
                    return self.column(None, &ids[0]);
                }
                let q = ident_name(&ids[n - 2]);
                let pos = self.position(ids[0].span.start);
                self.column_at(Some(&q), &ids[n - 1], pos)
            }
            A::Value(v) => self.literal(&v.value, e),
            A::TypedString(ts) => {
                let (ty, typmod) = resolve_data_type(&ts.data_type)?;
                let lit = self.literal(&ts.value.value, e)?;
                self.coerce(lit, ty, typmod, CastContext::Explicit)
                    .map_err(|err| err.at(self.pos_of(e)))
            }
            A::Interval(iv) => {
                let inner = self.bind(&iv.value)?;
                let inner = match (inner, &iv.leading_field) {
                    (
                        Expr::Const {
                            value: Value::Text(s),
                            ty: oid::UNKNOWN,
                            ..
                        },
                        Some(f),
                    ) if s.trim().parse::<f64>().is_ok() => {
                        Expr::constant(Value::Text(format!("{s} {f}")), oid::UNKNOWN)
                    }
                    (x, _) => x,
                };
                self.coerce(inner, oid::INTERVAL, -1, CastContext::Explicit)
            }
            A::Nested(inner) => self.bind(inner),
            A::BinaryOp { left, op, right } => self.binary(e, left, op, right),
            A::UnaryOp { op, expr } => self.unary(e, op, expr),
            A::Cast {
                kind,
                expr,
                data_type,
                format,
            } => {
                if format.is_some() || matches!(kind, CastKind::TryCast | CastKind::SafeCast) {
                    return Err(SqlError::unsupported("this form of CAST is not supported"));
                }
                let (op_pos, type_pos) = match kind {
                    CastKind::DoubleColon => {
                        let op = self.pos_after(expr);
                        (op, self.pos_skip(op, 2))
                    }
                    _ => (
                        self.pos_cast_keyword(expr),
                        self.pos_skip(self.pos_after(expr), 2),
                    ),
                };
                self.cast(expr, data_type, op_pos, type_pos)
            }
            A::IsNull(x) => self.is_null(x, false),
            A::IsNotNull(x) => self.is_null(x, true),
            A::IsTrue(x) => self.is_bool(x, Some(true), false, "IS TRUE"),
            A::IsNotTrue(x) => self.is_bool(x, Some(true), true, "IS NOT TRUE"),
            A::IsFalse(x) => self.is_bool(x, Some(false), false, "IS FALSE"),
            A::IsNotFalse(x) => self.is_bool(x, Some(false), true, "IS NOT FALSE"),
            A::IsUnknown(x) => self.is_bool(x, None, false, "IS UNKNOWN"),
            A::IsNotUnknown(x) => self.is_bool(x, None, true, "IS NOT UNKNOWN"),
            A::IsDistinctFrom(a, b) => self.distinct(e, a, b, false),
            A::IsNotDistinctFrom(a, b) => self.distinct(e, a, b, true),
            A::In {
                expr,
                target,
                negated,
                ..
            } => match target {
                ast::InTarget::List(list) => self.in_list(e, expr, list, *negated),
                ast::InTarget::Subquery(q) => {
                    let left = self.bind(expr)?;
                    let x = self.subquery_any(e, left, q, "=", false)?;
                    Ok(if *negated { Expr::Not(Box::new(x)) } else { x })
                }
                _ => Err(SqlError::unsupported("this form of IN is not supported")),
            },
            A::Between {
                expr,
                negated,
                low,
                high,
            } => {
                let (x1, x2) = (self.bind(expr)?, self.bind(expr)?);
                let (lo, hi) = (self.bind(low)?, self.bind(high)?);
                let pos = self.pos_of(e);
                if *negated {
                    let a = self.operator(pos, "<", x1, lo)?;
                    let b = self.operator(pos, ">", x2, hi)?;
                    Ok(Expr::Or(vec![a, b]))
                } else {
                    let a = self.operator(pos, ">=", x1, lo)?;
                    let b = self.operator(pos, "<=", x2, hi)?;
                    Ok(Expr::And(vec![a, b]))
                }
            }
            A::Like {
                negated,
                any,
                expr,
                pattern,
                escape_char,
            } => self.like(
                e,
                *negated,
                *any,
                expr,
                pattern,
                escape_char.as_deref(),
                false,
            ),
            A::ILike {
                negated,
                any,
                expr,
                pattern,
                escape_char,
            } => self.like(
                e,
                *negated,
                *any,
                expr,
                pattern,
                escape_char.as_deref(),
                true,
            ),
            A::AnyOp {
                left,
                compare_op,
                right,
                ..
            } => self.any_all(e, left, compare_op, right, false),
            A::AllOp {
                left,
                compare_op,
                right,
            } => self.any_all(e, left, compare_op, right, true),
            A::Function(f) => self.function(e, f),
            A::Case {
                operand,
                conditions,
                else_result,
                ..
            } => self.case(e, operand.as_deref(), conditions, else_result.as_deref()),
            A::Substring {
                expr,
                substring_from,
                substring_for,
                ..
            } => {
                let mut args = vec![self.bind(expr)?];
                match substring_from {
                    Some(f) => args.push(self.bind(f)?),
                    None => args.push(Expr::constant(Value::Int4(1), oid::INT4)),
                }
                if let Some(f) = substring_for {
                    args.push(self.bind(f)?);
                }
                self.call(e, "substring", args)
            }
            A::Position { expr, r#in } => {
                let args = vec![self.bind(expr)?, self.bind(r#in)?];
                self.call(e, "position", args)
            }
            A::Trim {
                trim_where,
                trim_what,
                expr,
                trim_characters,
            } => {
                let name = match trim_where {
                    Some(ast::TrimWhereField::Leading) => "ltrim",
                    Some(ast::TrimWhereField::Trailing) => "rtrim",
                    _ => "btrim",
                };
                let mut args = vec![self.bind(expr)?];
                if let Some(w) = trim_what {
                    args.push(self.bind(w)?);
                } else if let Some(chars) = trim_characters
                    && let Some(c) = chars.first()
                {
                    args.push(self.bind(c)?);
                }
                self.call(e, name, args)
            }
            A::Extract { field, expr, .. } => {
                let f = match field {
                    ast::DateTimeField::Custom(i) => i.value.to_lowercase(),
                    other => other.to_string().to_lowercase(),
                };
                let args = vec![Expr::constant(Value::Text(f), oid::TEXT), self.bind(expr)?];
                self.call(e, "extract", args)
            }
            A::Ceil { expr, field } | A::Floor { expr, field } => {
                if !matches!(
                    field,
                    ast::CeilFloorKind::DateTimeField(ast::DateTimeField::NoDateTime)
                ) {
                    return Err(SqlError::unsupported(
                        "CEIL/FLOOR with a field is not supported",
                    ));
                }
                let name = if matches!(e, A::Ceil { .. }) {
                    "ceil"
                } else {
                    "floor"
                };
                let args = vec![self.bind(expr)?];
                self.call(e, name, args)
            }
            A::Collate { expr, .. } => {
                // One collation ("C"): COLLATE is accepted and has no effect.
                self.bind(expr)
            }
            A::Array(arr) => self.array(e, &arr.elem),
            A::CompoundFieldAccess { root, access_chain } => {
                // PostgreSQL's grammar subscripts only a parenthesised
                // ARRAY[…] constructor.
                if let A::Array(_) = root.as_ref() {
                    return Err(
                        SqlError::syntax("syntax error at or near \"[\"").at(self.pos_of(e))
                    );
                }
                let mut x = self.bind(root)?;
                for acc in access_chain {
                    x = match acc {
                        ast::AccessExpr::Subscript(s) => self.subscript(e, x, s)?,
                        ast::AccessExpr::Dot(field) => self.field_select(e, x, field)?,
                    };
                }
                Ok(x)
            }
            A::Subquery(q) => {
                let (id, cols) = self.scope.bind_subquery(q, &mut *self.rebind())?;
                if cols.len() != 1 {
                    return Err(
                        SqlError::syntax("subquery must return only one column").at(self.pos_of(e))
                    );
                }
                Ok(Expr::Subquery {
                    id,
                    kind: SubqueryKind::Scalar,
                    ty: cols[0],
                })
            }
            A::Exists { subquery, negated } => {
                let (id, _) = self.scope.bind_subquery(subquery, &mut *self.rebind())?;
                let x = Expr::Subquery {
                    id,
                    kind: SubqueryKind::Exists,
                    ty: oid::BOOL,
                };
                Ok(if *negated { Expr::Not(Box::new(x)) } else { x })
            }
            A::AtTimeZone {
                timestamp,
                time_zone,
            } => {
                let args = vec![self.bind(time_zone)?, self.bind(timestamp)?];
                self.call(e, "timezone", args)
            }
            A::Overlay {
                expr,
                overlay_what,
                overlay_from,
                overlay_for,
            } => {
                let mut args = vec![
                    self.bind(expr)?,
                    self.bind(overlay_what)?,
                    self.bind(overlay_from)?,
                ];
                if let Some(f) = overlay_for {
                    args.push(self.bind(f)?);
                }
                self.call(e, "overlay", args)
            }
            A::SimilarTo {
                negated,
                expr,
                pattern,
                escape_char,
            } => {
                // PostgreSQL rewrites `x SIMILAR TO p` to
                // `x ~ similar_to_escape(p)`; so do we.
                let x = self.bind(expr)?;
                let mut pat = vec![self.bind(pattern)?];
                if let Some(esc) = escape_char {
                    pat.push(self.bind(esc)?);
                }
                let pos = self.pos_of(e);
                let re = self.call_pos(pos, "similar_to_escape", pat)?;
                self.operator(pos, if *negated { "!~" } else { "~" }, x, re)
            }
            A::Tuple(_) => Err(SqlError::unsupported(
                "row constructors are only supported in comparisons and IN",
            )
            .at(self.pos_of(e))),
            other => Err(
                SqlError::unsupported(format!("expression not supported: {other}"))
                    .at(self.pos_of(e)),
            ),
        }
    }

    /// The elements of a row constructor `(a, b, …)` or `ROW(a, b, …)`.
    fn row_items(e: &ast::Expr) -> Option<&[ast::Expr]> {
        match e {
            ast::Expr::Tuple(items) => Some(items),
            ast::Expr::Nested(inner) => Self::row_items(inner),
            _ => None,
        }
    }

    /// `(a, b) op (c, d)`: `=` and `<>` pairwise, the ordering operators
    /// lexicographically (the first unequal pair decides, as in
    /// PostgreSQL's row comparison).
    fn row_compare(
        &mut self,
        e: &ast::Expr,
        left: &[ast::Expr],
        sym: &str,
        right: &[ast::Expr],
    ) -> Result<Expr, SqlError> {
        let pos = self.pos_of(e);
        if left.len() != right.len() {
            return Err(SqlError::syntax("unequal number of entries in row expressions").at(pos));
        }
        let mut pairs = Vec::with_capacity(left.len());
        for (l, r) in left.iter().zip(right) {
            pairs.push((self.bind(l)?, self.bind(r)?));
        }
        match sym {
            "=" | "<>" => {
                let items = pairs
                    .into_iter()
                    .map(|(l, r)| self.operator(pos, sym, l, r))
                    .collect::<Result<Vec<_>, _>>()?;
                Ok(if sym == "=" {
                    Expr::And(items)
                } else {
                    Expr::Or(items)
                })
            }
            "<" | "<=" | ">" | ">=" => {
                let strict = &sym[..1];
                // Built from the last pair outwards:
                // l1 < r1 OR (l1 = r1 AND (l2 < r2 OR (…)))
                let mut acc: Option<Expr> = None;
                for (l, r) in pairs.into_iter().rev() {
                    let last = acc.is_none();
                    let cmp =
                        self.operator(pos, if last { sym } else { strict }, l.clone(), r.clone())?;
                    acc = Some(match acc {
                        None => cmp,
                        Some(rest) => {
                            let eq = self.operator(pos, "=", l, r)?;
                            Expr::Or(vec![cmp, Expr::And(vec![eq, rest])])
                        }
                    });
                }
                acc.ok_or_else(|| SqlError::unsupported("empty row comparison"))
            }
            _ => Err(SqlError::unsupported(format!(
                "operator {sym} is not supported for row expressions"
            ))
            .at(pos)),
        }
    }

    /// `(s1, e1) OVERLAPS (s2, e2)`; an interval end means `start + interval`.
    fn overlaps(
        &mut self,
        e: &ast::Expr,
        left: &ast::Expr,
        right: &ast::Expr,
    ) -> Result<Expr, SqlError> {
        let pos = self.pos_of(e);
        let (Some(l), Some(r)) = (Self::row_items(left), Self::row_items(right)) else {
            return Err(SqlError::syntax("syntax error at or near \"OVERLAPS\"").at(pos));
        };
        if l.len() != 2 {
            return Err(SqlError::syntax(
                "wrong number of parameters on left side of OVERLAPS expression",
            )
            .at(pos));
        }
        if r.len() != 2 {
            return Err(SqlError::syntax(
                "wrong number of parameters on right side of OVERLAPS expression",
            )
            .at(pos));
        }
        let mut args = Vec::with_capacity(4);
        for pair in [l, r] {
            let start = self.bind(&pair[0])?;
            let end = self.bind(&pair[1])?;
            let end = if end.ty() == oid::INTERVAL {
                self.operator(pos, "+", start.clone(), end)?
            } else {
                end
            };
            args.push(start);
            args.push(end);
        }
        self.call_pos(pos, "overlaps", args)
    }

    /// This binder, for a hook that binds with the statement's parameters.
    fn rebind(&mut self) -> &mut Binder<'a> {
        self
    }

    fn column(&mut self, qualifier: Option<&str>, id: &ast::Ident) -> Result<Expr, SqlError> {
        self.column_at(qualifier, id, self.position(id.span.start))
    }

    /// [`Binder::column`] reporting errors at `pos` (the start of a
    /// qualified name).
    fn column_at(
        &mut self,
        qualifier: Option<&str>,
        id: &ast::Ident,
        pos: Option<u32>,
    ) -> Result<Expr, SqlError> {
        let name = ident_name(id);
        if qualifier.is_none() && id.quote_style.is_none() {
            // SQL's function-like keywords written without parentheses.
            let f = match name.as_str() {
                "current_date" | "current_timestamp" | "localtimestamp" | "current_schema"
                | "current_catalog" => Some(name.as_str()),
                _ => None,
            };
            if let Some(f) = f {
                return self.call_pos(pos, f, Vec::new());
            }
        }
        match self.scope.resolve_column(qualifier, &name) {
            Ok((index, ty, typmod)) => Ok(Expr::Column { index, ty, typmod }),
            Err(err) if err.code == SqlState::UNDEFINED_COLUMN => {
                if qualifier.is_none()
                    && let Some(row) = self.scope.resolve_row(&name)?
                {
                    return Ok(row);
                }
                match self.scope.resolve_outer_column(qualifier, &name)? {
                    Some((level, index, ty, typmod)) => Ok(Expr::OuterColumn {
                        level,
                        index,
                        ty,
                        typmod,
                    }),
                    None => Err(err.at(pos)),
                }
            }
            Err(err) => Err(err.at(pos)),
        }
    }

    fn literal(&mut self, v: &ast::Value, e: &ast::Expr) -> Result<Expr, SqlError> {
        use ast::Value as V;
        Ok(match v {
            V::Number(s, _) => number_literal(s)?,
            V::SingleQuotedString(s)
            | V::EscapedStringLiteral(s)
            | V::NationalStringLiteral(s)
            | V::UnicodeStringLiteral(s)
            | V::DoubleQuotedString(s) => Expr::constant(Value::Text(s.clone()), oid::UNKNOWN),
            V::DollarQuotedString(d) => Expr::constant(Value::Text(d.value.clone()), oid::UNKNOWN),
            V::Boolean(b) => Expr::constant(Value::Bool(*b), oid::BOOL),
            V::Null => Expr::constant(Value::Null, oid::UNKNOWN),
            V::Placeholder(p) => {
                let n: usize = p
                    .strip_prefix('$')
                    .and_then(|d| d.parse().ok())
                    .filter(|n| *n >= 1)
                    .ok_or_else(|| {
                        SqlError::syntax(format!("syntax error at or near \"{p}\""))
                            .at(self.pos_of(e))
                    })?;
                if n > 65_535 {
                    return Err(SqlError::new(
                        SqlState::UNDEFINED_PARAMETER,
                        format!("there is no parameter ${n}"),
                    ));
                }
                let ty = self.params.get(n - 1);
                if ty == oid::UNKNOWN {
                    self.params.set(n - 1, oid::UNKNOWN);
                }
                Expr::Param { index: n - 1, ty }
            }
            other => {
                return Err(
                    SqlError::unsupported(format!("literal not supported: {other}"))
                        .at(self.pos_of(e)),
                );
            }
        })
    }

    /// Binds a cast. Errors get PostgreSQL's positions: a bad type name
    /// points at the type, a bad literal at the literal, an impossible cast
    /// at the cast; a value that fails to convert at run time (folded here)
    /// has none.
    fn cast(
        &mut self,
        inner: &ast::Expr,
        data_type: &DataType,
        op_pos: Option<u32>,
        type_pos: Option<u32>,
    ) -> Result<Expr, SqlError> {
        let (ty, typmod) = resolve_data_type(data_type).map_err(|err| err.at(type_pos))?;
        // ARRAY[]::int[]: the target gives the empty array its type.
        if let ast::Expr::Array(a) = inner
            && a.elem.is_empty()
        {
            if !is_array(ty) {
                return Err(SqlError::new(
                    SqlState::CANNOT_COERCE,
                    format!("cannot cast type {} to {}", "unknown[]", type_name(ty)),
                )
                .at(op_pos));
            }
            return Ok(Expr::Const {
                value: Value::Array(Array::new(elem(ty), Vec::new())),
                ty,
                typmod: -1,
            });
        }
        let x = self.bind(inner)?;
        let literal = x.ty() == oid::UNKNOWN && matches!(x, Expr::Const { .. });
        let literal_pos = self.pos_of(inner);
        self.coerce(x, ty, typmod, CastContext::Explicit)
            .map_err(|err| {
                if literal {
                    err.at(literal_pos)
                } else if err.code == SqlState::CANNOT_COERCE {
                    err.at(op_pos)
                } else {
                    err
                }
            })
    }

    fn is_null(&mut self, x: &ast::Expr, negated: bool) -> Result<Expr, SqlError> {
        let x = self.bind(x)?;
        Ok(Expr::IsNull {
            expr: Box::new(x),
            negated,
        })
    }

    fn is_bool(
        &mut self,
        x: &ast::Expr,
        value: Option<bool>,
        negated: bool,
        what: &str,
    ) -> Result<Expr, SqlError> {
        let b = self.bind(x)?;
        let b = self
            .coerce_bool(b, what)
            .map_err(|err| err.at(self.pos_of(x)))?;
        Ok(Expr::IsBool {
            expr: Box::new(b),
            value,
            negated,
        })
    }

    fn distinct(
        &mut self,
        e: &ast::Expr,
        a: &ast::Expr,
        b: &ast::Expr,
        negated: bool,
    ) -> Result<Expr, SqlError> {
        let (x, y) = (self.bind(a)?, self.bind(b)?);
        let eq = self.operator(self.pos_of(e), "=", x, y)?;
        Ok(Expr::Distinct {
            eq: Box::new(eq),
            negated,
        })
    }

    fn binary(
        &mut self,
        e: &ast::Expr,
        left: &ast::Expr,
        op: &BinaryOperator,
        right: &ast::Expr,
    ) -> Result<Expr, SqlError> {
        match op {
            BinaryOperator::And | BinaryOperator::Or => {
                let is_and = matches!(op, BinaryOperator::And);
                let what = if is_and { "AND" } else { "OR" };
                let l = self.bind(left)?;
                let l = self
                    .coerce_bool(l, what)
                    .map_err(|err| err.at(self.pos_of(left)))?;
                let r = self.bind(right)?;
                let r = self
                    .coerce_bool(r, what)
                    .map_err(|err| err.at(self.pos_of(right)))?;
                // Flatten chains: a AND b AND c is one node.
                let mut items = Vec::new();
                for x in [l, r] {
                    match (x, is_and) {
                        (Expr::And(v), true) | (Expr::Or(v), false) => items.extend(v),
                        (x, _) => items.push(x),
                    }
                }
                Ok(if is_and {
                    Expr::And(items)
                } else {
                    Expr::Or(items)
                })
            }
            BinaryOperator::Overlaps => self.overlaps(e, left, right),
            _ if Self::row_items(left).is_some() && Self::row_items(right).is_some() => {
                let sym = op_symbol(op).unwrap_or_default();
                let (l, r) = (
                    Self::row_items(left).unwrap_or_default(),
                    Self::row_items(right).unwrap_or_default(),
                );
                self.row_compare(e, l, &sym, r)
            }
            _ => {
                // Comparisons do not associate in PostgreSQL's grammar:
                // `1 = 1 = true` is a syntax error there.
                let is_cmp = |o: &BinaryOperator| {
                    use BinaryOperator::*;
                    matches!(o, Eq | NotEq | Lt | LtEq | Gt | GtEq)
                };
                if is_cmp(op)
                    && [left, right]
                        .iter()
                        .any(|s| matches!(s, ast::Expr::BinaryOp { op, .. } if is_cmp(op)))
                {
                    return Err(
                        SqlError::syntax(format!("syntax error at or near \"{op}\""))
                            .at(self.pos_of(e)),
                    );
                }
                let sym = op_symbol(op).ok_or_else(|| {
                    SqlError::unsupported(format!("operator not supported: {op}"))
                        .at(self.pos_of(e))
                })?;
                let (l, r) = (self.bind(left)?, self.bind(right)?);
                let pos = self.pos_after(left).or(self.pos_of(e));
                self.operator(pos, &sym, l, r)
            }
        }
    }

    fn unary(
        &mut self,
        e: &ast::Expr,
        op: &UnaryOperator,
        x: &ast::Expr,
    ) -> Result<Expr, SqlError> {
        let sym = match op {
            UnaryOperator::Not => {
                let b = self.bind(x)?;
                let b = self
                    .coerce_bool(b, "NOT")
                    .map_err(|err| err.at(self.pos_of(x)))?;
                return Ok(Expr::Not(Box::new(b)));
            }
            UnaryOperator::Minus => {
                // A negated numeric literal is one literal (-2147483648 is int4).
                if let ast::Expr::Value(v) = x
                    && let ast::Value::Number(s, _) = &v.value
                {
                    return number_literal(&format!("-{s}"));
                }
                "-"
            }
            UnaryOperator::Plus => "+",
            UnaryOperator::PGSquareRoot => "|/",
            UnaryOperator::PGCubeRoot => "||/",
            UnaryOperator::PGAbs => "@",
            UnaryOperator::BitwiseNot => "~",
            other => {
                return Err(
                    SqlError::unsupported(format!("operator not supported: {other}"))
                        .at(self.pos_of(e)),
                );
            }
        };
        let arg = self.bind(x)?;
        let pos = self.pos_before(x, sym.len()).or(self.pos_of(e));
        self.prefix(pos, sym, arg)
    }

    /// Resolves and builds `l sym r`.
    pub(crate) fn operator(
        &mut self,
        pos: Option<u32>,
        sym: &str,
        l: Expr,
        r: Expr,
    ) -> Result<Expr, SqlError> {
        let id = self.resolve_operator(pos, sym, l.ty(), r.ty())?;
        self.build_call(id, vec![l, r]).map_err(|err| err.at(pos))
    }

    fn resolve_operator(
        &mut self,
        pos: Option<u32>,
        sym: &str,
        lt: Oid,
        rt: Oid,
    ) -> Result<FuncId, SqlError> {
        let reg = registry();
        let cands = reg.candidates(sym, ProcKind::BinaryOperator);
        // binary_oper_exact: an unknown side is taken as the other side's type.
        let probe = match (lt, rt) {
            (oid::UNKNOWN, t) | (t, oid::UNKNOWN) if t != oid::UNKNOWN => Some((t, t)),
            _ => None,
        };
        if let Some((a, b)) = probe
            && let Some(id) = cands.iter().copied().find(|id| reg.get(*id).args == [a, b])
        {
            return Ok(id);
        }
        let desc = format!("{} {sym} {}", type_name(lt), type_name(rt));
        select_candidate(cands, &[lt, rt]).map_err(|why| operator_error(why, &desc).at(pos))
    }

    fn prefix(&mut self, pos: Option<u32>, sym: &str, x: Expr) -> Result<Expr, SqlError> {
        let cands = registry().candidates(sym, ProcKind::PrefixOperator);
        let desc = format!("{sym} {}", type_name(x.ty()));
        let id =
            select_candidate(cands, &[x.ty()]).map_err(|why| operator_error(why, &desc).at(pos))?;
        self.build_call(id, vec![x]).map_err(|err| err.at(pos))
    }

    /// Coerces arguments to a chosen proc's types and builds the call.
    fn build_call(&mut self, id: FuncId, args: Vec<Expr>) -> Result<Expr, SqlError> {
        let p = registry().get(id);
        let actual: Vec<Oid> = args.iter().map(Expr::ty).collect();
        let decl =
            declared_args(p, args.len()).ok_or_else(|| SqlError::internal("arity mismatch"))?;
        let poly = resolve_polymorphic(&actual, &decl)?;
        if decl.iter().chain([&p.ret]).any(|d| poly.unresolved(*d)) {
            return Err(SqlError::new(
                SqlState::DATATYPE_MISMATCH,
                "could not determine polymorphic type because input has type unknown",
            ));
        }
        let mut out = Vec::with_capacity(args.len());
        for (a, d) in args.into_iter().zip(decl) {
            let target = match d {
                oid::ANY => {
                    if a.ty() == oid::UNKNOWN {
                        oid::TEXT
                    } else {
                        a.ty()
                    }
                }
                d => poly.subst(d),
            };
            out.push(self.coerce(a, target, -1, CastContext::Implicit)?);
        }
        let ty = poly.subst(p.ret);
        Ok(Expr::Call {
            func: id,
            args: out,
            ty,
        })
    }

    fn call(&mut self, e: &ast::Expr, name: &str, args: Vec<Expr>) -> Result<Expr, SqlError> {
        let pos = self.pos_of(e);
        self.call_pos(pos, name, args)
    }

    /// Resolves and builds function call `name(args)`.
    pub(crate) fn call_pos(
        &mut self,
        pos: Option<u32>,
        name: &str,
        args: Vec<Expr>,
    ) -> Result<Expr, SqlError> {
        let reg = registry();
        let cands = reg.candidates(name, ProcKind::Function);
        let actual: Vec<Oid> = args.iter().map(Expr::ty).collect();
        let desc = format!(
            "{name}({})",
            actual
                .iter()
                .map(|t| type_name(*t))
                .collect::<Vec<_>>()
                .join(", ")
        );
        // `int4('5')`, `text(42)`: a type name called like a function is a cast.
        if cands.is_empty()
            && args.len() == 1
            && let Ok((ty, _)) = crate::sql::types::parse_type_name(name)
            && cast_context(actual[0], ty).is_some()
        {
            let mut args = args;
            return self
                .coerce(args.remove(0), ty, -1, CastContext::Explicit)
                .map_err(|err| err.at(pos));
        }
        let id = select_candidate(cands, &actual).map_err(|why| {
            match why {
                NoCandidate::None => SqlError::new(SqlState::UNDEFINED_FUNCTION, format!("function {desc} does not exist"))
                    .with_hint("No function matches the given name and argument types. You might need to add explicit type casts."),
                NoCandidate::Ambiguous => SqlError::new(SqlState::AMBIGUOUS_FUNCTION, format!("function {desc} is not unique"))
                    .with_hint("Could not choose a best candidate function. You might need to add explicit type casts."),
            }
            .at(pos)
        })?;
        self.build_call(id, args).map_err(|err| err.at(pos))
    }

    fn function(&mut self, e: &ast::Expr, f: &Function) -> Result<Expr, SqlError> {
        let parts: Vec<String> = f
            .name
            .0
            .iter()
            .map(|p| match p {
                ast::ObjectNamePart::Identifier(i) => ident_name(i),
                ast::ObjectNamePart::Function(fp) => fp.name.value.to_lowercase(),
            })
            .collect();
        let name = match parts.as_slice() {
            [n] => n.clone(),
            [schema, n] if schema == "pg_catalog" => n.clone(),
            _ => {
                return Err(SqlError::new(
                    SqlState::UNDEFINED_FUNCTION,
                    format!("function {} does not exist", f.name),
                )
                .at(self.pos_of(e)));
            }
        };
        if f.over.is_some() {
            return self.scope.bind_window(f, &mut *self.rebind());
        }
        let list = match &f.args {
            FunctionArguments::None => None,
            FunctionArguments::List(l) => Some(l),
            // ARRAY(SELECT …): the subquery's column as an array.
            FunctionArguments::Subquery(q) if name == "array" => {
                let (id, cols) = self.scope.bind_subquery(q, &mut *self.rebind())?;
                if cols.len() != 1 {
                    return Err(
                        SqlError::syntax("subquery must return only one column").at(self.pos_of(e))
                    );
                }
                let elem = if cols[0] == oid::UNKNOWN {
                    oid::TEXT
                } else {
                    cols[0]
                };
                if is_array(elem) {
                    return Err(SqlError::unsupported(
                        "ARRAY() of an array-valued subquery is not supported",
                    ));
                }
                return Ok(Expr::Subquery {
                    id,
                    kind: SubqueryKind::Array,
                    ty: array_of(elem),
                });
            }
            FunctionArguments::Subquery(_) => {
                return Err(SqlError::unsupported(
                    "subquery function arguments are not supported",
                ));
            }
        };
        let distinct = list.is_some_and(|l| l.duplicate_treatment.is_some());
        if AGGREGATES.contains(&name.as_str())
            || f.filter.is_some()
            || distinct
            || !f.within_group.is_empty()
        {
            return self.scope.bind_aggregate(f, &mut *self.rebind());
        }
        let mut args = Vec::new();
        if let Some(l) = list {
            if !l.clauses.is_empty() {
                return Err(SqlError::unsupported(
                    "function argument clauses are not supported",
                ));
            }
            if name == "make_interval" {
                return self.make_interval(e, &l.args);
            }
            for a in &l.args {
                match a {
                    FunctionArg::Unnamed(FunctionArgExpr::Expr(x)) => args.push(x),
                    _ => {
                        return Err(SqlError::unsupported(
                            "named or wildcard function arguments are not supported",
                        )
                        .at(self.pos_of(e)));
                    }
                }
            }
        }
        let pos = self.pos_of(e);
        match name.as_str() {
            "coalesce" | "greatest" | "least" => {
                if args.is_empty() {
                    return Err(SqlError::syntax("syntax error at or near \")\"").at(pos));
                }
                let what = name.to_uppercase();
                let bound = args
                    .iter()
                    .map(|a| self.bind(a))
                    .collect::<Result<Vec<_>, _>>()?;
                let (bound, ty) = self.unify(bound, &what).map_err(|err| err.at(pos))?;
                Ok(if name == "coalesce" {
                    Expr::Coalesce { args: bound, ty }
                } else {
                    Expr::MinMax {
                        args: bound,
                        greatest: name == "greatest",
                        ty,
                    }
                })
            }
            "nullif" if args.len() == 2 => {
                let (a, b) = (self.bind(args[0])?, self.bind(args[1])?);
                let value = a.clone();
                let eq = self.operator(pos, "=", a, b)?;
                let value = match &eq {
                    Expr::Call { args, .. } if value.ty() == oid::UNKNOWN => args[0].clone(),
                    _ => value,
                };
                Ok(Expr::NullIf {
                    eq: Box::new(eq),
                    value: Box::new(value),
                })
            }
            _ => {
                let bound = args
                    .iter()
                    .map(|a| self.bind(a))
                    .collect::<Result<Vec<_>, _>>()?;
                self.call_pos(pos, &name, bound)
            }
        }
    }

    /// `make_interval(years, months, weeks, days, hours, mins, secs)`: every
    /// argument has a default (0) and may be given by name (`days => 3`),
    /// so the call is completed to all seven before resolution.
    fn make_interval(&mut self, e: &ast::Expr, list: &[FunctionArg]) -> Result<Expr, SqlError> {
        const NAMES: [&str; 7] = ["years", "months", "weeks", "days", "hours", "mins", "secs"];
        let pos = self.pos_of(e);
        let mut slots: [Option<Expr>; 7] = Default::default();
        let mut named = false;
        let mut next = 0;
        for a in list {
            let (slot, x) = match a {
                FunctionArg::Unnamed(FunctionArgExpr::Expr(x)) if !named => {
                    next += 1;
                    (next - 1, x)
                }
                FunctionArg::Named {
                    name,
                    arg: FunctionArgExpr::Expr(x),
                    ..
                }
                | FunctionArg::ExprNamed {
                    name: ast::Expr::Identifier(name),
                    arg: FunctionArgExpr::Expr(x),
                    ..
                } => {
                    named = true;
                    let n = ident_name(name);
                    let Some(i) = NAMES.iter().position(|k| *k == n) else {
                        let x = self.bind(x)?;
                        return Err(SqlError::new(
                            SqlState::UNDEFINED_FUNCTION,
                            format!("function make_interval({n} => {}) does not exist", type_name(x.ty())),
                        )
                        .with_hint("No function matches the given name and argument types. You might need to add explicit type casts.")
                        .at(pos));
                    };
                    (i, x)
                }
                FunctionArg::Unnamed(_) if named => {
                    return Err(SqlError::syntax(
                        "positional argument cannot follow named argument",
                    )
                    .at(pos));
                }
                _ => {
                    return Err(SqlError::unsupported(
                        "this form of function argument is not supported",
                    )
                    .at(pos));
                }
            };
            if slot >= 7 {
                return self.call_pos(
                    pos,
                    "make_interval",
                    vec![Expr::constant(Value::Null, oid::UNKNOWN); 8],
                );
            }
            if slots[slot].is_some() {
                return Err(SqlError::syntax(format!(
                    "argument name \"{}\" used more than once",
                    NAMES[slot]
                ))
                .at(pos));
            }
            slots[slot] = Some(self.bind(x)?);
        }
        let args = slots
            .into_iter()
            .enumerate()
            .map(|(i, x)| {
                x.unwrap_or_else(|| {
                    if i == 6 {
                        Expr::constant(Value::Float8(0.0), oid::FLOAT8)
                    } else {
                        Expr::constant(Value::Int4(0), oid::INT4)
                    }
                })
            })
            .collect();
        self.call_pos(pos, "make_interval", args)
    }

    /// Coerces expressions to their common type (CASE, COALESCE, ARRAY, …).
    ///
    /// For the planner too: UNION branches and VALUES rows unify the same
    /// way (`what` names the construct in errors, e.g. `UNION`).
    pub fn unify(&mut self, xs: Vec<Expr>, what: &str) -> Result<(Vec<Expr>, Oid), SqlError> {
        let types: Vec<Oid> = xs.iter().map(Expr::ty).collect();
        let ty = common_type(&types, what)?;
        let mut out = Vec::with_capacity(xs.len());
        for x in xs {
            out.push(self.coerce(x, ty, -1, CastContext::Implicit)?);
        }
        Ok((out, ty))
    }

    fn case(
        &mut self,
        e: &ast::Expr,
        operand: Option<&ast::Expr>,
        conditions: &[ast::CaseWhen],
        else_result: Option<&ast::Expr>,
    ) -> Result<Expr, SqlError> {
        let pos = self.pos_of(e);
        let mut conds = Vec::new();
        let mut results = Vec::new();
        for w in conditions {
            let c = match operand {
                Some(op) => {
                    let (l, r) = (self.bind(op)?, self.bind(&w.condition)?);
                    self.operator(pos, "=", l, r)?
                }
                None => {
                    let c = self.bind(&w.condition)?;
                    self.coerce_bool(c, "CASE/WHEN")
                        .map_err(|err| err.at(self.pos_of(&w.condition)))?
                }
            };
            conds.push(c);
            results.push(self.bind(&w.result)?);
        }
        let has_else = else_result.is_some();
        if let Some(x) = else_result {
            results.push(self.bind(x)?);
        }
        // PostgreSQL unifies the ELSE branch first (it shows in messages).
        if has_else {
            results.rotate_right(1);
        }
        let (mut results, ty) = self.unify(results, "CASE").map_err(|err| err.at(pos))?;
        if has_else {
            results.rotate_left(1);
        }
        let else_expr = if has_else {
            results
                .pop()
                .unwrap_or_else(|| Expr::constant(Value::Null, ty))
        } else {
            Expr::constant(Value::Null, ty)
        };
        Ok(Expr::Case {
            whens: conds.into_iter().zip(results).collect(),
            else_result: Box::new(else_expr),
            ty,
        })
    }

    fn in_list(
        &mut self,
        e: &ast::Expr,
        x: &ast::Expr,
        list: &[ast::Expr],
        negated: bool,
    ) -> Result<Expr, SqlError> {
        let pos = self.pos_of(e);
        if let Some(l) = Self::row_items(x) {
            let mut eqs = Vec::with_capacity(list.len());
            for item in list {
                let r = Self::row_items(item).ok_or_else(|| {
                    SqlError::new(
                        SqlState::UNDEFINED_FUNCTION,
                        "operator does not exist: record = integer",
                    )
                    .at(pos)
                })?;
                eqs.push(self.row_compare(e, l, "=", r)?);
            }
            return Ok(Expr::InList { eqs, negated });
        }
        let left = self.bind(x)?;
        let items = list
            .iter()
            .map(|i| self.bind(i))
            .collect::<Result<Vec<_>, _>>()?;
        let mut all = vec![left.ty()];
        all.extend(items.iter().map(Expr::ty));
        let mut eqs = Vec::with_capacity(items.len());
        if let Ok(ty) = common_type(&all, "IN") {
            // One comparison type for all, like PostgreSQL's ScalarArrayOpExpr.
            let l = self.coerce(left, ty, -1, CastContext::Implicit)?;
            for i in items {
                let i = self.coerce(i, ty, -1, CastContext::Implicit)?;
                eqs.push(self.operator(pos, "=", l.clone(), i)?);
            }
        } else {
            for i in items {
                eqs.push(self.operator(pos, "=", left.clone(), i)?);
            }
        }
        Ok(Expr::InList { eqs, negated })
    }

    #[allow(clippy::too_many_arguments)]
    fn like(
        &mut self,
        e: &ast::Expr,
        negated: bool,
        any: bool,
        x: &ast::Expr,
        pattern: &ast::Expr,
        escape: Option<&ast::Expr>,
        ci: bool,
    ) -> Result<Expr, SqlError> {
        // `x LIKE ALL (array)` reaches us as a call of a function "all".
        if let ast::Expr::Function(f) = pattern
            && let [ast::ObjectNamePart::Identifier(id)] = f.name.0.as_slice()
            && id.quote_style.is_none()
            && matches!(id.value.to_lowercase().as_str(), "all" | "any" | "some")
            && let FunctionArguments::List(l) = &f.args
            && let [FunctionArg::Unnamed(FunctionArgExpr::Expr(arr))] = l.args.as_slice()
            && escape.is_none()
        {
            let sym = match (ci, negated) {
                (false, false) => "~~",
                (false, true) => "!~~",
                (true, false) => "~~*",
                (true, true) => "!~~*",
            };
            let all = id.value.eq_ignore_ascii_case("all");
            return self.any_all_sym(e, x, sym, arr, all);
        }
        if any {
            if escape.is_some() {
                return Err(SqlError::unsupported("LIKE ANY … ESCAPE is not supported"));
            }
            let sym = match (ci, negated) {
                (false, false) => "~~",
                (false, true) => "!~~",
                (true, false) => "~~*",
                (true, true) => "!~~*",
            };
            return self.any_all_sym(e, x, sym, pattern, false);
        }
        let pos = self.pos_after(x).or(self.pos_of(e));
        let (l, r) = (self.bind(x)?, self.bind(pattern)?);
        match escape {
            None => {
                let sym = match (ci, negated) {
                    (false, false) => "~~",
                    (false, true) => "!~~",
                    (true, false) => "~~*",
                    (true, true) => "!~~*",
                };
                self.operator(pos, sym, l, r)
            }
            Some(esc) => {
                let esc = self.bind(esc)?;
                let name = match (ci, negated) {
                    (false, false) => "like",
                    (false, true) => "notlike",
                    (true, false) => "ilike",
                    (true, true) => "notilike",
                };
                self.call_pos(pos, name, vec![l, r, esc])
            }
        }
    }

    fn any_all(
        &mut self,
        e: &ast::Expr,
        left: &ast::Expr,
        op: &BinaryOperator,
        right: &ast::Expr,
        all: bool,
    ) -> Result<Expr, SqlError> {
        let sym = op_symbol(op)
            .ok_or_else(|| SqlError::unsupported(format!("operator not supported: {op}")))?;
        self.any_all_sym(e, left, &sym, right, all)
    }

    fn any_all_sym(
        &mut self,
        e: &ast::Expr,
        left: &ast::Expr,
        sym: &str,
        right: &ast::Expr,
        all: bool,
    ) -> Result<Expr, SqlError> {
        let pos = self.pos_after(left).or(self.pos_of(e));
        let l = self.bind(left)?;
        let inner = match right {
            ast::Expr::Nested(x) => x.as_ref(),
            x => x,
        };
        if let ast::Expr::Subquery(q) = inner {
            return self.subquery_any(e, l, q, sym, all);
        }
        let mut r = self.bind(right)?;
        if r.ty() == oid::UNKNOWN {
            let at = if l.ty() == oid::UNKNOWN {
                oid::TEXT_ARRAY
            } else {
                array_of(l.ty())
            };
            r = self.coerce(r, at, -1, CastContext::Implicit)?;
        }
        if !is_array(r.ty()) {
            return Err(SqlError::new(
                SqlState::WRONG_OBJECT_TYPE,
                "op ANY/ALL (array) requires array on right side",
            )
            .at(pos));
        }
        let et = elem(r.ty());
        let id = self.resolve_operator(pos, sym, l.ty(), et)?;
        let p = registry().get(id);
        if p.ret != oid::BOOL {
            return Err(SqlError::new(
                SqlState::WRONG_OBJECT_TYPE,
                "op ANY/ALL (array) requires operator to yield boolean",
            )
            .at(pos));
        }
        let decl = p.args.clone();
        let poly = resolve_polymorphic(&[l.ty(), et], &decl)?;
        let l = self.coerce(l, poly.subst(decl[0]), -1, CastContext::Implicit)?;
        let r = self.coerce(r, array_of(poly.subst(decl[1])), -1, CastContext::Implicit)?;
        Ok(Expr::AnyAll {
            left: Box::new(l),
            array: Box::new(r),
            func: id,
            all,
        })
    }

    fn subquery_any(
        &mut self,
        e: &ast::Expr,
        left: Expr,
        q: &ast::Query,
        sym: &str,
        all: bool,
    ) -> Result<Expr, SqlError> {
        let pos = self.pos_of(e);
        let (id, cols) = self.scope.bind_subquery(q, &mut *self.rebind())?;
        if cols.len() != 1 {
            return Err(SqlError::syntax("subquery has too many columns").at(pos));
        }
        let func = self.resolve_operator(pos, sym, left.ty(), cols[0])?;
        let decl = registry().get(func).args.clone();
        let poly = resolve_polymorphic(&[left.ty(), cols[0]], &decl)?;
        let left = self.coerce(left, poly.subst(decl[0]), -1, CastContext::Implicit)?;
        Ok(Expr::Subquery {
            id,
            kind: SubqueryKind::AnyAll {
                left: Box::new(left),
                func,
                all,
            },
            ty: oid::BOOL,
        })
    }

    fn array(&mut self, e: &ast::Expr, elems: &[ast::Expr]) -> Result<Expr, SqlError> {
        if elems.is_empty() {
            return Err(SqlError::new(
                SqlState::INDETERMINATE_DATATYPE,
                "cannot determine type of empty array",
            )
            .with_hint("Explicitly cast to the desired type, for example ARRAY[]::integer[].")
            .at(self.pos_of(e)));
        }
        let bound = elems
            .iter()
            .map(|x| self.bind(x))
            .collect::<Result<Vec<_>, _>>()?;
        let (bound, ty) = self
            .unify(bound, "ARRAY")
            .map_err(|err| err.at(self.pos_of(e)))?;
        // `ARRAY[ARRAY[1,2], ARRAY[3,4]]` (or `ARRAY[[1,2],[3,4]]`) is an
        // int4[] of two dimensions: the elements' own array type.
        if is_array(ty) {
            return Ok(Expr::Array { elems: bound, ty });
        }
        let at = array_of(ty);
        if at == 0 {
            return Err(SqlError::new(
                SqlState::UNDEFINED_OBJECT,
                format!("could not find array type for data type {}", type_name(ty)),
            ));
        }
        Ok(Expr::Array {
            elems: bound,
            ty: at,
        })
    }

    /// `(x).field`: a field of a `record` whose fields its typmod names
    /// (`super::record`), as PostgreSQL's column notation.
    fn field_select(
        &mut self,
        e: &ast::Expr,
        x: Expr,
        field: &ast::Expr,
    ) -> Result<Expr, SqlError> {
        let pos = self.pos_of(e);
        let ast::Expr::Identifier(id) = field else {
            return Err(SqlError::unsupported("field selection needs a field name").at(pos));
        };
        let name = crate::sql::plan::query::ident(id);
        if x.ty() != oid::RECORD {
            return Err(SqlError::new(
                SqlState::WRONG_OBJECT_TYPE,
                format!(
                    "column notation .{name} applied to type {}, which is not a composite type",
                    type_name(x.ty())
                ),
            )
            .at(pos));
        }
        let fields = super::record::fields(x.typmod()).unwrap_or_default();
        let Some(index) = fields.iter().position(|(n, _)| *n == name) else {
            return Err(SqlError::new(
                SqlState::UNDEFINED_COLUMN,
                format!("could not identify column \"{name}\" in record data type"),
            )
            .at(pos));
        };
        Ok(Expr::FieldSelect {
            ty: fields[index].1,
            expr: Box::new(x),
            index,
        })
    }

    fn subscript(&mut self, e: &ast::Expr, x: Expr, s: &ast::Subscript) -> Result<Expr, SqlError> {
        let pos = self.pos_of(e);
        let at = x.ty();
        if !is_array(at) {
            return Err(SqlError::new(
                SqlState::DATATYPE_MISMATCH,
                format!(
                    "cannot subscript type {} because it does not support subscripting",
                    type_name(at)
                ),
            )
            .at(pos));
        }
        let int = |b: &mut Binder<'a>, i: &ast::Expr| -> Result<Box<Expr>, SqlError> {
            let v = b.bind(i)?;
            let v = b
                .coerce(v, oid::INT4, -1, CastContext::Assignment)
                .map_err(|_| {
                    SqlError::new(
                        SqlState::DATATYPE_MISMATCH,
                        "array subscript must have type integer",
                    )
                    .at(pos)
                })?;
            Ok(Box::new(v))
        };
        Ok(match s {
            ast::Subscript::Index { index } => {
                let i = int(self, index)?;
                Expr::Subscript {
                    array: Box::new(x),
                    index: Some(i),
                    upper: None,
                    slice: false,
                    ty: elem(at),
                }
            }
            ast::Subscript::Slice {
                lower_bound,
                upper_bound,
                stride,
            } => {
                if stride.is_some() {
                    return Err(SqlError::unsupported(
                        "array slice strides are not supported",
                    ));
                }
                let lo = lower_bound.as_ref().map(|l| int(self, l)).transpose()?;
                let hi = upper_bound.as_ref().map(|u| int(self, u)).transpose()?;
                Expr::Subscript {
                    array: Box::new(x),
                    index: lo,
                    upper: hi,
                    slice: true,
                    ty: at,
                }
            }
        })
    }
}

/// The error for an operator without a unique match.
fn operator_error(why: NoCandidate, desc: &str) -> SqlError {
    match why {
        NoCandidate::None => SqlError::new(SqlState::UNDEFINED_FUNCTION, format!("operator does not exist: {desc}"))
            .with_hint("No operator matches the given name and argument types. You might need to add explicit type casts."),
        NoCandidate::Ambiguous => SqlError::new(SqlState::AMBIGUOUS_FUNCTION, format!("operator is not unique: {desc}"))
            .with_hint("Could not choose a best candidate operator. You might need to add explicit type casts."),
    }
}

/// A numeric literal typed as PostgreSQL types it: int4, else int8, else
/// numeric; anything with a point or exponent is numeric.
fn number_literal(s: &str) -> Result<Expr, SqlError> {
    let plain = s.trim_start_matches('-');
    if plain.bytes().all(|c| c.is_ascii_digit() || c == b'_') {
        let digits: String = s.chars().filter(|c| *c != '_').collect();
        if let Ok(v) = digits.parse::<i32>() {
            return Ok(Expr::constant(Value::Int4(v), oid::INT4));
        }
        if let Ok(v) = digits.parse::<i64>() {
            return Ok(Expr::constant(Value::Int8(v), oid::INT8));
        }
    }
    let n = s
        .parse::<twill_types::Numeric>()
        .map_err(|_| SqlError::syntax(format!("syntax error at or near \"{s}\"")))?;
    Ok(Expr::constant(Value::Numeric(n), oid::NUMERIC))
}

#[cfg(test)]
mod tests {
    use super::*;
    use sqlparser::dialect::PostgreSqlDialect;
    use sqlparser::parser::Parser;

    fn parse(sql: &str) -> ast::Expr {
        Parser::new(&PostgreSqlDialect {})
            .try_with_sql(sql)
            .and_then(|mut p| p.parse_expr())
            .unwrap()
    }

    /// A scope with int4 column `a` (0) and int2 column `s` (1).
    struct Cols;
    impl Scope for Cols {
        fn resolve_column(
            &self,
            _: Option<&str>,
            name: &str,
        ) -> Result<(usize, Oid, i32), SqlError> {
            match name {
                "a" => Ok((0, oid::INT4, -1)),
                "s" => Ok((1, oid::INT2, -1)),
                _ => NoColumns.resolve_column(None, name),
            }
        }
    }

    fn eval(sql: &str) -> Result<Value, SqlError> {
        let mut b = Binder::new(&Cols).with_source(sql);
        let x = b.bind_value(&parse(sql))?;
        x.eval(&EvalContext::new(), &[Value::Int4(7), Value::Int2(3)])
    }

    #[test]
    fn params_are_inferred() {
        let mut b = Binder::new(&Cols);
        b.bind(&parse("a = $1 and s = $2 and $3::int8 > 0"))
            .unwrap();
        b.bind_value(&parse("$4")).unwrap();
        assert_eq!(
            b.params.finish(),
            vec![oid::INT4, oid::INT2, oid::INT8, oid::TEXT]
        );
        let err = Binder::new(&Cols).bind(&parse("$1 + $2")).unwrap_err();
        assert_eq!(err.code, SqlState::AMBIGUOUS_FUNCTION);
        assert_eq!(err.message, "operator is not unique: unknown + unknown");
    }

    #[test]
    fn declared_int2_param_against_int4_column() {
        // psycopg sends Python ints as int2 when they fit.
        let mut b = Binder::new(&Cols).with_params(ParamTypes::new(&[oid::INT2]));
        let x = b.bind(&parse("a = $1")).unwrap();
        assert_eq!(b.params.finish(), vec![oid::INT2]);
        let ctx = EvalContext {
            params: vec![Value::Int2(7)],
            ..EvalContext::new()
        };
        assert_eq!(
            x.eval(&ctx, &[Value::Int4(7), Value::Int2(0)]).unwrap(),
            Value::Bool(true)
        );
        // An unknown parameter cast to int4 is int4.
        let mut b = Binder::new(&Cols);
        b.bind(&parse("$1::int")).unwrap();
        assert_eq!(b.params.finish(), vec![oid::INT4]);
    }

    #[test]
    fn columns_and_errors() {
        assert_eq!(eval("a + s").unwrap(), Value::Int4(10));
        assert_eq!(eval("s = 3").unwrap(), Value::Bool(true));
        let err = eval("a + true").unwrap_err();
        assert_eq!(err.message, "operator does not exist: integer + boolean");
        let err = eval("1 + nope").unwrap_err();
        assert_eq!(err.message, "column \"nope\" does not exist");
        assert_eq!(err.position, Some(5));
        let err = eval("foo(1)").unwrap_err();
        assert_eq!(err.message, "function foo(integer) does not exist");
    }
}
