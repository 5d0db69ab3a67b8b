//! Choosing the authentication method for one login: the config's
//! [`AccessRules`](crate::AccessRules) (pg_hba.conf) judged on this
//! connection's user, database, TLS state and peer address, or the single
//! [`Config::auth_method`](crate::Config::auth_method) without rules.
//!
//! The two refusals carry PostgreSQL 15's exact words (checked against a
//! real server), SQLSTATE 28000, with the client's address and
//! `no encryption` or `SSL encryption`:
//!
//! ```text
//! no pg_hba.conf entry for host "127.0.0.1", user "carol", database "x", no encryption
//! pg_hba.conf rejects connection for host "127.0.0.1", user "eve", database "x", no encryption
//! ```

use twill_types::SqlState;

use super::Connection;
use crate::auth::{AccessDecision, Attempt, AuthMethod};
use crate::call::SessionStart;
use crate::error::ErrorReport;

impl Connection {
    /// The method `start` must authenticate with, or None after sending
    /// FATAL 28000 (no rule matched, or the rule says `reject`).
    pub(super) fn auth_method_for(&mut self, start: &SessionStart) -> Option<AuthMethod> {
        let decision = match &self.config.access {
            None => AccessDecision::Method(self.config.auth_method),
            Some(rules) => rules.decide(&Attempt {
                peer: self.peer,
                tls: self.transport.is_tls(),
                user: &start.user,
                database: &start.database,
            }),
        };
        let verb = match decision {
            AccessDecision::Method(AuthMethod::Reject) => "pg_hba.conf rejects connection for",
            AccessDecision::Method(method) => return Some(method),
            AccessDecision::NoEntry => "no pg_hba.conf entry for",
        };
        let encryption = if self.transport.is_tls() {
            "SSL encryption"
        } else {
            "no encryption"
        };
        self.refuse_login(start, verb, encryption);
        None
    }

    /// FATAL 28000 `<verb> host "…", user "…", database "…", <encryption>`.
    pub(super) fn refuse_login(&mut self, start: &SessionStart, verb: &str, encryption: &str) {
        let host = self
            .peer
            .map_or_else(|| "[unknown]".to_string(), |ip| ip.to_string());
        self.send_fatal(ErrorReport::fatal(
            SqlState::INVALID_AUTHORIZATION_SPECIFICATION,
            format!(
                "{verb} host \"{host}\", user \"{}\", database \"{}\", {encryption}",
                start.user, start.database
            ),
        ));
    }
}
