// SPDX-License-Identifier: GPL-2.0 OR Apache-2.0
/*
 * falcorc's kernel side: on every syscall exit the loaded ruleset (or state tracking)
 * cares about, build the scap exit event of the event table with its parameters and send
 * it to user space through a ring buffer; plus procexit from sched_process_exit.
 *
 * Only exit events are produced: Falco evaluates rules on exit events, and every current
 * exit event carries what the enter event had. Working directories are not resolved here
 * (that needs a dentry walk): user space knows them from /proc and chdir events, and
 * keeps them across clone and execve like libsinsp does.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_tracing.h>
#include "wire.h"
#include "record.h"
#include "task.h"
#include "files.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* Our own process: its events are not sent (they would feed back into themselves). */
const volatile __u32 self_tgid = 0;

/* Per syscall number: 1 to send its exit event. Filled by the loader from the ruleset. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, FALCORC_SYSCALL_SLOTS);
	__type(key, __u32);
	__type(value, __u8);
} interesting SEC(".maps");

/* thread_info.status bit of a task inside a 32-bit compat syscall (x86). */
#define TS_COMPAT 0x0002

/* Index into `interesting` for the sched_process_exit event (past the syscall numbers). */
#define SLOT_PROCEXIT (FALCORC_SYSCALL_SLOTS - 1)

static __always_inline bool wanted(__u32 slot)
{
	__u8 *on = bpf_map_lookup_elem(&interesting, &slot);
	return on && *on;
}

struct args {
	__u64 a[6];
	__s64 ret;
};

/* ---- events that only carry the result and a few plain values ---- */

static __noinline void ev_res_path(__u16 code, struct args *x)
{
	struct rec r;
	if (!rec_begin(&r, code, 2))
		return;
	p_i64(&r, x->ret);
	p_ustr(&r, (void *)x->a[0], MAX_PARAM);
	rec_send(&r);
}

static __noinline void ev_two_paths(__u16 code, struct args *x)
{
	struct rec r;
	if (!rec_begin(&r, code, 3))
		return;
	p_i64(&r, x->ret);
	p_ustr(&r, (void *)x->a[0], MAX_PARAM);
	p_ustr(&r, (void *)x->a[1], MAX_PARAM);
	rec_send(&r);
}

/* res + fd-ish/id integer args written as i64 (dup family, close, fchdir, setuid...). */
static __noinline void ev_res_ints(__u16 code, struct args *x, __u32 nargs, bool u32_ids)
{
	struct rec r;
	if (!rec_begin(&r, code, 1 + nargs))
		return;
	p_i64(&r, x->ret);
	for (int i = 0; i < 3; i++) {
		if (i >= nargs)
			break;
		if (u32_ids)
			p_u32(&r, (__u32)x->a[i]);
		else
			p_i64(&r, (__s64)x->a[i]);
	}
	rec_send(&r);
}

/* ---- files ---- */

static __noinline void ev_open(__u16 code, struct args *x, int variant)
{
	/* variant 0 open, 1 openat, 2 openat2, 3 creat */
	struct task_struct *t = task();
	struct open_info oi = {};
	if (x->ret >= 0)
		open_info(t, x->ret, &oi);
	__u64 flags = 0, mode = 0, resolve = 0;
	const void *name;
	if (variant == 0) {
		name = (void *)x->a[0];
		flags = x->a[1];
		mode = x->a[2];
	} else if (variant == 1) {
		name = (void *)x->a[1];
		flags = x->a[2];
		mode = x->a[3];
	} else if (variant == 2) {
		name = (void *)x->a[1];
		struct { __u64 flags, mode, resolve; } how = {};
		bpf_probe_read_user(&how, sizeof(how), (void *)x->a[2]);
		flags = how.flags;
		mode = how.mode;
		resolve = how.resolve;
	} else {
		name = (void *)x->a[0];
		flags = 0100 | 01 | 01000; /* O_CREAT|O_WRONLY|O_TRUNC */
		mode = x->a[1];
	}
	__u32 ppm = open_flags_to_ppm(flags) | oi.created;
	if (!(flags & (0100 | 020000000)))
		mode = 0;
	struct rec r;
	__u32 n = variant == 0 ? 6 : variant == 1 ? 7 : variant == 2 ? 8 : 6;
	if (!rec_begin(&r, code, n))
		return;
	p_i64(&r, x->ret);
	if (variant == 1 || variant == 2)
		p_i64(&r, (__s32)x->a[0]);
	p_ustr(&r, name, MAX_PARAM);
	if (variant != 3)
		p_u32(&r, ppm);
	p_u32(&r, (__u32)mode);
	if (variant == 2)
		p_u32(&r, (__u32)resolve);
	p_u32(&r, oi.dev);
	p_u64(&r, oi.ino);
	if (variant == 3)
		p_u16(&r, oi.created ? 1 : 0);
	rec_send(&r);
}

