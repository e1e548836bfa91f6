//! The compiler's entry point: files in, [`Analysis`] (definitions, typed IR,
//! diagnostics) out. Pure: no IO, never panics on any input.

use crate::cancel::{Cancel, Cancelled};
use crate::diag::{Code, Diagnostic, Severity};
use crate::sema::collect::{Collected, Ctx};
use crate::sema::evttype::{self, EvtSet};
use crate::sema::items::Priority;
use crate::sema::output::{self, OutputPart};
use crate::sema::resolve::{MacroTable, ParsedCond, parse_cond};
use crate::sema::text::SrcText;
use crate::sema::typeck::{Checker, Env};
use crate::sema::version::{self, Version};
use crate::sema::{exceptions, lists};
use crate::span::{FileSpan, SourceMap};
use crate::syntax::condition::ast::Expr;
use crate::syntax::yaml;
use std::collections::BTreeSet;

/// One input file.
#[derive(Clone, Debug)]
pub struct SourceFile {
    pub name: String,
    pub text: String,
}

#[derive(Clone, Debug)]
pub struct Options {
    pub engine_version: Version,
    /// Model the container plugin (fields `container.*`, `k8s.*`) as loaded.
    pub container_plugin: bool,
    /// Other loaded plugins, for `required_plugin_versions`.
    pub plugins: Vec<(String, Version)>,
    pub yaml_limits: yaml::Limits,
    /// Which of falcorc's checks run, and the level of every warning.
    pub lint: crate::lint::Config,
    /// Where port fields look service names up: the host's `/etc/services` at falcorc's
    /// edges (`fs::host_services`), none by default.
    pub services: &'static crate::sema::services::Services,
    /// Lower the runnable rules to the IR ([`Analysis::program`]). Tools that only report
    /// (the linter, the language server) turn it off: lowering produces no diagnostic.
    pub lower: bool,
    /// The process exits right after this analysis (a CLI command): the intermediate
    /// structures (syntax trees, the YAML documents, the checks' context) are left to the
    /// exit instead of being freed one allocation at a time. Never for a long-lived caller.
    pub exit_after: bool,
}

impl Options {
    /// What these options make exist, for the checker and lowering.
    pub fn env(&self) -> Env {
        Env {
            container_plugin: self.container_plugin,
            services: self.services,
        }
    }
}

impl Default for Options {
    fn default() -> Options {
        Options {
            engine_version: version::ENGINE_VERSION,
            container_plugin: true,
            plugins: Vec::new(),
            yaml_limits: yaml::Limits::default(),
            lint: crate::lint::Config::new(),
            services: crate::sema::services::Services::none(),
            lower: true,
            exit_after: false,
        }
    }
}

#[derive(Clone, Debug)]
pub struct ListInfo {
    pub name: String,
    pub items: Vec<String>,
    pub used: bool,
    pub span: FileSpan,
}

#[derive(Clone, Debug)]
pub struct MacroInfo {
    pub name: String,
    pub condition: String,
    pub used: bool,
    pub span: FileSpan,
}

#[derive(Clone, Debug)]
pub struct RuleInfo {
    pub name: String,
    pub desc: String,
    pub priority: Priority,
    pub source: String,
    pub enabled: bool,
    pub tags: BTreeSet<String>,
    /// Condition text as parsed: exceptions expanded and lists substituted.
    pub condition: String,
    /// The rule's own condition as written (appends and overrides applied; no exceptions,
    /// lists or macros expanded): what `falcorc diff` compares to say why a rule changed.
    pub own_condition: String,
    /// Each exception with values, by name, as the condition text it adds.
    pub exceptions: Vec<(String, String)>,
    pub output: String,
    pub output_parts: Vec<OutputPart>,
    /// Fully expanded condition (macros substituted); None if it failed to compile.
    pub expr: Option<Expr>,
    /// Event codes the rule can match (syscall source only).
    pub evttypes: Option<EvtSet>,
    /// Fields the condition and output use, sorted.
    pub fields: BTreeSet<String>,
    pub capture: bool,
    pub capture_duration: i64,
    pub span: FileSpan,
    /// Why the rule does not run, if it does not (unknown source, skipped filter, errors).
    pub skipped: Option<String>,
}

