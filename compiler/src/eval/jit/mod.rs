//! The cranelift back end: a whole ruleset compiled to native code, one function per
//! event-code bucket that evaluates every rule indexed under that code, in load order.
//!
//! It reads field values from the same [`FieldCache`] the interpreter uses (through
//! the cache's [`SlotView`](crate::eval::cache::SlotView) layout), so a field is
//! extracted at most once per event whichever back end asks, and it calls the
//! interpreter for comparisons it does not compile inline: both back ends agree by
//! construction on those, and the differential tests hold them equal on the rest.
//!
//! Code is written into memory that is made executable (and no longer writable)
//! once, when every function is defined (`cranelift-jit` maps it W^X).

mod codegen;
mod helpers;
mod plan;

pub use codegen::CodeStats;

use crate::eval::cache::FieldCache;
use crate::eval::interp::FieldSource;
use crate::ir::{Cond, FieldId, FieldSpec};
use codegen::{Gen, Keep, Options, bucket_signature};
use cranelift_codegen::ir::UserFuncName;
use cranelift_codegen::settings::{self, Configurable};
use cranelift_frontend::FunctionBuilderContext;
use cranelift_jit::{JITBuilder, JITModule};
use cranelift_module::{Linkage, Module, default_libcall_names};
use helpers::Ctx;
use std::sync::Arc;
use std::time::{Duration, Instant};

pub use crate::ir::Buckets;

#[derive(Clone, Copy, Debug)]
pub struct JitOptions {
    /// Stop at the first matching rule of an event (Falco's `rule_matching: first`).
    pub first: bool,
    /// Evaluate cheap comparisons before expensive ones inside `and`/`or`.
    pub reorder: bool,
    /// Run cranelift's verifier on every function (tests do).
    pub verify: bool,
    /// Also compile one function per rule of each bucket, so a profiler can time rules one
    /// by one ([`Jit::run_rule`]); about doubles the compile time.
    pub per_rule: bool,
    /// Make the code of this rule ill-typed, to exercise the fallback path.
    #[doc(hidden)]
    pub poison_rule: Option<u32>,
}

impl Default for JitOptions {
    fn default() -> JitOptions {
        JitOptions {
            first: true,
            reorder: false,
            verify: cfg!(debug_assertions),
            per_rule: false,
            poison_rule: None,
        }
    }
}

/// Why a ruleset could not be compiled: the first rule whose code failed, or no rule
/// when the code generator itself could not be set up (an unsupported machine).
#[derive(Debug, Clone)]
pub struct JitError {
    /// Index of the rule in the program.
    pub rule: Option<u32>,
    pub message: String,
}