/* *at events: res, dirfd, path, then `tail` more int args (mode or flags) as u32. */
static __noinline void ev_at_path(__u16 code, struct args *x, __u32 tail)
{
	struct rec r;
	if (!rec_begin(&r, code, 3 + tail))
		return;
	p_i64(&r, x->ret);
	p_i64(&r, (__s32)x->a[0]);
	p_ustr(&r, (void *)x->a[1], MAX_PARAM);
	if (tail)
		p_u32(&r, (__u32)x->a[2]);
	rec_send(&r);
}

static __noinline void ev_path_mode(__u16 code, struct args *x)
{
	struct rec r;
	if (!rec_begin(&r, code, 3))
		return;
	p_i64(&r, x->ret);
	p_ustr(&r, (void *)x->a[0], MAX_PARAM);
	p_u32(&r, (__u32)x->a[1]);
	rec_send(&r);
}

/* renameat/renameat2/linkat: res, olddirfd, oldpath, newdirfd, newpath[, flags]. */
static __noinline void ev_two_at(__u16 code, struct args *x, bool with_flags)
{
	struct rec r;
	if (!rec_begin(&r, code, with_flags ? 6 : 5))
		return;
	p_i64(&r, x->ret);
	p_i64(&r, (__s32)x->a[0]);
	p_ustr(&r, (void *)x->a[1], MAX_PARAM);
	p_i64(&r, (__s32)x->a[2]);
	p_ustr(&r, (void *)x->a[3], MAX_PARAM);
	if (with_flags)
		p_u32(&r, (__u32)x->a[4]);
	rec_send(&r);
}

static __noinline void ev_symlinkat(__u16 code, struct args *x)
{
	struct rec r;
	if (!rec_begin(&r, code, 4))
		return;
	p_i64(&r, x->ret);
	p_ustr(&r, (void *)x->a[0], MAX_PARAM);
	p_i64(&r, (__s32)x->a[1]);
	p_ustr(&r, (void *)x->a[2], MAX_PARAM);
	rec_send(&r);
}

static __noinline void ev_fchmodat(__u16 code, struct args *x)
{
	struct rec r;
	if (!rec_begin(&r, code, 4))
		return;
	p_i64(&r, x->ret);
	p_i64(&r, (__s32)x->a[0]);
	p_ustr(&r, (void *)x->a[1], MAX_PARAM);
	p_u32(&r, (__u32)x->a[2]);
	rec_send(&r);
}

static __noinline void ev_mount(__u16 code, struct args *x)
{
	struct rec r;
	if (!rec_begin(&r, code, 5))
		return;
	p_i64(&r, x->ret);
	p_ustr(&r, (void *)x->a[0], MAX_PARAM);
	p_ustr(&r, (void *)x->a[1], MAX_PARAM);
	p_ustr(&r, (void *)x->a[2], 256);
	__u64 f = x->a[3];
	if ((f & 0xffff0000) == 0xC0ED0000) /* MS_MGC_VAL: old magic in the high bits */
		f &= 0xffff;
	p_u32(&r, (__u32)f);
	rec_send(&r);
}

