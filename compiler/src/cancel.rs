//! Cancellation of an analysis whose result is no longer wanted (the language server's
//! text moved on while a large file was analysed). The compiler asks between steps: each
//! file's YAML every few thousand events, each macro and rule, each check. A cancelled
//! analysis returns [`Cancelled`] and nothing else; no partial result escapes.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// A flag shared between whoever runs an analysis and whoever may stop it. The default
/// token is never cancelled and costs nothing to ask.
#[derive(Clone, Debug, Default)]
pub struct Cancel(Option<Arc<AtomicBool>>);

/// The analysis stopped because its [`Cancel`] was set.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cancelled;

impl Cancel {
    /// A token that [`Cancel::cancel`] can set (from any thread).
    pub fn new() -> Cancel {
        Cancel(Some(Arc::new(AtomicBool::new(false))))
    }

    pub fn cancel(&self) {
        if let Some(flag) = &self.0 {
            flag.store(true, Ordering::Relaxed);
        }
    }

    pub fn is_cancelled(&self) -> bool {
        self.0.as_ref().is_some_and(|f| f.load(Ordering::Relaxed))
    }

    /// `Err(Cancelled)` once cancelled, for `?` at the compiler's check points.
    pub fn check(&self) -> Result<(), Cancelled> {
        if self.is_cancelled() { Err(Cancelled) } else { Ok(()) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clones_share_the_flag_and_the_default_never_cancels() {
        let a = Cancel::new();
        let b = a.clone();
        assert_eq!(b.check(), Ok(()));
        a.cancel();
        assert_eq!(b.check(), Err(Cancelled));
        let never = Cancel::default();
        never.cancel();
        assert!(!never.is_cancelled());
    }
}

#[cfg(test)]
mod analysis_tests {
    use super::*;
    use crate::{Options, SourceFile, analyze, analyze_cancellable};

    fn files() -> Vec<SourceFile> {
        let mut text = String::new();
        for i in 0..200 {
            text.push_str(&format!(
                "- rule: r{i}\n  desc: d\n  condition: evt.type = open and proc.nam = x\n  output: o\n  priority: INFO\n"
            ));
        }
        vec![SourceFile {
            name: "a.yaml".into(),
            text,
        }]
    }

    #[test]
    fn a_cancelled_analysis_returns_nothing_and_an_uncancelled_one_everything() {
        let cancel = Cancel::new();
        let full = analyze_cancellable(files(), &Options::default(), &cancel).expect("not cancelled");
        assert_eq!(
            full.diagnostics.len(),
            analyze(files(), &Options::default()).diagnostics.len()
        );
        assert_eq!(full.errors(), 200);
        cancel.cancel();
        assert!(analyze_cancellable(files(), &Options::default(), &cancel).is_err());
    }

    #[test]
    fn a_token_set_from_another_thread_stops_a_long_analysis_early() {
        // 40,000 rules: seconds of work in a debug build, stopped within one rule's check.
        let text = files()[0].text.repeat(200);
        let cancel = Cancel::new();
        let setter = cancel.clone();
        let t = std::thread::spawn(move || {
            std::thread::sleep(std::time::Duration::from_millis(50));
            setter.cancel();
        });
        let started = std::time::Instant::now();
        let files = vec![SourceFile {
            name: "big.yaml".into(),
            text,
        }];
        let r = analyze_cancellable(files, &Options::default(), &cancel);
        let took = started.elapsed();
        t.join().unwrap();
        assert!(r.is_err(), "ran to the end in {took:?}");
    }
}
