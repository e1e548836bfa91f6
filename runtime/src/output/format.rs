//! Rendering rule outputs: each rule's `output` is turned once into a plan of literal
//! text and field requests, then filled in per alert from the event's field values.

use super::alert::{Alert, json_of, list_text, push_text, text_of, with_width};
use super::time;
use falcorc_compiler::eval::{FieldSource, Value, interp};
use falcorc_compiler::ir::{FieldId, FieldSpec, Operand, Program, Rule, lower_operand};
use falcorc_compiler::sema::output::OutputPart;
use falcorc_compiler::sema::typeck::{Env, resolve_field};
use falcorc_compiler::syntax::condition::{self, ast};
use std::sync::Arc;

/// Output fields get an id outside any program's field table.
const OUTPUT_FIELD: FieldId = FieldId(u32::MAX);

enum Piece {
    Lit(String),
    Field {
        key: String,
        spec: FieldSpec,
        width: Option<usize>,
    },
    Expr {
        key: String,
        op: Operand,
        fields: Vec<FieldSpec>,
        width: Option<usize>,
    },
}

/// A message size that the pieces of `plan` seldom outgrow.
fn message_size(plan: &[Piece]) -> usize {
    plan.iter()
        .map(|p| match p {
            Piece::Lit(s) => s.len(),
            Piece::Field { .. } | Piece::Expr { .. } => 32,
        })
        .sum::<usize>()
        .max(64)
}

/// What every alert of a rule carries the same.
#[derive(Clone)]
struct Shared {
    name: Arc<str>,
    source: Arc<str>,
    tags: Arc<[String]>,
}

impl Shared {
    fn of(rule: &Rule) -> Shared {
        Shared {
            name: Arc::from(rule.name.as_str()),
            source: Arc::from(rule.source.as_str()),
            tags: Arc::from(rule.tags.as_slice()),
        }
    }
}

/// Output plans of every rule of a program, by rule index.
pub struct Outputs {
    plans: Vec<Vec<Piece>>,
    /// Each rule's name, source and tags, shared by its alerts.
    rules: Vec<Shared>,
    /// Each rule's message size to start from: its literal text and 32 bytes a field
    /// (a buffer that grows copies the message on the way).
    sizes: Vec<usize>,
    /// Fill [`Alert::fields`] (JSON output, rule tests); text output needs only
    /// the message.
    with_fields: bool,
    /// The key of the prefix time in the fields (`evt.time.iso8601`, or `evt.time`).
    time_key: &'static str,
}

impl Outputs {
    pub fn new(program: &Program, env: Env) -> Outputs {
        let plans: Vec<Vec<Piece>> = program.rules.iter().map(|r| plan(r, env)).collect();
        Outputs {
            sizes: plans.iter().map(|p| message_size(p)).collect(),
            plans,
            rules: program.rules.iter().map(Shared::of).collect(),
            with_fields: true,
            time_key: "evt.time.iso8601",
        }
    }

    /// The key of the prefix time in [`Alert::fields`] (see `Style::time_key`).
    pub fn time_key(mut self, key: &'static str) -> Outputs {
        self.time_key = key;
        self
    }

    /// Alerts without `output_fields` (for text output: saves building a JSON value
    /// per field of every alert).
    pub fn message_only(mut self) -> Outputs {
        self.with_fields = false;
        self
    }