static __noinline void ev_memfd(__u16 code, struct args *x)
{
	struct rec r;
	if (!rec_begin(&r, code, 3))
		return;
	p_i64(&r, x->ret);
	p_ustr(&r, (void *)x->a[0], 256);
	p_u32(&r, (__u32)x->a[1]);
	rec_send(&r);
}

static __noinline void ev_init_module(__u16 code, struct args *x)
{
	struct rec r;
	if (!rec_begin(&r, code, 4))
		return;
	p_i64(&r, x->ret);
	p_ubytes(&r, (void *)x->a[0], x->a[1] < 80 ? x->a[1] : 80);
	p_u64(&r, x->a[1]);
	p_ustr(&r, (void *)x->a[2], 256);
	rec_send(&r);
}

static __noinline void ev_finit_module(__u16 code, struct args *x)
{
	struct rec r;
	if (!rec_begin(&r, code, 4))
		return;
	p_i64(&r, x->ret);
	p_i64(&r, (__s32)x->a[0]);
	p_ustr(&r, (void *)x->a[1], 256);
	p_u32(&r, (__u32)x->a[2]);
	rec_send(&r);
}

static __noinline void ev_bpf(__u16 code, struct args *x)
{
	struct rec r;
	if (!rec_begin(&r, code, 2))
		return;
	p_i64(&r, x->ret);
	p_u32(&r, (__u32)x->a[0]);
	rec_send(&r);
}

/* Kernel ptrace requests to PPM_PTRACE_* values. */
static __always_inline __u16 ptrace_req_to_ppm(__u64 q)
{
	if (q <= 9)
		return q + 1; /* TRACEME..SINGLESTEP */
	switch (q) {
	case 12: return 26; case 13: return 27; case 14: return 28; case 15: return 29;
	case 16: return 11; case 17: return 12; case 18: return 30; case 19: return 31;
	case 21: return 32; case 24: return 13; case 25: return 33; case 26: return 34;
	case 30: return 35; case 31: return 36; case 32: return 37; case 33: return 38;
	}
	if (q >= 0x4200 && q <= 0x420b)
		return q - 0x4200 + 14;
	return 0;
}

static __noinline void ev_ptrace(__u16 code, struct args *x)
{
	struct rec r;
	if (!rec_begin(&r, code, 5))
		return;
	p_i64(&r, x->ret);
	/* addr and data as PT_DYN with selector 0 (a plain u64) */
	__u8 *tmp = r.t->tmp;
	tmp[0] = 0;
	__builtin_memcpy(&tmp[1], &x->a[2], 8);
	p_tmp(&r, 9);
	tmp[0] = 0;
	__builtin_memcpy(&tmp[1], &x->a[3], 8);
	p_tmp(&r, 9);
	p_u16(&r, ptrace_req_to_ppm(x->a[0]));
	p_i64(&r, (__s64)x->a[1]);
	rec_send(&r);
}

/* ---- network ---- */

static __noinline void ev_socket(__u16 code, struct args *x)
{
	struct rec r;
	if (!rec_begin(&r, code, 5))
		return;
	p_i64(&r, x->ret);
	p_u32(&r, (__u32)x->a[0]);
	p_u32(&r, (__u32)x->a[1] & 0xf);
	p_u32(&r, (__u32)x->a[2]);
	p_u32(&r, 0);
	rec_send(&r);
}

static __noinline void ev_connect(__u16 code, struct args *x)
{
	struct task_struct *t = task();
	struct rec r;
	if (!rec_begin(&r, code, 4))
		return;
	p_i64(&r, x->ret);
	if (x->ret == 0 || x->ret == -115) /* connected or EINPROGRESS */
		p_tuple(&r, t, (__s32)x->a[0], false, (void *)x->a[1], x->a[2]);
	else
		p_empty(&r);
	p_i64(&r, (__s32)x->a[0]);
	p_sockaddr(&r, (void *)x->a[1], x->a[2]);
	rec_send(&r);
}

