fn main() {
    let files: Vec<_> = std::env::args()
        .skip(1)
        .map(|p| falcorc_compiler::SourceFile {
            text: std::fs::read_to_string(&p).unwrap(),
            name: p,
        })
        .collect();
    let t = std::time::Instant::now();
    let a = falcorc_compiler::analyze(files, &Default::default());
    eprintln!("took {:?}", t.elapsed());
    for d in &a.diagnostics {
        let (l, c) = falcorc_compiler::span::line_col(&a.files[d.primary.file.0 as usize].text, d.primary.span.start);
        println!(
            "{}:{}:{} {} {} {:?}",
            d.severity.as_str(),
            l,
            c,
            d.code.name(),
            d.message,
            d.item
        );
    }
    println!(
        "rules {} macros {} lists {}",
        a.rules.len(),
        a.macros.len(),
        a.lists.len()
    );
    for r in &a.rules {
        println!(
            "{} {:?} {:?}",
            r.name,
            r.evttypes.as_ref().map(|e| e.names()),
            r.skipped
        );
    }
}
