//! The configuration as a tree whose every value remembers where it was written (a file's
//! line and column, or a `-o` option), so that an invalid value is reported at its place.
//! Built from the compiler's spanned YAML; `-o key=value` options are set into it as Falco
//! sets them (dotted keys, `[N]` list indexes, `[]` to append).

use falcorc_compiler::lines::LineIndex;
use falcorc_compiler::syntax::yaml::{self, Node, NodeKind};
use std::fmt;

/// Where a value was written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Origin {
    /// 1-based line and column in a configuration file.
    File { path: String, line: u32, col: u32 },
    /// A `-o key=value` option, as given.
    Option(String),
    /// Created to hold a `-o` value (a missing parent section).
    Implied,
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Origin::File { path, line, col } => write!(f, "{path}:{line}:{col}"),
            Origin::Option(o) => write!(f, "-o {o}"),
            Origin::Implied => write!(f, "-o"),
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum Val {
    Null,
    /// A scalar's text, typed when read (`true`, `8765`, `/var/log/x`).
    Scalar(String),
    Seq(Vec<Item>),
    /// Keys in written order; a repeated key keeps its last value (as Falco's yaml-cpp reads).
    Map(Vec<(String, Item)>),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Item {
    pub val: Val,
    pub at: Origin,
}

impl Item {
    pub fn map(at: Origin) -> Item {
        Item {
            val: Val::Map(Vec::new()),
            at,
        }
    }

    pub fn get(&self, key: &str) -> Option<&Item> {
        match &self.val {
            Val::Map(entries) => entries.iter().rev().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }
}

/// A configuration file's text as a tree; YAML errors come back as `path:line:col: message`.
pub fn from_yaml(path: &str, text: &str) -> Result<Item, Vec<String>> {
    let (docs, errors) = yaml::parse(text, &yaml::Limits::default());
    let idx = LineIndex::new(text);
    let at = |offset: u32| {
        // 1-based already.
        let (line, col) = idx.line_col_chars(text, offset);
        Origin::File {
            path: path.to_string(),
            line,
            col,
        }
    };
    if !errors.is_empty() {
        return Err(errors
            .iter()
            .map(|e| format!("{}: {}", at(e.span.start), e.message))
            .collect());
    }
    // An empty file is an empty configuration; several documents: the first one, as Falco.
    let root = docs.into_iter().next().and_then(|d| d.root);
    match root {
        None => Ok(Item::map(at(0))),
        Some(n) => {
            let item = convert(&n, &at);
            match item.val {
                Val::Map(_) => Ok(item),
                Val::Null => Ok(Item::map(item.at)),
                _ => Err(vec![format!(
                    "{}: the configuration must be a mapping of keys",
                    item.at
                )]),
            }
        }
    }
}

fn convert(n: &Node, at: &dyn Fn(u32) -> Origin) -> Item {
    let val = match &n.kind {
        NodeKind::Null => Val::Null,
        NodeKind::Scalar(s) => Val::Scalar(s.value.clone()),
        NodeKind::Seq(items) => Val::Seq(items.iter().map(|i| convert(i, at)).collect()),
        NodeKind::Map(entries) => Val::Map(
            entries
                .iter()
                .map(|e| {
                    let key = match &e.key.kind {
                        NodeKind::Scalar(s) => s.value.clone(),
                        _ => String::new(),
                    };
                    (key, convert(&e.value, at))
                })
                .collect(),
        ),
    };
    Item {
        val,
        at: at(n.span.start),
    }
}

/// One step of a `-o` key: a map key, a list index, or `[]` (append).
#[derive(Debug, PartialEq)]
enum Step {
    Key(String),
    Index(usize),
    Append,
}

fn parse_key(key: &str) -> Result<Vec<Step>, String> {
    let mut steps = Vec::new();
    for part in key.split('.') {
        let (name, mut rest) = match part.find('[') {
            Some(i) => (&part[..i], &part[i..]),
            None => (part, ""),
        };
        if name.is_empty() {
            return Err(format!("'{key}' has an empty key"));
        }
        steps.push(Step::Key(name.to_string()));
        while !rest.is_empty() {
            let Some(close) = rest.find(']') else {
                return Err(format!("'{key}' has a '[' without ']'"));
            };
            let inner = rest[1..close].trim();
            steps.push(if inner.is_empty() {
                Step::Append
            } else {
                Step::Index(
                    inner
                        .parse()
                        .map_err(|_| format!("'{key}': '{inner}' is not a list index"))?,
                )
            });
            rest = &rest[close + 1..];
            if !rest.is_empty() && !rest.starts_with('[') {
                return Err(format!("'{key}': unexpected '{rest}' after ']'"));
            }
        }
    }
    Ok(steps)
}

/// Sets one `-o key=value` option into `root`, as Falco does: the value is read as YAML (a
/// scalar, or a flow list or map such as `[a, b]`), parents are created as needed, `[N]`
/// replaces an existing list element and `[]` appends one.
pub fn set_option(root: &mut Item, option: &str) -> Result<(), String> {
    let Some((key, value)) = option.split_once('=') else {
        return Err(format!("-o {option}: expected key=value"));
    };
    let (key, value) = (key.trim(), value.trim());
    let steps = parse_key(key).map_err(|e| format!("-o {option}: {e}"))?;
    let origin = Origin::Option(option.to_string());
    let new = option_value(value, &origin).map_err(|e| format!("-o {option}: {e}"))?;
    let mut cur = root;
    for (i, step) in steps.iter().enumerate() {
        let last = i + 1 == steps.len();
        cur = match step {
            Step::Key(k) => {
                if !matches!(cur.val, Val::Map(_)) {
                    *cur = Item::map(Origin::Implied);
                }
                let Val::Map(entries) = &mut cur.val else {
                    return Err(format!("-o {option}: '{k}' is not a section"));
                };
                let at = match entries.iter().rposition(|(ek, _)| ek == k) {
                    Some(at) => at,
                    None => {
                        entries.push((k.clone(), Item::map(Origin::Implied)));
                        entries.len() - 1
                    }
                };
                &mut entries[at].1
            }
            Step::Index(n) => {
                let Val::Seq(items) = &mut cur.val else {
                    return Err(format!("-o {option}: '{key}' indexes something that is not a list"));
                };
                let len = items.len();
                items
                    .get_mut(*n)
                    .ok_or_else(|| format!("-o {option}: index {n} is past the end of a list of {len}"))?
            }
            Step::Append => {
                if !matches!(cur.val, Val::Seq(_)) {
                    cur.val = Val::Seq(Vec::new());
                }
                let Val::Seq(items) = &mut cur.val else {
                    return Err(format!("-o {option}: not a list"));
                };
                items.push(Item::map(Origin::Implied));
                let n = items.len() - 1;
                &mut items[n]
            }
        };
        if last {
            *cur = new;
            return Ok(());
        }
    }
    Ok(())
}

fn option_value(value: &str, origin: &Origin) -> Result<Item, String> {
    if value.is_empty() {
        return Ok(Item {
            val: Val::Scalar(String::new()),
            at: origin.clone(),
        });
    }
    let (docs, errors) = yaml::parse(value, &yaml::Limits::default());
    if let Some(e) = errors.first() {
        return Err(format!("the value is not valid YAML: {}", e.message));
    }
    let node = docs.into_iter().next().and_then(|d| d.root);
    Ok(match node {
        None => Item {
            val: Val::Null,
            at: origin.clone(),
        },
        Some(n) => {
            let item = convert(&n, &|_| origin.clone());
            // A plain value with `:` or `#` in it (a URL) stays the text as written.
            match item.val {
                Val::Map(_) if !value.starts_with('{') => Item {
                    val: Val::Scalar(value.to_string()),
                    at: origin.clone(),
                },
                Val::Scalar(ref s) if s != value && !value.starts_with(['"', '\'']) => Item {
                    val: Val::Scalar(value.to_string()),
                    at: origin.clone(),
                },
                _ => item,
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scalar(i: &Item) -> &str {
        match &i.val {
            Val::Scalar(s) => s,
            v => panic!("not a scalar: {v:?}"),
        }
    }

    #[test]
    fn values_remember_their_line_and_column() {
        let t = from_yaml("f.yaml", "json_output: true\nfile_output:\n  enabled: yes\n").unwrap();
        let e = t.get("file_output").unwrap().get("enabled").unwrap();
        assert_eq!(scalar(e), "yes");
        assert_eq!(e.at.to_string(), "f.yaml:3:12");
    }

    #[test]
    fn options_set_nested_keys_indexes_and_appends() {
        let mut t = from_yaml(
            "f.yaml",
            "rules_files: [a.yaml, b.yaml]\nhttp_output:\n  enabled: false\n",
        )
        .unwrap();
        set_option(&mut t, "http_output.url=http://127.0.0.1:2801/x?a=b#c").unwrap();
        set_option(&mut t, "http_output.enabled=true").unwrap();
        set_option(&mut t, "rules_files[1]=c.yaml").unwrap();
        set_option(&mut t, "rules_files[]=d.yaml").unwrap();
        set_option(&mut t, "webserver.listen_port=8766").unwrap();
        let h = t.get("http_output").unwrap();
        assert_eq!(scalar(h.get("url").unwrap()), "http://127.0.0.1:2801/x?a=b#c");
        assert_eq!(scalar(h.get("enabled").unwrap()), "true");
        assert_eq!(h.get("enabled").unwrap().at.to_string(), "-o http_output.enabled=true");
        let Val::Seq(files) = &t.get("rules_files").unwrap().val else {
            panic!()
        };
        let names: Vec<&str> = files.iter().map(scalar).collect();
        assert_eq!(names, ["a.yaml", "c.yaml", "d.yaml"]);
        assert_eq!(scalar(t.get("webserver").unwrap().get("listen_port").unwrap()), "8766");
        set_option(&mut t, "rules_files=[x.yaml]").unwrap();
        let Val::Seq(files) = &t.get("rules_files").unwrap().val else {
            panic!()
        };
        assert_eq!(files.len(), 1);
    }

    #[test]
    fn bad_options_say_what_is_wrong() {
        let mut t = Item::map(Origin::Implied);
        for (o, why) in [
            ("json_output", "expected key=value"),
            (".x=1", "empty key"),
            ("a[=1", "without ']'"),
            ("a[x]=1", "not a list index"),
            ("json_output[0]=1", "not a list"),
            ("a=[1", "not valid YAML"),
        ] {
            let e = set_option(&mut t, o).expect_err(o);
            assert!(e.contains(why) && e.starts_with(&format!("-o {o}")), "{o}: {e}");
        }
        set_option(&mut t, "l=[1]").unwrap();
        let e = set_option(&mut t, "l[3]=1").unwrap_err();
        assert!(e.contains("index 3 is past the end of a list of 1"), "{e}");
    }

    #[test]
    fn yaml_errors_and_non_mappings_are_located() {
        let e = from_yaml("f.yaml", "a: [1\n").unwrap_err();
        assert!(e[0].starts_with("f.yaml:"), "{e:?}");
        let e = from_yaml("f.yaml", "- a\n").unwrap_err();
        assert_eq!(e, ["f.yaml:1:1: the configuration must be a mapping of keys"]);
        assert!(from_yaml("f.yaml", "").is_ok());
        assert!(from_yaml("f.yaml", "# only a comment\n").is_ok());
    }
}
