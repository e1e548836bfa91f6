//! Rule selection as Falco's `rules:` configuration does it: an ordered list of
//! enable/disable entries, each naming rules (glob with `*`) or a tag, applied after
//! loading on top of each rule's own `enabled`.

/// One entry of the selection list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Selector {
    EnableRule(String),
    DisableRule(String),
    EnableTag(String),
    DisableTag(String),
}

/// Does `pattern` (with `*` wildcards) match the whole of `name`?
pub fn wildcard(pattern: &str, name: &str) -> bool {
    let mut parts = pattern.split('*');
    let first = parts.next().unwrap_or("");
    let Some(mut rest) = name.strip_prefix(first) else {
        return false;
    };
    let parts: Vec<&str> = parts.collect();
    let Some((last, middle)) = parts.split_last() else {
        return rest.is_empty();
    };
    for p in middle {
        match rest.find(p) {
            Some(i) => rest = &rest[i + p.len()..],
            None => return false,
        }
    }
    rest.len() >= last.len() && rest.ends_with(last)
}

/// Final enabled state of each rule: start from `initial`, apply the selectors in order.
pub fn apply<'a>(rules: impl IntoIterator<Item = (&'a str, &'a [String], bool)>, selectors: &[Selector]) -> Vec<bool> {
    rules
        .into_iter()
        .map(|(name, tags, initial)| {
            selectors.iter().fold(initial, |on, s| match s {
                Selector::EnableRule(p) if wildcard(p, name) => true,
                Selector::DisableRule(p) if wildcard(p, name) => false,
                Selector::EnableTag(t) if tags.iter().any(|x| x == t) => true,
                Selector::DisableTag(t) if tags.iter().any(|x| x == t) => false,
                _ => on,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards() {
        assert!(wildcard("open_1*", "open_1"));
        assert!(wildcard("open_1*", "open_13"));
        assert!(!wildcard("open_1*", "open_2"));
        assert!(wildcard("*", "anything"));
        assert!(wildcard("a*b*c", "a-b-c"));
        assert!(!wildcard("a*b*c", "a-b-"));
        assert!(wildcard("exact", "exact"));
        assert!(!wildcard("exact", "exactly"));
    }

    #[test]
    fn order_matters() {
        let tags_a = vec!["a".to_string()];
        let tags_b = vec!["b".to_string()];
        let rules = [("r1", tags_a.as_slice(), true), ("r2", tags_b.as_slice(), true)];
        let only_b = [Selector::DisableRule("*".into()), Selector::EnableTag("b".into())];
        assert_eq!(apply(rules, &only_b), [false, true]);
        let disable_a = [Selector::DisableTag("a".into())];
        assert_eq!(apply(rules, &disable_a), [false, true]);
    }
}
