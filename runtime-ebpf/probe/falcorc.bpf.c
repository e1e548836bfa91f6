// SPDX-License-Identifier: GPL-2.0 OR Apache-2.0
/*
 * falcorc's kernel side: on every syscall exit the loaded ruleset (or state tracking)
 * cares about, build the scap exit event of the event table with its parameters and send
 * it to user space through a ring buffer; plus procexit from sched_process_exit.
 *
 * Only exit events are produced: Falco evaluates rules on exit events, and every current
 * exit event carries what the enter event had. execve sends its working directory and
 * its executable's resolved path (`trusted_exepath`), both walked up the dentries as
 * Falco's drivers do; other events leave the directory to user space, which keeps it across
 * chdir, clone and execve like libsinsp does.
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
#include "cgroups.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* Our own process: its events are not sent (they would feed back into themselves). */
const volatile __u32 self_tgid = 0;

/* Per syscall number: 0 to drop its exit event, else SEND plus the costly parts the loaded
 * rules can observe (parameter masks). Filled by the loader from the ruleset. */
#define SEND 1
#define FILE_INFO 2 /* an open's dev, ino and O_F_* flag bits (four kernel reads) */
#define FAILED_PATHS 4 /* a failed open only if `path_table` lets its path through */
#define NO_TIME 8 /* sent with time 0: no rule sees the event or a time relative to it (close) */
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

/* Set by the loader for benchmarks (`falcorc run --probe-timing`): each handled exit adds
 * its time to `exit_ns` by syscall number. Off, the verifier drops the code (a constant). */
const volatile __u8 probe_timing = 0;

struct exit_time {
	__u64 ns;
	__u64 count;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, FALCORC_SYSCALL_SLOTS);
	__type(key, __u32);
	__type(value, struct exit_time);
} exit_ns SEC(".maps");

static __always_inline __u8 wanted(__u32 slot)
{
	__u8 *on = bpf_map_lookup_elem(&interesting, &slot);
	return on ? *on : 0;
}

struct args {
	__u64 a[8]; /* 6 used; 8 so that any 3-bit index is in bounds */
	__s64 ret;
};

/* The syscall's arguments for handlers that are global functions (verified once on their
 * own, so that they do not add to the main program's verification, which is near the
 * kernel's limit): they take scalars only and find the arguments here. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct args);
} args_map SEC(".maps");

/* `x` where the global handlers find it; false if the map is unavailable. */
static __always_inline bool stash(const struct args *x)
{
	__u32 zero = 0;
	struct args *m = bpf_map_lookup_elem(&args_map, &zero);
	if (!m)
		return false;
	*m = *x;
	return true;
}

/* The arguments `stash` left, in a global handler. */
static __always_inline struct args *stashed(void)
{
	__u32 zero = 0;
	return bpf_map_lookup_elem(&args_map, &zero);
}

/* ---- events that only carry the result and a few plain values ---- */

/* ---- files ---- */

/*
 * Events whose parameters are the result and syscall arguments as they are: a layout of up
 * to 6 one-byte operations, each a kind (high nibble) and an argument index (low nibble).
 * The layouts are constants at each call site, so the verifier follows one path per event.
 */
#define RES 0x10           /* the return value, i64 */
#define FD(i) (0x20 | (i)) /* an int argument widened to i64 (FD, PID) */
#define U32(i) (0x30 | (i)) /* an argument as u32 (UID, MODE, FLAGS32...) */
#define STR(i) (0x40 | (i)) /* a user string argument */
#define L2(a, b) ((__u64)(a) | (__u64)(b) << 8)
#define L3(a, b, c) (L2(a, b) | (__u64)(c) << 16)
#define L4(a, b, c, d) (L3(a, b, c) | (__u64)(d) << 24)
#define L5(a, b, c, d, e) (L4(a, b, c, d) | (__u64)(e) << 32)
#define L6(a, b, c, d, e, f) (L5(a, b, c, d, e) | (__u64)(f) << 40)

