//! Type checker: resolves every field against the catalogue and checks operators,
//! values, transformers and field-to-field comparisons. An error gives the operand
//! the `Error` type, which raises nothing further, and checking goes on.

use super::catalog::{self, ArgKind, FieldDef, FieldType, flags};
use super::decode::suggest;
use crate::diag::{Code, Diagnostic, Severity};
use crate::span::{SourceMap, Span};
use crate::syntax::condition::ast::*;

/// The type of an operand.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ty {
    Val { ty: FieldType, list: bool },
    Error,
}

/// A field reference resolved against the catalogue.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResolvedField {
    pub def: &'static FieldDef,
    /// Dotted suffix (`flags` of `evt.arg.flags`), without the dot.
    pub suffix: Option<String>,
    pub arg: Option<String>,
    pub ty: FieldType,
    pub list: bool,
}

/// Options that change what exists.
#[derive(Clone, Copy, Debug)]
pub struct Env {
    /// The built-in model of the container plugin provides `container.*` and `k8s.*`.
    pub container_plugin: bool,
    /// Where port fields look service names up (`fd.sport = http`).
    pub services: &'static super::services::Services,
}

impl Default for Env {
    /// The container plugin loaded, no services database.
    fn default() -> Env {
        Env {
            container_plugin: true,
            services: super::services::Services::none(),
        }
    }
}

/// Look a bare field token up (as in exception `fields`), ignoring arguments.
pub fn resolve_field_name(name: &str) -> Option<&'static FieldDef> {
    let (base, _) = name.split_once('[').unwrap_or((name, ""));
    let (def, suffix) = catalog::lookup(base)?;
    (suffix.is_empty() || def.arg.takes_dotted_suffix()).then_some(def)
}

/// libsinsp resolves `evt.arg.NAME` against the parameters of every event type at load time:
/// the longest parameter name that starts NAME. None is an unknown argument (`Err(true)`); one
/// shorter than NAME leaves the rest of the field name unread, a nonexistent field
/// (`Err(false)`).
fn evt_arg_name(name: &str) -> Result<(), bool> {
    match catalog::events::longest_param_prefix(name) {
        None => Err(true),
        Some(n) if n < name.len() => Err(false),
        Some(_) => Ok(()),
    }
}

/// The known field closest in spelling to `name`, for "did you mean".
pub fn field_suggestion(name: &str) -> Option<&'static str> {
    let candidates = catalog::FIELDS
        .iter()
        .filter(|d| !d.has(flags::TABLE_ONLY))
        .map(|d| d.name);
    suggest(name, candidates)
}

