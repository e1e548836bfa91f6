//! docs/RULES.md is generated from the default ruleset (rules/*.yaml) and its fixtures
//! (rules/tests/*.test.yaml); this test fails when the page is stale.
//! `FALCORC_UPDATE_DOCS=1 cargo test --test default_rules` writes it again.

use falcorc_compiler::sema::typeck::Env;
use falcorc_compiler::{Analysis, Options, SourceFile, analyze};
use falcorc_runtime::engine::{Engine, EngineOptions, RuleMatching};
use falcorc_runtime::fixture::spec;
use falcorc_runtime::output::Outputs;
use falcorc_runtime::replay::replay_numbered;
use falcorc_runtime::scap::ScapReader;
use std::collections::BTreeMap;
use std::fmt::Write;
use std::path::{Path, PathBuf};

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn sorted_files(dir: &Path, keep: impl Fn(&str) -> bool) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.is_file() && p.file_name().and_then(|n| n.to_str()).is_some_and(&keep))
        .collect();
    out.sort();
    out
}

/// The leading comment of a rules file, without `#` and the "part N:" heading.
fn intro(text: &str) -> (String, String) {
    let lines: Vec<&str> = text
        .lines()
        .take_while(|l| l.starts_with('#'))
        .map(|l| l.trim_start_matches('#').trim())
        .collect();
    let joined = lines.join(" ");
    match joined.split_once(": ") {
        Some((head, rest)) => {
            let (title, body) = rest.split_once(". ").unwrap_or((rest, ""));
            let _ = head;
            (title.to_string(), body.to_string())
        }
        None => (String::new(), joined),
    }
}

/// The rules the live test trips (the trailing `# A, B` of the scripts' command lines), and
/// those it cannot, with why.
fn live() -> (Vec<String>, BTreeMap<String, String>) {
    let support = repo().join("tests/support");
    let mut tripped = Vec::new();
    for script in ["attack_actions.sh", "container_actions.sh", "remote_actions.sh"] {
        let text = std::fs::read_to_string(support.join(script)).unwrap();
        for l in text.lines().filter(|l| !l.trim_start().starts_with('#')) {
            if let Some((_, c)) = l.rsplit_once("  # ") {
                tripped.extend(c.trim().split(", ").map(str::to_string));
            }
        }
    }
    let not = std::fs::read_to_string(support.join("not_live.tsv"))
        .unwrap()
        .lines()
        .filter_map(|l| l.split_once('\t'))
        .map(|(r, w)| (r.to_string(), w.to_string()))
        .collect();
    (tripped, not)
}

/// The default ruleset as `-r rules/` loads it.
fn default_ruleset() -> (Vec<PathBuf>, Vec<SourceFile>, Analysis) {
    let files = sorted_files(&repo().join("rules"), |n| {
        n.ends_with(".yaml") && !n.ends_with(".test.yaml")
    });
    let sources: Vec<SourceFile> = files
        .iter()
        .map(|p| SourceFile {
            name: format!("rules/{}", p.file_name().unwrap().to_string_lossy()),
            text: std::fs::read_to_string(p).unwrap(),
        })
        .collect();
    let an = analyze(sources.clone(), &Options::default());
    assert_eq!(an.errors(), 0);
    (files, sources, an)
}

/// One recording of ordinary work replayed with every rule (all matching): its description
/// (the script's first comment), events, and the alerts as `rule: output`.
struct Benign {
    name: String,
    what: String,
    events: u64,
    alerts: Vec<String>,
}

fn benign(an: &Analysis) -> Vec<Benign> {
    let dir = repo().join("testdata/benign");
    let outputs = Outputs::new(&an.program, Env::default());
    let engine = Engine::new(
        an.program.clone(),
        &EngineOptions {
            matching: RuleMatching::All,
            ..Default::default()
        },
    );
    sorted_files(&dir, |n| n.ends_with(".scap.gz"))
        .into_iter()
        .map(|cap| {
            let name = cap.file_name().unwrap().to_string_lossy().replace(".scap.gz", "");
            let script = std::fs::read_to_string(dir.join(format!("{name}.sh"))).unwrap_or_default();
            let what = script
                .lines()
                .next()
                .unwrap_or("")
                .trim_start_matches('#')
                .trim()
                .to_string();
            let mut reader = ScapReader::open(&cap).unwrap_or_else(|e| panic!("{}: {e}", cap.display()));
            let mut alerts = Vec::new();
            let (stats, err) = replay_numbered(
                &mut reader,
                &engine,
                &outputs,
                "benign",
                &mut |_, a| alerts.push(format!("{}: {}", a.rule, a.message)),
                |_| {},
            );
            assert!(err.is_none(), "{}: {err:?}", cap.display());
            Benign {
                name,
                what,
                events: stats.events,
                alerts,
            }
        })
        .collect()
}

