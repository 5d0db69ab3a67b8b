//! Access paths: using WHERE and ON conjuncts to read fewer rows.
//!
//! A conjunct `pk = <value>` (a value fixed for the execution: a constant,
//! a parameter, a stable function) turns a full scan into a point lookup;
//! `pk < v`, `pk >= v`, … into a range scan; equality on every column of a
//! secondary index into an index lookup. Conjuncts that read one side of
//! a join only move below it, and `left = right` equalities become hash
//! join keys. Pushed-down conjuncts also stay in the scan's filter, so an
//! access path only ever narrows what is read — it never decides the answer.
//! The same holds for the per-relation catalogs (pg_class, pg_attribute,
//! pg_index, pg_constraint, pg_attrdef): `oid = <value>` on their relation
//! column computes the rows of that one relation instead of every one.

use twill_types::{Oid, oid};

use super::{Access, JoinKind, Plan, ScanPlan};
use crate::sql::expr::functions::ProcKind;
use crate::sql::expr::{Expr, Volatility, registry};

/// Splits a condition into its AND-ed parts.
pub(crate) fn conjuncts(x: Expr, out: &mut Vec<Expr>) {
    match x {
        Expr::And(parts) => {
            for p in parts {
                conjuncts(p, out);
            }
        }
        x => out.push(x),
    }
}

/// ANDs parts back together.
pub(crate) fn and_all(mut parts: Vec<Expr>) -> Option<Expr> {
    match parts.len() {
        0 => None,
        1 => parts.pop(),
        _ => Some(Expr::And(parts)),
    }
}

/// A comparison operator call: (symbol, left, right).
fn comparison(x: &Expr) -> Option<(&'static str, &Expr, &Expr)> {
    let Expr::Call { func, args, .. } = x else {
        return None;
    };
    let p = registry().get(*func);
    if p.kind != ProcKind::BinaryOperator || args.len() != 2 {
        return None;
    }
    match p.name {
        "=" | "<" | "<=" | ">" | ">=" => Some((p.name, &args[0], &args[1])),
        _ => None,
    }
}

/// Whether values of these two types encode to equal keys when equal.
fn key_compatible(a: Oid, b: Oid) -> bool {
    let int = |t| matches!(t, oid::INT2 | oid::INT4 | oid::INT8);
    let text = |t| matches!(t, oid::TEXT | oid::VARCHAR | oid::NAME);
    let plain = |t| {
        matches!(
            t,
            oid::BOOL
                | oid::FLOAT8
                | oid::DATE
                | oid::TIMESTAMP
                | oid::TIMESTAMPTZ
                | oid::UUID
                | oid::BYTEA
                | oid::OID
                | oid::TIME
        )
    };
    (int(a) && int(b)) || (text(a) && text(b)) || (a == b && plain(a))
}

/// Fixed for one execution: no row columns, nothing volatile.
fn fixed(x: &Expr) -> bool {
    x.is_row_independent() && x.volatility() != Volatility::Volatile
}

/// A bare column reference's index and type.
fn column(x: &Expr) -> Option<(usize, Oid)> {
    match x {
        Expr::Column { index, ty, .. } => Some((*index, *ty)),
        _ => None,
    }
}

/// `col op value` normalised so the column is on the left.
fn column_comparison(x: &Expr) -> Option<(usize, &'static str, Expr)> {
    let (op, l, r) = comparison(x)?;
    if let Some((i, ty)) = column(l)
        && fixed(r)
        && key_compatible(ty, r.ty())
    {
        return Some((i, op, r.clone()));
    }
    if let Some((i, ty)) = column(r)
        && fixed(l)
        && key_compatible(ty, l.ty())
    {
        let flipped = match op {
            "<" => ">",
            "<=" => ">=",
            ">" => "<",
            ">=" => "<=",
            o => o,
        };
        return Some((i, flipped, l.clone()));
    }
    None
}

