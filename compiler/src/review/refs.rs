//! Which lists and macros each rule reaches, read from the definitions as written: what
//! lets `falcorc diff` say which macro or list edit changed a rule.
//!
//! Names are found as Falco's loader finds them: a list name is replaced wherever it stands
//! between delimiters (`sema::lists`), even inside quotes, so every delimited word that
//! names a list is a use of it; a word that names a macro is taken as a use too (an
//! over-approximation only when a quoted value spells a macro's name, which then matters
//! only if that macro also changed).

use crate::analysis::Analysis;
use std::collections::{BTreeSet, HashMap};

/// A list or a macro.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    List,
    Macro,
}

/// The use graph of one loaded ruleset.
pub struct Refs<'a> {
    lists: HashMap<&'a str, Vec<(Kind, &'a str)>>,
    macros: HashMap<&'a str, Vec<(Kind, &'a str)>>,
}

/// Separators around a name, as in Falco's list substitution, plus quotes.
fn words(text: &str) -> impl Iterator<Item = &str> {
    text.split([' ', '\t', '\n', '\r', '(', ')', ',', '=', '"', '\''])
        .filter(|w| !w.is_empty())
}

impl<'a> Refs<'a> {
    pub fn new(an: &'a Analysis) -> Refs<'a> {
        let list_names: BTreeSet<&str> = an.lists.iter().map(|l| l.name.as_str()).collect();
        let macro_names: BTreeSet<&str> = an.macros.iter().map(|m| m.name.as_str()).collect();
        let classify = |w: &'a str| {
            if list_names.contains(w) {
                Some((Kind::List, w))
            } else if macro_names.contains(w) {
                Some((Kind::Macro, w))
            } else {
                None
            }
        };
        let lists = an
            .lists
            .iter()
            .map(|l| {
                let uses = l
                    .items
                    .iter()
                    .filter(|i| list_names.contains(i.as_str()))
                    .map(|i| (Kind::List, i.as_str()))
                    .collect();
                (l.name.as_str(), uses)
            })
            .collect();
        let macros = an
            .macros
            .iter()
            .map(|m| (m.name.as_str(), words(&m.condition).filter_map(classify).collect()))
            .collect();
        Refs { lists, macros }
    }

    /// Every list and macro `text` (a rule's condition or exception) reaches, directly or
    /// through other macros and lists.
    pub fn reach(&self, texts: &[&'a str], out: &mut BTreeSet<(Kind, String)>) {
        let mut stack: Vec<(Kind, &str)> = Vec::new();
        for t in texts {
            for w in words(t) {
                if self.lists.contains_key(w) {
                    stack.push((Kind::List, w));
                } else if self.macros.contains_key(w) {
                    stack.push((Kind::Macro, w));
                }
            }
        }
        while let Some((kind, name)) = stack.pop() {
            if !out.insert((kind, name.to_string())) {
                continue;
            }
            let next = match kind {
                Kind::List => self.lists.get(name),
                Kind::Macro => self.macros.get(name),
            };
            stack.extend(next.into_iter().flatten().copied());
        }
    }
}