struct Tested {
    fires: Vec<String>,
    quiet: Vec<String>,
}

fn render() -> String {
    let rules_dir = repo().join("rules");
    let (files, sources, an) = default_ruleset();

    // Which fixtures test each rule, and how.
    let mut tested: BTreeMap<String, Tested> = BTreeMap::new();
    for f in sorted_files(&rules_dir.join("tests"), |n| n.ends_with(".test.yaml")) {
        let t = spec::load(&f).unwrap_or_else(|e| panic!("{e}"));
        let name = format!("rules/tests/{}", f.file_name().unwrap().to_string_lossy());
        for e in &t.expect {
            let entry = tested.entry(e.rule.clone()).or_insert(Tested {
                fires: Vec::new(),
                quiet: Vec::new(),
            });
            let list = if e.positive() {
                &mut entry.fires
            } else {
                &mut entry.quiet
            };
            if !list.contains(&name) {
                list.push(name.clone());
            }
        }
    }

    let (tripped, not_live) = live();
    let mut out = String::new();
    let _ = writeln!(out, "# falcorc's default ruleset\n");
    let _ = writeln!(
        out,
        "<!-- Generated from rules/*.yaml and rules/tests/ by tests/default_rules.rs: edit the rules, then run\n     FALCORC_UPDATE_DOCS=1 cargo test --test default_rules -->\n"
    );
    let _ = writeln!(
        out,
        "What `falcorc run` and `falcorc replay` load when no `-r` is given (`falcorc rules --default`\n\
         lists it): {} rules in {} files, with {} macros and {} lists, every name of which starts with\n\
         `fr_` so the set loads beside Falco's own rules. Every rule has a fixture that makes it fire\n\
         and one that keeps it quiet on the nearest harmless action (`falcorc test rules/tests\n\
         --min-coverage 100` runs in CI), and the files lint clean with every check at deny. Every\n\
         fixture also says that no rule it does not name fires (`{{rule: \"*\", count: 0}}`), and the\n\
         `quiet_*` fixtures replay the recordings of ordinary work below with nothing allowed to fire.\n\n\
         Live, `tests/live_rules.rs` (root, in CI) runs harmless versions of the attacks against\n\
         `falcorc run` (`tests/support/attack_actions.sh`; `container_actions.sh` in a cgroup named\n\
         like a Docker container's, with an overlay mount; `remote_actions.sh` with connections to\n\
         127.0.0.2, which `tests/support/loopback_is_remote.yaml` counts as another host) and checks\n\
         that each raises its rule: {} of the {} rules;\n\
         each of the others says below why it cannot be tripped harmlessly here. The same run has\n\
         ordinary work (a C build with make, git, tar and gzip, Python, the usual commands) raise\n\
         nothing.\n\n\
         Against Falco's stable rules (2026-12-06, `falcorc replay -r falco_rules.yaml --rule-matching\n\
         all` on `rules/tests/recorded/attacks.scap.gz` and `container.scap.gz`, the same 45 actions\n\
         recorded): Falco's ruleset alerts on 15 of them (14 of its rules); this one on all 45. On\n\
         `remote.scap.gz` (a shell, a Python one-liner and ssh dialing out) Falco's stable rules\n\
         raise nothing; this one raises its 3 connection rules and the reverse-shell rule. On the\n\
         recordings of ordinary work below, neither raises anything.\n\n\
         ## Tuning for a site\n\n\
         The lists are the knobs: a rules file loaded after the default set (`falcorc run -r @default\n\
         -r site.yaml`) appends to a list (`append: true`, or `override: {{items: append}}`) or\n\
         replaces it (`override: {{items: replace}}`). For example, `fr_local_addresses` (127.0.0.0/8\n\
         and ::1/128) holds the networks no connection rule treats as another host: a site adds its\n\
         own there (networks, as Falco reads `fd.snet` values: one address is `/32` or `/128`);\n\
         `tests/support/loopback_is_remote.yaml` replaces it with 127.0.0.1/32 alone so that tests\n\
         can stand 127.0.0.2 in for a remote host. `falcorc rules @default` lists every\n\
         list and macro with its items.\n",
        an.rules.len(),
        files.len() - 1,
        an.macros.len(),
        an.lists.len(),
        an.rules.iter().filter(|r| tripped.contains(&r.name)).count(),
        an.rules.len()
    );
    let quiet = benign(&an);
    let events: u64 = quiet.iter().map(|b| b.events).sum();
    let alerts: usize = quiet.iter().map(|b| b.alerts.len()).sum();
    let _ = writeln!(
        out,
        "## On ordinary work\n\n\
         Recordings of ordinary work in `testdata/benign/` (`falcorc record` of the script beside\n\
         each), replayed with every rule evaluated on every event (`rule_matching: all`):\n\
         {alerts} alerts in {events} events. `tests/default_rules.rs` fails on any alert.\n\n\
         | recording | what it does | events | alerts |\n|---|---|---|---|"
    );
    for b in &quiet {
        let _ = writeln!(out, "| `{}` | {} | {} | {} |", b.name, b.what, b.events, b.alerts.len());
    }
    out.push('\n');
    for src in &sources {
        let rules: Vec<_> = an
            .rules
            .iter()
            .filter(|r| an.files.get(r.span.file.0 as usize).is_some_and(|f| f.name == src.name))
            .collect();
        let (title, body) = intro(&src.text);
        if rules.is_empty() {
            let _ = writeln!(out, "Shared lists and macros are in `{}`.\n", src.name);
            continue;
        }
        let mut title = title;
        if let Some(c) = title.get(..1) {
            title = c.to_uppercase() + &title[1..];
        }
        let _ = writeln!(out, "## {title} (`{}`)\n", src.name);
        if !body.is_empty() {
            let _ = writeln!(out, "{body}\n");
        }
        for r in rules {
            let _ = writeln!(out, "### {}\n", r.name);
            let _ = writeln!(out, "{}\n", r.desc.split_whitespace().collect::<Vec<_>>().join(" "));
            let types = r.evttypes.as_ref().map(|s| s.names().join(", ")).unwrap_or_default();
            let tags: Vec<&str> = r.tags.iter().map(String::as_str).collect();
            let mitre: Vec<&str> = tags
                .iter()
                .copied()
                .filter(|t| t.starts_with('T') && t[1..].starts_with(|c: char| c.is_ascii_digit()))
                .collect();
            let _ = writeln!(out, "- priority: {}; event types: {types}", r.priority.name());
            let _ = writeln!(out, "- tags: {}", tags.join(", "));
            if !mitre.is_empty() {
                let links: Vec<String> = mitre
                    .iter()
                    .map(|t| format!("[{t}](https://attack.mitre.org/techniques/{}/)", t.replace('.', "/")))
                    .collect();
                let _ = writeln!(out, "- MITRE ATT&CK: {}", links.join(", "));
            }
            match tested.get(&r.name) {
                Some(t) => {
                    let _ = writeln!(
                        out,
                        "- fires in {}; quiet in {}",
                        t.fires.join(", "),
                        t.quiet.join(", ")
                    );
                }
                None => {
                    let _ = writeln!(out, "- no fixture");
                }
            }
            if tripped.contains(&r.name) {
                let _ = writeln!(out, "- proven live by `tests/live_rules.rs`");
            } else if let Some(why) = not_live.get(&r.name) {
                match why.strip_prefix("in a VM: ") {
                    Some(how) => {
                        let _ = writeln!(out, "- proven live in a VM: {how}");
                    }
                    None => {
                        let _ = writeln!(out, "- not proven live: {why}");
                    }
                }
            }
            out.push('\n');
        }
    }
    out.trim_end().to_string() + "\n"
}

#[test]
fn recordings_of_ordinary_work_raise_nothing() {
    let (_, _, an) = default_ruleset();
    let quiet = benign(&an);
    assert!(quiet.len() >= 6, "{} recordings", quiet.len());
    let loud: Vec<(&str, &Vec<String>)> = quiet
        .iter()
        .filter(|b| !b.alerts.is_empty())
        .map(|b| (b.name.as_str(), &b.alerts))
        .collect();
    assert!(loud.is_empty(), "ordinary work raised alerts: {loud:#?}");
}

#[test]
fn rules_md_is_generated_from_the_default_ruleset() {
    let want = render();
    let path = repo().join("docs/RULES.md");
    if std::env::var_os("FALCORC_UPDATE_DOCS").is_some() {
        std::fs::write(&path, &want).unwrap();
    }
    let have = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        have == want,
        "docs/RULES.md is stale: run FALCORC_UPDATE_DOCS=1 cargo test --test default_rules"
    );
}