/// Resolve a field, or explain why it does not exist / is misused.
pub fn resolve_field(f: &FieldRef, env: &Env) -> Result<ResolvedField, (String, Option<String>, Span)> {
    let unknown = || {
        let help = field_suggestion(&f.name).map(crate::diag::did_you_mean);
        (
            format!("filter_check called with nonexistent field {}", f.name),
            help,
            f.name_span,
        )
    };
    let Some((def, suffix)) = catalog::lookup(&f.name) else {
        return Err(unknown());
    };
    if !suffix.is_empty() && def.arg == ArgKind::Around {
        return Err((
            "wrong syntax for evt.around".into(),
            Some("write evt.around[T] = MS: T a timestamp in nanoseconds, MS milliseconds around it".into()),
            f.span,
        ));
    }
    // The container plugin's fields are parsed by libsinsp's plugin layer, which names a
    // required key missing even when a dotted form was written (`k8s.pod.label.app`).
    if !suffix.is_empty()
        && def.class == catalog::FieldClass::Container
        && def.arg.is_required()
        && env.container_plugin
    {
        return Err((
            format!(
                "filter '{}': {} requires an argument but none provided",
                f.name, def.name
            ),
            Some(format!("write {}[KEY]", def.name)),
            f.span,
        ));
    }
    if !suffix.is_empty() && !def.arg.takes_dotted_suffix() {
        return Err(unknown());
    }
    if def.class == catalog::FieldClass::Container && !env.container_plugin {
        return Err((
            format!(
                "filter_check called with nonexistent field {} (the container plugin is not loaded)",
                f.name
            ),
            Some("container.* and k8s.* fields come from the container plugin".into()),
            f.name_span,
        ));
    }
    let suffix = suffix.strip_prefix('.').map(str::to_string);
    // libsinsp names the check `field[arg]` only for a non-empty arg: `proc.env[""]` is
    // `proc.env`, and `container.label[""]` lacks its key.
    let mut arg = f.arg.as_ref().map(|a| a.value.clone()).filter(|a| !a.is_empty());
    let arg_span = f.arg.as_ref().map_or(f.span, |a| a.span);
    let need = |what: &str| {
        Err((
            format!("field '{}' requires an argument: {what}", def.name),
            None,
            f.span,
        ))
    };
    // `sinsp_numparser`'s error, which the checks that read a number do not catch.
    let not_number = |a: &str, help: String| Err((format!("{a} is not a valid number"), Some(help), arg_span));
    // libsinsp's words for a required argument written in no form it reads.
    let syntax = |what: &str| {
        let shown = match &arg {
            Some(a) => format!("{}[{a}]", f.name),
            None => f.name.clone(),
        };
        Err((
            format!("filter syntax error: {shown}"),
            Some(format!("field '{}' requires an argument: {what}", def.name)),
            f.span,
        ))
    };
    // An argument libsinsp cannot read leaves part of the name unparsed: the whole
    // `name[arg]` is then a field that does not exist (an error, or with
    // skip-if-unknown-filter a LOAD_UNKNOWN_FILTER warning).
    let nonexistent = |a: &str, help: String| {
        Err((
            format!("filter_check called with nonexistent field {}[{a}]", f.name),
            Some(help),
            arg_span,
        ))
    };
    let is_index = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    // An index as libsinsp's `parsed32` reads it (`sscanf("%d")`): `+2`, `02` and ` 2` are 2.
    let level = |s: &str| super::literal::decimal(s).filter(|n| i32::try_from(*n).is_ok());
    match def.arg {
        ArgKind::None => {
            if let Some(a) = &arg {
                if def.class == catalog::FieldClass::Container {
                    // The plugin layer's own text.
                    return Err((
                        format!(
                            "filter '{0}[{a}]': {0} does not allow nor require an argument but one is provided: {a}",
                            def.name
                        ),
                        Some(format!("field '{}' takes no argument", def.name)),
                        arg_span,
                    ));
                }
                return nonexistent(a, format!("field '{}' takes no argument", def.name));
            }
        }
        ArgKind::Index { required } => match &arg {
            None if required => return need("[N]"),
            // The process fields read the index as the ancestor fields do.
            Some(a) if def.class == catalog::FieldClass::Process => match level(a) {
                // -1 is libsinsp's "no index": every argument.
                Some(-1) => arg = None,
                Some(n) => arg = Some(n.to_string()),
                None => {
                    return nonexistent(
                        a,
                        format!(
                            "the index of '{}' is a decimal number: [0] is the first argument after the program",
                            def.name
                        ),
                    );
                }
            },
            // fd.types reads its index with `parsed64`, whose error is not caught.
            Some(a) => match super::literal::decimal(a).filter(|n| i64::try_from(*n).is_ok()) {
                Some(-1) => arg = None,
                Some(n) => arg = Some(n.to_string()),
                None => return not_number(a, format!("the index of '{}' is an fd number, in decimal", def.name)),
            },
            _ => {}
        },
        ArgKind::Key { required } | ArgKind::IndexOrKey { required } => {
            if required && arg.is_none() {
                if def.class == catalog::FieldClass::Container {
                    // The container plugin's own text.
                    return Err((
                        format!("filter '{0}': {0} requires an argument but none provided", def.name),
                        Some(format!("write {}[KEY]", def.name)),
                        f.span,
                    ));
                }
                return need("[KEY]");
            }
            // An all-digit key of proc.env is an index into nothing: the whole environment.
            if def.name == "proc.env" && arg.as_deref().is_some_and(is_index) {
                arg = None;
            }
        }
        ArgKind::Ancestor => {
            if let Some(a) = &arg {
                match level(a) {
                    // -1 is libsinsp's "no level": any ancestor.
                    Some(-1) => arg = None,
                    Some(n) => arg = Some(n.to_string()),
                    None => {
                        return nonexistent(
                            a,
                            format!(
                                "the level of '{}' is a decimal number: 0 is the process, 1 its parent, ...",
                                def.name
                            ),
                        );
                    }
                }
            }
        }
        ArgKind::EvtArg => match (&suffix, &arg) {
            (None, None) => {
                return Err((
                    format!("filter syntax error: {}", f.name),
                    Some(format!("write {0}.NAME or {0}[N]", def.name)),
                    f.span,
                ));
            }
            (Some(_), Some(a)) => {
                return nonexistent(a, format!("field '{}' takes a .NAME or an [N], not both", def.name));
            }
            (None, Some(a)) => match level(a) {
                Some(n) => arg = Some(n.to_string()),
                None => return not_number(a, format!("{}[N] takes the parameter's position, from 0", def.name)),
            },
            _ => {}
        },
        ArgKind::RawArg => {
            if arg.is_some() {
                // libsinsp's text names evt.arg.
                return Err((
                    "evt.arg fields must be expressed explicitly".into(),
                    Some(format!("{} takes a parameter name only: {0}.NAME", def.name)),
                    arg_span,
                ));
            }
            if suffix.is_none() {
                return syntax(".NAME");
            }
        }
        ArgKind::TypeIs | ArgKind::CgroupSubsys => match (&suffix, &arg) {
            (None, _) => return syntax(".NAME"),
            (Some(_), Some(a)) => {
                return nonexistent(a, format!("field '{}' takes a .NAME suffix only", def.name));
            }
            (Some(s), None) => {
                // thread.cgroup reads the subsystem as letters and '_'; evt.type.is an event name.
                let known = if def.arg == ArgKind::TypeIs {
                    catalog::EVENTS.iter().any(|e| e.name == s)
                } else {
                    s.bytes().all(|b| b.is_ascii_alphabetic() || b == b'_')
                };
                if !known {
                    return Err(unknown());
                }
            }
        },
        ArgKind::AbsPath => {
            if let Some(s) = &suffix
                && s != "src"
                && s != "dst"
            {
                return Err(unknown());
            }
        }
        // A dotted suffix was refused above (`wrong syntax for evt.around`).
        ArgKind::Around => match &arg {
            None => return syntax("[T] (a timestamp in nanoseconds)"),
            // `parseu64`: a sign is read, and -5 wraps.
            Some(a) if super::literal::decimal(a).is_none() => {
                return not_number(a, "the argument of evt.around is a timestamp in nanoseconds".into());
            }
            _ => {}
        },
    }
    if matches!(def.arg, ArgKind::EvtArg | ArgKind::RawArg)
        && let Some(name) = &suffix
    {
        evt_arg_name(name).map_err(|unknown_arg| {
            if unknown_arg {
                let mut names: Vec<&str> = catalog::EVENTS
                    .iter()
                    .flat_map(|e| e.params.iter().map(|p| p.name))
                    .collect();
                names.sort_unstable();
                names.dedup();
                let help = suggest(name, names).map(crate::diag::did_you_mean);
                (format!("unknown event argument {name}"), help, f.name_span)
            } else {
                unknown()
            }
        })?;
    }
    let mut ty = def.ty;
    if def.arg == ArgKind::RawArg {
        let name = suffix.as_deref().unwrap_or("");
        match catalog::events::param_type(name) {
            Some(t) => ty = t,
            None => return Err((format!("unknown event argument {name}"), None, f.name_span)),
        }
    }
    // A list field stays a list with an index argument: `fd.types[0]` is the list of the
    // types of fd 0 (libsinsp's flags are per field, not per argument).
    let list = def.has(flags::LIST);
    Ok(ResolvedField {
        def,
        suffix,
        arg,
        ty,
        list,
    })
}

