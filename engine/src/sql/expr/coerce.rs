//! PostgreSQL's type rules: which casts exist in which context, type
//! categories and preferred types, and the choice among overloaded
//! candidates.
//!
//! PostgreSQL decides `int2col = $1`, `'5' + 1` and `COALESCE(1, 2.5)` not
//! by special cases but by three tables — `pg_cast.castcontext`
//! (implicit / assignment / explicit), `pg_type.typcategory` and
//! `typispreferred` — and one algorithm (`func_select_candidate`, chapter
//! 10 of its manual). We keep the tables here as code and follow the
//! algorithm step by step, so the same queries resolve to the same
//! operators and fail with the same errors:
//!
//! ```text
//!   candidates ─▶ arity + implicit coercibility ─▶ most exact matches
//!              ─▶ most preferred types where coercion is needed
//!              ─▶ unknown literals: string category wins, else the one category
//!              ─▶ unknowns take the type of the known arguments ─▶ else ambiguous
//! ```

use twill_types::{Oid, Type, oid};

use super::functions::{FuncId, Proc, registry};
use crate::sql::error::SqlError;
use crate::sql::types::type_name;

/// The context a coercion happens in; each allows the casts of the ones
/// before it (`pg_cast.castcontext`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum CastContext {
    /// Silently, while resolving an expression (`i`).
    Implicit,
    /// Storing into a column (`a`).
    Assignment,
    /// Only when written as `CAST`/`::` (`e`).
    Explicit,
}

/// `pg_type.typcategory`, with `unknown` in category `X`.
pub(crate) fn category(ty: Oid) -> char {
    Type::by_oid(ty).map_or('U', |t| t.category)
}

/// `pg_type.typispreferred`.
pub(crate) fn is_preferred(ty: Oid) -> bool {
    matches!(
        ty,
        oid::FLOAT8 | oid::OID | oid::TEXT | oid::TIMESTAMPTZ | oid::INTERVAL | oid::BOOL
    )
}

/// Whether `ty` is one of the string types that text I/O casts target.
pub(crate) fn is_string(ty: Oid) -> bool {
    matches!(ty, oid::TEXT | oid::VARCHAR | oid::BPCHAR | oid::NAME)
}

/// The least context in which a value of type `from` can be cast to `to`,
/// or None when no cast exists.
pub(crate) fn cast_context(from: Oid, to: Oid) -> Option<CastContext> {
    use CastContext::*;
    if from == to || from == oid::UNKNOWN {
        return Some(Implicit);
    }
    let rank = |t: Oid| match t {
        oid::INT2 => Some(0),
        oid::INT4 => Some(1),
        oid::INT8 => Some(2),
        oid::NUMERIC => Some(3),
        oid::FLOAT4 => Some(4),
        oid::FLOAT8 => Some(5),
        _ => None,
    };
    if let (Some(a), Some(b)) = (rank(from), rank(to)) {
        return Some(if a < b { Implicit } else { Assignment });
    }
    let reg = |t: Oid| {
        matches!(
            t,
            oid::OID
                | oid::REGCLASS
                | oid::REGTYPE
                | oid::REGPROC
                | oid::REGPROCEDURE
                | oid::REGNAMESPACE
        )
    };
    Some(match (from, to) {
        // binary-coercible string types
        (oid::VARCHAR | oid::BPCHAR | oid::NAME | oid::CHAR, oid::TEXT) => Implicit,
        (oid::TEXT | oid::BPCHAR | oid::NAME, oid::VARCHAR) => Implicit,
        (oid::TEXT | oid::VARCHAR | oid::NAME, oid::BPCHAR) => Implicit,
        (oid::TEXT | oid::VARCHAR | oid::BPCHAR, oid::NAME) => Implicit,
        (oid::TEXT | oid::VARCHAR | oid::BPCHAR, oid::CHAR) => Assignment,
        (oid::CHAR, oid::VARCHAR | oid::BPCHAR) => Assignment,
        (oid::INT4, oid::CHAR) | (oid::CHAR, oid::INT4) => Explicit,
        // oid and its aliases
        (oid::INT2 | oid::INT4 | oid::INT8, t) if reg(t) => Implicit,
        (f, t) if reg(f) && reg(t) => Implicit,
        (f, oid::INT8 | oid::INT4) if reg(f) => Assignment,
        // booleans
        (oid::INT4, oid::BOOL) | (oid::BOOL, oid::INT4) => Explicit,
        // date/time
        (oid::DATE, oid::TIMESTAMP | oid::TIMESTAMPTZ) => Implicit,
        (oid::TIMESTAMP, oid::TIMESTAMPTZ) => Implicit,
        (oid::TIMESTAMPTZ, oid::TIMESTAMP) => Assignment,
        (oid::TIMESTAMP | oid::TIMESTAMPTZ, oid::DATE | oid::TIME) => Assignment,
        (oid::TIME, oid::INTERVAL) => Implicit,
        (oid::INTERVAL, oid::TIME) => Assignment,
        // json
        (oid::JSON, oid::JSONB) | (oid::JSONB, oid::JSON) => Assignment,
        (
            oid::JSONB,
            oid::BOOL
            | oid::NUMERIC
            | oid::INT2
            | oid::INT4
            | oid::INT8
            | oid::FLOAT4
            | oid::FLOAT8,
        ) => Explicit,
        // arrays: element-wise
        (f, t) if is_array(f) && is_array(t) => {
            let (fe, te) = (elem(f), elem(t));
            if fe == te {
                Implicit
            } else {
                cast_context(fe, te)?
            }
        }
        // I/O conversion casts: to a string type by assignment, from one
        // only explicitly.
        (_, t) if is_string(t) => Assignment,
        (f, _) if is_string(f) => Explicit,
        _ => return None,
    })
}

