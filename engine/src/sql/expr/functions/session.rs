//! Functions that read or change session state: sequences (`nextval`,
//! `currval`, `setval`, `lastval`), settings (`current_setting`,
//! `set_config`) and `pg_sleep`.
//!
//! An expression cannot reach the session by itself — evaluation is a pure
//! walk over a row — so these procs forward to the planner hook
//! [`PlannerValues::session_call`](crate::sql::expr::PlannerValues), which
//! the session answers with its transaction, sequences and settings in
//! hand. Being in the registry like every other function, they resolve,
//! type-check and appear in `pg_proc` the same way.

use twill_types::{Value, oid};

use super::{Builder, FnCtx};
use crate::sql::error::SqlError;

macro_rules! forward {
    ($($f:ident => $name:literal),* $(,)?) => {
        $(
            fn $f(ctx: &FnCtx<'_, '_>, args: &[Value]) -> Result<Value, SqlError> {
                ctx.eval.planner()?.session_call($name, args)
            }
        )*
    };
}

forward! {
    nextval => "nextval",
    currval => "currval",
    setval => "setval",
    lastval => "lastval",
    current_setting => "current_setting",
    set_config => "set_config",
    pg_sleep => "pg_sleep",
}

pub(super) fn register(r: &mut Builder) {
    use oid::*;
    r.func("nextval", &[REGCLASS], INT8, nextval).volatile();
    r.func("currval", &[REGCLASS], INT8, currval).volatile();
    r.func("setval", &[REGCLASS, INT8], INT8, setval).volatile();
    r.func("setval", &[REGCLASS, INT8, BOOL], INT8, setval)
        .volatile();
    r.func("lastval", &[], INT8, lastval).volatile();
    r.func("current_setting", &[TEXT], TEXT, current_setting)
        .stable();
    r.func("current_setting", &[TEXT, BOOL], TEXT, current_setting)
        .stable();
    r.func("set_config", &[TEXT, TEXT, BOOL], TEXT, set_config)
        .volatile()
        .nonstrict();
    r.func("pg_sleep", &[FLOAT8], VOID, pg_sleep).volatile();
}
