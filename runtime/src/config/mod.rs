//! `falcorc run -c FILE -o key=value`: Falco's configuration file, read with the keys'
//! Falco meanings (see [`keys`] and docs/CONFIG.md). Every invalid value is reported with
//! its place (file, line, column, or the `-o` option) before anything starts; unknown keys
//! and keys falcorc does not act on are warnings.

pub mod keys;
pub mod tree;

use crate::engine::Selector;
use crate::metrics::MetricsOptions;
use crate::output::http::HttpOptions;
use falcorc_compiler::fs;
use falcorc_compiler::sema::items::Priority;
use keys::Support;
use std::path::{Path, PathBuf};
use tree::{Item, Origin, Val};

/// Falco's `rule_matching`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RuleMatching {
    First,
    All,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileOutput {
    pub filename: PathBuf,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProgramOutput {
    /// Run through `sh -c`.
    pub program: String,
    /// One program for all alerts (restarted if it exits), else one per alert.
    pub keep_alive: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SyslogOutput {
    pub path: PathBuf,
}

/// The configuration `run` acts on. Defaults are Falco's for a key the file leaves out.
#[derive(Clone, Debug, PartialEq)]
pub struct Config {
    pub rules_files: Vec<PathBuf>,
    /// Falco's `rules:` list: enable/disable by rule name (wildcards) or tag, in order.
    pub selectors: Vec<Selector>,
    pub priority: Priority,
    pub rule_matching: RuleMatching,
    pub json_output: bool,
    pub json_include_output_property: bool,
    pub json_include_tags_property: bool,
    pub json_include_message_property: bool,
    pub json_include_output_fields_property: bool,
    pub time_format_iso_8601: bool,
    /// Flush each output only when its queue runs empty (else after every alert).
    pub buffered_outputs: bool,
    /// Alerts each output's queue holds.
    pub queue_capacity: usize,
    pub stdout: bool,
    pub file: Option<FileOutput>,
    pub syslog: Option<SyslogOutput>,
    pub program: Option<ProgramOutput>,
    pub http: Option<HttpOptions>,
    pub webserver: Option<Webserver>,
    /// `metrics.enabled` (with what to report); served when the web server exports them.
    pub metrics: Option<MetricsOptions>,
    /// Reload when the configuration or a rules file changes.
    pub watch_config_files: bool,
}

/// Falco's `webserver`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Webserver {
    /// `listen_address:listen_port`.
    pub address: String,
    pub healthz: String,
    pub prometheus: bool,
}

/// Alerts an output's queue holds when the configuration says 0 (Falco: unbounded).
pub const DEFAULT_QUEUE: usize = 4096;

/// The largest queue accepted (each alert is a few hundred bytes to a few KB).
pub const MAX_QUEUE: usize = 1 << 20;

impl Default for Config {
    /// Falco's defaults for keys a configuration leaves out.
    fn default() -> Config {
        Config {
            rules_files: Vec::new(),
            selectors: Vec::new(),
            priority: Priority::Debug,
            rule_matching: RuleMatching::First,
            json_output: false,
            json_include_output_property: true,
            json_include_tags_property: true,
            json_include_message_property: false,
            json_include_output_fields_property: true,
            time_format_iso_8601: false,
            buffered_outputs: false,
            queue_capacity: DEFAULT_QUEUE,
            stdout: false,
            file: None,
            syslog: None,
            program: None,
            http: None,
            webserver: None,
            metrics: None,
            watch_config_files: true,
        }
    }
}

/// A configuration and what was said about it.
#[derive(Debug)]
pub struct Loaded {
    pub config: Config,
    /// Unknown keys, keys falcorc ignores; each names the key and its place.
    pub warnings: Vec<String>,
    /// The configuration files read, and the `config_files` entries (files or
    /// directories, present or not): what `watch_config_files` watches.
    pub files: Vec<PathBuf>,
}

/// Reads `file` (if any), the files its `config_files` names, then applies `options`
/// (`-o key=value`, in order). Errors: every problem found, each with its place.
pub fn load(file: Option<&Path>, options: &[String]) -> Result<Loaded, Vec<String>> {
    let mut root = match file {
        Some(p) => read_tree(p)?,
        None => Item::map(Origin::Implied),
    };
    let mut errors = Vec::new();
    let mut files: Vec<PathBuf> = file.map(Path::to_path_buf).into_iter().collect();
    if let Some(p) = file {
        files.extend(merge_config_files(&mut root, p, &mut errors));
    }
    for o in options {
        if let Err(e) = tree::set_option(&mut root, o) {
            errors.push(e);
        }
    }
    // The values' own mistakes too: every problem in one go.
    match decode(&root) {
        Ok(loaded) if errors.is_empty() => Ok(Loaded { files, ..loaded }),
        Ok(_) => Err(errors),
        Err(more) if errors.is_empty() => Err(more),
        Err(more) => {
            // "No output" may only be the consequence of an option that did not apply.
            errors.extend(more.into_iter().filter(|e| !e.starts_with("no output is enabled")));
            Err(errors)
        }
    }
}

fn read_tree(p: &Path) -> Result<Item, Vec<String>> {
    let text = fs::read_text(p, fs::MAX_TEXT_BYTES).map_err(|e| vec![format!("cannot read the configuration: {e}")])?;
    tree::from_yaml(&p.display().to_string(), &text)
}

/// Falco's `config_files`: more files (a directory: its `*.yaml` files in name order),
/// read after the main one; each file's top-level keys replace the same keys before it.
/// Paths are relative to the main file's directory; a missing one is skipped. Returns
/// the entries' paths.
fn merge_config_files(root: &mut Item, main: &Path, errors: &mut Vec<String>) -> Vec<PathBuf> {
    let Some(list) = root.get("config_files").cloned() else {
        return Vec::new();
    };
    let mut entries = Vec::new();
    let base = main.parent().unwrap_or(Path::new("."));
    let mut files = Vec::new();
    for entry in seq_of_strings(&list, "config_files", errors) {
        let p = base.join(&entry);
        entries.push(p.clone());
        if p.is_dir() {
            let walk = fs::walk(
                &p,
                &fs::WalkOptions {
                    keep: &|f| f.extension().is_some_and(|x| x == "yaml" || x == "yml"),
                    enter: &|_| false,
                    max_depth: 0,
                    max_files: 1000,
                },
            );
            files.extend(walk.files);
        } else if p.exists() {
            files.push(p);
        }
    }
    for f in files {
        match read_tree(&f) {
            Ok(Item {
                val: Val::Map(entries_of_file),
                ..
            }) => {
                let Val::Map(top) = &mut root.val else { break };
                for (k, v) in entries_of_file {
                    top.retain(|(ok, _)| *ok != k);
                    top.push((k, v));
                }
            }
            Ok(_) => {}
            Err(e) => errors.extend(e),
        }
    }
    entries
}

fn seq_of_strings(item: &Item, key: &str, errors: &mut Vec<String>) -> Vec<String> {
    match &item.val {
        Val::Seq(items) => items
            .iter()
            .filter_map(|i| match &i.val {
                Val::Scalar(s) => Some(s.clone()),
                _ => {
                    errors.push(format!("{}: {key}: expected a list of strings", i.at));
                    None
                }
            })
            .collect(),
        Val::Scalar(s) => vec![s.clone()],
        Val::Null => Vec::new(),
        Val::Map(_) => {
            errors.push(format!("{}: {key}: expected a list of strings", item.at));
            Vec::new()
        }
    }
}

/// yaml-cpp's booleans: true/false, yes/no, on/off, y/n, in lower, Title or UPPER case.
fn yaml_bool(s: &str) -> Option<bool> {
    match s {
        "true" | "True" | "TRUE" | "yes" | "Yes" | "YES" | "on" | "On" | "ON" | "y" | "Y" => Some(true),
        "false" | "False" | "FALSE" | "no" | "No" | "NO" | "off" | "Off" | "OFF" | "n" | "N" => Some(false),
        _ => None,
    }
}

/// Typed reads with every error collected.
struct Reader<'a> {
    root: &'a Item,
    errors: Vec<String>,
}