/// Whether `ty` is a (true) array type.
pub(crate) fn is_array(ty: Oid) -> bool {
    Type::by_oid(ty).is_some_and(|t| t.category == 'A' && t.elem != 0)
}

/// The element type of an array type (0 when not an array).
pub(crate) fn elem(ty: Oid) -> Oid {
    Type::by_oid(ty)
        .filter(|t| t.category == 'A')
        .map_or(0, |t| t.elem)
}

/// The array type of an element type (0 when there is none).
pub(crate) fn array_of(ty: Oid) -> Oid {
    Type::by_oid(ty).map_or(0, |t| t.array)
}

/// Whether a value of type `from` may be implicitly coerced to `to`
/// (`can_coerce_type` with COERCION_IMPLICIT), pseudo-types included.
pub(crate) fn can_coerce_implicit(from: Oid, to: Oid) -> bool {
    if from == to || from == oid::UNKNOWN || to == oid::ANY {
        return true;
    }
    match to {
        oid::ANYELEMENT | ANYCOMPATIBLE => true,
        oid::ANYNONARRAY => !is_array(from),
        oid::ANYARRAY | ANYCOMPATIBLEARRAY => is_array(from),
        _ => cast_context(from, to) == Some(CastContext::Implicit),
    }
}

/// PostgreSQL's `select_common_type`: the type CASE branches, COALESCE
/// arguments, ARRAY elements and IN lists are unified to. `what` names the
/// construct for the error (`CASE`, `COALESCE`, …).
pub(crate) fn common_type(types: &[Oid], what: &str) -> Result<Oid, SqlError> {
    let mut ptype = oid::UNKNOWN;
    for &t in types {
        if t == oid::UNKNOWN {
            continue;
        }
        if ptype == oid::UNKNOWN {
            ptype = t;
            continue;
        }
        if t == ptype {
            continue;
        }
        if category(t) != category(ptype) {
            return Err(SqlError::new(
                twill_types::SqlState::DATATYPE_MISMATCH,
                format!(
                    "{what} types {} and {} cannot be matched",
                    type_name(ptype),
                    type_name(t)
                ),
            ));
        }
        if !is_preferred(ptype)
            && (is_preferred(t)
                || (can_coerce_implicit(ptype, t) && !can_coerce_implicit(t, ptype)))
        {
            ptype = t;
        }
    }
    if ptype == oid::UNKNOWN {
        return Ok(oid::TEXT);
    }
    for &t in types {
        if !can_coerce_implicit(t, ptype) {
            return Err(SqlError::new(
                twill_types::SqlState::DATATYPE_MISMATCH,
                format!(
                    "{what} could not convert type {} to {}",
                    type_name(t),
                    type_name(ptype)
                ),
            ));
        }
    }
    Ok(ptype)
}

/// The declared argument types of `p` for `n` actual arguments (variadic
/// expansion), or None when the count does not fit.
pub(crate) fn declared_args(p: &Proc, n: usize) -> Option<Vec<Oid>> {
    if p.variadic {
        let fixed = p.args.len() - 1;
        if n < fixed + 1 {
            // A variadic parameter takes at least one argument.
            return None;
        }
        let mut v = p.args[..fixed].to_vec();
        v.resize(n, p.args[fixed]);
        Some(v)
    } else if p.args.len() == n {
        Some(p.args.clone())
    } else {
        None
    }
}