pub struct Checker<'a> {
    pub env: Env,
    pub smap: &'a SourceMap,
    pub diags: Vec<Diagnostic>,
    pub severity: Severity,
    pub item: (&'static str, String),
}

/// Check a transformer written in an output (`%toupper(proc.name)`) as libsinsp's
/// formatter does when it adds the transformer to the field: each problem with its help
/// and a span relative to the text the operand was parsed from.
pub fn check_output_operand(o: &Operand, env: &Env) -> Vec<(String, Option<String>, Span)> {
    // Spans stay relative: one empty source map maps every span to itself.
    let smap = SourceMap::default();
    let mut ck = Checker {
        env: *env,
        smap: &smap,
        diags: Vec::new(),
        severity: Severity::Error,
        item: ("rule output", String::new()),
    };
    ck.operand(o, false);
    ck.diags
        .into_iter()
        .filter(|d| d.is_error())
        .map(|d| (d.message, d.help, d.primary.span))
        .collect()
}

/// Element types a list field can be compared on (libsinsp's list branch).
fn list_comparable(ty: FieldType) -> bool {
    use FieldType::*;
    matches!(ty, Charbuf | Uint64 | Reltime | Abstime | Bool | IpAddr | IpNet)
}

/// Parameter types libsinsp compares with nothing but `exists` (`evt.rawarg.uid`, ...).
fn exists_only(ty: FieldType) -> bool {
    use FieldType::*;
    matches!(
        ty,
        SockAddr
            | SockTuple
            | FdList
            | L4Proto
            | SockFamily
            | Dyn
            | Uid
            | Gid
            | Sigset
            | CharbufArray
            | CharbufPairArray
    )
}

/// Operators a type supports (libsinsp's `flt_is_comparable`).
pub fn op_supported(ty: FieldType, list: bool, op: Op) -> bool {
    use Op::*;
    if op == Exists {
        return true;
    }
    if list {
        return list_comparable(ty) && matches!(op, In | Intersects);
    }
    if ty.is_string() {
        return !matches!(op, BContains | BStartsWith);
    }
    match ty {
        FieldType::Bytebuf => matches!(
            op,
            Eq | EqEq | Ne | Contains | In | StartsWith | EndsWith | Intersects | BContains | BStartsWith
        ),
        FieldType::Bool => matches!(op, Eq | EqEq | Ne | In | Intersects),
        t if t.is_ip() => matches!(op, Eq | EqEq | Ne | In | Intersects),
        t if exists_only(t) => false,
        t if t.is_numeric() => matches!(op, Eq | EqEq | Ne | Lt | Le | Gt | Ge | In | Intersects),
        _ => matches!(op, Eq | EqEq | Ne | In | Intersects),
    }
}

/// The field a chain of transformers starts from (`fd.name` in `tolower(basename(fd.name))`).
fn innermost_field(t: &Transform) -> Option<&FieldRef> {
    match t.args.first()? {
        TArg::Field(f) => Some(f),
        TArg::Transform(inner) => innermost_field(inner),
        _ => None,
    }
}

/// A type as libsinsp's `param_type_to_string` names it.
fn pt_type_name(ty: FieldType) -> &'static str {
    match ty {
        FieldType::Dyn => "DYNAMIC",
        t => t.pt_name().trim_start_matches("PT_"),
    }
}

/// What a one-argument transformer accepts, for the help of its type error.
fn transformer_input(kind: TransformerKind) -> &'static str {
    match kind {
        TransformerKind::B64 => "a string or a byte buffer",
        TransformerKind::Len => "a string, a byte buffer or a list",
        _ => "a string or a path",
    }
}

/// libsinsp's message for an operator `ty` does not take, word for word (`==` is named `=`,
/// and the list message has no "for").
fn op_unsupported_message(ty: FieldType, list: bool, op: Op) -> String {
    let name = if op == Op::EqEq { "=" } else { op.text() };
    let type_name = || pt_type_name(ty);
    if list {
        return if list_comparable(ty) {
            format!("'{name}' operator not supported list filters")
        } else {
            format!("list filters are not supported for type '{}'", type_name())
        };
    }
    let what = if ty.is_string() {
        "string"
    } else if ty == FieldType::Bytebuf {
        "buffer"
    } else if ty.is_ip() {
        "ip address and network"
    } else if ty == FieldType::Bool || (ty.is_numeric() && !exists_only(ty)) {
        "numeric"
    } else {
        return format!("'{name}' operator not supported for type '{}'", type_name());
    };
    format!("'{name}' operator not supported for {what} filters")
}