static __noinline void ev_args(__u16 code, struct args *x, __u32 n, __u64 layout)
{
	struct rec r;
	if (!rec_begin(&r, code, n))
		return;
	for (int i = 0; i < 6; i++) {
		if (i >= n)
			break;
		__u8 op = layout >> (8 * i);
		__u64 arg = x->a[op & 7];
		switch (op >> 4) {
		case RES >> 4: p_i64(&r, x->ret); break;
		case 0x2: p_i64(&r, (__s32)arg); break;
		case 0x3: p_u32(&r, (__u32)arg); break;
		case 0x4: p_ustr(&r, (void *)arg, MAX_PARAM); break;
		}
	}
	rec_send(&r);
}


/* ---- the failed-open prefilter ---- */

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct falcorc_path_table);
} path_table SEC(".maps");

/* Longer paths of failed opens are always sent. */
#define PATH_WINDOW 256
#define BYTES(b) (0x0101010101010101ULL * (__u8)(b))
/* 0x80 in the bytes of `x` below `n` (n <= 0x80). A byte above one that is flagged may be
 * flagged too, which only ever sends more; a byte below `n` is always flagged. */
#define BELOW(x, n) (((x) - BYTES(n)) & ~(x) & BYTES(0x80))
#define ZERO(x) BELOW(x, 1)

/* Eight bytes of the scratch buffer at any offset (the verifier bounds it by the mask). */
static __always_inline __u64 word_at(struct scratch *s, __u64 at)
{
	__u64 w;
	__builtin_memcpy(&w, scratch_at(s, at), 8);
	return w;
}

/* Whether the 32 bytes at `at` hold `t`'s text where its mask is set. */
static __always_inline bool text_at(struct scratch *s, __u32 at, struct falcorc_path_text *t)
{
	__u64 diff = 0;
	for (__u32 j = 0; j < 4; j++)
		diff |= (word_at(s, at + 8 * j) ^ t->text[j]) & t->mask[j];
	return !diff;
}

/*
 * Whether the eight bytes of the path at `pos` make it sent. The bytes after the path are
 * zero, so no byte past its end can look like a slash, a dot, a bad byte or a substring's
 * first or last byte; and no branch here depends on the path's length, which keeps the
 * verifier's work linear in the loop that calls this.
 */
static __always_inline bool scan_word(struct scratch *s, struct falcorc_path_table *pt, __u32 pos, __u32 subs)
{
	__u64 w = word_at(s, pos);
	__u64 next = word_at(s, pos + 1);
	/* Plain (what fd.name equals): printable ASCII, no `//`, no `/.` (which also sends
	 * hidden files: more than needed, never less). */
	__u64 bad = (BELOW(w, 0x20) & ~ZERO(w)) | (w & BYTES(0x80)) | ZERO(w ^ BYTES(0x7f)) |
		    (ZERO(w ^ BYTES('/')) & (ZERO(next ^ BYTES('/')) | ZERO(next ^ BYTES('.'))));
	if (bad)
		return true;
	/* Substrings: a place where the first and the last byte match is enough. */
	for (__u32 k = 0; k < FALCORC_PATH_SUBSTRINGS; k++) {
		if (k >= subs)
			break;
		struct falcorc_path_substring *t = &pt->substring[k];
		__u64 at_last = word_at(s, pos + ((t->len - 1) & (FALCORC_PATH_TEXT - 1)));
		if (ZERO(w ^ t->first) & ZERO(at_last ^ t->last))
			return true;
	}
	return false;
}

/*
 * Whether a failed open of the path at scratch offset `off` (`len` bytes with its NUL) must
 * be sent: the model is FailedOpens::sends (runtime/src/needs/failed_opens.rs), which this
 * may exceed (send more), never fall short of. A global function: verified once, on its
 * own.
 */