#[derive(Debug, Default)]
pub struct Analysis {
    pub files: Vec<SourceFile>,
    pub source_map: SourceMap,
    pub lists: Vec<ListInfo>,
    pub macros: Vec<MacroInfo>,
    pub rules: Vec<RuleInfo>,
    pub diagnostics: Vec<Diagnostic>,
    /// Findings silenced by `# falcorc: ignore[...]` comments.
    pub suppressed: usize,
    /// Falco's JSON-schema validation status.
    pub schema_ok: bool,
    pub required_engine_version: Option<Version>,
    /// The runnable rules lowered to the typed IR.
    pub program: crate::ir::Program,
}

impl Analysis {
    pub fn errors(&self) -> usize {
        self.diagnostics.iter().filter(|d| d.is_error()).count()
    }

    pub fn warnings(&self) -> usize {
        self.diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Warning)
            .count()
    }

    /// The compiled rules that run (no errors, known source, not skipped).
    pub fn runnable_rules(&self) -> impl Iterator<Item = &RuleInfo> {
        self.rules.iter().filter(|r| r.skipped.is_none() && r.expr.is_some())
    }
}

/// One file's YAML documents and syntax errors: the part of loading that depends on the
/// file alone, so callers with threads may parse many files at once ([`parse_file`],
/// [`analyze_parsed`]); the compiler itself stays single-threaded.
pub struct ParsedFile {
    docs: Vec<yaml::Document>,
    errors: Vec<yaml::YamlError>,
}

/// Parse one file's YAML (pure; safe to run for several files in parallel).
pub fn parse_file(f: &SourceFile, opts: &Options) -> ParsedFile {
    let (docs, errors) = yaml::parse(&f.text, &opts.yaml_limits);
    ParsedFile { docs, errors }
}

/// Load `files` in order into one ruleset, as Falco loads several rules files.
pub fn analyze(files: Vec<SourceFile>, opts: &Options) -> Analysis {
    // The default token is never set: the analysis always runs to the end.
    analyze_cancellable(files, opts, &Cancel::default()).unwrap_or_default()
}

/// [`analyze`] that stops between steps once `cancel` is set (the language server cancels
/// an analysis that newer edits made stale).
pub fn analyze_cancellable(files: Vec<SourceFile>, opts: &Options, cancel: &Cancel) -> Result<Analysis, Cancelled> {
    let mut parsed = Vec::with_capacity(files.len());
    for f in &files {
        let (docs, errors) = yaml::parse_cancellable(&f.text, &opts.yaml_limits, cancel)?;
        parsed.push(ParsedFile { docs, errors });
    }
    load(files, parsed, opts, cancel)
}

/// [`analyze`] with each file's YAML already parsed by [`parse_file`] (one per file, same
/// order).
pub fn analyze_parsed(files: Vec<SourceFile>, parsed: Vec<ParsedFile>, opts: &Options) -> Analysis {
    load(files, parsed, opts, &Cancel::default()).unwrap_or_default()
}