/// Chooses an access path for a scan from its conjuncts.
fn choose_access(scan: &ScanPlan, parts: &[Expr]) -> Access {
    let comparisons: Vec<(usize, &str, Expr)> =
        parts.iter().filter_map(column_comparison).collect();
    let eq = |col: usize| {
        comparisons
            .iter()
            .find(|(c, op, _)| *c == col && *op == "=")
            .map(|(_, _, v)| v.clone())
    };
    if let Some(pk) = &scan.def.primary_key
        && let Some(values) = pk.iter().map(|&c| eq(c)).collect::<Option<Vec<_>>>()
    {
        return Access::KeyEq(values);
    }
    for (i, index) in scan.def.indexes.iter().enumerate() {
        if let Some(values) = index
            .columns
            .iter()
            .map(|&c| eq(c))
            .collect::<Option<Vec<_>>>()
        {
            return Access::IndexEq { index: i, values };
        }
    }
    let range = |col: usize| {
        let mut lower = None;
        let mut upper = None;
        for (c, op, v) in &comparisons {
            if *c != col {
                continue;
            }
            match *op {
                ">" => lower = Some((v.clone(), false)),
                ">=" => lower = Some((v.clone(), true)),
                "<" => upper = Some((v.clone(), false)),
                "<=" => upper = Some((v.clone(), true)),
                _ => {}
            }
        }
        (lower, upper)
    };
    if let Some(pk) = &scan.def.primary_key
        && pk.len() == 1
    {
        let (lower, upper) = range(pk[0]);
        if lower.is_some() || upper.is_some() {
            return Access::KeyRange { lower, upper };
        }
    }
    for (i, index) in scan.def.indexes.iter().enumerate() {
        if index.columns.len() == 1 {
            let (lower, upper) = range(index.columns[0]);
            if lower.is_some() || upper.is_some() {
                return Access::IndexRange {
                    index: i,
                    lower,
                    upper,
                };
            }
        }
    }
    Access::Full
}

/// Puts a WHERE predicate over `plan` as low as it can go.
pub(crate) fn push_filter(plan: Plan, predicate: Expr) -> Plan {
    let mut parts = Vec::new();
    conjuncts(predicate, &mut parts);
    let implied = implied_equalities(&parts);
    parts.extend(implied);
    push_parts(plan, parts)
}

/// `a = <value> AND a = b` implies `b = <value>` (for columns of one type,
/// where `=` is transitive): the implied conjunct can narrow `b`'s side of
/// a join too, as psql's `\d` needs for `c.oid = '16390' AND c.oid =
/// i.indrelid`. Implied conjuncts only repeat what the others say, so
/// adding them never changes the answer.
fn implied_equalities(parts: &[Expr]) -> Vec<Expr> {
    let fixed_eq: Vec<(usize, &Expr)> = parts
        .iter()
        .filter_map(|p| match comparison(p) {
            Some(("=", l, r)) if column(l).is_some() && fixed(r) => Some((column(l)?.0, p)),
            Some(("=", l, r)) if column(r).is_some() && fixed(l) => Some((column(r)?.0, p)),
            _ => None,
        })
        .collect();
    let mut out = Vec::new();
    for p in parts {
        let Some(("=", l, r)) = comparison(p) else {
            continue;
        };
        let (Some((a, ta)), Some((b, tb))) = (column(l), column(r)) else {
            continue;
        };
        if ta != tb || a == b {
            continue;
        }
        for (col, eq) in &fixed_eq {
            let (from, to) = match *col {
                c if c == a => (a, r),
                c if c == b => (b, l),
                _ => continue,
            };
            if fixed_eq
                .iter()
                .any(|(c, _)| Some(*c) == column(to).map(|x| x.0))
            {
                continue;
            }
            let mut implied = (*eq).clone();
            let _ = implied.rewrite(&mut |x| {
                Ok(matches!(x, Expr::Column { index, .. } if *index == from).then(|| to.clone()))
            });
            out.push(implied);
        }
    }
    out
}