static __noinline void ev_bind(__u16 code, struct args *x)
{
	struct rec r;
	if (!rec_begin(&r, code, 3))
		return;
	p_i64(&r, x->ret);
	p_sockaddr(&r, (void *)x->a[1], x->a[2]);
	p_i64(&r, (__s32)x->a[0]);
	rec_send(&r);
}

static __noinline void ev_listen(__u16 code, struct args *x)
{
	struct rec r;
	if (!rec_begin(&r, code, 3))
		return;
	p_i64(&r, x->ret);
	p_i64(&r, (__s32)x->a[0]);
	p_u32(&r, (__u32)x->a[1]);
	rec_send(&r);
}

static __noinline void ev_accept(__u16 code, struct args *x, bool with_flags)
{
	struct task_struct *t = task();
	struct rec r;
	if (!rec_begin(&r, code, with_flags ? 6 : 5))
		return;
	p_i64(&r, x->ret);
	if (x->ret >= 0)
		p_tuple(&r, t, x->ret, true, NULL, 0);
	else
		p_empty(&r);
	p_u8(&r, 0);
	p_u32(&r, 0);
	p_u32(&r, 0);
	if (with_flags)
		p_u32(&r, (__u32)x->a[3]);
	rec_send(&r);
}

/* sendto / sendmsg: res, data (the first bytes), fd, size, tuple. */
#define SNAPLEN 80

static __noinline void ev_send(__u16 code, struct args *x, bool msg)
{
	struct task_struct *t = task();
	const void *data = NULL, *addr = NULL;
	__u64 size = 0, alen = 0;
	if (msg) {
		struct user_msghdr mh = {};
		struct iovec iov = {};
		bpf_probe_read_user(&mh, sizeof(mh), (void *)x->a[1]);
		if (mh.msg_iovlen > 0)
			bpf_probe_read_user(&iov, sizeof(iov), mh.msg_iov);
		data = iov.iov_base;
		size = iov.iov_len;
		addr = mh.msg_name;
		alen = mh.msg_namelen;
	} else {
		data = (void *)x->a[1];
		size = x->a[2];
		addr = (void *)x->a[4];
		alen = x->a[5];
	}
	struct rec r;
	if (!rec_begin(&r, code, 5))
		return;
	p_i64(&r, x->ret);
	__u64 n = x->ret > 0 ? (__u64)x->ret : 0;
	if (n > size)
		n = size;
	p_ubytes(&r, data, n < SNAPLEN ? n : SNAPLEN);
	p_i64(&r, (__s32)x->a[0]);
	p_u32(&r, (__u32)size);
	if (x->ret >= 0)
		p_tuple_to(&r, t, (__s32)x->a[0], addr, alen);
	else
		p_empty(&r);
	rec_send(&r);
}

/* ---- processes ---- */

static __noinline void ev_clone(__u16 code, struct args *x, __u64 kflags)
{
	struct task_struct *t = task();
	__u64 id = bpf_get_current_pid_tgid();
	struct rec r;
	if (!rec_begin(&r, code, 21))
		return;
	p_i64(&r, x->ret);
	p_exe_args(&r, t);
	p_i64(&r, (__u32)id);
	p_i64(&r, id >> 32);
	p_i64(&r, task_ptid(t));
	p_empty(&r); /* cwd: inherited in user space */
	p_i64(&r, task_fdlimit(t));
	for (int i = 0; i < 5; i++)
		p_empty(&r); /* page faults and memory sizes */
	p_comm(&r);
	p_empty(&r); /* cgroups */
	p_u32(&r, clone_flags_to_ppm(kflags));
	p_u32(&r, task_euid(t));
	p_u32(&r, task_egid(t));
	p_i64(&r, pid_vnr(BPF_CORE_READ(t, thread_pid)));
	p_i64(&r, pid_vnr(BPF_CORE_READ(t, group_leader, thread_pid)));
	p_empty(&r); /* pidns_init_start_ts */
	rec_send(&r);
}