/// Why no single candidate was chosen.
pub(crate) enum NoCandidate {
    /// Nothing matched.
    None,
    /// More than one matched equally well.
    Ambiguous,
}

/// PostgreSQL's `func_select_candidate` over `candidates` for arguments of
/// types `actual` (`unknown` for untyped literals and parameters).
pub(crate) fn select_candidate(
    candidates: &[FuncId],
    actual: &[Oid],
) -> Result<FuncId, NoCandidate> {
    let reg = registry();
    // Arity and implicit coercibility (polymorphic arguments must agree).
    let mut cands: Vec<(FuncId, Vec<Oid>)> = candidates
        .iter()
        .filter_map(|&id| {
            let decl = declared_args(reg.get(id), actual.len())?;
            let ok = actual
                .iter()
                .zip(&decl)
                .all(|(&a, &d)| can_coerce_implicit(a, d))
                && polymorphic_consistent(actual, &decl);
            ok.then_some((id, decl))
        })
        .collect();
    if cands.is_empty() {
        return Err(NoCandidate::None);
    }
    // An exact match wins outright.
    if let Some((id, _)) = cands.iter().find(|(_, d)| d.as_slice() == actual) {
        return Ok(*id);
    }
    if cands.len() == 1 {
        return Ok(cands[0].0);
    }
    // Most exact matches on known argument types.
    let exact = |d: &[Oid]| {
        actual
            .iter()
            .zip(d)
            .filter(|(a, d)| **a != oid::UNKNOWN && a == d)
            .count()
    };
    keep_max(&mut cands, |d| exact(d));
    if cands.len() == 1 {
        return Ok(cands[0].0);
    }
    // Most preferred types where coercion is needed.
    keep_max(&mut cands, |d| {
        actual
            .iter()
            .zip(d)
            .filter(|(a, d)| **a != oid::UNKNOWN && a != d && is_preferred(**d))
            .count()
    });
    if cands.len() == 1 {
        return Ok(cands[0].0);
    }
    // Unknown arguments: pick a category per position.
    if actual.contains(&oid::UNKNOWN) {
        let mut resolved = true;
        let mut keep = vec![true; cands.len()];
        for (i, _) in actual
            .iter()
            .enumerate()
            .filter(|(_, a)| **a == oid::UNKNOWN)
        {
            let cats: Vec<char> = cands.iter().map(|(_, d)| decl_category(d[i])).collect();
            let chosen = if cats.contains(&'S') {
                'S'
            } else if cats.iter().all(|c| *c == cats[0]) {
                cats[0]
            } else {
                resolved = false;
                break;
            };
            let has_preferred = cands
                .iter()
                .any(|(_, d)| decl_category(d[i]) == chosen && is_preferred(d[i]));
            for (k, (_, d)) in cands.iter().enumerate() {
                if decl_category(d[i]) != chosen || (has_preferred && !is_preferred(d[i])) {
                    keep[k] = false;
                }
            }
        }
        if resolved && keep.iter().any(|k| *k) {
            let mut k = keep.iter();
            cands.retain(|_| *k.next().unwrap_or(&false));
            if cands.len() == 1 {
                return Ok(cands[0].0);
            }
        }
        // Unknowns take the type of the known arguments, if they agree.
        let known: Vec<Oid> = actual
            .iter()
            .copied()
            .filter(|a| *a != oid::UNKNOWN)
            .collect();
        if let Some(&t) = known.first()
            && known.iter().all(|k| *k == t)
        {
            let fit: Vec<&(FuncId, Vec<Oid>)> = cands
                .iter()
                .filter(|(_, d)| {
                    let substituted: Vec<Oid> = actual
                        .iter()
                        .map(|a| if *a == oid::UNKNOWN { t } else { *a })
                        .collect();
                    substituted
                        .iter()
                        .zip(d)
                        .all(|(a, d)| can_coerce_implicit(*a, *d))
                        && polymorphic_consistent(&substituted, d)
                })
                .collect();
            if fit.len() == 1 {
                return Ok(fit[0].0);
            }
        }
    }
    Err(NoCandidate::Ambiguous)
}

/// The category a declared type stands for at an unknown argument.
fn decl_category(d: Oid) -> char {
    match d {
        oid::ANYARRAY
        | oid::ANYELEMENT
        | oid::ANY
        | oid::ANYNONARRAY
        | ANYCOMPATIBLE
        | ANYCOMPATIBLEARRAY => 'P',
        _ => category(d),
    }
}