__noinline int falcorc_failed_open_sent(__u32 off, __u32 len)
{
	__u32 zero = 0;
	struct falcorc_path_table *pt = bpf_map_lookup_elem(&path_table, &zero);
	struct scratch *s = bpf_map_lookup_elem(&scratch_map, &zero);
	if (!pt || !s)
		return 1;
	if (pt->prefixes + pt->suffixes + pt->substrings == 0)
		return 0;
	if (len < 2 || len > PATH_WINDOW || off < FALCORC_PATH_TEXT || off + PATH_WINDOW + 64 > SCRATCH_HALF)
		return 1;
	__u32 n = len - 1;
	if (*scratch_at(s, off) != '/')
		return 1;
	/* Zero the bytes after the path, as far as any read below goes past its end. */
	for (__u32 j = 0; j < 6; j++) {
		__u64 z = 0;
		__builtin_memcpy(scratch_at(s, off + n + 8 * j), &z, 8);
	}
	__u32 words = (n + 7) / 8, subs = pt->substrings;
	for (__u32 i = 0; i < PATH_WINDOW / 8; i++) {
		if (i >= words)
			break;
		if (scan_word(s, pt, off + 8 * i, subs))
			return 1;
	}
	__u32 pre = pt->prefixes;
	for (__u32 k = 0; k < FALCORC_PATH_PREFIXES && k < pre; k++)
		if (text_at(s, off, &pt->prefix[k]))
			return 1;
	/* The 32 bytes that end the path (bytes before it, if shorter: a match there only
	 * sends more). */
	__u32 suf = pt->suffixes;
	for (__u32 k = 0; k < FALCORC_PATH_SUFFIXES && k < suf; k++)
		if (text_at(s, off + n - FALCORC_PATH_TEXT, &pt->suffix[k]))
			return 1;
	return 0;
}

/*
 * open (variant 0), openat (1), openat2 (2), creat (3): `arg` is the flags (openat2: its
 * `struct open_how`), `mode_dirfd` the mode in the low half and the dirfd in the high one.
 * Each variant is its own global function below, verified once on its own with its variant
 * a constant (the main program is near the verifier's limit).
 */
static __always_inline int open_exit(int variant, __u16 code, __u8 want, __s64 ret, __u64 name_ptr, __u64 arg,
				     __u64 mode_dirfd)
{
	struct open_info oi = {};
	bool file_info = want & FILE_INFO;
	if (ret >= 0 && file_info)
		open_info(task(), ret, &oi);
	__u64 flags = arg, mode = (__u32)mode_dirfd, resolve = 0;
	const void *name = (void *)name_ptr;
	if (variant == 2) {
		struct { __u64 flags, mode, resolve; } how = {};
		bpf_probe_read_user(&how, sizeof(how), (void *)arg);
		flags = how.flags;
		mode = how.mode;
		resolve = how.resolve;
	} else if (variant == 3) {
		flags = 0100 | 01 | 01000; /* O_CREAT|O_WRONLY|O_TRUNC */
	}
	__u32 ppm = open_flags_to_ppm(flags) | oi.fflags;
	if (!(flags & (0100 | 020000000)))
		mode = 0;
	struct rec r;
	__u32 n = variant == 0 ? 6 : variant == 1 ? 7 : variant == 2 ? 8 : 6;
	if (!rec_begin(&r, code, n))
		return 0;
	p_i64(&r, ret);
	if (variant == 1 || variant == 2)
		p_i64(&r, (__s32)(mode_dirfd >> 32));
	__u32 path_off = r.off;
	p_ustr(&r, name, MAX_PARAM);
	if (ret < 0 && (want & FAILED_PATHS) && !falcorc_failed_open_sent(path_off, r.off - path_off)) {
		struct falcorc_counters *c = counters_get();
		if (c)
			c->failed_opens++;
		return 0;
	}
	if (variant != 3)
		p_u32(&r, ppm);
	p_u32(&r, (__u32)mode);
	if (variant == 2)
		p_u32(&r, (__u32)resolve);
	if (file_info) {
		p_u32(&r, oi.dev);
		p_u64(&r, oi.ino);
	} else {
		/* Not sent: no loaded rule can observe them; they read as <NA>. */
		p_empty(&r);
		p_empty(&r);
	}
	if (variant == 3) {
		if (file_info)
			p_u16(&r, oi.fflags & (1 << 14) ? 1 : 0);
		else
			p_empty(&r);
	}
	rec_send(&r);
	return 0;
}

__noinline int falcorc_open(__u32 want, __s64 ret, __u64 name, __u64 flags, __u64 mode)
{
	return open_exit(0, 3, want, ret, name, flags, mode);
}