static __noinline void ev_execve(__u16 code, struct args *x, bool at)
{
	struct task_struct *t = task();
	__u64 id = bpf_get_current_pid_tgid();
	struct rec r;
	if (!rec_begin(&r, code, at ? 30 : 31))
		return;
	p_i64(&r, x->ret);
	if (x->ret != 0) {
		/* Failed: the old image is still there; report the path it tried. */
		p_ustr(&r, (void *)x->a[at ? 1 : 0], MAX_PARAM);
		p_empty(&r);
		p_i64(&r, (__u32)id);
		p_i64(&r, id >> 32);
		p_i64(&r, task_ptid(t));
		rec_send(&r);
		return;
	}
	p_exe_args(&r, t);
	p_i64(&r, (__u32)id);
	p_i64(&r, id >> 32);
	p_i64(&r, task_ptid(t));
	p_empty(&r); /* cwd: unchanged by execve */
	p_u64(&r, task_fdlimit(t));
	for (int i = 0; i < 5; i++)
		p_empty(&r);
	p_comm(&r);
	p_empty(&r); /* cgroups */
	p_env(&r, t);
	p_u32(&r, task_tty(t));
	p_empty(&r); /* vpgid */
	p_u32(&r, task_loginuid(t));
	p_u32(&r, exe_flags(t));
	p_u64(&r, BPF_CORE_READ(t, cred, cap_inheritable.val));
	p_u64(&r, BPF_CORE_READ(t, cred, cap_permitted.val));
	p_u64(&r, BPF_CORE_READ(t, cred, cap_effective.val));
	p_empty(&r); /* exe_ino */
	p_empty(&r);
	p_empty(&r);
	p_u32(&r, task_euid(t));
	p_empty(&r); /* trusted_exepath: user space joins `filename` with the cwd */
	p_empty(&r); /* pgid */
	p_u32(&r, task_egid(t));
	if (!at)
		p_execfn(&r, t);
	rec_send(&r);
}

SEC("raw_tracepoint/sched_process_exit")
int falcorc_sched_exit(__u64 *ctx)
{
	__u64 id = bpf_get_current_pid_tgid();
	if ((id >> 32) == self_tgid || !wanted(SLOT_PROCEXIT))
		return 0;
	struct task_struct *t = task();
	__s64 code = BPF_CORE_READ(t, exit_code);
	struct rec r;
	if (!rec_begin(&r, 186, 5))
		return 0;
	p_i64(&r, code);
	p_i64(&r, code >> 8);
	p_u8(&r, code & 0x7f);
	p_u8(&r, (code & 0x80) ? 1 : 0);
	p_i64(&r, 0);
	rec_send(&r);
	return 0;
}

/*
 * A BTF tracepoint: `regs` is a typed kernel pointer the program may read directly, which
 * spares a helper call per register on every syscall exit (the hot path).
 */