impl Reader<'_> {
    fn at(&self, path: &str) -> Option<&Item> {
        let mut cur = self.root;
        for part in path.split('.') {
            cur = cur.get(part)?;
        }
        match cur.val {
            Val::Null => None,
            _ => Some(cur),
        }
    }

    fn scalar(&mut self, path: &str, what: &str) -> Option<(String, Origin)> {
        let item = self.at(path)?;
        match &item.val {
            Val::Scalar(s) => Some((s.clone(), item.at.clone())),
            _ => {
                self.errors.push(format!("{}: {path}: expected {what}", item.at));
                None
            }
        }
    }

    /// A boolean key ([`yaml_bool`]); anything else is an error and gives `default`.
    fn bool(&mut self, path: &str, default: bool) -> bool {
        let Some((s, at)) = self.scalar(path, "true or false") else {
            return default;
        };
        yaml_bool(&s).unwrap_or_else(|| {
            self.errors.push(format!("{at}: {path}: '{s}' is not true or false"));
            default
        })
    }

    fn string(&mut self, path: &str) -> Option<(String, Origin)> {
        self.scalar(path, "a string")
    }

    fn usize(&mut self, path: &str, default: usize, max: usize) -> usize {
        let Some((s, at)) = self.scalar(path, "a number") else {
            return default;
        };
        match s.parse::<usize>() {
            Ok(n) if n <= max => n,
            _ => {
                self.errors
                    .push(format!("{at}: {path}: '{s}' is not a whole number between 0 and {max}"));
                default
            }
        }
    }

    /// An output section's `enabled`, and when true, its required string key.
    fn output(&mut self, section: &str, required: &str) -> Option<String> {
        if !self.bool(&format!("{section}.enabled"), false) {
            return None;
        }
        let key = format!("{section}.{required}");
        match self.string(&key) {
            Some((v, _)) if !v.trim().is_empty() => Some(v),
            Some((_, at)) => {
                self.errors
                    .push(format!("{at}: {key}: {section} is enabled but {required} is empty"));
                None
            }
            None => {
                // Where it was enabled: the place to add the missing key.
                let at = self
                    .at(&format!("{section}.enabled"))
                    .map_or(Origin::Implied, |i| i.at.clone());
                self.errors
                    .push(format!("{at}: {section} is enabled but has no {required}"));
                None
            }
        }
    }
}