__noinline int falcorc_openat(__u32 want, __s64 ret, __u64 name, __u64 flags, __u64 mode_dirfd)
{
	return open_exit(1, 307, want, ret, name, flags, mode_dirfd);
}

__noinline int falcorc_openat2(__u32 want, __s64 ret, __u64 name, __u64 how, __u64 dirfd)
{
	return open_exit(2, 327, want, ret, name, how, dirfd);
}

__noinline int falcorc_creat(__u32 want, __s64 ret, __u64 name, __u64 mode)
{
	return open_exit(3, 59, want, ret, name, 0, mode);
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

/* ---- namespaces and capabilities ---- */

/* setns exit: res, fd, nstype (CLONE_NEW* bits as the event table's PPM_CL_* bits). */
static __noinline void ev_setns(__u16 code, struct args *x)
{
	struct rec r;
	if (!rec_begin(&r, code, 3))
		return;
	p_i64(&r, x->ret);
	p_i64(&r, (__s32)x->a[0]);
	p_u32(&r, clone_flags_to_ppm(x->a[1]));
	rec_send(&r);
}

/* unshare exit: res, flags (as PPM_CL_* bits). */
static __noinline void ev_unshare(__u16 code, struct args *x)
{
	struct rec r;
	if (!rec_begin(&r, code, 2))
		return;
	p_i64(&r, x->ret);
	p_u32(&r, clone_flags_to_ppm(x->a[0]));
	rec_send(&r);
}

/* capset exit: res and the capability sets the task has after the call. */
static __noinline void ev_capset(__u16 code, struct args *x)
{
	struct task_struct *t = task();
	struct rec r;
	if (!rec_begin(&r, code, 4))
		return;
	p_i64(&r, x->ret);
	const struct cred *cr = BPF_CORE_READ(t, cred);
	p_u64(&r, CRED_CAPS(cr, cap_inheritable));
	p_u64(&r, CRED_CAPS(cr, cap_permitted));
	p_u64(&r, CRED_CAPS(cr, cap_effective));
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

/* What a user msghdr points at: the first buffer, the address, the control data. */
struct msg_parts {
	const void *data, *addr, *control;
	__u64 size, alen, clen;
};

static __always_inline void read_msg(struct msg_parts *m, const void *umsg)
{
	struct user_msghdr mh = {};
	struct iovec iov = {};
	bpf_probe_read_user(&mh, sizeof(mh), umsg);
	if (mh.msg_iovlen > 0)
		bpf_probe_read_user(&iov, sizeof(iov), mh.msg_iov);
	m->data = iov.iov_base;
	m->size = iov.iov_len;
	m->addr = mh.msg_name;
	m->alen = mh.msg_namelen;
	m->control = mh.msg_control;
	m->clen = mh.msg_controllen;
}

/* The parts of a send or a receive: through the msghdr (sendmsg, recvmsg), or sendto's and
 * recvfrom's own arguments, whose last is the address length when sending and a pointer to
 * it when receiving. */
static __always_inline void read_parts(struct msg_parts *m, const struct args *x, bool msg, bool inbound)
{
	if (msg) {
		read_msg(m, (void *)x->a[1]);
		return;
	}
	m->data = (void *)x->a[1];
	m->size = x->a[2];
	m->addr = (void *)x->a[4];
	m->alen = x->a[5];
	if (inbound) {
		__u32 l = 0;
		if (x->a[5])
			bpf_probe_read_user(&l, sizeof(l), (void *)x->a[5]);
		m->alen = l;
	}
}

/* Bytes of the data to copy: what the call moved (`ret`), at most the buffer, at most SNAPLEN. */
static __always_inline __u64 snap_len(__s64 ret, __u64 size)
{
	__u64 n = ret > 0 ? (__u64)ret : 0;
	if (n > size)
		n = size;
	return n < SNAPLEN ? n : SNAPLEN;
}

static __noinline void ev_send(__u16 code, struct args *x, bool msg)
{
	struct task_struct *t = task();
	struct msg_parts m = {};
	read_parts(&m, x, msg, false);
	struct rec r;
	if (!rec_begin(&r, code, 5))
		return;
	p_i64(&r, x->ret);
	p_ubytes(&r, m.data, snap_len(x->ret, m.size));
	p_i64(&r, (__s32)x->a[0]);
	p_u32(&r, (__u32)m.size);
	if (x->ret >= 0)
		p_tuple_to(&r, t, (__s32)x->a[0], m.addr, m.alen);
	else
		p_empty(&r);
	rec_send(&r);
}

/*
 * recvfrom / recvmsg exit. recvfrom: res, data, tuple, fd, size; recvmsg: res, size, data,
 * tuple, msgcontrol, fd. The data is what was received (`res` bytes, cut at SNAPLEN), the
 * tuple has the sender first (the address the kernel wrote back, or the connected socket's).
 */
__noinline int falcorc_recv(int msg)
{
	struct args *x = stashed();
	if (!x)
		return 0;
	__u16 code = msg ? 53 : 35;
	struct task_struct *t = task();
	struct msg_parts m = {};
	read_parts(&m, x, msg, true);
	struct rec r;
	if (!rec_begin(&r, code, msg ? 6 : 5))
		return 0;
	p_i64(&r, x->ret);
	if (msg)
		p_u32(&r, (__u32)m.size);
	p_ubytes(&r, m.data, snap_len(x->ret, m.size));
	if (x->ret >= 0)
		p_tuple_from(&r, t, (__s32)x->a[0], m.addr, m.alen);
	else
		p_empty(&r);
	if (msg) {
		p_ubytes(&r, m.control, x->ret >= 0 && m.clen < SNAPLEN ? m.clen : 0);
		p_i64(&r, (__s32)x->a[0]);
	} else {
		p_i64(&r, (__s32)x->a[0]);
		p_u32(&r, (__u32)m.size);
	}
	rec_send(&r);
	return 0;
}

/* ---- processes ---- */

__noinline int falcorc_clone(int code, __u64 kflags)
{
	struct args *x = stashed();
	if (!x)
		return 0;
	struct task_struct *t = task();
	__u64 id = bpf_get_current_pid_tgid();
	struct rec r;
	if (!rec_begin(&r, code, 21))
		return 0;
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
	p_cgroups(&r, t);
	p_u32(&r, clone_flags_to_ppm(kflags));
	p_u32(&r, task_euid(t));
	p_u32(&r, task_egid(t));
	p_i64(&r, pid_vnr(BPF_CORE_READ(t, thread_pid)));
	p_i64(&r, pid_vnr(BPF_CORE_READ(t, group_leader, thread_pid)));
	p_empty(&r); /* pidns_init_start_ts */
	rec_send(&r);
	return 0;
}

__noinline int falcorc_execve(int code, int at)
{
	struct args *x = stashed();
	if (!x)
		return 0;
	struct task_struct *t = task();
	__u64 id = bpf_get_current_pid_tgid();
	struct rec r;
	if (!rec_begin(&r, code, at ? 30 : 31))
		return 0;
	p_i64(&r, x->ret);
	if (x->ret != 0) {
		/* Failed: the old image is still there; report the path it tried. */
		p_ustr(&r, (void *)x->a[at ? 1 : 0], MAX_PARAM);
		p_empty(&r);
		p_i64(&r, (__u32)id);
		p_i64(&r, id >> 32);
		p_i64(&r, task_ptid(t));
		rec_send(&r);
		return 0;
	}
	p_exe_args(&r, t);
	p_i64(&r, (__u32)id);
	p_i64(&r, id >> 32);
	p_i64(&r, task_ptid(t));
	p_cwd(&r);
	p_u64(&r, task_fdlimit(t));
	for (int i = 0; i < 5; i++)
		p_empty(&r);
	p_comm(&r);
	p_cgroups(&r, t);
	p_env(&r, t);
	p_u32(&r, task_tty(t));
	p_empty(&r); /* vpgid */
	p_u32(&r, task_loginuid(t));
	p_u32(&r, exe_flags(t));
	const struct cred *cr = BPF_CORE_READ(t, cred);
	p_u64(&r, CRED_CAPS(cr, cap_inheritable));
	p_u64(&r, CRED_CAPS(cr, cap_permitted));
	p_u64(&r, CRED_CAPS(cr, cap_effective));
	p_empty(&r); /* exe_ino */
	p_empty(&r);
	p_empty(&r);
	p_u32(&r, task_euid(t));
	p_exepath(&r);
	p_empty(&r); /* pgid */
	p_u32(&r, task_egid(t));
	if (!at)
		p_execfn(&r, t);
	rec_send(&r);
	return 0;
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
	if (!rec_tid((__u32)id) || !rec_begin(&r, 186, 5))
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
	/* The syscall first: most exits are of syscalls nothing needs, and they are dropped
	 * before any helper call. */
	__u32 nr = regs->orig_ax;
	if (nr >= FALCORC_SYSCALL_SLOTS - 1)
		return 0;
	__u8 want = wanted(nr);
	if (!want) {
		struct falcorc_counters *c = counters_get();
		if (c)
			c->filtered++;
		return 0;
	}
	/* The ids are the task's own fields (what bpf_get_current_pid_tgid returns), read
	 * without a helper call from the task the program needs anyway. */
	struct task_struct *t = task();
	if ((__u32)t->tgid == self_tgid)
		return 0;
	/* 32-bit (ia32) syscalls use other numbers: not decoded, and never misread as ours. */
	if (t->thread_info.status & TS_COMPAT)
		return 0;
	if (!rec_tid((__u32)t->pid))
		return 0;
	__u64 t0 = probe_timing ? bpf_ktime_get_ns() : 0;
	if (nr == 3) {
		/* close, the most frequent exit there is: built here, without a call or the
		 * arguments' copy */
		struct rec r;
		if (rec_begin(&r, 5, 2)) {
			p_i64(&r, ret);
			p_i64(&r, (__s32)regs->di);
			/* The flag read again rather than kept: holding `want` across the calls
			 * above grows this frame past what Linux 6.1 allows for the deepest call
			 * chain (512 bytes in all). */
			rec_send_timed(&r, !(wanted(nr) & NO_TIME));
		}
		goto out;
	}
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
	case 2: falcorc_open(want, ret, x.a[0], x.a[1], (__u32)x.a[2]); break;
	case 257: falcorc_openat(want, ret, x.a[1], x.a[2], (__u32)x.a[3] | x.a[0] << 32); break;
	case 437: falcorc_openat2(want, ret, x.a[1], x.a[2], x.a[0] << 32); break;
	case 85: falcorc_creat(want, ret, x.a[0], (__u32)x.a[1]); break;
	case 32: ev_args(367, &x, 2, L2(RES, FD(0))); break;       /* dup */
	case 33: ev_args(363, &x, 3, L3(RES, FD(0), FD(1))); break; /* dup2 */
	case 292: ev_args(365, &x, 4, L4(RES, FD(0), FD(1), U32(2))); break; /* dup3 */
	case 87: ev_args(301, &x, 2, L2(RES, STR(0))); break;      /* unlink */
	case 263: ev_args(303, &x, 4, L4(RES, FD(0), STR(1), U32(2))); break; /* unlinkat */
	case 84: ev_args(279, &x, 2, L2(RES, STR(0))); break;      /* rmdir */
	case 83: ev_args(277, &x, 3, L3(RES, STR(0), U32(1))); break; /* mkdir */
	case 258: ev_args(305, &x, 4, L4(RES, FD(0), STR(1), U32(2))); break; /* mkdirat */
	case 82: ev_args(175, &x, 3, L3(RES, STR(0), STR(1))); break; /* rename */
	case 264: ev_args(177, &x, 5, L5(RES, FD(0), STR(1), FD(2), STR(3))); break; /* renameat */
	case 316: ev_args(319, &x, 6, L6(RES, FD(0), STR(1), FD(2), STR(3), U32(4))); break; /* renameat2 */
	case 88: ev_args(179, &x, 3, L3(RES, STR(0), STR(1))); break; /* symlink */
	case 266: ev_args(181, &x, 4, L4(RES, STR(0), FD(1), STR(2))); break; /* symlinkat */
	case 86: ev_args(309, &x, 3, L3(RES, STR(0), STR(1))); break; /* link */
	case 265: ev_args(311, &x, 6, L6(RES, FD(0), STR(1), FD(2), STR(3), U32(4))); break; /* linkat */
	case 90: ev_args(315, &x, 3, L3(RES, STR(0), U32(1))); break; /* chmod */
	case 91: ev_args(317, &x, 3, L3(RES, FD(0), U32(1))); break; /* fchmod */
	case 268: ev_args(313, &x, 4, L4(RES, FD(0), STR(1), U32(2))); break; /* fchmodat */
	case 80: ev_args(95, &x, 2, L2(RES, STR(0))); break;       /* chdir */
	case 81: ev_args(97, &x, 2, L2(RES, FD(0))); break;        /* fchdir */
	case 161: ev_args(267, &x, 2, L2(RES, STR(0))); break;      /* chroot */
	case 165: ev_mount(257, &x); break;
	case 319: ev_args(405, &x, 3, L3(RES, STR(0), U32(1))); break; /* memfd_create */
	case 175: ev_init_module(411, &x); break;
	case 313: ev_args(413, &x, 4, L4(RES, FD(0), STR(1), U32(2))); break; /* finit_module */
	case 321: ev_args(369, &x, 2, L2(RES, U32(0))); break;      /* bpf */
	/* network */
	case 41: ev_socket(19, &x); break;
	case 42: ev_connect(23, &x); break;
	case 49: ev_bind(21, &x); break;
	case 50: ev_args(25, &x, 3, L3(RES, FD(0), U32(1))); break; /* listen */
	case 43: ev_accept(247, &x, false); break;
	case 288: ev_accept(389, &x, true); break;
	case 44: ev_send(31, &x, false); break;                    /* sendto */
	case 46: ev_send(49, &x, true); break;                     /* sendmsg */
	case 45: if (stash(&x)) falcorc_recv(0); break;            /* recvfrom */
	case 47: if (stash(&x)) falcorc_recv(1); break;            /* recvmsg */
	/* processes */
	case 56: if (stash(&x)) falcorc_clone(223, x.a[0]); break;
	case 57: if (stash(&x)) falcorc_clone(225, 0); break;
	case 58: if (stash(&x)) falcorc_clone(227, 0x100 | 0x4000); break;         /* CLONE_VM|CLONE_VFORK */
	case 435: {
		__u64 flags = 0;
		bpf_probe_read_user(&flags, sizeof(flags), (void *)x.a[0]);
		if (stash(&x))
			falcorc_clone(335, flags);
		break;
	}
	case 59: if (stash(&x)) falcorc_execve(293, 0); break;
	case 322: if (stash(&x)) falcorc_execve(331, 1); break;
	case 105: ev_args(199, &x, 2, L2(RES, U32(0))); break;      /* setuid */
	case 106: ev_args(201, &x, 2, L2(RES, U32(0))); break;      /* setgid */
	case 117: ev_args(193, &x, 4, L4(RES, U32(0), U32(1), U32(2))); break; /* setresuid */
	case 119: ev_args(195, &x, 4, L4(RES, U32(0), U32(1), U32(2))); break; /* setresgid */
	case 113: ev_args(427, &x, 3, L3(RES, U32(0), U32(1))); break; /* setreuid */
	case 114: ev_args(429, &x, 3, L3(RES, U32(0), U32(1))); break; /* setregid */
	case 101: ev_ptrace(169, &x); break;
	case 308: ev_setns(241, &x); break;
	case 272: ev_unshare(285, &x); break;
	case 323: ev_args(321, &x, 2, L2(RES, U32(0))); break; /* userfaultfd: flags as given (O_CLOEXEC, O_NONBLOCK, UFFD_USER_MODE_ONLY) */
	case 126: ev_capset(353, &x); break;
	}
out:
	if (probe_timing) {
		struct exit_time *e = bpf_map_lookup_elem(&exit_ns, &nr);
		if (e) {
			e->ns += bpf_ktime_get_ns() - t0;
			e->count++;
		}
	}
	return 0;
}
