//! SIGINT and SIGTERM end a live session cleanly (and SIGHUP, for `run`, reopens files): the handler only sets a flag that the
//! event loop checks between polls (it polls with a timeout, so it notices within one).

use std::sync::atomic::{AtomicBool, AtomicI32, Ordering};

static STOP: AtomicBool = AtomicBool::new(false);
/// The first stop signal's number (for `record` to pass it on to its command).
static STOP_SIGNAL: AtomicI32 = AtomicI32::new(0);
static HANGUP: AtomicBool = AtomicBool::new(false);

extern "C" fn on_signal(sig: libc::c_int) {
    let _ = STOP_SIGNAL.compare_exchange(0, sig, Ordering::SeqCst, Ordering::SeqCst);
    STOP.store(true, Ordering::SeqCst);
}

/// The first stop signal that arrived (SIGINT or SIGTERM), if any.
pub fn stop_signal() -> Option<i32> {
    Some(STOP_SIGNAL.load(Ordering::SeqCst)).filter(|s| *s != 0)
}

extern "C" fn on_hangup(_: libc::c_int) {
    HANGUP.store(true, Ordering::SeqCst);
}

/// SIGHUP asks `run` to reopen its output files (log rotation) instead of ending it.
pub fn install_hangup() {
    // SAFETY: the handler is async-signal-safe (one atomic store).
    unsafe { libc::signal(libc::SIGHUP, on_hangup as *const () as libc::sighandler_t) };
}

/// Whether a SIGHUP arrived since the last call.
pub fn take_hangup() -> bool {
    HANGUP.swap(false, Ordering::SeqCst)
}

/// Installs the handlers (idempotent).
pub fn install() {
    for sig in [libc::SIGINT, libc::SIGTERM] {
        // SAFETY: the handler is async-signal-safe (one atomic store).
        unsafe { libc::signal(sig, on_signal as *const () as libc::sighandler_t) };
    }
}

/// Whether a stop signal arrived.
pub fn stop_requested() -> bool {
    STOP.load(Ordering::SeqCst)
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_signal_sets_the_flag() {
        super::install();
        assert!(!super::stop_requested());
        // SAFETY: raising a signal at ourselves; the handler installed above catches it.
        unsafe { libc::raise(libc::SIGTERM) };
        assert!(super::stop_requested());
        assert_eq!(super::stop_signal(), Some(libc::SIGTERM));
    }

    #[test]
    fn a_hangup_is_taken_once() {
        super::install_hangup();
        assert!(!super::take_hangup());
        // SAFETY: raising a signal at ourselves; the handler installed above catches it.
        unsafe { libc::raise(libc::SIGHUP) };
        assert!(super::take_hangup());
        assert!(!super::take_hangup());
    }
}
