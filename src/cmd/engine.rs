//! Rules files into an engine ready for events, and the alert line format: what
//! `replay`, `run` and `record` share.

use super::EXIT_ERRORS;
use super::selection::Selection;
use falcorc_compiler::{Options, SourceFile, analyze};
use falcorc_runtime::engine::{Backend, Engine, EngineOptions, Selector};
use falcorc_runtime::output::style::Style;
use falcorc_runtime::output::{Alert, Outputs};

#[derive(Clone, Copy, clap::ValueEnum)]
pub enum Format {
    Text,
    Json,
}

impl Format {
    /// Falco's text line or JSON object, each with Falco's defaults and ISO times.
    pub fn style(self) -> Style {
        match self {
            Format::Text => Style::TEXT,
            Format::Json => Style::JSON,
        }
    }

    /// The alert as one output line.
    pub fn line(self, alert: &Alert) -> String {
        self.style().line(alert)
    }
}

/// Where the loader's messages go: each call is one whole message (a rendered
/// diagnostic, a warning), without a final newline.
pub type Say<'a> = &'a mut dyn FnMut(String);

/// Messages straight to standard error (commands that have not started a [`super::log::Log`]).
pub fn to_stderr(message: String) {
    eprintln!("{message}");
}

/// Compiles `files` into an engine and its output plans (text output needs only the
/// messages). Rule errors go to `say`, then `the rules have N errors` and
/// `consequence`, and become the exit code.
pub fn load(
    files: Vec<SourceFile>,
    selectors: Vec<Selector>,
    selection: &Selection,
    format: Format,
    consequence: &str,
    say: Say<'_>,
) -> Result<(Engine, Outputs), u8> {
    load_with_other(files, selectors, selection, format, consequence, false, say).map(|(e, _, o)| (e, o))
}

/// [`load`], and with `other` also the same rules on the other back end (interpreter for
/// native code and the reverse), for `replay --compare-engines`.
pub fn load_with_other(
    files: Vec<SourceFile>,
    selectors: Vec<Selector>,
    selection: &Selection,
    format: Format,
    consequence: &str,
    other: bool,
    say: Say<'_>,
) -> Result<(Engine, Option<Engine>, Outputs), u8> {
    // Running rules needs the loader's verdict, not falcorc's checks.
    let opts = Options {
        lint: falcorc_compiler::lint::Config::none(),
        ..falcorc_compiler::fs::host_options()
    };
    let an = analyze(files, &opts);
    if an.errors() > 0 {
        let errors: Vec<_> = an.diagnostics.iter().filter(|d| d.is_error()).cloned().collect();
        let color = super::ColorChoice::Auto.enabled_on_stderr();
        falcorc_compiler::diag::render::human_batch(&an.files, &errors, color, |s| {
            say(s.trim_end_matches('\n').to_string())
        });
        let n = an.errors();
        let s = if n == 1 { "" } else { "s" };
        say(format!("falcorc: the rules have {n} error{s}{consequence}"));
        return Err(EXIT_ERRORS);
    }
    let env = opts.env();
    let outputs = match format {
        Format::Text => Outputs::new(&an.program, env).message_only(),
        Format::Json => Outputs::new(&an.program, env),
    };
    let opts = EngineOptions {
        selectors,
        min_priority: selection.min_priority,
        matching: selection.matching(),
        backend: selection.engine.backend(),
        rule_costs: selection.rule_costs,
        rule_costs_by_event_type: selection.rule_costs_by_event_type,
    };
    let second = other.then(|| {
        let backend = match opts.backend {
            Backend::Jit => Backend::Interp,
            Backend::Interp => Backend::Jit,
        };
        Engine::new(
            an.program.clone(),
            &EngineOptions {
                backend,
                ..opts.clone()
            },
        )
    });
    let engine = Engine::new(an.program, &opts);
    for w in engine.warnings().iter().chain(second.iter().flat_map(|e| e.warnings())) {
        say(format!("falcorc: warning: {w}"));
    }
    Ok((engine, second, outputs))
}