fn load(
    files: Vec<SourceFile>,
    parsed: Vec<ParsedFile>,
    opts: &Options,
    cancel: &Cancel,
) -> Result<Analysis, Cancelled> {
    let mut diags = Vec::new();
    let mut smap = SourceMap::default();
    let mut col = Collected::new();
    let mut all_docs = Vec::with_capacity(files.len());
    let mut parsed = parsed.into_iter();
    for f in &files {
        let id = smap.add(f.text.len() as u32);
        let ParsedFile { mut docs, errors: errs } = parsed.next().unwrap_or_else(|| parse_file(f, opts));
        // Items of a document with a YAML error would only give follow-on noise.
        docs.retain(|d| {
            !errs
                .iter()
                .any(|e| d.span.start <= e.span.start && e.span.start <= d.span.end)
        });
        for e in errs {
            let code = if e.message.contains("limit") || e.message.contains("exceeds") {
                Code::YamlLimit
            } else {
                Code::LoadErrYamlParse
            };
            diags.push(Diagnostic::new(code, FileSpan { file: id, span: e.span }, e.message));
        }
        let mut ctx = Ctx {
            col: &mut col,
            diags: &mut diags,
            engine: opts.engine_version,
        };
        ctx.collect_docs(id, &docs);
        all_docs.push(docs);
    }
    check_plugins(&col, opts, &mut diags);
    let env = opts.env();

    // Lists.
    let mut list_used = vec![false; col.lists.len()];
    let compiled_lists = lists::compile(&col, &mut list_used);
    let list_index = lists::ListIndex::new(&compiled_lists);

    // Macros: substitute lists, parse.
    let mut macro_asts = Vec::new();
    cancel.check()?;
    for m in &col.macros {
        cancel.check()?;
        let (text, overflow) = match lists::substitute(&m.cond, &compiled_lists, &list_index, &mut list_used) {
            Ok(t) => (t, false),
            Err(partial) => (
                std::borrow::Cow::Owned(too_large(partial, m.cond_span, ("macro", &m.name.value), &mut diags)),
                true,
            ),
        };
        let mut p = parse_cond(&text, m.cond_span, &smap, ("macro", &m.name.value), &mut diags);
        if overflow {
            p.poison(smap.to_global(m.cond_span));
        }
        macro_asts.push(p);
    }
    let mut table = MacroTable::new(
        col.macros.iter().map(|m| m.name.value.as_str()).collect(),
        col.macros.iter().map(|m| m.index).collect(),
        col.macros.iter().map(|m| m.visibility).collect(),
        macro_asts.iter().map(|p| p.ast.as_ref()).collect(),
    );
    table.expand_all(&smap, &mut diags);

    // Rules: expand exceptions, substitute lists, parse, resolve macros.
    let mut rule_parsed: Vec<(ParsedCond, Option<Expr>)> = Vec::new();
    cancel.check()?;
    for r in &col.rules {
        cancel.check()?;
        let cond = exceptions::expand(&r.cond, r.cond_span, &r.exceptions);
        let (text, overflow) = match lists::substitute(&cond, &compiled_lists, &list_index, &mut list_used) {
            Ok(t) => (t, false),
            Err(partial) => (
                std::borrow::Cow::Owned(too_large(partial, r.cond_span, ("rule", &r.name.value), &mut diags)),
                true,
            ),
        };
        let mut p = parse_cond(&text, r.cond_span, &smap, ("rule", &r.name.value), &mut diags);
        if overflow {
            p.poison(smap.to_global(r.cond_span));
        }
        let expanded = p
            .ast
            .as_ref()
            .map(|a| table.expand_rule(a, ("rule", &r.name.value), &smap, &mut diags));
        rule_parsed.push((p, expanded));
    }

    // Which macros are reachable from a rule that is compiled.
    let mut reachable = vec![false; col.macros.len()];
    for (r, (p, _)) in col.rules.iter().zip(&rule_parsed) {
        if is_known_source(&r.source)
            && let Some(a) = &p.ast
        {
            mark_reachable(a, &table, &macro_asts, &mut reachable);
        }
    }

    // Type-check each macro body once, and each rule's own condition.
    for (i, m) in col.macros.iter().enumerate() {
        cancel.check()?;
        let Some(ast) = &macro_asts[i].ast else {
            continue;
        };
        let severity = if reachable[i] {
            Severity::Error
        } else {
            Severity::Warning
        };
        let mut ck = Checker {
            env,
            smap: &smap,
            diags: Vec::new(),
            severity,
            item: ("macro", m.name.value.clone()),
        };
        ck.check_expr(ast);
        diags.extend(ck.diags);
    }
    let mut rules_out = Vec::new();
    for (r, (p, expanded)) in col.rules.iter().zip(rule_parsed) {
        cancel.check()?;
        let mut info = RuleInfo {
            name: r.name.value.clone(),
            desc: r.desc.clone(),
            priority: r.priority,
            source: r.source.clone(),
            enabled: r.enabled,
            tags: r.tags.clone(),
            condition: p.text.clone(),
            own_condition: r.cond.text.clone(),
            exceptions: r
                .exceptions
                .iter()
                .filter(|e| !e.values.is_empty())
                .map(|e| {
                    let alone = exceptions::expand(&SrcText::default(), r.cond_span, std::slice::from_ref(e));
                    (e.name.value.clone(), alone.text)
                })
                .collect(),
            output: r.output.text.clone(),
            output_parts: Vec::new(),
            expr: None,
            evttypes: None,
            fields: BTreeSet::new(),
            capture: r.capture,
            capture_duration: r.capture_duration,
            span: r.name.file_span(),
            skipped: None,
        };
        if !is_known_source(&r.source) {
            diags.push(
                Diagnostic::new(
                    Code::LoadUnknownSource,
                    r.source_span,
                    format!("Unknown source {}, skipping", r.source),
                )
                .in_item("rule", &r.name.value),
            );
            info.skipped = Some(format!("unknown source {}", r.source));
            rules_out.push(info);
            continue;
        }
        let mut ck = Checker {
            env,
            smap: &smap,
            diags: Vec::new(),
            severity: Severity::Error,
            item: ("rule", r.name.value.clone()),
        };
        if let Some(a) = &p.ast {
            ck.check_expr(a);
        }
        let (parts, out_errs) = output::parse(&r.output.text, &env);
        let mut rule_errors = ck.diags.iter().any(|d| d.is_error()) || p.has_errors;
        if r.skip_if_unknown_filter && (rule_errors || !out_errs.is_empty()) {
            // Unknown fields in the condition or the output downgrade to a warning.
            let first = ck.diags.iter().find(|d| d.is_error());
            let (span, first) = match (first, out_errs.first()) {
                (Some(d), _) => (d.primary, d.message.clone()),
                (None, Some(e)) => (r.output.map(e.span, r.output_span), e.message.clone()),
                (None, None) => (r.cond_span, String::new()),
            };
            diags.push(
                Diagnostic::new(
                    Code::LoadUnknownFilter,
                    span,
                    format!("{first}; the rule is skipped (skip-if-unknown-filter)"),
                )
                .in_item("rule", &r.name.value),
            );
            info.skipped = Some("unknown filter".into());
            rules_out.push(info);
            continue;
        }
        diags.extend(ck.diags);
        for e in out_errs {
            let fs = r.output.map(e.span, r.output_span);
            let mut d =
                Diagnostic::new(Code::LoadErrCompileOutput, fs, e.message).in_item("rule output", &r.name.value);
            d.help = e.help;
            if let Some((span, s)) = e.suggestion {
                let at = r.output.map(span, r.output_span);
                d.fix = Some(crate::diag::Fix::replace(
                    format!("replace with '{s}'"),
                    at,
                    s,
                    crate::diag::Applicability::Unsafe,
                ));
            }
            diags.push(d);
            rule_errors = true;
        }
        crate::lint::falco::output_deprecations(r, &mut diags);
        info.output_parts = parts;
        if let Some(e) = expanded
            && !rule_errors
            && !contains_error(&e)
        {
            info.fields = fields_used(&e, &info.output_parts);
            if r.source == "syscall" {
                let set = evttype::of(&e);
                if r.warn_evttypes && set.len() > 100 {
                    diags.push(
                        Diagnostic::new(
                            Code::LoadNoEvttype,
                            r.cond_span,
                            "Rule matches too many evt.type values. This has a significant performance penalty.",
                        )
                        .in_item("rule", &r.name.value)
                        .help("restrict the rule with `evt.type in (...)`, or set `warn_evttypes: false`"),
                    );
                }
                info.evttypes = Some(set);
            }
            info.expr = Some(e);
        } else {
            info.skipped = Some("the rule has errors".into());
        }
        rules_out.push(info);
    }

    let cx = crate::lint::Context::new(&files, &smap, &all_docs, &col, &rules_out, &list_used, &table.used, env);
    crate::lint::falco::unused_definitions(&cx, &mut diags);
    crate::lint::run(&cx, &opts.lint, &mut diags, cancel)?;
    dedup(&mut diags);
    let suppressed = crate::lint::finish(&cx, &opts.lint, &mut diags);
    if opts.exit_after {
        std::mem::forget(cx);
    } else {
        drop(cx);
    }
    let lists_out = col
        .lists
        .iter()
        .enumerate()
        .map(|(i, l)| ListInfo {
            name: l.name.value.clone(),
            items: l.items.iter().map(|s| s.value.clone()).collect(),
            used: list_used[i],
            span: l.name.file_span(),
        })
        .collect();
    let macros_out = col
        .macros
        .iter()
        .enumerate()
        .map(|(i, m)| MacroInfo {
            name: m.name.value.clone(),
            condition: m.cond.text.clone(),
            used: table.used[i],
            span: m.name.file_span(),
        })
        .collect();
    cancel.check()?;
    let program = if opts.lower {
        crate::ir::lower(rules_out.iter(), env)
    } else {
        crate::ir::Program::default()
    };
    let schema_ok = col.schema_ok;
    let required_engine_version = col.required_engine.map(|(v, _)| v);
    if opts.exit_after {
        // Freeing these costs about 3 % of a lint of Falco's rules; the exit frees them all.
        std::mem::forget(table);
        std::mem::forget((col, macro_asts, list_index, compiled_lists, all_docs));
    }
    Ok(Analysis {
        program,
        files,
        source_map: smap,
        lists: lists_out,
        macros: macros_out,
        rules: rules_out,
        diagnostics: diags,
        suppressed,
        schema_ok,
        required_engine_version,
    })
}

