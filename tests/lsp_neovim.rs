//! A real editor client: Neovim's built-in LSP client, headless, driven by
//! testdata/lsp/nvim/session.lua, opens a rules file of testdata/lsp/workspace, receives the
//! diagnostics of `falcorc lsp` and asks for a hover. Skipped (with the reason printed) when
//! `nvim` is not installed; .ci/run installs Debian's `neovim`.

use falcorc_lsp::line_index::LineIndex;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

#[test]
fn neovim_receives_diagnostics_and_hover() {
    if Command::new("nvim")
        .arg("--version")
        .stdout(Stdio::null())
        .status()
        .is_err()
    {
        println!("skipping: nvim not found (apt-get install neovim)");
        return;
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let rules = root.join("testdata/lsp/workspace/app_rules.yaml");
    let text = std::fs::read_to_string(&rules).unwrap();
    let hover_at = text.find("container.id").unwrap() as u32 + 2;
    let lc = LineIndex::new(&text).line_col(&text, hover_at);
    let out = std::env::temp_dir().join(format!("falcorc-nvim-{}.txt", std::process::id()));
    let _ = std::fs::remove_file(&out);
    let mut child = Command::new("nvim")
        .args(["--headless", "--clean", "-u", "NONE", "-c"])
        .arg(format!(
            "luafile {}",
            root.join("testdata/lsp/nvim/session.lua").display()
        ))
        .env("FALCORC_BIN", env!("CARGO_BIN_EXE_falcorc"))
        .env("FALCORC_RULES", &rules)
        .env("FALCORC_OUT", &out)
        .env("FALCORC_HOVER_LINE", lc.line.to_string())
        .env("FALCORC_HOVER_COL", lc.col.to_string())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .spawn()
        .expect("start nvim");
    let deadline = Instant::now() + Duration::from_secs(90);
    while child.try_wait().unwrap().is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("nvim did not finish in 90 s");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let report = std::fs::read_to_string(&out).expect("nvim wrote no report");
    let _ = std::fs::remove_file(&out);
    assert!(report.contains("status done"), "{report}");
    assert!(
        report.contains("diag 11:32 LOAD_ERR_COMPILE_CONDITION filter_check called with nonexistent field fd.nmae"),
        "{report}"
    );
    assert!(
        report.contains("LOAD_ERR_COMPILE_CONDITION unknown event type opn"),
        "{report}"
    );
    assert_eq!(report.matches("diag ").count(), 2, "{report}");
    assert!(report.contains("hover **container.id** `string`"), "{report}");
}
