/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The task's cgroups as /proc/<pid>/cgroup names them, read in the kernel when the event
 * happens: `subsys=/path` per controller, each NUL-terminated, back to back. Read later from
 * /proc by the loader, a short-lived task is already gone and its parent may have moved since
 * (a shell that joins a container's cgroup right after its child ran would lend the child its
 * new cgroup), so container ids would depend on how far the reader lags.
 */
#ifndef FALCORC_CGROUPS_H
#define FALCORC_CGROUPS_H

#define CG_MAX_SUBSYS 16
/* Deepest path kept (its top components are dropped past it; container ids sit at the end). */
#define CG_MAX_DEPTH 10
/* Longest path component: `cri-containerd-<64 hex>.scope` is 85 bytes. */
#define CG_NAME 128
/* Bytes of the parameter past which no further controller is written. */
#define CG_BUDGET 2048

/*
 * kernfs_node's parent pointer (`parent`, renamed `__parent` in Linux 6.15), read at the
 * offset the loader found in the kernel's BTF: a CO-RE read of the name a kernel lacks is
 * poisoned at load even behind a test for the name, since the compiler may hoist it.
 */
const volatile __u32 kn_parent_off = 0;

static __always_inline struct kernfs_node *kn_parent(struct kernfs_node *kn)
{
	struct kernfs_node *p = NULL;
	bpf_probe_read_kernel(&p, sizeof(p), (char *)kn + (kn_parent_off & 0xfff));
	return p;
}

/*
 * Writers take and return the length written so far (`len`), masked to LEN_MASK after every
 * step: the parameter never gets that long (CG_BUDGET plus one entry), and a length the
 * verifier sees as one wide range lets it prune the loops' states instead of following every
 * path through them.
 */
#define LEN_MASK 0x1fff

/* Set by the loader: the kernel has bpf_loop (5.17). */
const volatile __u8 have_bpf_loop = 0;

/* Appends a kernel string (without its NUL). */
static __always_inline __u32 cg_put(struct rec *r, __u32 start, __u32 len, const char *s)
{
	long n = bpf_probe_read_kernel_str(scratch_at(r->s, start + len), CG_NAME, s);
	if (n > 1)
		len += (__u32)n - 1;
	return len & LEN_MASK;
}

static __always_inline __u32 cg_char(struct rec *r, __u32 start, __u32 len, char c)
{
	*scratch_at(r->s, start + len) = c;
	return (len + 1) & LEN_MASK;
}

/* `name=/path` of one cgroup, NUL-terminated. */
static __always_inline __u32 cg_entry(struct rec *r, __u32 start, __u32 len, const char *name,
				      struct cgroup *cg)
{
	struct kernfs_node *chain[CG_MAX_DEPTH] = {};
	struct kernfs_node *kn = BPF_CORE_READ(cg, kn);
	int depth = 0;
	for (int i = 0; i < CG_MAX_DEPTH; i++) {
		if (!kn)
			break;
		chain[i] = kn;
		depth = i + 1;
		kn = kn_parent(kn);
	}
	len = cg_put(r, start, len, name);
	len = cg_char(r, start, len, '=');
	/* chain[depth - 1] is the hierarchy's root (unnamed): the path is the names below it. */
	if (depth <= 1)
		len = cg_char(r, start, len, '/');
	for (int i = CG_MAX_DEPTH - 2; i >= 0; i--) {
		if (i >= depth - 1)
			continue;
		len = cg_char(r, start, len, '/');
		len = cg_put(r, start, len, BPF_CORE_READ(chain[i], name));
	}
	return cg_char(r, start, len, 0);
}

struct cg_walk {
	struct rec *r;
	struct css_set *cs;
	__u32 start;
	__u32 len;
	__u32 n;
};

/* One controller's entry (a bpf_loop callback: verified once, whatever the controller count). */
static long cg_subsys(__u64 i, void *ctx)
{
	struct cg_walk *w = ctx;
	if (i >= w->n || i >= CG_MAX_SUBSYS || w->len > CG_BUDGET)
		return 1;
	/* The array's offset is relocated; the element is read at a variable index by hand. */
	struct cgroup_subsys_state *css = NULL;
	__u32 at = bpf_core_field_offset(w->cs->subsys) + (i & (CG_MAX_SUBSYS - 1)) * sizeof(void *);
	bpf_probe_read_kernel(&css, sizeof(css), (char *)w->cs + at);
	if (!css)
		return 0;
	struct cgroup_subsys *ss = BPF_CORE_READ(css, ss);
	const char *name = BPF_CORE_READ(ss, legacy_name);
	if (!name)
		name = BPF_CORE_READ(ss, name);
	w->len = cg_entry(w->r, w->start, w->len & LEN_MASK, name, BPF_CORE_READ(css, cgroup));
	return 0;
}

static __noinline void p_cgroups(struct rec *r, struct task_struct *t)
{
	struct css_set *cs = BPF_CORE_READ(t, cgroups);
	/* bpf_loop is Linux 5.17: before it, the loader reads /proc as for an empty parameter
	 * (a frozen constant, so the verifier drops the branch it does not take). */
	if (!cs || !have_bpf_loop) {
		p_empty(r);
		return;
	}
	struct cg_walk w = {
		.r = r,
		.cs = cs,
		.start = r->off,
		.len = 0,
		.n = bpf_core_field_size(cs->subsys) / sizeof(void *),
	};
	bpf_loop(CG_MAX_SUBSYS, cg_subsys, &w, 0);
	__u32 len = w.len & LEN_MASK;
	/* The unified hierarchy, labelled as the /proc scan labels its `0::` line. */
	struct cgroup *dfl = BPF_CORE_READ(cs, dfl_cgrp);
	if (dfl && BPF_CORE_READ(dfl, kn) && kn_parent(BPF_CORE_READ(dfl, kn)) && len <= CG_BUDGET)
		len = cg_entry(r, w.start, len, "cpu", dfl);
	rec_len(r, (__u16)len);
}

#endif
