//! The operators every type has — comparison, arithmetic — and the
//! functions that belong to no other area (uuid, random, bit operations).
//!
//! The operator signatures mirror `pg_operator`: integer widths mix
//! (`int2 + int4 → int4`, `int4 = int8`), floats mix among themselves,
//! numeric only with numeric (the binder casts integers up, as PostgreSQL's
//! implicit casts do), and dates compare with timestamps. Getting the set
//! right matters as much as the implementations: PostgreSQL's candidate
//! rules pick among exactly these, so a missing or extra entry changes
//! which operator `int2col = 1.5` resolves to.

use twill_types::{Oid, Value, oid};

use super::{Builder, FnCtx, int_arg};
use crate::sql::error::SqlError;
use crate::sql::expr::ops;

fn gen_random_uuid(_: &FnCtx<'_, '_>, _: &[Value]) -> Result<Value, SqlError> {
    let mut b = [0u8; 16];
    for x in &mut b {
        *x = fastrand::u8(..);
    }
    // Version 4, variant 10.
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    Ok(Value::Uuid(b))
}

/// `pg_typeof(x)`: the type the argument was bound as.
fn pg_typeof(ctx: &FnCtx<'_, '_>, _: &[Value]) -> Result<Value, SqlError> {
    Ok(Value::RegType(
        ctx.arg_types.first().copied().unwrap_or(oid::UNKNOWN),
    ))
}

fn random(_: &FnCtx<'_, '_>, _: &[Value]) -> Result<Value, SqlError> {
    Ok(Value::Float8(fastrand::f64()))
}

fn setseed(_: &FnCtx<'_, '_>, a: &[Value]) -> Result<Value, SqlError> {
    let f = super::float_arg(a, 0)?;
    if !(-1.0..=1.0).contains(&f) {
        return Err(SqlError::invalid_parameter(format!(
            "setseed parameter {f} is out of allowed range [-1,1]"
        )));
    }
    fastrand::seed(f.to_bits());
    Ok(Value::Void)
}

fn int_result(ty: Oid, v: i64) -> Value {
    match ty {
        oid::INT2 => Value::Int2(v as i16),
        oid::INT4 => Value::Int4(v as i32),
        _ => Value::Int8(v),
    }
}

macro_rules! bit_op {
    ($name:ident, $f:expr) => {
        fn $name(ctx: &FnCtx<'_, '_>, a: &[Value]) -> Result<Value, SqlError> {
            let (x, y) = (int_arg(a, 0)?, int_arg(a, 1)?);
            #[allow(clippy::redundant_closure_call)]
            Ok(int_result(ctx.ret, ($f)(x, y)))
        }
    };
}

bit_op!(bit_and, |x: i64, y: i64| x & y);
bit_op!(bit_or, |x: i64, y: i64| x | y);
bit_op!(bit_xor, |x: i64, y: i64| x ^ y);

fn shift(ctx: &FnCtx<'_, '_>, a: &[Value], left: bool) -> Result<Value, SqlError> {
    let (x, n) = (int_arg(a, 0)?, int_arg(a, 1)?);
    let bits = match ctx.ret {
        oid::INT2 => 16,
        oid::INT4 => 32,
        _ => 64,
    };
    // C's shift on PostgreSQL's platforms takes the count modulo the width.
    let n = (n as u32) % bits;
    Ok(match ctx.ret {
        oid::INT2 => Value::Int2(if left {
            (x as i16).wrapping_shl(n)
        } else {
            (x as i16) >> n
        }),
        oid::INT4 => Value::Int4(if left {
            (x as i32).wrapping_shl(n)
        } else {
            (x as i32) >> n
        }),
        _ => Value::Int8(if left { x.wrapping_shl(n) } else { x >> n }),
    })
}

fn shl(ctx: &FnCtx<'_, '_>, a: &[Value]) -> Result<Value, SqlError> {
    shift(ctx, a, true)
}

fn shr(ctx: &FnCtx<'_, '_>, a: &[Value]) -> Result<Value, SqlError> {
    shift(ctx, a, false)
}

fn bit_not(ctx: &FnCtx<'_, '_>, a: &[Value]) -> Result<Value, SqlError> {
    Ok(int_result(ctx.ret, !int_arg(a, 0)?))
}

fn bool_eq_helper(_: &FnCtx<'_, '_>, a: &[Value]) -> Result<Value, SqlError> {
    Ok(Value::Bool(a[0] == a[1]))
}