fn push_parts(plan: Plan, parts: Vec<Expr>) -> Plan {
    if parts.is_empty() {
        return plan;
    }
    match plan {
        Plan::System {
            table,
            relation: None,
        } if table.relation_column().is_some() => {
            let col = table.relation_column();
            let relation = parts
                .iter()
                .filter_map(column_comparison)
                .find(|(c, op, _)| Some(*c) == col && *op == "=")
                .map(|(_, _, v)| v);
            let system = Plan::System { table, relation };
            match and_all(parts) {
                Some(predicate) => Plan::Filter {
                    input: Box::new(system),
                    predicate,
                },
                None => system,
            }
        }
        Plan::Scan(mut scan) if scan.filter.is_none() => {
            scan.access = choose_access(&scan, &parts);
            scan.filter = and_all(parts);
            Plan::Scan(scan)
        }
        Plan::Join {
            kind: kind @ (JoinKind::Inner | JoinKind::Left),
            left,
            right,
            left_width,
            right_width,
            mut hash_keys,
            condition,
            lateral,
        } => {
            let mut to_left = Vec::new();
            let mut to_right = Vec::new();
            let mut rest = Vec::new();
            for p in parts {
                let volatile = p.volatility() == Volatility::Volatile || has_hooks(&p);
                let reads_left = p.any_column(&|i| i < left_width);
                let reads_right = p.any_column(&|i| i >= left_width);
                if volatile {
                    rest.push(p);
                } else if !reads_right {
                    to_left.push(p);
                } else if !reads_left && kind == JoinKind::Inner && !lateral {
                    to_right.push(p.shift_columns(-(left_width as isize)));
                } else if kind == JoinKind::Inner && !lateral {
                    let (keys, residual) = split_hash_keys(Some(p), left_width);
                    hash_keys.extend(keys);
                    rest.extend(residual);
                } else {
                    rest.push(p);
                }
            }
            let (condition, rest) = if kind == JoinKind::Inner {
                let mut all = Vec::new();
                if let Some(c) = condition {
                    conjuncts(c, &mut all);
                }
                all.extend(rest);
                (and_all(all), Vec::new())
            } else {
                (condition, rest)
            };
            let join = Plan::Join {
                kind,
                left: Box::new(push_parts(*left, to_left)),
                right: Box::new(push_parts(*right, to_right)),
                left_width,
                right_width,
                hash_keys,
                condition,
                lateral,
            };
            match and_all(rest) {
                Some(predicate) => Plan::Filter {
                    input: Box::new(join),
                    predicate,
                },
                None => join,
            }
        }
        plan => match and_all(parts) {
            Some(predicate) => Plan::Filter {
                input: Box::new(plan),
                predicate,
            },
            None => plan,
        },
    }
}

/// Whether an expression needs planner values (subqueries, outer columns):
/// such conjuncts stay where they were bound.
fn has_hooks(x: &Expr) -> bool {
    let mut hit = false;
    x.walk(&mut |e| {
        hit |= matches!(
            e,
            Expr::Subquery { .. }
                | Expr::OuterColumn { .. }
                | Expr::Aggregate { .. }
                | Expr::Window { .. }
        );
    });
    hit
}

/// Splits a join condition into hash keys (left expr, right expr over the
/// right row) and the residual condition.
pub(crate) fn split_hash_keys(
    condition: Option<Expr>,
    left_width: usize,
) -> (Vec<(Expr, Expr)>, Option<Expr>) {
    let Some(condition) = condition else {
        return (Vec::new(), None);
    };
    let mut parts = Vec::new();
    conjuncts(condition, &mut parts);
    let mut keys = Vec::new();
    let mut rest = Vec::new();
    for p in parts {
        let key = match comparison(&p) {
            Some(("=", l, r)) if !has_hooks(&p) && p.volatility() != Volatility::Volatile => {
                let side = |x: &Expr| {
                    let left = x.any_column(&|i| i < left_width);
                    let right = x.any_column(&|i| i >= left_width);
                    (left, right)
                };
                match (side(l), side(r)) {
                    ((true, false), (false, true)) if key_compatible(l.ty(), r.ty()) => {
                        Some((l.clone(), r.clone().shift_columns(-(left_width as isize))))
                    }
                    ((false, true), (true, false)) if key_compatible(l.ty(), r.ty()) => {
                        Some((r.clone(), l.clone().shift_columns(-(left_width as isize))))
                    }
                    _ => None,
                }
            }
            _ => None,
        };
        match key {
            Some(k) => keys.push(k),
            None => rest.push(p),
        }
    }
    (keys, and_all(rest))
}
