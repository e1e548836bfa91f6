//! SIGINT and SIGTERM end a live session cleanly: the handler only sets a flag that the
//! event loop checks between polls (it polls with a timeout, so it notices within one).

use std::sync::atomic::{AtomicBool, Ordering};

static STOP: AtomicBool = AtomicBool::new(false);

extern "C" fn on_signal(_: libc::c_int) {
    STOP.store(true, Ordering::SeqCst);
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
    }
}
