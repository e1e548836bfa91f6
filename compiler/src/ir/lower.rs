//! Lowering of type-checked, macro-expanded rule conditions to the IR.

use super::*;
use crate::analysis::RuleInfo;
use crate::sema::typeck::{Env, resolve_field};
use crate::syntax::condition::ast::{self, Expr, Op, TArg};
use std::collections::HashMap;

struct Lowerer {
    env: Env,
    fields: Vec<FieldSpec>,
    index: HashMap<FieldSpec, FieldId>,
}

/// Lower every runnable rule. Rules with errors are not in the program.
pub fn lower<'a>(rules: impl IntoIterator<Item = &'a RuleInfo>, env: Env) -> Program {
    let mut l = Lowerer {
        env,
        fields: Vec::new(),
        index: HashMap::new(),
    };
    let mut out = Vec::new();
    for r in rules {
        let Some(expr) = &r.expr else { continue };
        if r.skipped.is_some() {
            continue;
        }
        let Some(cond) = l.expr(expr) else { continue };
        out.push(Rule {
            name: r.name.clone(),
            priority: r.priority,
            source: r.source.clone(),
            enabled: r.enabled,
            tags: r.tags.iter().cloned().collect(),
            evttypes: r.evttypes.as_ref().map(|s| s.codes()),
            cond,
            output: r.output_parts.clone(),
        });
    }
    Program {
        fields: l.fields,
        rules: out,
    }
}

/// Lower one condition on its own (for tests and tools); `None` if it does not
/// type-check or contains unresolved macros.
pub fn lower_condition(expr: &Expr, env: Env) -> Option<(Cond, Vec<FieldSpec>)> {
    let mut l = Lowerer {
        env,
        fields: Vec::new(),
        index: HashMap::new(),
    };
    let c = l.expr(expr)?;
    Some((c, l.fields))
}

/// Lower an operand on its own (an output's `%tolower(proc.name)`): the IR operand and
/// its field table; `None` if it does not resolve.
pub fn lower_operand(o: &ast::Operand, env: Env) -> Option<(Operand, Vec<FieldSpec>)> {
    let mut l = Lowerer {
        env,
        fields: Vec::new(),
        index: HashMap::new(),
    };
    let (op, _) = l.operand(o)?;
    Some((op, l.fields))
}

impl Lowerer {
    fn field_id(&mut self, f: &ast::FieldRef) -> Option<(FieldId, FieldType, bool)> {
        let r = resolve_field(f, &self.env).ok()?;
        // libsinsp compares `proc.aenv[N]` as it compares `proc.aenv` (its index is only
        // read when extracting for an output): any ancestor's environment.
        let arg = r
            .arg
            .filter(|a| !(r.def.name == "proc.aenv" && a.bytes().all(|b| b.is_ascii_digit())));
        let spec = FieldSpec {
            name: r.def.name,
            suffix: r.suffix,
            arg,
            ty: r.ty,
            list: r.list,
        };
        let (ty, list) = (spec.ty, spec.list);
        let next = FieldId(self.fields.len() as u32);
        let id = *self.index.entry(spec.clone()).or_insert_with(|| {
            self.fields.push(spec);
            next
        });
        Some((id, ty, list))
    }

    fn expr(&mut self, e: &Expr) -> Option<Cond> {
        Some(match e {
            Expr::And(xs, _) => Cond::And(xs.iter().map(|x| self.expr(x)).collect::<Option<_>>()?),
            Expr::Or(xs, _) => Cond::Or(xs.iter().map(|x| self.expr(x)).collect::<Option<_>>()?),
            Expr::Not(x, _) => Cond::Not(Box::new(self.expr(x)?)),
            Expr::Macro(_) | Expr::Error(_) => return None,
            Expr::Check(c) => Cond::Cmp(Box::new(self.check(c)?)),
        })
    }

    /// The operand and the type its constants are read as.
    fn operand(&mut self, o: &ast::Operand) -> Option<(Operand, FieldType)> {
        match o {
            ast::Operand::Field(f) => {
                let (id, ty, _) = self.field_id(f)?;
                Some((Operand::Field(id), ty))
            }
            ast::Operand::Transform(t) => self.transform(t),
        }
    }

    fn transform(&mut self, t: &ast::Transform) -> Option<(Operand, FieldType)> {
        use TransformerKind::*;
        let mut args = Vec::new();
        let mut first_ty = FieldType::Charbuf;
        for (i, a) in t.args.iter().enumerate() {
            let (op, ty) = self.targ(a)?;
            if i == 0 {
                first_ty = ty;
            }
            args.push(op);
        }
        if t.kind == Val {
            return args.into_iter().next().map(|a| (a, first_ty));
        }
        let ty = match t.kind {
            Len => FieldType::Uint64,
            ToLower | ToUpper | Basename => first_ty,
            B64 if first_ty == FieldType::Bytebuf => FieldType::Bytebuf,
            _ => FieldType::Charbuf,
        };
        let key = t.arg.as_ref().map(|a| a.value.clone());
        Some((
            Operand::Transform {
                kind: t.kind,
                args,
                key,
            },
            ty,
        ))
    }

