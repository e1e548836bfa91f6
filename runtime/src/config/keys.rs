//! Every configuration key falcorc knows: Falco's keys (same name, same meaning) and the
//! few of its own, each with whether falcorc acts on it. An unknown key is a warning naming
//! it; a known key falcorc does not act on is a warning saying so; docs/CONFIG.md lists
//! this table (a test fails when they differ).

/// What falcorc does with a key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Support {
    /// Read and honoured as Falco does.
    Yes,
    /// Read; the note says how falcorc differs.
    Differs(&'static str),
    /// Accepted and ignored, with a warning giving the reason.
    Ignored(&'static str),
}

/// (dotted path, support). A section marked `Differs` or `Ignored` covers the keys below it
/// that are not listed; below a `Yes` section, an unlisted key is unknown.
pub const KEYS: &[(&str, Support)] = &[
    ("config_files", Support::Yes),
    (
        "watch_config_files",
        Support::Differs("also watches the rules files; checks every 500 ms and reloads once a change has settled"),
    ),
    ("rules_files", Support::Yes),
    (
        "rules_file",
        Support::Differs("Falco's older name of rules_files; used when rules_files is absent"),
    ),
    ("rules", Support::Yes),
    ("priority", Support::Yes),
    ("rule_matching", Support::Yes),
    ("json_output", Support::Yes),
    ("json_include_output_property", Support::Yes),
    ("json_include_tags_property", Support::Yes),
    ("json_include_message_property", Support::Yes),
    ("json_include_output_fields_property", Support::Yes),
    ("time_format_iso_8601", Support::Yes),
    (
        "buffered_outputs",
        Support::Differs(
            "either way, each output writes in batches under load and flushes whenever its queue runs empty",
        ),
    ),
    (
        "outputs_queue",
        Support::Differs(
            "falcorc's queues are always bounded: capacity 0 (Falco: unbounded) means 4096 alerts per output",
        ),
    ),
    ("outputs_queue.capacity", Support::Yes),
    ("stdout_output", Support::Yes),
    ("stdout_output.enabled", Support::Yes),
    ("file_output", Support::Yes),
    ("file_output.enabled", Support::Yes),
    ("file_output.filename", Support::Yes),
    (
        "file_output.keep_alive",
        Support::Differs("the file is kept open either way (and reopened on SIGHUP)"),
    ),
    ("syslog_output", Support::Yes),
    ("syslog_output.enabled", Support::Yes),
    (
        "syslog_output.path",
        Support::Differs("falcorc's own: the local socket (default /dev/log)"),
    ),
    ("program_output", Support::Yes),
    ("program_output.enabled", Support::Yes),
    ("program_output.program", Support::Yes),
    ("program_output.keep_alive", Support::Yes),
    ("http_output", Support::Yes),
    ("http_output.enabled", Support::Yes),
    ("http_output.url", Support::Yes),
    ("http_output.user_agent", Support::Yes),
    ("http_output.insecure", Support::Yes),
    ("http_output.ca_cert", Support::Yes),
    ("http_output.ca_bundle", Support::Yes),
    ("http_output.ca_path", Support::Yes),
    ("http_output.mtls", Support::Yes),
    ("http_output.client_cert", Support::Yes),
    ("http_output.client_key", Support::Yes),
    (
        "http_output.keep_alive",
        Support::Differs("connections are kept alive and reused either way"),
    ),
    (
        "http_output.echo",
        Support::Ignored("the receiver's answers are not printed"),
    ),
    (
        "http_output.compress_uploads",
        Support::Ignored("alerts are posted uncompressed"),
    ),
    (
        "http_output.max_consecutive_timeouts",
        Support::Ignored("each alert is tried 4 times with backoff, then counted lost"),
    ),
    ("grpc", Support::Ignored("falcorc has no gRPC API")),
    ("grpc_output", Support::Ignored("falcorc has no gRPC API")),
    ("webserver", Support::Yes),
    ("webserver.enabled", Support::Yes),
    (
        "webserver.listen_address",
        Support::Differs("default 127.0.0.1 (Falco: 0.0.0.0): set it to be reached from elsewhere"),
    ),
    ("webserver.listen_port", Support::Yes),
    ("webserver.k8s_healthz_endpoint", Support::Yes),
    ("webserver.prometheus_metrics_enabled", Support::Yes),
    (
        "webserver.ssl_enabled",
        Support::Ignored("serve TLS through a proxy in front of it"),
    ),
    (
        "webserver.ssl_certificate",
        Support::Ignored("serve TLS through a proxy in front of it"),
    ),
    (
        "webserver.threadiness",
        Support::Differs("one thread per connection, at most 16 at once"),
    ),
    ("metrics", Support::Yes),
    ("metrics.enabled", Support::Yes),
    (
        "metrics.interval",
        Support::Differs("the snapshot a scrape reads is refreshed every second whatever the interval"),
    ),
    (
        "metrics.output_rule",
        Support::Ignored("metrics are served to Prometheus, not sent as alerts"),
    ),
    (
        "metrics.output_file",
        Support::Ignored("metrics are served to Prometheus, not written to a file"),
    ),
    ("metrics.rules_counters_enabled", Support::Yes),
    (
        "metrics.rule_costs_enabled",
        Support::Differs(
            "falcorc's own (default true): each rule's evaluations and time, measured on one event in 256, in /metrics",
        ),
    ),
    ("metrics.resource_utilization_enabled", Support::Yes),
    ("metrics.state_counters_enabled", Support::Yes),
    ("metrics.kernel_event_counters_enabled", Support::Yes),
    (
        "metrics.kernel_event_counters_per_cpu_enabled",
        Support::Ignored("drops are counted for all CPUs together"),
    ),
    ("metrics.libbpf_stats_enabled", Support::Ignored("not collected")),
    (
        "metrics.plugins_metrics_enabled",
        Support::Ignored("plugins are not supported"),
    ),
    (
        "metrics.jemalloc_stats_enabled",
        Support::Ignored("falcorc does not use jemalloc"),
    ),
    (
        "metrics.convert_memory_to_mb",
        Support::Differs("Prometheus gets bytes either way"),
    ),
    ("metrics.include_empty_values", Support::Yes),
    ("log_stderr", Support::Differs("falcorc always logs on stderr")),
    ("log_syslog", Support::Ignored("falcorc logs on stderr only")),
    ("log_level", Support::Ignored("falcorc logs what it has to say")),
    ("libs_logger", Support::Ignored("falcorc has no libs logger")),
    (
        "engine",
        Support::Differs("falcorc always runs its own CO-RE eBPF probe (Falco's modern_ebpf)"),
    ),
    ("load_plugins", Support::Ignored("plugins are not supported")),
    ("plugins", Support::Ignored("plugins are not supported")),
    ("plugins_hostinfo", Support::Ignored("plugins are not supported")),
    (
        "container_engines",
        Support::Ignored("falcorc models the container plugin's fields itself"),
    ),
    (
        "buffer_format_base64",
        Support::Ignored("buffers print as Falco's default (printable characters)"),
    ),
    (
        "output_timeout",
        Support::Ignored("falcorc's outputs never block evaluation, so need no timeout"),
    ),
    (
        "syscall_event_timeouts",
        Support::Ignored("not applicable to falcorc's probe"),
    ),
    (
        "syscall_event_drops",
        Support::Differs("falcorc alerts on drops at most once per 30 s (Falco's default rate)"),
    ),
    (
        "base_syscalls",
        Support::Ignored("falcorc derives the event types it needs from the rules"),
    ),
    ("falco_libs", Support::Ignored("falcorc's tables have their own limits")),
    ("capture", Support::Ignored("use `falcorc record`")),
    ("append_output", Support::Ignored("not implemented yet")),
    ("static_fields", Support::Ignored("not implemented yet")),
    (
        "json_include_output_fields",
        Support::Ignored("not a Falco key; did you mean json_include_output_fields_property?"),
    ),
];

/// The entry for `path`, or for its nearest listed parent section.
pub fn lookup(path: &str) -> Option<(&'static str, Support)> {
    let mut p = path;
    loop {
        if let Some((k, s)) = KEYS.iter().find(|(k, _)| *k == p) {
            return Some((k, *s));
        }
        p = &p[..p.rfind('.')?];
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_listed_once_and_sections_cover_their_children() {
        for (i, (k, _)) in KEYS.iter().enumerate() {
            assert!(!KEYS[..i].iter().any(|(o, _)| o == k), "{k} twice");
        }
        // Below an ignored section, its listing covers every key.
        assert_eq!(lookup("grpc.bind_address").map(|e| e.0), Some("grpc"));
        assert_eq!(
            lookup("file_output.filename").map(|e| e.0),
            Some("file_output.filename")
        );
        assert_eq!(lookup("nonsense"), None);
    }
}
