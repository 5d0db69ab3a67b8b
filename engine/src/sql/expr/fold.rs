//! Pre-evaluating what does not depend on the row.
//!
//! `WHERE created > now() - interval '1 day'` compares every row with the
//! same value; computing it once per execution instead of once per row is
//! both faster and what PostgreSQL's semantics promise (a stable function
//! gives one answer within a statement). [`Expr::fold`] replaces every
//! maximal subtree that reads no column, no hook value and calls nothing
//! volatile by its value.
//!
//! A subtree whose evaluation fails is left as it is: the error then
//! happens only if evaluation reaches it, so `CASE WHEN x > 0 THEN 1/0
//! END` does not fail for rows where `x <= 0`. (PostgreSQL's planner may
//! raise such errors early; never raising one that evaluation would not is
//! the safer side.)

use super::functions::{Volatility, registry};
use super::{EvalContext, Expr, SubqueryKind};

impl Expr {
    /// The subexpressions, in evaluation order.
    pub fn children(&self) -> Vec<&Expr> {
        match self {
            Expr::Const { .. }
            | Expr::Column { .. }
            | Expr::OuterColumn { .. }
            | Expr::Param { .. }
            | Expr::Aggregate { .. }
            | Expr::Window { .. } => Vec::new(),
            Expr::Call { args, .. }
            | Expr::And(args)
            | Expr::Or(args)
            | Expr::Coalesce { args, .. }
            | Expr::MinMax { args, .. }
            | Expr::InList { eqs: args, .. }
            | Expr::Array { elems: args, .. } => args.iter().collect(),
            Expr::Row { fields } => fields.iter().map(|(_, x)| x).collect(),
            Expr::Cast { expr, .. }
            | Expr::FieldSelect { expr, .. }
            | Expr::Not(expr)
            | Expr::IsNull { expr, .. }
            | Expr::IsBool { expr, .. }
            | Expr::Distinct { eq: expr, .. } => vec![expr],
            Expr::NullIf { eq, value } => vec![eq, value],
            Expr::Case {
                whens, else_result, ..
            } => whens
                .iter()
                .flat_map(|(c, r)| [c, r])
                .chain([else_result.as_ref()])
                .collect(),
            Expr::AnyAll { left, array, .. } => vec![left, array],
            Expr::Subscript {
                array,
                index,
                upper,
                ..
            } => [Some(array), index.as_ref(), upper.as_ref()]
                .into_iter()
                .flatten()
                .map(|b| b.as_ref())
                .collect(),
            Expr::Subquery { kind, .. } => match kind {
                SubqueryKind::AnyAll { left, .. } => vec![left],
                _ => Vec::new(),
            },
        }
    }

    /// The subexpressions, mutably.
    pub(crate) fn children_mut(&mut self) -> Vec<&mut Expr> {
        match self {
            Expr::Const { .. }
            | Expr::Column { .. }
            | Expr::OuterColumn { .. }
            | Expr::Param { .. }
            | Expr::Aggregate { .. }
            | Expr::Window { .. } => Vec::new(),
            Expr::Call { args, .. }
            | Expr::And(args)
            | Expr::Or(args)
            | Expr::Coalesce { args, .. }
            | Expr::MinMax { args, .. }
            | Expr::InList { eqs: args, .. }
            | Expr::Array { elems: args, .. } => args.iter_mut().collect(),
            Expr::Row { fields } => fields.iter_mut().map(|(_, x)| x).collect(),
            Expr::Cast { expr, .. }
            | Expr::FieldSelect { expr, .. }
            | Expr::Not(expr)
            | Expr::IsNull { expr, .. }
            | Expr::IsBool { expr, .. }
            | Expr::Distinct { eq: expr, .. } => vec![expr],
            Expr::NullIf { eq, value } => vec![eq, value],
            Expr::Case {
                whens, else_result, ..
            } => whens
                .iter_mut()
                .flat_map(|(c, r)| [c, r])
                .chain([else_result.as_mut()])
                .collect(),
            Expr::AnyAll { left, array, .. } => vec![left, array],
            Expr::Subscript {
                array,
                index,
                upper,
                ..
            } => [Some(array), index.as_mut(), upper.as_mut()]
                .into_iter()
                .flatten()
                .map(|b| b.as_mut())
                .collect(),
            Expr::Subquery { kind, .. } => match kind {
                SubqueryKind::AnyAll { left, .. } => vec![left],
                _ => Vec::new(),
            },
        }
    }

    /// Rewrites top-down: where `f` returns a replacement the node is
    /// replaced (and not descended into); elsewhere its children are visited.
    pub(crate) fn rewrite(
        &mut self,
        f: &mut dyn FnMut(&Expr) -> Result<Option<Expr>, crate::sql::SqlError>,
    ) -> Result<(), crate::sql::SqlError> {
        if let Some(new) = f(self)? {
            *self = new;
            return Ok(());
        }
        for c in self.children_mut() {
            c.rewrite(f)?;
        }
        Ok(())
    }

