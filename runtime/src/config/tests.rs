use super::*;

fn temp(name: &str, files: &[(&str, &str)]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("falcorc-config-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    for (f, text) in files {
        let p = dir.join(f);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
    dir
}

fn opts(o: &[&str]) -> Vec<String> {
    o.iter().map(|s| s.to_string()).collect()
}

/// The parts of Falco's shipped falco.yaml that matter here, with its defaults.
const FALCO_LIKE: &str = "\
config_files:
  - /etc/falco/config.d
watch_config_files: true
rules_files:
  - /etc/falco/falco_rules.yaml
  - /etc/falco/falco_rules.local.yaml
  - /etc/falco/rules.d
rules:
  - disable:
      rule: \"*\"
  - enable:
      tag: network
engine:
  kind: modern_ebpf
load_plugins: []
time_format_iso_8601: false
priority: debug
json_output: false
json_include_output_property: true
json_include_tags_property: true
buffered_outputs: false
rule_matching: first
outputs_queue:
  capacity: 0
stdout_output:
  enabled: true
syslog_output:
  enabled: true
file_output:
  enabled: false
  keep_alive: false
  filename: ./events.txt
http_output:
  enabled: false
  url: http://some.url
program_output:
  enabled: false
  keep_alive: false
  program: \"jq '{text: .output}' | curl -d @- -X POST https://hooks.slack.com/services/XXX\"
grpc:
  enabled: false
webserver:
  enabled: true
  listen_port: 8765
log_stderr: true
log_level: info
";

#[test]
fn falcos_own_configuration_loads_with_warnings_only_for_what_falcorc_does_not_do() {
    let dir = temp("falco", &[("falco.yaml", FALCO_LIKE)]);
    let l = load(Some(&dir.join("falco.yaml")), &[]).unwrap();
    let c = &l.config;
    assert_eq!(c.rules_files.len(), 3);
    assert_eq!(
        c.selectors,
        [Selector::DisableRule("*".into()), Selector::EnableTag("network".into())]
    );
    assert!(c.stdout);
    assert_eq!(
        c.syslog.as_ref().map(|s| s.path.clone()),
        Some(PathBuf::from("/dev/log"))
    );
    assert_eq!((c.file.clone(), c.program.clone()), (None, None));
    assert_eq!(c.queue_capacity, DEFAULT_QUEUE);
    assert!(!c.time_format_iso_8601 && !c.json_output);
    // Falco's own configuration: nothing to warn about (watch_config_files is a plain
    // value, not a switch).
    assert_eq!(l.warnings, Vec::<String>::new());
    let web = c.webserver.as_ref().expect("webserver enabled");
    assert_eq!(
        (web.address.as_str(), web.healthz.as_str(), web.prometheus),
        ("127.0.0.1:8765", "/healthz", false)
    );
    assert_eq!(c.metrics, None);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn options_override_the_file_and_are_named_in_errors() {
    let dir = temp(
        "opts",
        &[("c.yaml", "stdout_output:\n  enabled: true\njson_output: false\n")],
    );
    let c = dir.join("c.yaml");
    let l = load(
        Some(&c),
        &opts(&[
            "json_output=true",
            "file_output.enabled=true",
            "file_output.filename=/tmp/x.log",
            "outputs_queue.capacity=10",
            "rules_files[]=/r.yaml",
        ]),
    )
    .unwrap();
    assert!(l.config.json_output);
    assert_eq!(
        l.config.file,
        Some(FileOutput {
            filename: "/tmp/x.log".into()
        })
    );
    assert_eq!(l.config.queue_capacity, 10);
    assert_eq!(l.config.rules_files, [PathBuf::from("/r.yaml")]);
    let e = load(Some(&c), &opts(&["json_output=maybe"])).unwrap_err();
    assert_eq!(e, ["-o json_output=maybe: json_output: 'maybe' is not true or false"]);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn every_invalid_value_is_reported_at_its_place_before_anything_starts() {
    let text = "\
priority: loud
rule_matching: some
json_output: 2
outputs_queue:
  capacity: -1
file_output:
  enabled: true
program_output:
  enabled: yes
  program: \"\"
rules:
  - enable: {colour: red}
";
    let dir = temp("bad", &[("bad.yaml", text)]);
    let p = dir.join("bad.yaml");
    let e = load(Some(&p), &[]).unwrap_err();
    let f = p.display().to_string();
    let want = [
        format!("{f}:12:5: rules: expected `enable:` or `disable:` with `rule: NAME` or `tag: TAG`"),
        format!(
            "{f}:1:11: priority: 'loud' is not a priority (emergency, alert, critical, error, warning, notice, info, debug)"
        ),
        format!("{f}:2:16: rule_matching: 'some' is not first or all"),
        format!("{f}:5:13: outputs_queue.capacity: '-1' is not a whole number between 0 and 1048576"),
        format!("{f}:3:14: json_output: '2' is not true or false"),
        format!("{f}:7:12: file_output is enabled but has no filename"),
        format!("{f}:10:12: program_output.program: program_output is enabled but program is empty"),
    ];
    assert_eq!(e, want);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn unknown_keys_are_warnings_naming_the_key_and_no_output_is_an_error() {
    let dir = temp(
        "unknown",
        &[(
            "c.yaml",
            "stdout_output:\n  enabled: true\n  colour: blue\njson_outptu: true\n",
        )],
    );
    let p = dir.join("c.yaml");
    let l = load(Some(&p), &[]).unwrap();
    let f = p.display().to_string();
    assert_eq!(
        l.warnings,
        [
            format!("{f}:3:11: unknown configuration key 'stdout_output.colour', ignored"),
            format!("{f}:4:14: unknown configuration key 'json_outptu', ignored"),
        ]
    );
    let e = load(Some(&p), &opts(&["stdout_output.enabled=false"])).unwrap_err();
    assert!(e[0].starts_with("no output is enabled"), "{e:?}");
    let e = load(Some(&dir.join("missing.yaml")), &[]).unwrap_err();
    assert!(e[0].starts_with("cannot read the configuration"), "{e:?}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn config_files_replace_top_level_keys_in_order() {
    let dir = temp(
        "merge",
        &[
            (
                "falco.yaml",
                "config_files: [config.d, extra.yaml, absent.yaml]\njson_output: false\nstdout_output:\n  enabled: true\n",
            ),
            ("config.d/10-json.yaml", "json_output: true\n"),
            (
                "config.d/20-file.yaml",
                "file_output: {enabled: true, filename: /tmp/a}\n",
            ),
            ("extra.yaml", "file_output: {enabled: true, filename: /tmp/b}\n"),
        ],
    );
    let l = load(Some(&dir.join("falco.yaml")), &[]).unwrap();
    assert!(l.config.json_output);
    assert_eq!(
        l.config.file,
        Some(FileOutput {
            filename: "/tmp/b".into()
        })
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn http_output_takes_falcos_keys_and_defaults() {
    let l = load(
        None,
        &opts(&[
            "http_output.enabled=true",
            "http_output.url=https://127.0.0.1:2801/",
            "http_output.mtls=true",
            "http_output.ca_cert=/etc/falcorc/ca.pem",
            "json_output=true",
        ]),
    )
    .unwrap();
    let h = l.config.http.expect("http output");
    assert_eq!(h.url, "https://127.0.0.1:2801/");
    assert!(h.json && !h.insecure);
    assert_eq!(h.user_agent, "falcosecurity/falco");
    assert_eq!(h.ca_cert, Some(PathBuf::from("/etc/falcorc/ca.pem")));
    assert_eq!(h.ca_bundle, Some(PathBuf::from("/etc/ssl/certs/ca-certificates.crt")));
    assert_eq!(
        h.client,
        Some((
            PathBuf::from("/etc/ssl/certs/client.crt"),
            PathBuf::from("/etc/ssl/certs/client.key")
        ))
    );
    let e = load(None, &opts(&["http_output.enabled=true"])).unwrap_err();
    assert_eq!(
        e,
        ["-o http_output.enabled=true: http_output is enabled but has no url"]
    );
}

#[test]
fn webserver_and_metrics_keys() {
    let l = load(
        None,
        &opts(&[
            "stdout_output.enabled=true",
            "webserver.enabled=true",
            "webserver.listen_address=::1",
            "webserver.listen_port=9100",
            "webserver.k8s_healthz_endpoint=/ready",
            "webserver.prometheus_metrics_enabled=true",
            "webserver.ssl_enabled=true",
            "metrics.enabled=true",
            "metrics.include_empty_values=true",
            "metrics.resource_utilization_enabled=false",
        ]),
    )
    .unwrap();
    let w = l.config.webserver.unwrap();
    assert_eq!(
        (w.address.as_str(), w.healthz.as_str(), w.prometheus),
        ("[::1]:9100", "/ready", true)
    );
    let m = l.config.metrics.unwrap();
    assert!(m.include_empty_values && !m.resource_utilization && m.rules_counters);
    assert_eq!(
        l.warnings,
        [
            "-o webserver.ssl_enabled=true: 'webserver.ssl_enabled' is not supported: serve TLS through a proxy in front of it"
        ]
    );
    let e = load(
        None,
        &opts(&[
            "stdout_output.enabled=true",
            "webserver.enabled=true",
            "webserver.listen_port=70000",
        ]),
    )
    .unwrap_err();
    assert!(
        e[0].contains("'70000' is not a whole number between 0 and 65535"),
        "{e:?}"
    );
}

#[test]
fn an_enabled_http_output_with_falcos_keys_is_read_without_warnings() {
    let yaml = "stdout_output: {enabled: false}\nwatch_config_files: false\nhttp_output:\n  enabled: true\n  \
                url: https://sidekick.example:2801/\n  user_agent: me\n  insecure: false\n  ca_cert: ''\n  \
                ca_bundle: /etc/ssl/certs/ca-certificates.crt\n  ca_path: /etc/ssl/certs\n  mtls: false\n  \
                client_cert: /c.crt\n  client_key: /c.key\n  keep_alive: true\n  echo: false\n  \
                compress_uploads: false\n  max_consecutive_timeouts: 5\n";
    let dir = temp("http-keys", &[("falco.yaml", yaml)]);
    let l = load(Some(&dir.join("falco.yaml")), &[]).unwrap();
    assert_eq!(l.warnings, Vec::<String>::new());
    let h = l.config.http.as_ref().expect("http output");
    assert_eq!(
        (h.url.as_str(), h.user_agent.as_str()),
        ("https://sidekick.example:2801/", "me")
    );
    assert!(!l.config.watch_config_files);
    assert_eq!(l.files, [dir.join("falco.yaml")]);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_files_to_watch_are_the_configuration_and_its_config_files_entries() {
    let dir = temp(
        "watch-files",
        &[
            (
                "falco.yaml",
                "config_files: [conf.d, extra.yaml, missing.yaml]\nstdout_output: {enabled: true}\n",
            ),
            ("conf.d/a.yaml", "json_output: true\n"),
            ("extra.yaml", "priority: warning\n"),
        ],
    );
    let l = load(Some(&dir.join("falco.yaml")), &[]).unwrap();
    assert!(l.config.watch_config_files, "Falco's default");
    assert_eq!(
        l.files,
        [
            dir.join("falco.yaml"),
            dir.join("conf.d"),
            dir.join("extra.yaml"),
            dir.join("missing.yaml")
        ]
    );
    let _ = std::fs::remove_dir_all(&dir);
}
