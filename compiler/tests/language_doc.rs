//! The operator table in docs/LANGUAGE.md must say what the type checker does.

use falcorc_compiler::sema::catalog::FieldType;
use falcorc_compiler::sema::typeck::op_supported;
use falcorc_compiler::syntax::condition::ast::Op;

#[test]
fn operator_table_matches_the_checker() {
    let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/LANGUAGE.md")).unwrap();
    let table: Vec<&str> = doc
        .lines()
        .skip_while(|l| !l.starts_with("| type |"))
        .take_while(|l| l.starts_with('|'))
        .collect();
    let header: Vec<&str> = table[0].split('|').map(str::trim).filter(|c| !c.is_empty()).collect();
    let rows = [
        (FieldType::Charbuf, false),
        (FieldType::Uint64, false),
        (FieldType::Double, false),
        (FieldType::Bool, false),
        (FieldType::IpAddr, false),
        (FieldType::Bytebuf, false),
        (FieldType::Charbuf, true),
        (FieldType::SockAddr, false),
    ];
    assert_eq!(table.len(), 2 + rows.len(), "one row per type");
    for (line, (ty, list)) in table[2..].iter().zip(rows) {
        let cells: Vec<&str> = line.split('|').map(str::trim).filter(|c| !c.is_empty()).collect();
        for (col, ops) in header.iter().enumerate().skip(1) {
            let want = cells[col] == "yes";
            for op in ops.split_whitespace() {
                let op = Op::from_text(op).unwrap_or_else(|| panic!("unknown operator {op}"));
                assert_eq!(
                    op_supported(ty, list, op),
                    want,
                    "{} with {} ({line})",
                    cells[0],
                    op.text()
                );
            }
        }
    }
}