fn decode(root: &Item) -> Result<Loaded, Vec<String>> {
    let mut r = Reader {
        root,
        errors: Vec::new(),
    };
    let d = Config::default();
    let rules_key = if r.at("rules_files").is_some() {
        "rules_files"
    } else {
        "rules_file"
    };
    let rules_files = match r.at(rules_key).cloned() {
        Some(item) => seq_of_strings(&item, rules_key, &mut r.errors)
            .into_iter()
            .map(PathBuf::from)
            .collect(),
        None => Vec::new(),
    };
    let selectors = match r.at("rules").cloned() {
        Some(item) => selectors(&item, &mut r.errors),
        None => Vec::new(),
    };
    let priority = match r.string("priority") {
        Some((s, at)) => Priority::parse(&s).unwrap_or_else(|| {
            r.errors.push(format!(
                "{at}: priority: '{s}' is not a priority (emergency, alert, critical, error, warning, notice, info, debug)"
            ));
            d.priority
        }),
        None => d.priority,
    };
    let rule_matching = match r.string("rule_matching") {
        Some((s, _)) if s == "first" => RuleMatching::First,
        Some((s, _)) if s == "all" => RuleMatching::All,
        Some((s, at)) => {
            r.errors.push(format!("{at}: rule_matching: '{s}' is not first or all"));
            d.rule_matching
        }
        None => d.rule_matching,
    };
    let capacity = r.usize("outputs_queue.capacity", 0, MAX_QUEUE);
    let json_output = r.bool("json_output", d.json_output);
    let config = Config {
        rules_files,
        selectors,
        priority,
        rule_matching,
        json_output,
        json_include_output_property: r.bool("json_include_output_property", d.json_include_output_property),
        json_include_tags_property: r.bool("json_include_tags_property", d.json_include_tags_property),
        json_include_message_property: r.bool("json_include_message_property", d.json_include_message_property),
        json_include_output_fields_property: r.bool(
            "json_include_output_fields_property",
            d.json_include_output_fields_property,
        ),
        time_format_iso_8601: r.bool("time_format_iso_8601", d.time_format_iso_8601),
        buffered_outputs: r.bool("buffered_outputs", d.buffered_outputs),
        queue_capacity: if capacity == 0 { DEFAULT_QUEUE } else { capacity },
        stdout: r.bool("stdout_output.enabled", d.stdout),
        file: r
            .output("file_output", "filename")
            .map(|f| FileOutput { filename: f.into() }),
        syslog: r.bool("syslog_output.enabled", false).then(|| SyslogOutput {
            path: r
                .string("syslog_output.path")
                .map_or_else(|| PathBuf::from("/dev/log"), |(p, _)| p.into()),
        }),
        program: r.output("program_output", "program").map(|program| ProgramOutput {
            program,
            keep_alive: r.bool("program_output.keep_alive", false),
        }),
        http: r
            .output("http_output", "url")
            .map(|url| http_options(&mut r, &url, json_output)),
        webserver: r.bool("webserver.enabled", false).then(|| webserver(&mut r)),
        metrics: r.bool("metrics.enabled", false).then(|| metrics_options(&mut r)),
        watch_config_files: r.bool("watch_config_files", d.watch_config_files),
    };
    let mut errors = r.errors;
    let any = config.stdout
        || config.file.is_some()
        || config.syslog.is_some()
        || config.program.is_some()
        || config.http.is_some();
    if errors.is_empty() && !any {
        errors.push(
            "no output is enabled: enable one of stdout_output, file_output, syslog_output, program_output, http_output"
                .into(),
        );
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let mut warnings = Vec::new();
    check_keys(root, "", &mut warnings);
    Ok(Loaded {
        config,
        warnings,
        files: Vec::new(),
    })
}

/// `metrics`' switches, Falco's defaults for those left out.
fn metrics_options(r: &mut Reader<'_>) -> MetricsOptions {
    let d = MetricsOptions::default();
    MetricsOptions {
        rules_counters: r.bool("metrics.rules_counters_enabled", d.rules_counters),
        resource_utilization: r.bool("metrics.resource_utilization_enabled", d.resource_utilization),
        state_counters: r.bool("metrics.state_counters_enabled", d.state_counters),
        kernel_event_counters: r.bool("metrics.kernel_event_counters_enabled", d.kernel_event_counters),
        include_empty_values: r.bool("metrics.include_empty_values", d.include_empty_values),
        rule_costs: r.bool("metrics.rule_costs_enabled", d.rule_costs),
    }
}

/// `webserver`'s keys; the address defaults to loopback (Falco: every interface).
fn webserver(r: &mut Reader<'_>) -> Webserver {
    let host = r
        .string("webserver.listen_address")
        .map_or_else(|| "127.0.0.1".to_string(), |(h, _)| h);
    let port = r.usize("webserver.listen_port", 8765, 65535);
    let healthz = match r.string("webserver.k8s_healthz_endpoint") {
        Some((p, _)) if p.starts_with('/') => p,
        Some((p, at)) => {
            r.errors.push(format!(
                "{at}: webserver.k8s_healthz_endpoint: '{p}' does not start with '/'"
            ));
            p
        }
        None => "/healthz".into(),
    };
    // An IPv6 address goes in brackets before the port.
    let address = if host.contains(':') && !host.starts_with('[') {
        format!("[{host}]:{port}")
    } else {
        format!("{host}:{port}")
    };
    Webserver {
        address,
        healthz,
        prometheus: r.bool("webserver.prometheus_metrics_enabled", false),
    }
}

/// `http_output`'s keys, Falco's defaults for those left out.
fn http_options(r: &mut Reader<'_>, url: &str, json: bool) -> HttpOptions {
    let d = HttpOptions::new(url);
    let mut path = |key: &str, default: Option<std::path::PathBuf>| match r.string(&format!("http_output.{key}")) {
        Some((p, _)) if p.trim().is_empty() => None,
        Some((p, _)) => Some(PathBuf::from(p)),
        None => default,
    };
    let ca_cert = path("ca_cert", None);
    let ca_bundle = path("ca_bundle", d.ca_bundle.clone());
    let ca_path = path("ca_path", d.ca_path.clone());
    let client_cert = path("client_cert", Some("/etc/ssl/certs/client.crt".into()));
    let client_key = path("client_key", Some("/etc/ssl/certs/client.key".into()));
    let mtls = r.bool("http_output.mtls", false);
    HttpOptions {
        user_agent: r
            .string("http_output.user_agent")
            .map_or(d.user_agent.clone(), |(u, _)| u),
        json,
        insecure: r.bool("http_output.insecure", false),
        ca_cert,
        ca_bundle,
        ca_path,
        client: if mtls { client_cert.zip(client_key) } else { None },
        ..d
    }
}

/// Falco's `rules:` entries: `- enable: {rule: NAME}`, `- disable: {tag: TAG}`.
fn selectors(item: &Item, errors: &mut Vec<String>) -> Vec<Selector> {
    let Val::Seq(entries) = &item.val else {
        errors.push(format!("{}: rules: expected a list of enable/disable entries", item.at));
        return Vec::new();
    };
    let mut out = Vec::new();
    for e in entries {
        let found = ["enable", "disable"].iter().find_map(|verb| {
            let body = e.get(verb)?;
            ["rule", "tag"]
                .iter()
                .find_map(|what| match body.get(what).map(|i| &i.val) {
                    Some(Val::Scalar(s)) => Some((*verb, *what, s.clone())),
                    _ => None,
                })
        });
        match found {
            Some(("enable", "rule", s)) => out.push(Selector::EnableRule(s)),
            Some(("disable", "rule", s)) => out.push(Selector::DisableRule(s)),
            Some(("enable", _, s)) => out.push(Selector::EnableTag(s)),
            Some((_, _, s)) => out.push(Selector::DisableTag(s)),
            None => errors.push(format!(
                "{}: rules: expected `enable:` or `disable:` with `rule: NAME` or `tag: TAG`",
                e.at
            )),
        }
    }
    out
}

/// Warnings for unknown keys, and for keys falcorc ignores that would do something.
fn check_keys(item: &Item, prefix: &str, out: &mut Vec<String>) {
    let Val::Map(entries) = &item.val else { return };
    for (k, v) in entries {
        let path = if prefix.is_empty() {
            k.clone()
        } else {
            format!("{prefix}.{k}")
        };
        match keys::lookup(&path) {
            None => out.push(format!("{}: unknown configuration key '{path}', ignored", v.at)),
            Some((listed, Support::Ignored(why))) if listed == path => {
                if active(&path, v) {
                    out.push(format!("{}: '{path}' is not supported: {why}", v.at));
                }
            }
            Some((_, Support::Ignored(_))) => {}
            // Below a section falcorc reads key by key, an unlisted key is unknown.
            Some((listed, Support::Yes)) if listed != path => {
                out.push(format!("{}: unknown configuration key '{path}', ignored", v.at));
            }
            Some(_) => check_keys(v, &path, out),
        }
    }
}

/// Whether an ignored key's value would have Falco do something: a section enabled, a
/// non-empty list.
fn active(path: &str, v: &Item) -> bool {
    match &v.val {
        // A switch (`ssl_enabled: true`) turned on.
        Val::Scalar(s) if path.ends_with("enabled") => yaml_bool(s) == Some(true),
        Val::Seq(items) => !items.is_empty(),
        Val::Map(_) => match v.get("enabled").map(|e| &e.val) {
            Some(Val::Scalar(s)) => yaml_bool(s) == Some(true),
            _ => false,
        },
        _ => false,
    }
}

#[cfg(test)]
mod tests;