    /// Calls `f` on every node, parents first.
    pub(crate) fn walk(&self, f: &mut dyn FnMut(&Expr)) {
        f(self);
        for c in self.children() {
            c.walk(f);
        }
    }

    /// Whether any `Column` node satisfies `pred`.
    pub(crate) fn any_column(&self, pred: &dyn Fn(usize) -> bool) -> bool {
        let mut hit = false;
        self.walk(&mut |x| {
            if let Expr::Column { index, .. } = x {
                hit |= pred(*index);
            }
        });
        hit
    }

    /// Shifts every `Column` index by `delta` (join inputs).
    pub(crate) fn shift_columns(mut self, delta: isize) -> Expr {
        let _ = self.rewrite(&mut |x| {
            Ok(match x {
                Expr::Column { index, ty, typmod } => Some(Expr::Column {
                    index: (*index as isize + delta) as usize,
                    ty: *ty,
                    typmod: *typmod,
                }),
                _ => None,
            })
        });
        self
    }

    /// The most volatile function this expression calls. Subqueries count
    /// as volatile (their rows are the planner's business).
    pub fn volatility(&self) -> Volatility {
        let own = match self {
            Expr::Call { func, .. } => registry().get(*func).volatility,
            Expr::AnyAll { func, .. } => registry().get(*func).volatility,
            Expr::Subquery { .. } => Volatility::Volatile,
            _ => Volatility::Immutable,
        };
        self.children()
            .into_iter()
            .map(Expr::volatility)
            .fold(own, |a, b| match (a, b) {
                (Volatility::Volatile, _) | (_, Volatility::Volatile) => Volatility::Volatile,
                (Volatility::Stable, _) | (_, Volatility::Stable) => Volatility::Stable,
                _ => Volatility::Immutable,
            })
    }

    /// Whether the value is the same for every row of one execution: no
    /// column, outer column, subquery, aggregate or window value, and
    /// nothing volatile.
    pub fn is_row_independent(&self) -> bool {
        let own = !matches!(
            self,
            Expr::Column { .. }
                | Expr::OuterColumn { .. }
                | Expr::Subquery { .. }
                | Expr::Aggregate { .. }
                | Expr::Window { .. }
        );
        own && self.volatility() != Volatility::Volatile
            && self.children().into_iter().all(Expr::is_row_independent)
    }

    /// Replaces every maximal row-independent subtree by its value,
    /// evaluated once in `ctx` (see the module docs for errors).
    pub fn fold(mut self, ctx: &EvalContext<'_>) -> Expr {
        self.fold_in_place(ctx);
        self
    }

    fn fold_in_place(&mut self, ctx: &EvalContext<'_>) {
        if matches!(self, Expr::Const { .. }) {
            return;
        }
        if self.is_row_independent()
            && let Ok(value) = self.eval(ctx, &[])
        {
            *self = Expr::Const {
                value,
                ty: self.ty(),
                typmod: self.typmod(),
            };
            return;
        }
        for c in self.children_mut() {
            c.fold_in_place(ctx);
        }
    }
}

#[cfg(test)]
mod tests {
    use sqlparser::dialect::PostgreSqlDialect;
    use sqlparser::parser::Parser;
    use twill_types::{Oid, Value, oid};

    use super::*;
    use crate::sql::error::SqlError;
    use crate::sql::expr::bind::{Binder, NoColumns, Scope};

    struct X;
    impl Scope for X {
        fn resolve_column(&self, q: Option<&str>, n: &str) -> Result<(usize, Oid, i32), SqlError> {
            if n == "x" {
                Ok((0, oid::INT4, -1))
            } else {
                NoColumns.resolve_column(q, n)
            }
        }
    }

    fn bind(sql: &str) -> Expr {
        let ast = Parser::new(&PostgreSqlDialect {})
            .try_with_sql(sql)
            .and_then(|mut p| p.parse_expr())
            .unwrap();
        Binder::new(&X).bind_value(&ast).unwrap()
    }

    #[test]
    fn folds_stable_keeps_volatile_and_rows() {
        let ctx = EvalContext::new();
        let e = bind("x + (2 * 3)").fold(&ctx);
        let Expr::Call { args, .. } = &e else {
            panic!("{e:?}")
        };
        assert!(matches!(
            args[1],
            Expr::Const {
                value: Value::Int4(6),
                ..
            }
        ));
        assert!(matches!(
            bind("now() - interval '1 day'").fold(&ctx),
            Expr::Const { .. }
        ));
        assert_eq!(bind("random()").volatility(), Volatility::Volatile);
        assert!(!matches!(
            bind("random() + 1").fold(&ctx),
            Expr::Const { .. }
        ));
        // A failing constant stays unevaluated until reached.
        let e = bind("CASE WHEN x > 0 THEN 1 / 0 ELSE 2 END").fold(&ctx);
        assert_eq!(e.eval(&ctx, &[Value::Int4(-1)]).unwrap(), Value::Int4(2));
    }
}
