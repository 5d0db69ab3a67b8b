//! [`TlsConfig`]: the server side of TLS, built once and shared by every
//! connection.
//!
//! It wraps a `rustls::ServerConfig` and adds the two things PostgreSQL
//! decides beside the certificate: the ALPN protocol (`postgresql`, which
//! direct TLS requires) and whether unencrypted clients are refused
//! (PostgreSQL's `hostssl`-only `pg_hba.conf`). The core never reads a file:
//! the host loads the PEM files and hands over their bytes.

use std::fmt;
use std::sync::Arc;

use rustls::ServerConfig;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};

use super::ALPN_POSTGRESQL;
use super::end_point::server_end_point;

/// The server's TLS certificate, key and policy. Cheap to clone (an `Arc`
/// inside); put it in [`Config::tls`](crate::Config::tls).
#[derive(Clone)]
pub struct TlsConfig {
    /// What rustls needs for every handshake; its ALPN list is exactly
    /// `postgresql`.
    server: Arc<ServerConfig>,
    /// Refuse clients that did not encrypt, with FATAL 28000 after their
    /// StartupMessage (as a `hostssl`-only `pg_hba.conf` would).
    required: bool,
    /// `tls-server-end-point` channel-binding data (RFC 5929) of our
    /// certificate; with it, SCRAM-SHA-256-PLUS is offered over TLS.
    end_point: Option<Arc<[u8]>>,
}

/// Why a [`TlsConfig`] could not be built.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsConfigError(String);

impl fmt::Display for TlsConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for TlsConfigError {}

impl TlsConfig {
    /// A configuration from a certificate chain and a private key in PEM
    /// (the contents of PostgreSQL's `ssl_cert_file` and `ssl_key_file`),
    /// with rustls' safe defaults on the ring provider: TLS 1.2 and 1.3, no
    /// client certificates. Unencrypted clients are still accepted; see
    /// [`require`](Self::require).
    pub fn from_pem(cert_chain: &[u8], private_key: &[u8]) -> Result<TlsConfig, TlsConfigError> {
        let certs = CertificateDer::pem_slice_iter(cert_chain)
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| TlsConfigError(format!("could not read the certificate: {e}")))?;
        if certs.is_empty() {
            return Err(TlsConfigError(
                "no certificate found in the certificate file".into(),
            ));
        }
        let end_point = server_end_point(&certs[0]);
        let key = PrivateKeyDer::from_pem_slice(private_key)
            .map_err(|e| TlsConfigError(format!("could not read the private key: {e}")))?;
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let server = ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| TlsConfigError(e.to_string()))?
            .with_no_client_auth()
            .with_single_cert(certs, key)
            .map_err(|e| TlsConfigError(format!("certificate and key do not fit: {e}")))?;
        let mut config = TlsConfig::new(server);
        config.end_point = end_point.map(Arc::from);
        Ok(config)
    }

    /// A configuration from a ready rustls `ServerConfig` (any provider,
    /// any certificate resolver). Its ALPN list is replaced by `postgresql`.
    /// The core cannot see which certificate a resolver will pick, so
    /// SCRAM-SHA-256-PLUS is not offered unless
    /// [`with_certificate`](Self::with_certificate) names it.
    pub fn new(mut server: ServerConfig) -> TlsConfig {
        server.alpn_protocols = vec![ALPN_POSTGRESQL.to_vec()];
        TlsConfig {
            server: Arc::new(server),
            required: false,
            end_point: None,
        }
    }

    /// Names the (DER) certificate the server presents, which enables
    /// SCRAM-SHA-256-PLUS with `tls-server-end-point` channel binding when
    /// its signature algorithm has an RFC 5929 hash (RSA or ECDSA with
    /// SHA-1/256/384/512; not Ed25519 or RSA-PSS).
    #[must_use]
    pub fn with_certificate(mut self, der: &[u8]) -> TlsConfig {
        self.end_point = server_end_point(der).map(Arc::from);
        self
    }

    /// The `tls-server-end-point` channel-binding data, if SCRAM-SHA-256-PLUS
    /// is offered.
    pub(crate) fn end_point(&self) -> Option<&[u8]> {
        self.end_point.as_deref()
    }

    /// Whether clients that do not encrypt are refused: with `true`, a
    /// StartupMessage that arrives in plaintext gets FATAL 28000 `no
    /// pg_hba.conf entry for host "…", user "…", database "…", no
    /// encryption`, as PostgreSQL answers with only `hostssl` lines.
    #[must_use]
    pub fn require(mut self, required: bool) -> TlsConfig {
        self.required = required;
        self
    }

    /// True if unencrypted clients are refused.
    pub fn is_required(&self) -> bool {
        self.required
    }

    /// The rustls configuration every handshake uses.
    pub(crate) fn server(&self) -> &Arc<ServerConfig> {
        &self.server
    }
}

impl fmt::Debug for TlsConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TlsConfig")
            .field("required", &self.required)
            .field("channel_binding", &self.end_point.is_some())
            .finish_non_exhaustive()
    }
}