impl Checker<'_> {
    fn report(&mut self, code: Code, span: Span, msg: impl Into<String>, help: Option<String>) {
        let mut d = Diagnostic::new(code, self.smap.to_file(span), msg).in_item(self.item.0, &self.item.1);
        if code == Code::LoadErrCompileCondition {
            d.severity = self.severity;
        }
        if let Some(h) = help {
            d = d.help(h);
        }
        self.diags.push(d);
    }

    fn error(&mut self, span: Span, msg: impl Into<String>) {
        self.report(Code::LoadErrCompileCondition, span, msg, None);
    }

    pub fn check_expr(&mut self, e: &Expr) {
        match e {
            Expr::And(xs, _) | Expr::Or(xs, _) => xs.iter().for_each(|x| self.check_expr(x)),
            Expr::Not(x, _) => self.check_expr(x),
            Expr::Macro(_) | Expr::Error(_) => {}
            Expr::Check(c) => self.check(c),
        }
    }

    fn field(&mut self, f: &FieldRef) -> Ty {
        match resolve_field(f, &self.env) {
            Ok(r) => {
                if r.def.has(flags::DEPRECATED)
                    && matches!(
                        r.def.name,
                        "evt.dir"
                            | "evt.latency"
                            | "evt.latency.s"
                            | "evt.latency.ns"
                            | "evt.latency.human"
                            | "evt.wait_latency"
                    )
                {
                    self.report(
                        Code::LoadDeprecatedItem,
                        f.name_span,
                        format!(
                            "usage of deprecated field '{}' has been detected in the rule condition",
                            r.def.name
                        ),
                        None,
                    );
                }
                Ty::Val { ty: r.ty, list: r.list }
            }
            Err((msg, help, span)) => {
                self.report(Code::LoadErrCompileCondition, span, msg, help);
                // An unknown name: the suggestion is also a fix of the name.
                if span == f.name_span
                    && let Some(s) = field_suggestion(&f.name)
                    && s != f.name
                    && let Some(d) = self.diags.last_mut()
                {
                    *d = d.clone().did_you_mean(s);
                }
                Ty::Error
            }
        }
    }

    /// A field that takes no part in a field-to-field comparison, in libsinsp's words for
    /// each side (`add_filter_value`).
    fn no_rhs(&mut self, span: Span, name: &str, rhs_side: bool) {
        let msg = if rhs_side {
            format!("field '{name}' can't be used as a right-hand side field")
        } else {
            format!("field '{name}' doesn't support right-hand side fields")
        };
        self.report(
            Code::LoadErrCompileCondition,
            span,
            msg,
            Some("compare this field with constant values instead".into()),
        );
    }

    fn operand(&mut self, o: &Operand, rhs_side: bool) -> Ty {
        match o {
            Operand::Field(f) => self.field(f),
            Operand::Transform(t) => self.transform(t, rhs_side),
        }
    }

    fn targ(&mut self, a: &TArg, rhs_side: bool) -> Ty {
        match a {
            TArg::Field(f) => {
                let ty = self.field(f);
                if let (Ty::Val { .. }, Ok(r)) = (ty, resolve_field(f, &self.env))
                    && r.def.has(flags::NO_TRANSFORMER)
                {
                    self.report(
                        Code::LoadErrCompileCondition,
                        f.span,
                        format!("field '{}' does not support transformers", r.def.name),
                        Some("compare the field itself, without the transformer".into()),
                    );
                    return Ty::Error;
                }
                ty
            }
            TArg::Transform(t) => self.transform(t, rhs_side),
            TArg::Str(_) => Ty::Val {
                ty: FieldType::Charbuf,
                list: false,
            },
            TArg::Num(_) => Ty::Val {
                ty: FieldType::Uint64,
                list: false,
            },
            TArg::List(xs, _) => {
                for x in xs {
                    if let Ty::Val { list: true, .. } = self.targ(x, rhs_side) {
                        self.error(x.span(), "a list argument cannot contain list values");
                    }
                }
                Ty::Val {
                    ty: FieldType::Charbuf,
                    list: true,
                }
            }
        }
    }

    fn transform(&mut self, t: &Transform, rhs_side: bool) -> Ty {
        use TransformerKind::*;
        let name = t.kind.name();
        if let Some(a) = &t.arg
            && t.kind != Getopt
        {
            self.error(
                a.span,
                format!("filter error: transformer '{name}' does not support field arguments"),
            );
            return Ty::Error;
        }
        if t.kind == Val {
            // `val(f)` is the field itself, compared field to field.
            let Some(TArg::Field(f)) = t.args.first() else {
                return Ty::Error;
            };
            if let Ok(r) = resolve_field(f, &self.env)
                && r.def.has(flags::NO_RHS)
            {
                self.no_rhs(f.span, r.def.name, rhs_side);
                return Ty::Error;
            }
            return self.field(f);
        }
        let arg_tys: Vec<Ty> = t.args.iter().map(|a| self.targ(a, rhs_side)).collect();
        if arg_tys.contains(&Ty::Error) {
            return Ty::Error;
        }
        let arity = |n: usize| t.args.len() == n;
        let bad = |this: &mut Self, msg: String| {
            this.error(t.span, msg);
            Ty::Error
        };
        match t.kind {
            // Handled before the arguments are typed.
            Val => arg_tys[0],
            ToLower | ToUpper | B64 | Basename | Len => {
                if !arity(1) || matches!(t.args[0], TArg::Str(_) | TArg::Num(_) | TArg::List(..)) {
                    return bad(
                        self,
                        format!("transformer '{name}' takes exactly one field or transformer"),
                    );
                }
                let Ty::Val { ty, list } = arg_tys[0] else {
                    return Ty::Error;
                };
                // libsinsp checks the element type only: a string transformer applies to
                // each element of a list and keeps it a list.
                let ok = match t.kind {
                    ToLower | ToUpper | Basename => ty.is_string(),
                    B64 => ty.is_string() || ty == FieldType::Bytebuf,
                    _ => ty.is_string() || ty == FieldType::Bytebuf || list,
                };
                if !ok {
                    // libsinsp's words: the type reached so far and the field underneath.
                    let field = innermost_field(t).and_then(|f| resolve_field(f, &self.env).ok());
                    let msg = format!(
                        "can't add field transformer: type '{}' is not supported by '{name}' transformer applied on {}field '{}'",
                        pt_type_name(ty),
                        if list { "list " } else { "" },
                        field.map_or("", |r| r.def.name),
                    );
                    self.report(
                        Code::LoadErrCompileCondition,
                        t.span,
                        msg,
                        Some(format!("'{name}' takes {}", transformer_input(t.kind))),
                    );
                    return Ty::Error;
                }
                match t.kind {
                    Len => Ty::Val {
                        ty: FieldType::Uint64,
                        list: false,
                    },
                    B64 => Ty::Val {
                        ty: if ty == FieldType::Bytebuf {
                            FieldType::Bytebuf
                        } else {
                            FieldType::Charbuf
                        },
                        list,
                    },
                    _ => Ty::Val { ty, list },
                }
            }
            Join | Concat | Getopt => self.multivalue(t),
        }
    }

    /// join, concat and getopt check their arguments as libsinsp's multi-value
    /// transformers do when they are built, with their messages (the arguments' own
    /// problems were reported before).
    fn multivalue(&mut self, t: &Transform) -> Ty {
        use TransformerKind::*;
        let args: Vec<(FieldType, bool)> = t.args.iter().map(|a| self.argument_type(a)).collect();
        let fail = |this: &mut Self, msg: &str, help: &str| {
            this.report(Code::LoadErrCompileCondition, t.span, msg, Some(help.into()));
            Ty::Error
        };
        match t.kind {
            Join => {
                let help = "write join(\"sep\", LIST): LIST is a list field or (a, b, ...)";
                if args.len() != 2 {
                    return fail(self, "join() requires exactly 2 arguments: separator and list", help);
                }
                if args[0].1 {
                    return fail(
                        self,
                        "join() first argument (separator) must be a single value, not a list",
                        help,
                    );
                }
                if !args[1].1 {
                    return fail(self, "join() second argument must be a list", help);
                }
                Ty::Val {
                    ty: FieldType::Charbuf,
                    list: false,
                }
            }
            Concat => {
                let help = "concat takes two or more string fields or quoted strings";
                if args.len() < 2 {
                    return fail(self, "concat() requires at least 2 arguments", help);
                }
                if args.iter().any(|&(ty, list)| ty != FieldType::Charbuf || list) {
                    return fail(self, "concat() arguments must be strings", help);
                }
                Ty::Val {
                    ty: FieldType::Charbuf,
                    list: false,
                }
            }
            _ => {
                let help = "write getopt(ARGS, \"optstring\")[o]: ARGS is a list, such as (\"-t\", \"x\")";
                if args.len() != 2 {
                    return fail(
                        self,
                        "getopt() requires exactly 2 arguments: args list and optstring",
                        help,
                    );
                }
                if !args[0].1 {
                    return fail(self, "getopt() first argument must be a list", help);
                }
                if args[1].1 {
                    return fail(
                        self,
                        "getopt() second argument (optstring) must be a single value",
                        help,
                    );
                }
                if args.iter().any(|&(ty, _)| ty != FieldType::Charbuf) {
                    return fail(self, "getopt() arguments must be strings", help);
                }
                match t.arg.as_ref().map(|a| a.value.as_str()) {
                    // An empty option key selects no option: Falco refuses it.
                    Some("") => fail(
                        self,
                        "transformer 'getopt' needs an option letter in [...]",
                        "write getopt(ARGS, \"t:\")[t]",
                    ),
                    Some(k) if k.chars().count() != 1 => fail(
                        self,
                        "getopt() field argument must be a single option character",
                        "write getopt(ARGS, \"t:\")[t]",
                    ),
                    key => Ty::Val {
                        ty: FieldType::Charbuf,
                        list: key.is_none(),
                    },
                }
            }
        }
    }

    /// An argument's type as a multi-value transformer reads it (`argument_types`): the
    /// field's own type and list flag, before any transformer applied to it (those keep
    /// the field's info); another multi-value transformer is a plain string there, and a
    /// literal list a list of strings.
    fn argument_type(&self, a: &TArg) -> (FieldType, bool) {
        let field = |f: &FieldRef| resolve_field(f, &self.env).map_or((FieldType::Charbuf, false), |r| (r.ty, r.list));
        match a {
            TArg::Field(f) => field(f),
            TArg::Transform(t) if t.kind.takes_one_field() => {
                innermost_field(t).map_or((FieldType::Charbuf, false), field)
            }
            TArg::Transform(_) | TArg::Str(_) | TArg::Num(_) => (FieldType::Charbuf, false),
            TArg::List(..) => (FieldType::Charbuf, true),
        }
    }

    fn check(&mut self, c: &Check) {
        // libsinsp reads the left side and checks the operator first; whether the left
        // side may meet a field on the right comes after (`field_to_field`).
        let lhs = self.operand(&c.lhs, false);
        let Ty::Val { ty, list } = lhs else {
            if let Rhs::Operand(o) = &c.rhs {
                self.operand(o, true);
            }
            return;
        };
        if !op_supported(ty, list, c.op) {
            let help = if list && list_comparable(ty) {
                Some("a list field takes in, intersects or exists".to_string())
            } else if !list && exists_only(ty) {
                Some("a value of this type can only be tested with exists".to_string())
            } else {
                None
            };
            self.report(
                Code::LoadErrCompileCondition,
                c.op_span,
                // The compiler's `check_op_type_compatibility` prefixes its check's message.
                format!("filter error: {}", op_unsupported_message(ty, list, c.op)),
                help,
            );
            return;
        }
        let before = self.diags.len();
        self.rhs(c, ty, list);
        // libsinsp parses evt.around's values as numbers, then refuses every operator but '='.
        if let Operand::Field(f) = &c.lhs
            && f.name == "evt.around"
            && !matches!(c.op, Op::Eq | Op::EqEq | Op::Exists)
            && matches!(c.rhs, Rhs::Value(_) | Rhs::List(..))
            && !self.diags[before..].iter().any(|d| d.is_error())
        {
            self.report(
                Code::LoadErrCompileCondition,
                c.op_span,
                "evt.around supports only '=' comparison operator",
                Some("evt.around[T] = MS matches the events within MS milliseconds of timestamp T".into()),
            );
        }
    }

    /// Check the right-hand side against the left-hand type `ty` (a list when `list`).
    fn rhs(&mut self, c: &Check, ty: FieldType, list: bool) {
        match &c.rhs {
            Rhs::None => {}
            Rhs::Value(v) => {
                if c.op.is_list() {
                    // A bare identifier after a list operator: an unresolved list name.
                    self.report(
                        Code::LoadCompileCondition,
                        v.span,
                        format!(
                            "'{}' is compared as a single literal value; no list by that name is defined",
                            v.text
                        ),
                        Some(format!(
                            "define `- list: {}` or write the values in parentheses",
                            v.text
                        )),
                    );
                }
                self.value(c, ty, &v.text, v.span, v.quote.is_some());
            }
            Rhs::List(vs, _) => vs
                .iter()
                .for_each(|v| self.value(c, ty, &v.text, v.span, v.quote.is_some())),
            Rhs::Modified { list, .. } => match &**list {
                Rhs::List(vs, _) => vs
                    .iter()
                    .for_each(|v| self.value(c, ty, &v.text, v.span, v.quote.is_some())),
                Rhs::Value(v) => self.report(
                    Code::LoadCompileCondition,
                    v.span,
                    format!(
                        "'{}' is compared as a single literal value; no list by that name is defined",
                        v.text
                    ),
                    None,
                ),
                _ => {}
            },
            Rhs::Operand(o) => self.field_to_field(c, ty, list, o),
        }
    }

    /// A field (or transformer) on the right: libsinsp's `add_filter_value` checks, in its
    /// order, with its words.
    fn field_to_field(&mut self, c: &Check, ty: FieldType, list: bool, o: &Operand) {
        if matches!(c.op, Op::PMatch | Op::Regex) {
            let op = if c.op == Op::PMatch { "PMATCH" } else { "REGEX" };
            self.report(
                Code::LoadErrCompileCondition,
                o.span(),
                format!("operator '{op}' doesn't support right-hand side fields"),
                Some(format!("'{}' takes constant values only", c.op.text())),
            );
            return;
        }
        if matches!(ty, FieldType::IpNet | FieldType::Ipv4Net | FieldType::Ipv6Net) {
            self.report(
                Code::LoadErrCompileCondition,
                o.span(),
                "field type 'IPNET' doesn't support right-hand side fields",
                Some("a network field is compared with constant networks (a.b.c.d/N)".into()),
            );
            return;
        }
        if let Some(name) = self.no_rhs_field(&c.lhs) {
            self.no_rhs(c.lhs.span(), name, false);
            return;
        }
        let Ty::Val { ty: rty, list: rlist } = self.operand(o, true) else {
            return;
        };
        if let Some(name) = self.no_rhs_field(o) {
            self.no_rhs(o.span(), name, true);
            return;
        }
        // Both sides must have the same type, and both be lists or neither
        // (`check_rhs_field_type_consistency`): no conversion happens at run time.
        if ty != rty || list != rlist {
            let shown = |t: FieldType, l: bool| format!("{}{}", pt_type_name(t), if l { " (list)" } else { "" });
            self.report(
                Code::LoadErrCompileCondition,
                o.span(),
                format!(
                    "field '{}' has type '{}' while the right-hand side field '{}' has incompatible type '{}'",
                    self.operand_name(&c.lhs),
                    shown(ty, list),
                    self.operand_name(o),
                    shown(rty, rlist)
                ),
                Some("a field is compared with another field of exactly its type".into()),
            );
        }
    }

    /// The field of an operand that takes no part in a field-to-field comparison: the
    /// field itself, or the one under one-field transformers (the transformed field keeps
    /// the field's flags), on either side.
    fn no_rhs_field(&self, o: &Operand) -> Option<&'static str> {
        let f = match o {
            Operand::Field(f) => f,
            Operand::Transform(t) if t.kind.takes_one_field() => innermost_field(t)?,
            Operand::Transform(_) => return None,
        };
        let r = resolve_field(f, &self.env).ok()?;
        r.def.has(flags::NO_RHS).then_some(r.def.name)
    }

    /// The name libsinsp gives an operand's (transformed) field: the field underneath a
    /// chain of one-argument transformers; multi-argument transformers build a field of
    /// their own.
    fn operand_name(&self, o: &Operand) -> String {
        let f = match o {
            Operand::Field(f) => Some(f),
            Operand::Transform(t) if t.kind.takes_one_field() => innermost_field(t),
            Operand::Transform(_) => None,
        };
        match f {
            Some(f) => resolve_field(f, &self.env).map_or_else(|_| f.name.clone(), |r| r.def.name.to_string()),
            None => "INTERNAL".into(),
        }
    }

    /// Check one constant against the left-hand type and operator.
    fn value(&mut self, c: &Check, ty: FieldType, v: &str, span: Span, quoted: bool) {
        let op = c.op;
        if v.contains('\0') && ty != FieldType::Bytebuf {
            self.error(span, "filter values cannot contain NUL bytes");
            return;
        }
        // libsinsp validates every constant compared with evt.type, whatever the operator:
        // `evt.type contains open` or `evt.type glob 'open*'` fails to load in Falco.
        if let Operand::Field(f) = &c.lhs
            && f.name == "evt.type"
            && v != "NA"
            && catalog::event_codes(v).is_none()
        {
            let names = catalog::EVENTS
                .iter()
                .map(|e| e.name)
                .chain(catalog::GENERIC_SYSCALLS.iter().copied());
            // Event names are lower case: `OPEN` is `open`.
            let lower = v.to_ascii_lowercase();
            let suggestion = if lower != v && catalog::event_codes(&lower).is_some() {
                catalog::EVENTS.iter().map(|e| e.name).find(|n| *n == lower)
            } else {
                suggest(v, names)
            };
            // A pattern operator reads naturally but still takes only whole names.
            let help = (!matches!(op, Op::Eq | Op::EqEq | Op::Ne | Op::In | Op::Intersects)).then(|| {
                format!(
                    "evt.type takes whole event names with every operator, '{}' included: list the names with `evt.type in (...)`",
                    op.text()
                )
            });
            self.report(
                Code::LoadErrCompileCondition,
                span,
                format!("unknown event type {v}"),
                help,
            );
            if let (Some(s), Some(d)) = (suggestion, self.diags.last_mut()) {
                *d = d.clone().did_you_mean(s);
            }
            return;
        }
        if matches!(op, Op::BContains | Op::BStartsWith) {
            if v.is_empty() || !v.len().is_multiple_of(2) || !v.bytes().all(|b| b.is_ascii_hexdigit()) {
                self.error(
                    span,
                    "filter error: bcontains and bstartswith operator support hex strings only",
                );
            }
            return;
        }
        if ty.is_ip() {
            if let Err(e) = super::literal::ip(ty, v) {
                let net = matches!(ty, FieldType::IpNet | FieldType::Ipv4Net | FieldType::Ipv6Net);
                let help = match (net, v.contains('/')) {
                    (false, true) => Some(
                        "an address field takes one address: compare networks with a network field (fd.net, fd.snet, fd.cnet, fd.lnet, fd.rnet)".to_string(),
                    ),
                    (true, false) => Some(format!(
                        "a network field takes networks with their prefix length: one address is {v}/{}",
                        if v.contains('.') { 32 } else { 128 }
                    )),
                    _ => None,
                };
                self.report(Code::LoadErrCompileCondition, span, e, help);
            }
            return;
        }
        if ty == FieldType::Bool {
            if v != "true" && v != "false" {
                self.report(
                    Code::LoadErrCompileCondition,
                    span,
                    format!("unrecognized boolean value {v}"),
                    Some("a boolean is true or false".into()),
                );
            }
            return;
        }
        if ty.is_numeric() && ty != FieldType::Double {
            if let Err(e) = super::literal::number(ty, v, self.env.services) {
                let help = if ty == FieldType::Port && !e.ends_with("number") {
                    if self.env.services.is_empty() {
                        "a port is a number or a service name from the services database (/etc/services), which is missing or empty here: write the port number".to_string()
                    } else {
                        "a port is a number or a service name from the services database (/etc/services); this name is not in it".to_string()
                    }
                } else {
                    format!(
                        "a field of type {} takes a decimal number, with an optional sign",
                        ty.short_name()
                    )
                };
                self.report(Code::LoadErrCompileCondition, span, e, Some(help));
            }
            return;
        }
        if ty == FieldType::Double {
            if let Err(e) = super::literal::double(v) {
                self.error(span, e);
            }
            return;
        }
        if op == Op::Regex {
            let compiled = super::re2_posix::translate(v).and_then(|rust| {
                // Within RE2's syntax and limits the `regex` crate's only refusal is size.
                regex::Regex::new(&rust).map_err(|_| "pattern too large - compile failed".to_string())
            });
            match compiled {
                Err(e) => {
                    let help = if e.starts_with("invalid escape sequence: \\") || e.ends_with("operator: ?") {
                        "Falco compiles patterns with RE2 in POSIX mode: no \\d, \\w, \\s, \\b, (?:...), (?i) or back-references; write [0-9], [[:alnum:]_], [[:space:]] or a plain group"
                    } else {
                        "Falco compiles patterns with RE2 in POSIX mode (https://github.com/google/re2/wiki/Syntax, without the Perl extensions)"
                    };
                    self.report(
                        Code::LoadErrCompileCondition,
                        span,
                        format!("invalid regex pattern: {e}"),
                        Some(help.to_string()),
                    );
                }
                Ok(_) => {
                    if regex_is_plain(v) {
                        let help = match simpler_than_regex(v) {
                            Some(op) => format!("'{op}' matches exactly what this pattern matches, without a regex engine"),
                            None => "a literal with anchors or wildcards at its ends is matched faster by '=', 'contains', 'startswith' or 'endswith'".to_string(),
                        };
                        self.report(
                            Code::LoadCompileCondition,
                            span,
                            format!(
                                "regex check with '{v}' may be optimized with simpler operators such as '=', 'contains', 'startswith', 'endswith'"
                            ),
                            Some(help),
                        );
                    }
                }
            }
            return;
        }
        let _ = quoted;
        let t = v.trim();
        let looks_transformer = t.split_once('(').is_some_and(|(name, rest)| {
            TransformerKind::from_name(name.trim()).is_some() && rest.trim_end().ends_with(')')
        });
        if looks_transformer {
            self.report(
                Code::LoadCompileCondition,
                span,
                format!("'{v}' may be a valid field transformer misused as a const string value"),
                Some("a transformer on the right-hand side must be written unquoted and without spaces".into()),
            );
        } else if resolve_field_name(t).is_some()
            && t.contains('.')
            && t.bytes().next().is_some_and(|b| b.is_ascii_alphabetic())
        {
            self.report(
                Code::LoadCompileCondition,
                span,
                format!("'{v}' may be a valid field misused as a const string value"),
                Some(format!("to compare with the field, write val({v})")),
            );
        }
    }
}

