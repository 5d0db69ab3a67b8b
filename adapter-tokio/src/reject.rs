//! Turning away a connection over the startup limit
//! ([`ServeOptions::max_startups`](twill_protocol::ServeOptions::max_startups)) with FATAL 53300.
//!
//! The protocol side is the core's [`Rejection`] (answer SSLRequest, route
//! a CancelRequest — a client at the limit must still be able to cancel —
//! and answer the StartupMessage with the error). This is its driver, a
//! short task bounded by [`LINGER`]: write the answer, shut the sending
//! half, read until the client closes (so it is not reset before it reads).

use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use twill_protocol::{CancelRegistry, Interrupt, InterruptReason, Rejection};

/// How long a rejected client gets, from accept to close.
const LINGER: Duration = Duration::from_secs(2);

/// Answers a client over the limit and closes.
pub(crate) async fn reject(mut stream: TcpStream, registry: CancelRegistry<Arc<dyn Interrupt>>) {
    let talk = async {
        let mut rejection = Rejection::too_many_clients();
        let mut buf = [0u8; 1024];
        let mut shut = false;
        loop {
            if let Some(key) = rejection.poll_cancel()
                && let Some(handle) = registry.lookup(key)
            {
                handle.interrupt(InterruptReason::UserCancel);
            }
            let out = rejection.transmit().len();
            if out > 0 {
                stream.write_all(rejection.transmit()).await?;
                rejection.advance_transmit(out);
            }
            if rejection.is_done() && !shut {
                stream.shutdown().await?;
                shut = true;
            }
            match stream.read(&mut buf).await? {
                0 => return Ok::<(), std::io::Error>(()),
                n => rejection.handle_input(&buf[..n]),
            }
        }
    };
    let _ = tokio::time::timeout(LINGER, talk).await;
}
