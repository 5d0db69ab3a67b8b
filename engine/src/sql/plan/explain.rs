//! EXPLAIN: the plan tree as text, in PostgreSQL's shape.
//!
//! Node names follow PostgreSQL's (`Seq Scan on t`, `Index Scan using
//! t_pkey on t`, `Hash Join`, `HashAggregate`, …) so a reader who knows
//! PostgreSQL's plans can read ours. We print no cost estimates — the
//! planner has no cost model, it picks access paths by rule — and no
//! expressions, only which relation, which index and what kind of join.

use super::{Access, JoinKind, Plan, SetOpKind, SubPlan};
use crate::sql::catalog::split_key;

/// The lines of EXPLAIN's output.
pub(crate) fn explain(plan: &Plan, subplans: &[SubPlan]) -> Vec<String> {
    let mut out = Vec::new();
    node(plan, 0, &mut out);
    for (i, sub) in subplans.iter().enumerate() {
        out.push(format!(
            "SubPlan {}{}",
            i + 1,
            if sub.correlated { "" } else { " (once)" }
        ));
        node(&sub.plan, 1, &mut out);
    }
    out
}

fn push(out: &mut Vec<String>, depth: usize, text: &str) {
    if depth == 0 {
        out.push(text.to_owned());
    } else {
        out.push(format!("{}->  {text}", " ".repeat(depth * 6 - 4)));
    }
}

fn detail(out: &mut Vec<String>, depth: usize, text: &str) {
    let pad = if depth == 0 { 2 } else { depth * 6 + 2 };
    out.push(format!("{}{text}", " ".repeat(pad)));
}

fn node(plan: &Plan, depth: usize, out: &mut Vec<String>) {
    match plan {
        Plan::OneRow => push(out, depth, "Result"),
        Plan::Empty => {
            push(out, depth, "Result");
            detail(out, depth, "One-Time Filter: false");
        }
        Plan::Values { rows } => push(
            out,
            depth,
            &format!("Values Scan on \"*VALUES*\" ({} rows)", rows.len()),
        ),
        Plan::Scan(scan) => {
            let table = split_key(&scan.def.name).1;
            let pk = scan.def.primary_key_name();
            let (text, cond) = match &scan.access {
                Access::Full => (format!("Seq Scan on {table}"), None),
                Access::KeyEq(_) => (
                    format!("Index Scan using {pk} on {table}"),
                    Some("Index Cond: key equality"),
                ),
                Access::KeyRange { .. } => (
                    format!("Index Scan using {pk} on {table}"),
                    Some("Index Cond: key range"),
                ),
                Access::IndexEq { index, .. } => (
                    format!(
                        "Index Scan using {} on {table}",
                        scan.def.indexes[*index].name
                    ),
                    Some("Index Cond: key equality"),
                ),
                Access::IndexRange { index, .. } => (
                    format!(
                        "Index Scan using {} on {table}",
                        scan.def.indexes[*index].name
                    ),
                    Some("Index Cond: key range"),
                ),
            };
            let text = if scan.reverse {
                text.replace("Index Scan", "Index Scan Backward")
            } else {
                text
            };
            if scan.lock.is_some() {
                push(out, depth, "LockRows");
                push(out, depth + 1, &text);
                if let Some(c) = cond {
                    detail(out, depth + 1, c);
                }
                if scan.filter.is_some() {
                    detail(out, depth + 1, "Filter: (WHERE)");
                }
                return;
            }
            push(out, depth, &text);
            if let Some(c) = cond {
                detail(out, depth, c);
            }
            if scan.filter.is_some() {
                detail(out, depth, "Filter: (WHERE)");
            }
        }
        Plan::Function { func, .. } => push(out, depth, &format!("Function Scan ({func:?})")),
        Plan::Filter { input, .. } => {
            // PostgreSQL folds filters into the node below; so do we.
            let before = out.len();
            node(input, depth, out);
            if out.len() > before {
                detail(out, depth, "Filter: (condition)");
            }
        }
        Plan::Project { input, .. } => node(input, depth, out),
        Plan::ProjectSet { input, .. } => {
            push(out, depth, "ProjectSet");
            node(input, depth + 1, out);
        }
        Plan::Join {
            kind,
            left,
            right,
            hash_keys,
            lateral,
            ..
        } => {
            let k = match kind {
                JoinKind::Inner => "",
                JoinKind::Left => "Left ",
                JoinKind::Right => "Right ",
                JoinKind::Full => "Full ",
            };
            if !hash_keys.is_empty() {
                push(out, depth, &format!("Hash {k}Join"));
                detail(
                    out,
                    depth,
                    &format!("Hash Cond: {} key(s)", hash_keys.len()),
                );
                node(left, depth + 1, out);
                push(out, depth + 1, "Hash");
                node(right, depth + 2, out);
            } else {
                let name = if *lateral {
                    "Nested Loop (lateral)"
                } else {
                    "Nested Loop"
                };
                push(
                    out,
                    depth,
                    &format!(
                        "{name}{}",
                        if k.is_empty() {
                            String::new()
                        } else {
                            format!(" {}", k.trim())
                        }
                    ),
                );
                node(left, depth + 1, out);
                node(right, depth + 1, out);
            }
        }
        Plan::Aggregate { input, group, .. } => {
            push(
                out,
                depth,
                if group.is_empty() {
                    "Aggregate"
                } else {
                    "HashAggregate"
                },
            );
            node(input, depth + 1, out);
        }
        Plan::Window { input, .. } => {
            push(out, depth, "WindowAgg");
            node(input, depth + 1, out);
        }
        Plan::Sort { input, keys } => {
            push(out, depth, "Sort");
            detail(out, depth, &format!("Sort Key: {} key(s)", keys.len()));
            node(input, depth + 1, out);
        }
        Plan::Limit { input, .. } => {
            push(out, depth, "Limit");
            node(input, depth + 1, out);
        }
        Plan::Distinct { input, on } => {
            push(
                out,
                depth,
                if on.is_some() {
                    "Unique"
                } else {
                    "HashAggregate (DISTINCT)"
                },
            );
            node(input, depth + 1, out);
        }
        Plan::SetOp {
            kind,
            all,
            left,
            right,
        } => {
            let name = match (kind, all) {
                (SetOpKind::Union, true) => "Append",
                (SetOpKind::Union, false) => "HashAggregate (UNION)",
                (SetOpKind::Intersect, _) => "HashSetOp Intersect",
                (SetOpKind::Except, _) => "HashSetOp Except",
            };
            push(out, depth, name);
            node(left, depth + 1, out);
            node(right, depth + 1, out);
        }
        Plan::CteScan { id } => push(out, depth, &format!("CTE Scan (SubPlan {})", id + 1)),
        Plan::WorkTable { .. } => push(out, depth, "WorkTable Scan"),
        Plan::System { table, relation } => {
            let how = if relation.is_some() {
                "Relation Scan"
            } else {
                "Seq Scan"
            };
            push(out, depth, &format!("{how} on {}", table.name()))
        }
        Plan::Recursive { base, step, .. } => {
            push(out, depth, "Recursive Union");
            node(base, depth + 1, out);
            node(step, depth + 1, out);
        }
    }
}