/// Keeps the candidates scoring highest.
fn keep_max(cands: &mut Vec<(FuncId, Vec<Oid>)>, score: impl Fn(&[Oid]) -> usize) {
    let best = cands.iter().map(|(_, d)| score(d)).max().unwrap_or(0);
    cands.retain(|(_, d)| score(d) == best);
}

/// Whether the `anyelement`/`anyarray` arguments agree on one element type.
fn polymorphic_consistent(actual: &[Oid], decl: &[Oid]) -> bool {
    resolve_polymorphic(actual, decl).is_ok()
}

/// PostgreSQL's `anycompatible` pseudo-type (not in twill-types' table).
pub(crate) const ANYCOMPATIBLE: Oid = 5077;
/// PostgreSQL's `anycompatiblearray` pseudo-type.
pub(crate) const ANYCOMPATIBLEARRAY: Oid = 5078;

/// The element types a call's polymorphic arguments resolve to: one for
/// the `anyelement`/`anyarray` family (which must agree exactly) and one
/// for the `anycompatible` family (unified to a common type). `unknown`
/// where only unknowns (or nothing) fed a family.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Poly {
    strict: Oid,
    compat: Oid,
}

impl Poly {
    /// The concrete type for a declared (possibly polymorphic) type.
    pub(crate) fn subst(&self, d: Oid) -> Oid {
        match d {
            oid::ANYELEMENT | oid::ANYNONARRAY => self.strict,
            oid::ANYARRAY => array_of(self.strict),
            ANYCOMPATIBLE => self.compat,
            ANYCOMPATIBLEARRAY => array_of(self.compat),
            d => d,
        }
    }

    /// Whether a declared type needs a family that stayed unresolved.
    pub(crate) fn unresolved(&self, d: Oid) -> bool {
        match d {
            oid::ANYELEMENT | oid::ANYNONARRAY | oid::ANYARRAY => self.strict == oid::UNKNOWN,
            ANYCOMPATIBLE | ANYCOMPATIBLEARRAY => self.compat == oid::UNKNOWN,
            _ => false,
        }
    }
}

/// Resolves a call's polymorphic argument types (PostgreSQL's
/// `enforce_generic_type_consistency`).
pub(crate) fn resolve_polymorphic(actual: &[Oid], decl: &[Oid]) -> Result<Poly, SqlError> {
    let mut strict = oid::UNKNOWN;
    let mut compat = Vec::new();
    for (&a, &d) in actual.iter().zip(decl) {
        if a == oid::UNKNOWN {
            continue;
        }
        let e = match d {
            oid::ANYELEMENT | oid::ANYNONARRAY => a,
            oid::ANYARRAY => elem(a),
            ANYCOMPATIBLE => {
                compat.push(a);
                continue;
            }
            ANYCOMPATIBLEARRAY => {
                compat.push(elem(a));
                continue;
            }
            _ => continue,
        };
        if strict != oid::UNKNOWN && strict != e {
            return Err(SqlError::new(
                twill_types::SqlState::DATATYPE_MISMATCH,
                format!(
                    "arguments declared \"anyelement\" are not all alike ({} versus {})",
                    type_name(strict),
                    type_name(e)
                ),
            ));
        }
        strict = e;
    }
    let compat = if compat.is_empty() {
        oid::UNKNOWN
    } else {
        common_type(&compat, "argument")?
    };
    Ok(Poly { strict, compat })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn casts_and_common_types() {
        assert_eq!(
            cast_context(oid::INT2, oid::INT4),
            Some(CastContext::Implicit)
        );
        assert_eq!(
            cast_context(oid::INT8, oid::INT4),
            Some(CastContext::Assignment)
        );
        assert_eq!(
            cast_context(oid::INT4, oid::TEXT),
            Some(CastContext::Assignment)
        );
        assert_eq!(
            cast_context(oid::TEXT, oid::INT4),
            Some(CastContext::Explicit)
        );
        assert_eq!(cast_context(oid::BOOL, oid::DATE), None);
        assert_eq!(
            common_type(&[oid::INT4, oid::NUMERIC], "CASE").unwrap(),
            oid::NUMERIC
        );
        assert_eq!(
            common_type(&[oid::UNKNOWN, oid::UNKNOWN], "CASE").unwrap(),
            oid::TEXT
        );
        assert_eq!(
            common_type(&[oid::INT4, oid::BOOL], "CASE")
                .unwrap_err()
                .message,
            "CASE types integer and boolean cannot be matched"
        );
    }
}