/// Report a condition that list substitution blew up, and give the parser nothing.
fn too_large(partial: SrcText, span: FileSpan, item: (&'static str, &str), diags: &mut Vec<Diagnostic>) -> SrcText {
    let msg = format!(
        "list substitution makes this condition too large (more than {} substitutions or {} bytes; stopped at {} bytes)",
        lists::MAX_SUBSTITUTIONS,
        lists::MAX_CONDITION_BYTES,
        partial.text.len()
    );
    diags.push(Diagnostic::new(Code::LoadErrValidate, span, msg).in_item(item.0, item.1));
    let mut t = SrcText::default();
    // Parsed and then discarded: the condition is marked as failed.
    t.push_synthetic("evt.num = 0", span);
    t
}

fn is_known_source(s: &str) -> bool {
    s == "syscall"
}

fn check_plugins(col: &Collected, opts: &Options, diags: &mut Vec<Diagnostic>) {
    let mut loaded: Vec<(String, Version)> = opts.plugins.clone();
    if opts.container_plugin {
        loaded.push(("container".into(), version::CONTAINER_PLUGIN_VERSION));
    }
    for req in &col.plugin_reqs {
        let ok = req.alternatives.iter().any(|(n, v)| {
            let Some(want) = version::parse(v) else {
                return false;
            };
            loaded.iter().any(|(ln, lv)| ln == n && want.compatible_with(lv))
        });
        if ok {
            continue;
        }
        let msg = if let [(n, v)] = req.alternatives.as_slice()
            && let Some((_, lv)) = loaded.iter().find(|(ln, _)| ln == n)
        {
            format!("Plugin '{n}' version '{lv}' is not compatible with required plugin version '{v}'")
        } else {
            let alts = req
                .alternatives
                .iter()
                .map(|(n, v)| format!("{n} (>= {v})"))
                .collect::<Vec<_>>()
                .join(", ");
            format!("Plugin requirement not satisfied, must load one of: {alts}")
        };
        diags.push(Diagnostic::new(Code::LoadErrValidate, req.span, msg).in_item("required_plugin_versions", ""));
    }
}

/// Mark the macros `e` reaches, through macros (a worklist: chains can be long).
fn mark_reachable(e: &Expr, table: &MacroTable, asts: &[ParsedCond], seen: &mut [bool]) {
    let mut todo = vec![e];
    while let Some(x) = todo.pop() {
        x.walk(&mut |x| {
            if let Expr::Macro(n) = x
                && let Some(&j) = table.names.get(n.text.as_str())
                && !seen[j]
            {
                seen[j] = true;
                if let Some(a) = &asts[j].ast {
                    todo.push(a);
                }
            }
        });
    }
}

fn contains_error(e: &Expr) -> bool {
    let mut found = false;
    e.walk(&mut |x| found |= matches!(x, Expr::Error(_)));
    found
}

fn fields_used(e: &Expr, out: &[OutputPart]) -> BTreeSet<String> {
    use crate::syntax::condition::ast::{Operand, Rhs, TArg, Transform};
    fn targ(a: &TArg, s: &mut BTreeSet<String>) {
        match a {
            TArg::Field(f) => {
                s.insert(f.name.clone());
            }
            TArg::Transform(t) => transform(t, s),
            TArg::List(xs, _) => xs.iter().for_each(|x| targ(x, s)),
            _ => {}
        }
    }
    fn transform(t: &Transform, s: &mut BTreeSet<String>) {
        t.args.iter().for_each(|a| targ(a, s));
    }
    fn operand(o: &Operand, s: &mut BTreeSet<String>) {
        match o {
            Operand::Field(f) => {
                s.insert(f.name.clone());
            }
            Operand::Transform(t) => transform(t, s),
        }
    }
    let mut s = BTreeSet::new();
    e.walk(&mut |x| {
        if let Expr::Check(c) = x {
            operand(&c.lhs, &mut s);
            if let Rhs::Operand(o) = &c.rhs {
                operand(o, &mut s);
            }
        }
    });
    for p in out {
        if let OutputPart::Field { field, .. } = p {
            s.insert(field.name.clone());
        }
    }
    s
}

/// Macro bodies are checked once, but a problem can still be reached twice; keep one.
fn dedup(diags: &mut Vec<Diagnostic>) {
    let mut seen = std::collections::HashSet::new();
    diags.retain(|d| seen.insert((d.code, d.primary, d.message.clone())));
    diags.sort_by_key(|d| (d.primary.file, d.primary.span.start));
}
