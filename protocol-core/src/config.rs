//! Connection configuration, shared by every connection of a server.

use std::sync::Arc;
use std::time::Duration;

use crate::auth::{AccessRules, AuthMethod, CredentialSource};
use crate::tls::TlsConfig;

/// How every connection behaves; cheap to share behind an `Arc`.
#[derive(Clone)]
pub struct Config {
    /// How clients authenticate when [`Config::access`] is `None`: one
    /// method for every connection.
    pub auth_method: AuthMethod,
    /// pg_hba.conf-style rules choosing the method per connection type,
    /// database, user and address (first match wins; no match is FATAL
    /// 28000). With `Some`, [`Config::auth_method`] is not used.
    pub access: Option<AccessRules>,
    /// Where password methods look users up. With `None`, password methods
    /// fail every login (there is no one to check against).
    pub credentials: Option<Arc<dyn CredentialSource>>,
    /// The `server_version` reported at startup. psql picks its catalog
    /// queries from it and asyncpg/pgjdbc refuse to connect without it.
    pub server_version: String,
    /// The largest frontend message accepted, in bytes (PostgreSQL allows
    /// up to 1 GB). Anything larger is FATAL 08P01 before it is buffered.
    pub max_message_size: usize,
    /// Output above this many pending bytes stops the core from reading
    /// input and from fetching more rows: the backpressure point.
    pub output_high_water: usize,
    /// COPY FROM STDIN data is handed to the engine in chunks of about this size.
    pub copy_chunk_size: usize,
    /// Time allowed from connect to a finished login.
    pub authentication_timeout: Duration,
    /// Default `statement_timeout` (zero: off); the session can SET it.
    pub statement_timeout: Duration,
    /// Default `idle_in_transaction_session_timeout` (zero: off).
    pub idle_in_transaction_session_timeout: Duration,
    /// Default `idle_session_timeout` (zero: off).
    pub idle_session_timeout: Duration,
    /// TLS: with `Some`, SSLRequest is answered `S` and a direct TLS
    /// ClientHello (ALPN `postgresql`) is accepted, and the handshake runs
    /// inside the core; [`TlsConfig::require`] refuses unencrypted clients.
    /// With `None`, SSLRequest is answered `N` and everything is plaintext.
    pub tls: Option<TlsConfig>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            auth_method: AuthMethod::Trust,
            access: None,
            credentials: None,
            server_version: format!("15.18 (twill {})", env!("CARGO_PKG_VERSION")),
            max_message_size: 64 << 20,
            output_high_water: 256 << 10,
            copy_chunk_size: 64 << 10,
            authentication_timeout: Duration::from_secs(60),
            statement_timeout: Duration::ZERO,
            idle_in_transaction_session_timeout: Duration::ZERO,
            idle_session_timeout: Duration::ZERO,
            tls: None,
        }
    }
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("auth_method", &self.auth_method)
            .field("access", &self.access)
            .field("credentials", &self.credentials.as_ref().map(|_| "…"))
            .field("server_version", &self.server_version)
            .field("max_message_size", &self.max_message_size)
            .field("output_high_water", &self.output_high_water)
            .field("authentication_timeout", &self.authentication_timeout)
            .field("tls", &self.tls)
            .finish_non_exhaustive()
    }
}