SEC("tp_btf/sys_exit")
int BPF_PROG(falcorc_sys_exit, struct pt_regs *regs, long ret)
{
	__u64 id = bpf_get_current_pid_tgid();
	if ((id >> 32) == self_tgid)
		return 0;
	__u32 nr = regs->orig_ax;
	if (nr >= FALCORC_SYSCALL_SLOTS - 1)
		return 0;
	if (!wanted(nr)) {
		struct falcorc_counters *c = counters_get();
		if (c)
			c->filtered++;
		return 0;
	}
	/* 32-bit (ia32) syscalls use other numbers: not decoded, and never misread as ours. */
	struct task_struct *t = task();
	if (t->thread_info.status & TS_COMPAT)
		return 0;
	struct args x = {};
	x.ret = ret;
	x.a[0] = regs->di;
	x.a[1] = regs->si;
	x.a[2] = regs->dx;
	x.a[3] = regs->r10;
	x.a[4] = regs->r8;
	x.a[5] = regs->r9;
	switch (nr) {
	/* files */
	case 2: ev_open(3, &x, 0); break;
	case 257: ev_open(307, &x, 1); break;
	case 437: ev_open(327, &x, 2); break;
	case 85: ev_open(59, &x, 3); break;
	case 3: ev_res_ints(5, &x, 1, false); break;               /* close */
	case 32: ev_res_ints(367, &x, 1, false); break;            /* dup */
	case 33: ev_res_ints(363, &x, 2, false); break;            /* dup2 */
	case 292: ev_res_ints(365, &x, 3, false); break;           /* dup3 */
	case 87: ev_res_path(301, &x); break;                      /* unlink */
	case 263: ev_at_path(303, &x, 1); break;                   /* unlinkat */
	case 84: ev_res_path(279, &x); break;                      /* rmdir */
	case 83: ev_path_mode(277, &x); break;                     /* mkdir */
	case 258: ev_at_path(305, &x, 1); break;                   /* mkdirat */
	case 82: ev_two_paths(175, &x); break;                     /* rename */
	case 264: ev_two_at(177, &x, false); break;                /* renameat */
	case 316: ev_two_at(319, &x, true); break;                 /* renameat2 */
	case 88: ev_two_paths(179, &x); break;                     /* symlink */
	case 266: ev_symlinkat(181, &x); break;                    /* symlinkat */
	case 86: ev_two_paths(309, &x); break;                     /* link */
	case 265: ev_two_at(311, &x, true); break;                 /* linkat */
	case 90: ev_path_mode(315, &x); break;                     /* chmod */
	case 91: ev_res_ints(317, &x, 2, false); break;            /* fchmod */
	case 268: ev_fchmodat(313, &x); break;                     /* fchmodat */
	case 80: ev_res_path(95, &x); break;                       /* chdir */
	case 81: ev_res_ints(97, &x, 1, false); break;             /* fchdir */
	case 161: ev_res_path(267, &x); break;                     /* chroot */
	case 165: ev_mount(257, &x); break;
	case 319: ev_memfd(405, &x); break;                        /* memfd_create */
	case 175: ev_init_module(411, &x); break;
	case 313: ev_finit_module(413, &x); break;
	case 321: ev_bpf(369, &x); break;
	/* network */
	case 41: ev_socket(19, &x); break;
	case 42: ev_connect(23, &x); break;
	case 49: ev_bind(21, &x); break;
	case 50: ev_listen(25, &x); break;
	case 43: ev_accept(247, &x, false); break;
	case 288: ev_accept(389, &x, true); break;
	case 44: ev_send(31, &x, false); break;                    /* sendto */
	case 46: ev_send(49, &x, true); break;                     /* sendmsg */
	/* processes */
	case 56: ev_clone(223, &x, x.a[0]); break;
	case 57: ev_clone(225, &x, 0); break;
	case 58: ev_clone(227, &x, 0x100 | 0x4000); break;         /* CLONE_VM|CLONE_VFORK */
	case 435: {
		__u64 flags = 0;
		bpf_probe_read_user(&flags, sizeof(flags), (void *)x.a[0]);
		ev_clone(335, &x, flags);
		break;
	}
	case 59: ev_execve(293, &x, false); break;
	case 322: ev_execve(331, &x, true); break;
	case 105: ev_res_ints(199, &x, 1, true); break;            /* setuid */
	case 106: ev_res_ints(201, &x, 1, true); break;            /* setgid */
	case 117: ev_res_ints(193, &x, 3, true); break;            /* setresuid */
	case 119: ev_res_ints(195, &x, 3, true); break;            /* setresgid */
	case 113: ev_res_ints(427, &x, 2, true); break;            /* setreuid */
	case 114: ev_res_ints(429, &x, 2, true); break;            /* setregid */
	case 101: ev_ptrace(169, &x); break;
	}
	return 0;
}
