//! Error texts about what a client sent, kept short: they name a method or a field, and
//! never echo the client's data (serde quotes the values it rejects, whatever their size).

/// Longest quoted piece kept from a serde message (field and variant names fit).
const MAX_QUOTED: usize = 32;
/// Longest error text built from client input.
const MAX_MESSAGE: usize = 200;
/// Longest method name quoted in an error.
const MAX_METHOD: usize = 64;

/// A serde error with long quoted values elided, the whole bounded.
pub fn serde(e: &serde_json::Error) -> String {
    elide_quoted(&e.to_string())
}

/// A method name for a message: escaped, and cut if long.
pub fn method(m: &str) -> String {
    cut(&format!("{m:?}"), MAX_METHOD)
}

fn elide_quoted(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find(['"', '`']) {
        let quote = rest[start..].chars().next().unwrap_or('"');
        out.push_str(&rest[..=start]);
        let after = &rest[start + 1..];
        let Some(len) = after.find(quote) else {
            out.push('…');
            rest = "";
            break;
        };
        if after[..len].chars().count() > MAX_QUOTED {
            out.push('…');
        } else {
            out.push_str(&after[..len]);
        }
        out.push(quote);
        rest = &after[len + 1..];
    }
    out.push_str(rest);
    cut(&out, MAX_MESSAGE)
}

fn cut(s: &str, max: usize) -> String {
    match s.char_indices().nth(max) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_elided_names_kept() {
        let big = "x".repeat(100_000);
        let e = serde_json::from_str::<u32>(&format!("\"{big}\"")).unwrap_err();
        let m = serde(&e);
        assert!(m.starts_with("invalid type: string \"…\", expected u32"), "{m}");
        #[derive(serde::Deserialize, Debug)]
        #[allow(dead_code)]
        struct P {
            text_document: u32,
        }
        let m = serde(&serde_json::from_str::<P>("{}").unwrap_err());
        assert_eq!(m, "missing field `text_document` at line 1 column 2");
        assert!(method(&big).chars().count() <= MAX_METHOD + 1);
        assert!(elide_quoted(&format!("a `{big}")).len() < 10);
    }
}
