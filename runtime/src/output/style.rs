//! How alerts are printed, from Falco's configuration keys: text or JSON
//! (`json_output`), the time format of the text prefix (`time_format_iso_8601`), and which
//! properties a JSON alert carries (`json_include_*_property`).

use super::alert::Alert;
use super::time;
use crate::raw_text;
use serde_json::Value as Json;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Style {
    pub json: bool,
    /// The prefix time as `2016-08-04T16:17:57.881781397+0000` (else `16:17:57.881781397`).
    pub iso8601: bool,
    pub include_output: bool,
    pub include_tags: bool,
    /// `message`: the rule's formatted output alone, without time and priority.
    pub include_message: bool,
    pub include_output_fields: bool,
}

impl Style {
    /// Falco's text line with ISO times (falcorc's default without a configuration).
    pub const TEXT: Style = Style {
        json: false,
        iso8601: true,
        include_output: true,
        include_tags: true,
        include_message: false,
        include_output_fields: true,
    };

    /// Falco's JSON object with every default property.
    pub const JSON: Style = Style {
        json: true,
        ..Style::TEXT
    };

    /// The output key of the prefix time in `output_fields`.
    pub fn time_key(&self) -> &'static str {
        if self.iso8601 { "evt.time.iso8601" } else { "evt.time" }
    }

    /// The text line: `<time>: <Priority> <message>`.
    pub fn text(&self, a: &Alert) -> String {
        if self.iso8601 {
            return a.text();
        }
        format!("{}: {} {}", time::time_of_day(a.ts), a.priority, a.message)
    }

    /// One output line: the text line, or the JSON object with the properties asked for.
    /// A text line keeps a process's raw bytes as `raw_text` escapes, which the writers turn
    /// back into the bytes ([`raw_text::to_bytes`]); JSON has U+FFFD for them, as Falco's.
    pub fn line(&self, a: &Alert) -> String {
        if !self.json {
            return self.text(a);
        }
        let mut o = match a.json() {
            Json::Object(o) => o,
            _ => serde_json::Map::new(),
        };
        // Alert::json has the ISO form already.
        if !self.iso8601 {
            o.insert("output".into(), Json::String(self.text(a)));
        }
        if !self.include_output {
            o.remove("output");
        }
        if !self.include_tags {
            o.remove("tags");
        }
        if !self.include_output_fields {
            o.remove("output_fields");
        }
        if self.include_message {
            o.insert("message".into(), Json::String(a.message.clone()));
        }
        let line = Json::Object(o).to_string();
        match raw_text::to_lossy(&line) {
            std::borrow::Cow::Borrowed(_) => line,
            std::borrow::Cow::Owned(valid) => valid,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn alert() -> Alert {
        Alert {
            ts: 1_470_327_477_882_054_739,
            rule: "r".into(),
            priority: "Warning",
            source: "syscall".into(),
            tags: std::sync::Arc::from(["t".to_string()]),
            hostname: "h".into(),
            message: "m x=1".into(),
            fields: vec![("evt.time".into(), Json::from(1_470_327_477_882_054_739u64))],
        }
    }

    #[test]
    fn text_prefix_follows_time_format_iso_8601() {
        assert_eq!(
            Style::TEXT.line(&alert()),
            "2016-08-04T16:17:57.882054739+0000: Warning m x=1"
        );
        let plain = Style {
            iso8601: false,
            ..Style::TEXT
        };
        assert_eq!(plain.line(&alert()), "16:17:57.882054739: Warning m x=1");
    }

    #[test]
    fn json_properties_come_and_go_as_configured() {
        let all: Json = serde_json::from_str(&Style::JSON.line(&alert())).unwrap();
        assert_eq!(all["output"], "2016-08-04T16:17:57.882054739+0000: Warning m x=1");
        assert_eq!(all["tags"], serde_json::json!(["t"]));
        assert!(all.get("message").is_none());
        let trimmed = Style {
            iso8601: false,
            include_output: true,
            include_tags: false,
            include_message: true,
            include_output_fields: false,
            ..Style::JSON
        };
        let v: Json = serde_json::from_str(&trimmed.line(&alert())).unwrap();
        assert_eq!(v["output"], "16:17:57.882054739: Warning m x=1");
        assert_eq!(v["message"], "m x=1");
        assert!(v.get("tags").is_none() && v.get("output_fields").is_none());
        assert_eq!(v["time"], "2016-08-04T16:17:57.882054739Z");
        let no_output = Style {
            include_output: false,
            ..Style::JSON
        };
        let v: Json = serde_json::from_str(&no_output.line(&alert())).unwrap();
        assert!(v.get("output").is_none() && v.get("rule").is_some());
    }
}