impl std::fmt::Display for JitError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.rule {
            Some(r) => write!(f, "rule #{r}: {}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

/// What compiling took.
#[derive(Clone, Copy, Debug, Default)]
pub struct JitStats {
    pub compile_time: Duration,
    /// Native functions generated (buckets with identical rules share one).
    pub functions: usize,
    pub code: CodeStats,
}

type BucketFn = unsafe extern "C" fn(*mut Ctx<'_>);

/// Comparisons per native function in a large bucket: a bucket of more than twice this
/// many is cut, between rules, into functions of about this many. The register
/// allocator's memory and time grow faster than the function (liveness per block and
/// value): the execve bucket of the stable rules, one function, took 11 MB of heap to
/// compile, cut 6.5 MB, and a ruleset of hundreds of rules on one event type would take
/// far more. Values shared between the pieces go through the field cache and the memo,
/// at about 10 instructions per piece and per field read again; smaller buckets (the
/// stable rules' opens) stay whole, as they run the most often.
const CHUNK_COMPARISONS: usize = 64;

/// `rules` cut into runs of whole rules of about [`CHUNK_COMPARISONS`] comparisons, or
/// left whole when it has at most twice that many.
fn chunks(rules: &[(u32, Arc<Cond>)]) -> Vec<&[(u32, Arc<Cond>)]> {
    let weights: Vec<usize> = rules
        .iter()
        .map(|(_, cond)| {
            let mut n = 0;
            cond.each_cmp(&mut |_| n += 1);
            n
        })
        .collect();
    if weights.iter().sum::<usize>() <= 2 * CHUNK_COMPARISONS {
        return vec![rules];
    }
    let mut out = Vec::new();
    let (mut start, mut weight) = (0, 0);
    for (i, n) in weights.into_iter().enumerate() {
        if i > start && weight + n > CHUNK_COMPARISONS {
            out.push(&rules[start..i]);
            (start, weight) = (i, 0);
        }
        weight += n;
    }
    if start < rules.len() {
        out.push(&rules[start..]);
    }
    out
}

/// A compiled ruleset.
pub struct Jit {
    module: Option<JITModule>,
    /// Native functions per event code, run in order: a bucket is cut into chunks of
    /// rules ([`CHUNK_COMPARISONS`]).
    funcs: Vec<Box<[BucketFn]>>,
    /// Stop after the first chunk that matched (Falco's first match).
    first: bool,
    /// With [`JitOptions::per_rule`]: per event code, one function per rule of its bucket,
    /// in bucket order.
    rule_funcs: Vec<Vec<BucketFn>>,
    /// Per event code, the fields whose slots its function reads, in order of first read.
    reads: Vec<Arc<[FieldId]>>,
    /// The conditions the code points into (comparisons and sets it hands to helpers).
    _buckets: Arc<Buckets>,
    _keep: Keep,
    stats: JitStats,
}

// SAFETY: the compiled code and the data it points to are immutable once built; each
// call gets its own context (cache, source, output) from the caller.
unsafe impl Send for Jit {}
unsafe impl Sync for Jit {}

impl Drop for Jit {
    fn drop(&mut self) {
        if let Some(module) = self.module.take() {
            // SAFETY: `funcs` is dropped with `self`: no code of the module runs again.
            unsafe { module.free_memory() };
        }
    }
}

impl Jit {
    /// Compile every bucket of `buckets` (indexed by event code); `same_as[code]`
    /// names an earlier code whose bucket is identical, so its function is reused.
    pub fn compile(
        buckets: Arc<Buckets>,
        same_as: &[Option<usize>],
        fields: &[FieldSpec],
        opts: &JitOptions,
    ) -> Result<Jit, JitError> {
        let started = Instant::now();
        let err = |rule: Option<u32>, message: String| JitError { rule, message };
        let mut flags = settings::builder();
        let set = |f: &mut settings::Builder, k: &str, v: &str| {
            f.set(k, v)
                .map_err(|e| err(None, format!("cranelift setting {k}: {e}")))
        };
        // Measured on the stable ruleset (docs/PERFORMANCE.md): cranelift's optimiser
        // buys nothing on code that is mostly compares, branches and calls, and
        // costs a third more compile time.
        set(&mut flags, "opt_level", "none")?;
        set(&mut flags, "enable_verifier", "false")?;
        set(&mut flags, "use_colocated_libcalls", "false")?;
        set(&mut flags, "is_pic", "false")?;
        let isa = cranelift_native::builder()
            .map_err(|e| err(None, format!("this machine is not supported: {e}")))?
            .finish(settings::Flags::new(flags))
            .map_err(|e| err(None, format!("cranelift: {e}")))?;
        let call_conv = isa.default_call_conv();
        let mut module = JITModule::new(JITBuilder::with_isa(isa.clone(), default_libcall_names()));
        let mut ctx = module.make_context();
        let mut fctx = FunctionBuilderContext::new();
        let mut keep = Keep::default();
        let mut stats = JitStats::default();
        let mut ids: Vec<Vec<cranelift_module::FuncId>> = vec![Vec::new(); buckets.len()];
        let mut reads: Vec<Arc<[FieldId]>> = vec![Arc::from([]); buckets.len()];
        let gen_opts = Options {
            first: opts.first,
            reorder: opts.reorder,
            poison_rule: opts.poison_rule,
        };
        let mut rule_ids: Vec<Vec<cranelift_module::FuncId>> = vec![Vec::new(); buckets.len()];
        // Declares and defines one function evaluating `rules`; on failure the module is
        // freed and the error names the culprit rule.
        let mut define = |module: &mut JITModule,
                          name: String,
                          rules: &[(u32, Arc<Cond>)],
                          keep: &mut Keep,
                          stats: &mut JitStats|
         -> Result<(cranelift_module::FuncId, Vec<FieldId>), JitError> {
            let sig = bucket_signature(call_conv);
            let id = module
                .declare_function(&name, Linkage::Local, &sig)
                .map_err(|e| err(Some(rules[0].0), e.to_string()))?;
            ctx.func.signature = sig;
            ctx.func.name = UserFuncName::user(0, id.as_u32());
            let b = cranelift_frontend::FunctionBuilder::new(&mut ctx.func, &mut fctx);
            let (b, read) = Gen::bucket(b, call_conv, rules, fields, keep, &mut stats.code, gen_opts);
            b.finalize(isa.frontend_config());
            let checked = if opts.verify {
                cranelift_codegen::verify_function(&ctx.func, isa.flags()).map_err(|e| e.to_string())
            } else {
                Ok(())
            };
            // Cranelift may panic rather than fail on IR it does not accept (when the
            // verifier is off): that is a compile failure too, never a crash.
            let define_one = |module: &mut JITModule, ctx: &mut cranelift_codegen::Context| {
                std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    module.define_function(id, ctx).map_err(|e| format!("{e:?}"))
                }))
                .map_err(|_| "code generation panicked".to_string())
                .and_then(|r| r)
            };
            if let Err(message) = checked.and_then(|()| define_one(module, &mut ctx)) {
                module.clear_context(&mut ctx);
                let rule = culprit(rules, fields, call_conv, &*isa, gen_opts).unwrap_or(rules[0].0);
                return Err(err(Some(rule), message));
            }
            module.clear_context(&mut ctx);
            stats.functions += 1;
            Ok((id, read))
        };
        let mut defined = || -> Result<(), JitError> {
            for (code, rules) in buckets.iter().enumerate() {
                if rules.is_empty() {
                    continue;
                }
                if let Some(&Some(other)) = same_as.get(code)
                    && other < code
                    && !ids[other].is_empty()
                {
                    ids[code] = ids[other].clone();
                    reads[code] = reads[other].clone();
                    rule_ids[code] = rule_ids[other].clone();
                    continue;
                }
                let mut all_reads: Vec<FieldId> = Vec::new();
                for (k, chunk) in chunks(rules).into_iter().enumerate() {
                    let (id, read) = define(&mut module, format!("bucket{code}_{k}"), chunk, &mut keep, &mut stats)?;
                    ids[code].push(id);
                    for f in read {
                        if !all_reads.contains(&f) {
                            all_reads.push(f);
                        }
                    }
                }
                reads[code] = all_reads.into();
                if opts.per_rule {
                    for (pos, one) in rules.iter().enumerate() {
                        let one = std::slice::from_ref(one);
                        let (id, _) = define(&mut module, format!("rule{code}_{pos}"), one, &mut keep, &mut stats)?;
                        rule_ids[code].push(id);
                    }
                }
            }
            Ok(())
        };
        if let Err(e) = defined() {
            // SAFETY: nothing of this module has been handed out.
            unsafe { module.free_memory() };
            return Err(e);
        }
        module
            .finalize_definitions()
            .map_err(|e| err(None, format!("cranelift: {e}")))?;
        let native = |id: cranelift_module::FuncId| {
            let code = module.get_finalized_function(id);
            // SAFETY: the function was built with `bucket_signature`, which is
            // `extern "C" fn(*mut Ctx)` on this ISA's default calling convention.
            unsafe { std::mem::transmute::<*const u8, BucketFn>(code) }
        };
        let funcs = ids
            .iter()
            .map(|ids| ids.iter().map(|id| native(*id)).collect())
            .collect();
        let rule_funcs = rule_ids
            .iter()
            .map(|ids| ids.iter().map(|id| native(*id)).collect())
            .collect();
        stats.compile_time = started.elapsed();
        Ok(Jit {
            module: Some(module),
            funcs,
            first: opts.first,
            rule_funcs,
            reads,
            _buckets: buckets,
            _keep: keep,
            stats,
        })
    }