    /// Build the alert for rule `i` of `program` on the event `src` describes.
    pub fn alert(&self, program: &Program, i: usize, ts: u64, hostname: &str, src: &dyn FieldSource) -> Alert {
        let rule = &program.rules[i];
        let mut message = String::with_capacity(self.sizes.get(i).copied().unwrap_or(256));
        let mut fields = Vec::new();
        // One value buffer for every field of the message (sources that can, refill
        // its string in place).
        let mut scratch = Value::Bool(false);
        if self.with_fields {
            fields.push((self.time_key.to_string(), serde_json::Value::from(ts)));
        }
        for p in self.plans.get(i).map(Vec::as_slice).unwrap_or_default() {
            match p {
                Piece::Lit(s) => message.push_str(s),
                Piece::Field { spec, width, .. } if !self.with_fields => {
                    if spec.name == "evt.time.iso8601" {
                        message.push_str(&with_width(time::iso8601_offset(ts), *width));
                    } else if spec.list {
                        let v = src.field(OUTPUT_FIELD, spec);
                        message.push_str(&with_width(list_text(v.as_ref()), *width));
                    } else {
                        let present = src.field_into(OUTPUT_FIELD, spec, &mut scratch);
                        push_text(&mut message, present.then_some(&scratch), *width);
                    }
                }
                Piece::Field { key, spec, width } => {
                    let v = src.field(OUTPUT_FIELD, spec);
                    // Time fields print as text but are numbers (ns) in JSON, as in Falco.
                    let (text, json) = match spec.name {
                        "evt.time.iso8601" => (time::iso8601_offset(ts), serde_json::Value::from(ts)),
                        "evt.time" | "evt.time.s" | "evt.datetime" | "evt.datetime.s" => {
                            (text_of(v.as_ref()), serde_json::Value::from(ts))
                        }
                        _ if spec.list => (list_text(v.as_ref()), json_of(v.as_ref())),
                        _ => (text_of(v.as_ref()), json_of(v.as_ref())),
                    };
                    message.push_str(&with_width(text, *width));
                    fields.push((key.clone(), json));
                }
                Piece::Expr {
                    key,
                    op,
                    fields: specs,
                    width,
                } => {
                    let v = interp::operand(op, specs, src);
                    // A transformer's list result is a list (fd.types, getopt).
                    message.push_str(&with_width(list_text(v.as_ref()), *width));
                    if self.with_fields {
                        fields.push((key.clone(), json_of(v.as_ref())));
                    }
                }
            }
        }
        let shared = self.rules.get(i).cloned().unwrap_or_else(|| Shared::of(rule));
        Alert {
            ts,
            rule: shared.name,
            priority: rule.priority.name(),
            source: shared.source,
            tags: shared.tags,
            hostname: hostname.to_string(),
            message,
            fields,
        }
    }
}

fn plan(rule: &Rule, env: Env) -> Vec<Piece> {
    rule.output
        .iter()
        .map(|part| match part {
            OutputPart::Literal(s) => Piece::Lit(s.clone()),
            OutputPart::Field { field, width, text } => match resolve_field(field, &env) {
                Ok(r) => Piece::Field {
                    key: text.clone(),
                    spec: FieldSpec {
                        arg: output_arg(&r),
                        name: r.def.name,
                        suffix: r.suffix,
                        ty: r.ty,
                        list: r.list,
                    },
                    width: *width,
                },
                // The compiler rejected unknown fields already; keep the text if one slips by.
                Err(_) => Piece::Lit(format!("%{text}")),
            },
            OutputPart::Transform { text, width } => match transform(text, env) {
                Some((op, fields)) => Piece::Expr {
                    key: text.clone(),
                    op,
                    fields,
                    width: *width,
                },
                None => Piece::Lit(format!("%{text}")),
            },
        })
        .collect()
}

/// The argument an output extracts with. Without a level, an ancestor field (and
/// `proc.aenv`) matches any ancestor in a condition, but libsinsp extracts it for an
/// output at level 0 (its loop over `-1` levels never runs): the process's own value.
fn output_arg(r: &falcorc_compiler::sema::typeck::ResolvedField) -> Option<String> {
    match &r.arg {
        None if falcorc_compiler::sema::catalog::is_ancestry(r.def.name) => Some("0".into()),
        a => a.clone(),
    }
}

/// `%toupper(proc.name)`: parse the expression as the left side of a check and lower it.
fn transform(text: &str, env: Env) -> Option<(Operand, Vec<FieldSpec>)> {
    let parsed = condition::parse(&format!("{text} exists"));
    let Some(ast::Expr::Check(c)) = parsed.expr else {
        return None;
    };
    lower_operand(&c.lhs, env)
}
