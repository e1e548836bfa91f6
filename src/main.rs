//! The `falcorc` command line: argument parsing and wiring only.

mod cmd;

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};
use std::process::ExitCode;

#[derive(Parser)]
#[command(name = "falcorc", version, about = "Compiler, linter and runtime for Falco rules")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Check rules files (or directories of them), loaded in the given order like Falco.
    Lint(cmd::lint::Args),
    /// List the rules, macros and lists a set of files defines (like `falco -L`).
    Rules(cmd::rules::Args),
    /// List the fields of the syscall source (like `falco --list`).
    Fields(cmd::fields::Args),
    /// Explain a diagnostic code.
    Explain(cmd::explain::Args),
    /// Give rules files the canonical layout (in place, or `--check`, `--diff`, `-` for stdin).
    Fmt(cmd::fmt::Args),
    /// Replay .scap captures through the rules and print Falco's alerts.
    Replay(cmd::replay::Args),
    /// Live detection: load the eBPF probe and print alerts as events happen (root).
    Run(cmd::run::Args),
    /// What each rule costs: replay captures timing every rule on every event.
    Profile(cmd::profile::Args),
    /// Record live events to a .scap capture, optionally of one command only (root).
    Record(cmd::record::Args),
    /// Run rule fixtures: rules + capture or hand-written events + expected alerts.
    Test(cmd::test::Args),
    /// Which detections a change to the rules alters, and why (with captures: which alerts).
    Diff(cmd::diff::Args),
    /// Check rules and write them as one bundle file (digest, optional signature) for `run --bundle`.
    Build(cmd::build::Args),
    /// Language server for editors (LSP on stdin/stdout).
    Lsp(cmd::lsp::Args),
    /// Print falcorc's version, the Falco engine version it implements and the probe's build.
    Version(cmd::version::Args),
}

/// The rule selections of subcommand `name`, in command-line order.
fn selectors(matches: &clap::ArgMatches, name: &str) -> Vec<falcorc_runtime::engine::Selector> {
    matches
        .subcommand_matches(name)
        .map(cmd::selection::selectors)
        .unwrap_or_default()
}

fn main() -> ExitCode {
    // A closed standard output (`falcorc fields | head`) ends the process quietly, as for
    // any Unix filter, instead of a "Broken pipe" panic from `println!`.
    // SAFETY: setting a signal's disposition to the default at start-up, before any thread.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    // `--version` says what `falcorc version` says (clap prints the name first).
    let long_version: &'static str = Box::leak(cmd::version::long().into_boxed_str());
    let matches = match Cli::command().long_version(long_version).try_get_matches() {
        Ok(m) => m,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
        }
    };
    let cli = match Cli::from_arg_matches(&matches) {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(2);
        }
    };
    let code = match cli.command {
        Command::Lint(a) => cmd::lint::run(a),
        Command::Rules(a) => cmd::rules::run(a),
        Command::Fields(a) => cmd::fields::run(a),
        Command::Explain(a) => cmd::explain::run(a),
        Command::Fmt(a) => cmd::fmt::run(a),
        Command::Replay(a) => cmd::replay::run(a, selectors(&matches, "replay")),
        Command::Run(a) => cmd::run::run(a, selectors(&matches, "run")),
        Command::Profile(a) => cmd::profile::run(a, selectors(&matches, "profile")),
        Command::Record(a) => cmd::record::run(a, selectors(&matches, "record")),
        Command::Test(a) => cmd::test::run(a),
        Command::Diff(a) => cmd::diff::run(a),
        Command::Build(a) => cmd::build::run(a),
        Command::Lsp(a) => cmd::lsp::run(a),
        Command::Version(a) => cmd::version::run(a),
    };
    ExitCode::from(code)
}