    pub fn stats(&self) -> &JitStats {
        &self.stats
    }

    /// The fields whose slots the native code of `code` reads, in the order it first
    /// reads them: a caller that can describe some of them cheaply fills those
    /// slots before [`Jit::run`] ([`FieldCache::lend_ahead`]), sparing a call out of
    /// native code for each.
    pub fn slot_reads(&self, code: u16) -> &[FieldId] {
        self.reads.get(code as usize).map_or(&[], |r| r)
    }

    /// Evaluate the rules of `code` on the current event of `cache` (the caller has
    /// called [`FieldCache::next_event`]), appending matching rule indices to `out`.
    pub fn run(
        &self,
        code: u16,
        fields: &[FieldSpec],
        cache: &mut FieldCache,
        src: &dyn FieldSource,
        out: &mut Vec<usize>,
    ) {
        if let Some(chunks) = self.funcs.get(code as usize).filter(|f| !f.is_empty()) {
            call(chunks, self.first, fields, cache, src, out);
        }
    }

    /// Whether [`Jit::run_rule`] can run the rules of `code` one by one.
    pub fn has_rule_functions(&self, code: u16) -> bool {
        self.rule_funcs.get(code as usize).is_some_and(|f| !f.is_empty())
    }

    /// [`Jit::run`] of the rule at position `pos` of `code`'s bucket alone (compiled with
    /// [`JitOptions::per_rule`]); the caller calls it for each position on one event, after
    /// one [`FieldCache::next_event`], so field values and memoised comparisons are shared
    /// as in the bucket's function.
    pub fn run_rule(
        &self,
        code: u16,
        pos: usize,
        fields: &[FieldSpec],
        cache: &mut FieldCache,
        src: &dyn FieldSource,
        out: &mut Vec<usize>,
    ) {
        if let Some(f) = self.rule_funcs.get(code as usize).and_then(|f| f.get(pos)) {
            call(std::slice::from_ref(f), false, fields, cache, src, out);
        }
    }
}