/// The bytes that make a pattern more than text (libsinsp's list).
const REGEX_SPECIAL: &[u8] = b".+*?^$()[]{}|\\";

/// libsinsp's test for its "may be optimized" warning: the pattern is plain text apart from a
/// `^` first, a `$` last, and a `.*`, `.+` or `.?` at its very start or end. Any other regex
/// character (a backslash included) means the regex is needed. Bytes, as libsinsp scans them.
fn regex_is_plain(re: &str) -> bool {
    let b = re.as_bytes();
    let n = b.len();
    let mut i = 0;
    while i < n {
        if (i == 0 && b[i] == b'^') || (i + 1 == n && b[i] == b'$') {
            i += 1;
            continue;
        }
        if ((i == 0 && n > 1) || i + 2 == n) && b[i] == b'.' && matches!(b.get(i + 1), Some(b'+' | b'*' | b'?')) {
            i += 2;
            continue;
        }
        if REGEX_SPECIAL.contains(&b[i]) {
            return false;
        }
        i += 1;
    }
    true
}

/// The one operator that matches exactly what `re` matches, where there is one: a literal,
/// anchored or not (Falco's regex is a full match), with `.*` at neither, one or both ends.
fn simpler_than_regex(re: &str) -> Option<&'static str> {
    let mut s = re.strip_prefix('^').unwrap_or(re);
    if s.ends_with('$') {
        s = &s[..s.len() - 1];
    }
    let (s, lead) = match s.strip_prefix(".*") {
        Some(r) => (r, false),
        None => (s, true),
    };
    let (s, trail) = match s.strip_suffix(".*") {
        Some(r) => (r, false),
        None => (s, true),
    };
    if s.is_empty() || s.bytes().any(|b| REGEX_SPECIAL.contains(&b)) {
        return None;
    }
    Some(match (lead, trail) {
        (true, true) => "=",
        (true, false) => "startswith",
        (false, true) => "endswith",
        (false, false) => "contains",
    })
}

