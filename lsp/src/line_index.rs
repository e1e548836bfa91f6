//! Positions: the compiler counts bytes, LSP counts lines and UTF-16 code units. The
//! index lives in the compiler (`falcorc_compiler::lines`), shared with the renderers.

pub use falcorc_compiler::lines::{LineCol, LineIndex};
