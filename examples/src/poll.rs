//! [`PollSet`]: a safe wrapper around `poll(2)`, the loop's only wait.
//!
//! The loop rebuilds the set on every turn from what each connection wants
//! *now* — POLLIN only while [`Connection::wants_read`] is true (the core's
//! backpressure), POLLOUT only while [`Connection::transmit`] is non-empty —
//! so level-triggered `poll` is all it needs: a socket that still has bytes
//! waiting simply reports readable again on the next turn.
//!
//! This is the one module of the workspace that needs `unsafe`: `libc::poll`
//! takes a raw pointer.
//!
//! [`Connection::wants_read`]: twill_protocol::Connection::wants_read
//! [`Connection::transmit`]: twill_protocol::Connection::transmit

#![allow(unsafe_code)]

use std::io;
use std::os::fd::{AsRawFd, RawFd};
use std::time::Duration;

/// What `poll` reported for one descriptor.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Readiness {
    /// Data (or end of file) can be read without blocking.
    pub readable: bool,
    /// Data can be written without blocking.
    pub writable: bool,
    /// The peer hung up or the socket has an error (reported even when
    /// neither reading nor writing was asked for).
    pub hangup: bool,
}

/// A set of descriptors to wait on, rebuilt each turn of the loop.
#[derive(Debug, Default)]
pub struct PollSet {
    /// The array `poll(2)` reads and fills in.
    fds: Vec<libc::pollfd>,
}

impl PollSet {
    /// An empty set.
    pub fn new() -> Self {
        Self::default()
    }

    /// Empties the set, keeping its allocation.
    pub fn clear(&mut self) {
        self.fds.clear();
    }

    /// Adds a descriptor with what to wait for, and returns its index for
    /// [`readiness`](Self::readiness). With neither `read` nor `write` the
    /// descriptor still reports hang-ups and errors.
    pub fn push(&mut self, fd: &impl AsRawFd, read: bool, write: bool) -> usize {
        let mut events = 0;
        if read {
            events |= libc::POLLIN;
        }
        if write {
            events |= libc::POLLOUT;
        }
        self.fds.push(libc::pollfd {
            fd: fd.as_raw_fd() as RawFd,
            events,
            revents: 0,
        });
        self.fds.len() - 1
    }

    /// Waits until a descriptor is ready or `timeout` passes (rounded up to
    /// whole milliseconds, so the loop does not wake just before a deadline
    /// and spin). A signal interrupting the wait counts as a timeout.
    pub fn wait(&mut self, timeout: Duration) -> io::Result<()> {
        let ms = timeout.as_nanos().div_ceil(1_000_000);
        let ms = libc::c_int::try_from(ms).unwrap_or(libc::c_int::MAX);
        let nfds = libc::nfds_t::try_from(self.fds.len())
            .map_err(|_| io::Error::other("too many descriptors for poll"))?;
        // SAFETY: `self.fds` is a live, initialized slice of `nfds`
        // `pollfd`s that nothing else touches during the call; `poll` reads
        // them and writes only their `revents` fields, within bounds.
        let rc = unsafe { libc::poll(self.fds.as_mut_ptr(), nfds, ms) };
        if rc < 0 {
            let err = io::Error::last_os_error();
            if err.kind() != io::ErrorKind::Interrupted {
                return Err(err);
            }
            for fd in &mut self.fds {
                fd.revents = 0;
            }
        }
        Ok(())
    }

    /// What the last [`wait`](Self::wait) reported for the descriptor at
    /// `index` (as returned by [`push`](Self::push)).
    pub fn readiness(&self, index: usize) -> Readiness {
        let Some(fd) = self.fds.get(index) else {
            return Readiness::default();
        };
        let r = fd.revents;
        Readiness {
            readable: r & libc::POLLIN != 0,
            writable: r & libc::POLLOUT != 0,
            hangup: r & (libc::POLLHUP | libc::POLLERR | libc::POLLNVAL) != 0,
        }
    }
}