pub(super) fn register(r: &mut Builder) {
    r.func("pg_typeof", &[oid::ANY], oid::REGTYPE, pg_typeof)
        .nonstrict()
        .stable();
    use oid::*;
    let ints = [INT2, INT4, INT8];
    let wider = |a: Oid, b: Oid| {
        if a == INT8 || b == INT8 {
            INT8
        } else if a == INT4 || b == INT4 {
            INT4
        } else {
            INT2
        }
    };
    let cmps: [(&'static str, super::ImplFn); 6] = [
        ("=", ops::eq),
        ("<>", ops::ne),
        ("<", ops::lt),
        ("<=", ops::le),
        (">", ops::gt),
        (">=", ops::ge),
    ];
    let mut pairs: Vec<(Oid, Oid)> = Vec::new();
    for &a in &ints {
        for &b in &ints {
            pairs.push((a, b));
            r.op("+", a, b, wider(a, b), ops::add);
            r.op("-", a, b, wider(a, b), ops::sub);
            r.op("*", a, b, wider(a, b), ops::mul);
            r.op("/", a, b, wider(a, b), ops::div);
        }
        r.op("%", a, a, a, ops::rem);
        r.prefix("-", a, a, ops::neg);
        r.prefix("+", a, a, ops::pos);
        r.op("&", a, a, a, bit_and);
        r.op("|", a, a, a, bit_or);
        r.op("#", a, a, a, bit_xor);
        r.op("<<", a, INT4, a, shl);
        r.op(">>", a, INT4, a, shr);
        r.prefix("~", a, a, bit_not);
    }
    for &a in &[FLOAT4, FLOAT8] {
        for &b in &[FLOAT4, FLOAT8] {
            pairs.push((a, b));
            let t = if a == FLOAT8 || b == FLOAT8 {
                FLOAT8
            } else {
                FLOAT4
            };
            r.op("+", a, b, t, ops::add);
            r.op("-", a, b, t, ops::sub);
            r.op("*", a, b, t, ops::mul);
            r.op("/", a, b, t, ops::div);
        }
        r.prefix("-", a, a, ops::neg);
        r.prefix("+", a, a, ops::pos);
    }
    r.op("+", NUMERIC, NUMERIC, NUMERIC, ops::add);
    r.op("-", NUMERIC, NUMERIC, NUMERIC, ops::sub);
    r.op("*", NUMERIC, NUMERIC, NUMERIC, ops::mul);
    r.op("/", NUMERIC, NUMERIC, NUMERIC, ops::div);
    r.op("%", NUMERIC, NUMERIC, NUMERIC, ops::rem);
    r.prefix("-", NUMERIC, NUMERIC, ops::neg);
    r.prefix("+", NUMERIC, NUMERIC, ops::pos);
    for t in [
        NUMERIC,
        TEXT,
        BPCHAR,
        NAME,
        CHAR,
        BYTEA,
        BOOL,
        DATE,
        TIME,
        TIMESTAMP,
        TIMESTAMPTZ,
        INTERVAL,
        UUID,
        OID,
        JSONB,
        ANYARRAY,
    ] {
        pairs.push((t, t));
    }
    for (a, b) in [
        (DATE, TIMESTAMP),
        (TIMESTAMP, DATE),
        (DATE, TIMESTAMPTZ),
        (TIMESTAMPTZ, DATE),
        (TIMESTAMP, TIMESTAMPTZ),
        (TIMESTAMPTZ, TIMESTAMP),
        (NAME, TEXT),
        (TEXT, NAME),
    ] {
        pairs.push((a, b));
    }
    for (a, b) in pairs {
        for (name, f) in cmps {
            r.op(name, a, b, BOOL, f);
        }
    }
    r.func("gen_random_uuid", &[], UUID, gen_random_uuid)
        .volatile();
    r.func("random", &[], FLOAT8, random).volatile();
    r.func("setseed", &[FLOAT8], VOID, setseed).volatile();
    // bool = bool also exists under its function name, as in pg_proc.
    r.func("booleq", &[BOOL, BOOL], BOOL, bool_eq_helper);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sql::expr::EvalContext;

    #[test]
    fn uuid_is_version_4() {
        let ctx = EvalContext::new();
        let f = FnCtx {
            eval: &ctx,
            ret: oid::UUID,
            arg_types: &[],
        };
        let Value::Uuid(u) = gen_random_uuid(&f, &[]).unwrap() else {
            panic!("not a uuid");
        };
        assert_eq!(u[6] >> 4, 4);
        assert_eq!(u[8] >> 6, 2);
    }
}