/// Calls compiled functions in order on the current event of `cache`, one context for
/// all (as the calls to helpers inside one function share it); with `first`, none after
/// one that matched.
fn call(
    fs: &[BucketFn],
    first: bool,
    fields: &[FieldSpec],
    cache: &mut FieldCache,
    src: &dyn FieldSource,
    out: &mut Vec<usize>,
) {
    let generation = cache.generation();
    let (slots, memo) = cache.raw_slots();
    let mut ctx = Ctx {
        slots,
        memo,
        generation,
        cache,
        src,
        fields,
        out,
    };
    for f in fs {
        let before = ctx.out.len();
        // SAFETY: `f` was compiled for this ruleset's field table and memo numbering,
        // which `cache` was sized for; `ctx` outlives the call.
        unsafe { f(&mut ctx) };
        if first && ctx.out.len() > before {
            return;
        }
    }
}

/// The first rule of a failed bucket whose code alone fails verification.
fn culprit(
    rules: &[(u32, Arc<Cond>)],
    fields: &[FieldSpec],
    call_conv: cranelift_codegen::isa::CallConv,
    isa: &dyn cranelift_codegen::isa::TargetIsa,
    opts: Options,
) -> Option<u32> {
    let mut fctx = FunctionBuilderContext::new();
    rules.iter().find_map(|one| {
        let mut func =
            cranelift_codegen::ir::Function::with_name_signature(UserFuncName::user(0, 0), bucket_signature(call_conv));
        let mut keep = Keep::default();
        let mut stats = CodeStats::default();
        let b = cranelift_frontend::FunctionBuilder::new(&mut func, &mut fctx);
        Gen::bucket(
            b,
            call_conv,
            std::slice::from_ref(one),
            fields,
            &mut keep,
            &mut stats,
            opts,
        )
        .0
        .finalize(isa.frontend_config());
        cranelift_codegen::verify_function(&func, isa.flags())
            .is_err()
            .then_some(one.0)
    })
}
