//! The condition language: lexer, resilient parser, AST and canonical printer.

pub mod ast;
pub mod hints;
pub mod lexer;
pub mod parser;
pub mod print;

pub use parser::{ParseError, Parsed, parse};
