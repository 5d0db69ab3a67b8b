//! From a storage URL to an object store: `s3://`, `r2://` and `gs://`.
//!
//! Credentials, region and endpoint come from the environment variables
//! each service's own tools read, through the `object_store` crate's
//! builders:
//!
//! * `s3://BUCKET[/PREFIX]` — `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`,
//!   `AWS_SESSION_TOKEN`, `AWS_REGION` / `AWS_DEFAULT_REGION`, and
//!   `AWS_ENDPOINT_URL` (or `AWS_ENDPOINT`) for S3-compatible services
//!   such as MinIO, moto or Ceph. An `http://` endpoint is allowed without
//!   `AWS_ALLOW_HTTP` (it can only have been set on purpose).
//! * `r2://BUCKET[/PREFIX]` — Cloudflare R2 through its S3 API: the same
//!   `AWS_*` credentials (an R2 API token's key pair), and the endpoint
//!   from `AWS_ENDPOINT_URL` or else built from `R2_ACCOUNT_ID` (or
//!   `CLOUDFLARE_ACCOUNT_ID`); the region is `auto`.
//! * `gs://BUCKET[/PREFIX]` — Google Cloud Storage: `GOOGLE_SERVICE_ACCOUNT`
//!   (a key file path), `GOOGLE_SERVICE_ACCOUNT_KEY` (the key itself) or
//!   application default credentials.
//!
//! A query string sets any further option of the `object_store` builders,
//! by their configuration key names (`endpoint`, `region`, `allow_http`,
//! `skip_signature`, `virtual_hosted_style_request`, …), and wins over the
//! environment: `s3://bucket/db?endpoint=http://127.0.0.1:9000&region=eu-west-1`.
//! (Keep secrets in the environment: URLs end up in logs.)

use std::sync::Arc;

use object_store::ObjectStore;
use object_store::aws::AmazonS3Builder;
use object_store::gcp::GoogleCloudStorageBuilder;

/// A parsed object-store URL.
#[derive(Debug)]
pub(crate) struct Location {
    /// The bucket's store.
    pub(crate) store: Arc<dyn ObjectStore>,
    /// The database's prefix inside the bucket ("" for the root).
    pub(crate) prefix: String,
}

/// True if `url` names an object store this module opens.
pub(crate) fn is_object_url(url: &str) -> bool {
    ["s3://", "r2://", "gs://"]
        .iter()
        .any(|s| url.starts_with(s))
}

/// Builds the store for `url`. The error says what is wrong with the URL
/// or the environment.
pub(crate) fn parse(url: &str) -> Result<Location, String> {
    // The HTTP client's TLS needs one crypto provider for the process.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let (scheme, rest) = url
        .split_once("://")
        .ok_or_else(|| format!("\"{url}\" is not a storage URL"))?;
    let (rest, query) = rest.split_once('?').unwrap_or((rest, ""));
    let mut options = Vec::new();
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (key, value) = pair
            .split_once('=')
            .ok_or_else(|| format!("option \"{pair}\" in \"{url}\" has no value"))?;
        options.push((key.to_ascii_lowercase(), value.to_owned()));
    }
    let endpoint = options
        .iter()
        .find(|(k, _)| matches!(k.as_str(), "endpoint" | "endpoint_url" | "aws_endpoint"))
        .map(|(_, v)| v.clone())
        .or_else(endpoint_from_env);
    let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
    if bucket.is_empty() {
        return Err(format!("storage URL \"{url}\" names no bucket"));
    }
    let store: Arc<dyn ObjectStore> = match scheme {
        // R2 is S3's API at Cloudflare's endpoint, region `auto`.
        "s3" | "r2" => {
            let mut builder = AmazonS3Builder::from_env().with_bucket_name(bucket);
            if scheme == "r2" {
                builder = builder.with_region("auto");
                if endpoint.is_none() {
                    let account = std::env::var("R2_ACCOUNT_ID")
                        .or_else(|_| std::env::var("CLOUDFLARE_ACCOUNT_ID"))
                        .map_err(|_| {
                            format!(
                                "storage URL \"{url}\" needs R2_ACCOUNT_ID (or AWS_ENDPOINT_URL) \
                                 in the environment"
                            )
                        })?;
                    builder = builder
                        .with_endpoint(format!("https://{account}.r2.cloudflarestorage.com"));
                }
            }
            if endpoint
                .as_deref()
                .is_some_and(|e| e.starts_with("http://"))
            {
                builder = builder.with_allow_http(true);
            }
            for (key, value) in &options {
                let key = key
                    .parse()
                    .map_err(|_| format!("unknown S3 option \"{key}\""))?;
                builder = builder.with_config(key, value);
            }
            Arc::new(builder.build().map_err(|e| e.to_string())?)
        }
        "gs" => {
            let mut builder = GoogleCloudStorageBuilder::from_env().with_bucket_name(bucket);
            for (key, value) in &options {
                let key = key
                    .parse()
                    .map_err(|_| format!("unknown Google Cloud Storage option \"{key}\""))?;
                builder = builder.with_config(key, value);
            }
            Arc::new(builder.build().map_err(|e| e.to_string())?)
        }
        other => return Err(format!("unknown storage scheme \"{other}://\"")),
    };
    Ok(Location {
        store,
        prefix: prefix.trim_matches('/').to_owned(),
    })
}

/// `url` fit for logs and messages: the values of query options that look
/// like secrets (keys, tokens, passwords) replaced by `***`.
pub fn redact_url(url: &str) -> String {
    let Some((base, query)) = url.split_once('?') else {
        return url.to_owned();
    };
    let pairs: Vec<String> = query
        .split('&')
        .map(|pair| match pair.split_once('=') {
            Some((key, _)) if is_secret(key) => format!("{key}=***"),
            _ => pair.to_owned(),
        })
        .collect();
    format!("{base}?{}", pairs.join("&"))
}

fn is_secret(key: &str) -> bool {
    let key = key.to_ascii_lowercase();
    [
        "secret",
        "token",
        "password",
        "service_account_key",
        "access_key_id",
    ]
    .iter()
    .any(|s| key.contains(s))
}

/// The S3 endpoint the environment sets, if any.
fn endpoint_from_env() -> Option<String> {
    std::env::var("AWS_ENDPOINT_URL")
        .or_else(|_| std::env::var("AWS_ENDPOINT"))
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_name_a_bucket_and_a_prefix() {
        assert!(is_object_url("s3://b/p"));
        assert!(!is_object_url("file://x"));
        let loc = parse("s3://bucket/some/prefix/").expect("s3 url");
        assert_eq!(loc.prefix, "some/prefix");
        assert_eq!(parse("s3://bucket").expect("no prefix").prefix, "");
        assert!(parse("s3:///x").unwrap_err().contains("no bucket"));
        assert!(
            parse("ftp://b/x")
                .unwrap_err()
                .contains("unknown storage scheme")
        );
        let loc = parse("s3://bucket/db?endpoint=http://127.0.0.1:1&skip_signature=true")
            .expect("options");
        assert_eq!(loc.prefix, "db");
        assert!(
            parse("s3://b/x?colour=blue")
                .unwrap_err()
                .contains("unknown S3 option")
        );
        assert!(
            parse("s3://b/x?region")
                .unwrap_err()
                .contains("has no value")
        );
        assert_eq!(
            redact_url("s3://b/x?region=r&secret_access_key=s3cr3t&access_key_id=me"),
            "s3://b/x?region=r&secret_access_key=***&access_key_id=***"
        );
        assert_eq!(redact_url("file://./data"), "file://./data");
    }
}