    fn targ(&mut self, a: &TArg) -> Option<(Operand, FieldType)> {
        match a {
            TArg::Field(f) => {
                let (id, ty, _) = self.field_id(f)?;
                Some((Operand::Field(id), ty))
            }
            TArg::Transform(t) => self.transform(t),
            TArg::Str(v) | TArg::Num(v) => Some((Operand::Const(Const::Str(v.text.clone())), FieldType::Charbuf)),
            TArg::List(xs, _) => {
                let items = xs
                    .iter()
                    .map(|x| self.targ(x).map(|p| p.0))
                    .collect::<Option<Vec<_>>>()?;
                Some((Operand::List(items), FieldType::Charbuf))
            }
        }
    }

    fn check(&mut self, c: &ast::Check) -> Option<Cmp> {
        let (lhs, ty) = self.operand(&c.lhs)?;
        let op = cmp_op(c.op);
        let env = self.env;
        let konst = |v: &str| typed_const(ty, op, v, env);
        let rhs = match &c.rhs {
            ast::Rhs::None => Rhs::None,
            ast::Rhs::Value(v) if c.op.is_list() => Rhs::Set(ConstSet::new(vec![konst(&v.text)?])),
            ast::Rhs::Value(v) => Rhs::Const(konst(&v.text)?),
            ast::Rhs::List(vs, _) => Rhs::Set(ConstSet::new(vs.iter().map(|v| konst(&v.text)).collect::<Option<_>>()?)),
            ast::Rhs::Modified { modifier, list, .. } => {
                let values: Vec<Const> = match &**list {
                    ast::Rhs::List(vs, _) => vs.iter().map(|v| konst(&v.text)).collect::<Option<_>>()?,
                    ast::Rhs::Value(v) => vec![konst(&v.text)?],
                    _ => return None,
                };
                Rhs::Modified(*modifier, values)
            }
            ast::Rhs::Operand(o) => Rhs::Operand(self.operand(o)?.0),
        };
        Some(Cmp {
            lhs,
            op,
            rhs,
            memo: None,
        })
    }
}

fn cmp_op(op: Op) -> CmpOp {
    match op {
        Op::Exists => CmpOp::Exists,
        Op::Eq | Op::EqEq => CmpOp::Eq,
        Op::Ne => CmpOp::Ne,
        Op::Lt => CmpOp::Lt,
        Op::Le => CmpOp::Le,
        Op::Gt => CmpOp::Gt,
        Op::Ge => CmpOp::Ge,
        Op::Contains => CmpOp::Contains,
        Op::IContains => CmpOp::IContains,
        Op::BContains => CmpOp::BContains,
        Op::StartsWith => CmpOp::StartsWith,
        Op::BStartsWith => CmpOp::BStartsWith,
        Op::EndsWith => CmpOp::EndsWith,
        Op::Glob => CmpOp::Glob,
        Op::IGlob => CmpOp::IGlob,
        Op::Regex => CmpOp::Regex,
        Op::In => CmpOp::In,
        Op::Intersects => CmpOp::Intersects,
        Op::PMatch => CmpOp::PMatch,
    }
}

/// Read a literal as the constant the comparison needs.
pub fn typed_const(ty: FieldType, op: CmpOp, v: &str, env: Env) -> Option<Const> {
    if matches!(op, CmpOp::BContains | CmpOp::BStartsWith) {
        return decode_hex(v).map(Const::Bytes);
    }
    if op == CmpOp::Regex {
        let rust = crate::sema::re2_posix::translate(v).ok()?;
        return regex::Regex::new(&format!("^(?:{rust})$"))
            .ok()
            .map(|r| Const::Regex(Box::new(r)));
    }
    if ty == FieldType::Bytebuf {
        return Some(Const::Bytes(v.as_bytes().to_vec()));
    }
    if ty.is_ip() {
        let (addr, prefix) = crate::sema::literal::ip(ty, v).ok()?;
        return Some(Const::Ip { addr, prefix });
    }
    if ty == FieldType::Bool {
        return match v {
            "true" => Some(Const::Bool(true)),
            "false" => Some(Const::Bool(false)),
            _ => None,
        };
    }
    if ty == FieldType::Double {
        return crate::sema::literal::double(v).ok().map(Const::Double);
    }
    if ty.is_numeric() {
        return crate::sema::literal::number(ty, v, env.services).ok().map(Const::Int);
    }
    Some(Const::Str(v.to_string()))
}

fn decode_hex(v: &str) -> Option<Vec<u8>> {
    if !v.len().is_multiple_of(2) {
        return None;
    }
    (0..v.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(v.get(i..i + 2)?, 16).ok())
        .collect()
}
