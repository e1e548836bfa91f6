//! Write the synthetic benchmark workload as a capture:
//! `cargo run --release -p falcorc-runtime --example synth -- OUT.scap [EVENTS] [gzip|plain]`
//! (gzip-compressed unless `plain`).

fn main() -> std::io::Result<()> {
    let mut args = std::env::args().skip(1);
    let out = args.next().unwrap_or_else(|| "workload.scap".into());
    let n: u64 = args.next().and_then(|s| s.parse().ok()).unwrap_or(1_000_000);
    let gzip = args.next().is_none_or(|mode| mode != "plain");
    let file = std::io::BufWriter::new(std::fs::File::create(&out)?);
    falcorc_runtime::synth::workload(file, n, gzip)?;
    eprintln!("wrote {n} events to {out}");
    Ok(())
}