#[cfg(test)]
mod regex_warning_tests {
    use super::{regex_is_plain, simpler_than_regex};

    /// The patterns of libsinsp's own `compilation_warnings` test, with its verdicts.
    #[test]
    fn warns_exactly_where_libsinsp_warns() {
        for re in [
            "syscall",
            "^syscall$",
            "^syscall",
            "syscall$",
            ".*syscall",
            "syscall.*",
            ".*syscall.*",
            ".+syscall",
            "syscall.+",
            ".+syscall.+",
            ".?syscall",
            "syscall.?",
            ".?syscall.?",
        ] {
            assert!(regex_is_plain(re), "{re} warns in libsinsp");
        }
        for re in [
            "syscall.{1}",
            "syscall\\.*",
            "s.*l",
            "syscal[l]?",
            "^.*syscall",
            "syscall.*$",
            "a|b",
        ] {
            assert!(!regex_is_plain(re), "{re} does not warn in libsinsp");
        }
    }

    #[test]
    fn the_help_names_an_operator_only_where_it_is_exact() {
        assert_eq!(simpler_than_regex("^syscall$"), Some("="));
        assert_eq!(simpler_than_regex("syscall.*"), Some("startswith"));
        assert_eq!(simpler_than_regex(".*syscall"), Some("endswith"));
        assert_eq!(simpler_than_regex(".*sys call.*"), Some("contains"));
        // `.+` and `.?` need (at most) one more character: no single operator says that.
        assert_eq!(simpler_than_regex(".+syscall"), None);
        assert_eq!(simpler_than_regex("syscall.?"), None);
    }
}
