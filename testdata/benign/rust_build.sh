# A Rust crate created, built, run and tested with cargo (offline).
set -e; D=$(mktemp -d /tmp/benign-rust.XXXX); cd $D
cargo new -q --offline --vcs none hello && cd hello
printf 'fn main() { let v: Vec<u64> = (1..10).collect(); println!("{}", v.iter().sum::<u64>()); }\n#[cfg(test)] mod t { #[test] fn sum() { assert_eq!((1..10u64).sum::<u64>(), 45); } }\n' > src/main.rs
cargo build -q --offline && ./target/debug/hello > /dev/null && cargo test -q --offline > /dev/null 2>&1
cd /; rm -rf $D
