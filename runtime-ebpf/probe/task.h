/* SPDX-License-Identifier: Apache-2.0 */
/* Process identity read from the current task (CO-RE), for execve, clone and procexit. */
#ifndef FALCORC_TASK_H
#define FALCORC_TASK_H

#define RLIMIT_NOFILE_IDX 7

static __always_inline struct task_struct *task(void)
{
	return (struct task_struct *)bpf_get_current_task_btf();
}

/* A capability set of `cred` as 64 bits: kernel_cap_t is one u64 `val` since Linux 6.3 and
 * two u32 words before, the same 8 bytes either way; read whole, so that no relocation names
 * a member one of the two layouts lacks. */
#define CRED_CAPS(cred, set) \
	({ \
		__u64 caps_ = 0; \
		bpf_core_read(&caps_, sizeof(caps_), &(cred)->set); \
		caps_; \
	})

/* The id of `p` in its own (innermost) pid namespace. */
static __always_inline __s64 pid_vnr(struct pid *p)
{
	if (!p)
		return -1;
	unsigned int level = BPF_CORE_READ(p, level);
	struct upid up = {};
	bpf_core_read(&up, sizeof(up), &p->numbers[level & 31]);
	return up.nr;
}

static __always_inline __s64 task_ptid(struct task_struct *t)
{
	return BPF_CORE_READ(t, real_parent, pid);
}

static __always_inline __u64 task_fdlimit(struct task_struct *t)
{
	return BPF_CORE_READ(t, signal, rlim[RLIMIT_NOFILE_IDX].rlim_cur);
}

/* The tty as /proc/PID/stat's tty_nr encodes it (0 when none). */
static __always_inline __u32 task_tty(struct task_struct *t)
{
	struct tty_struct *tty = BPF_CORE_READ(t, signal, tty);
	if (!tty)
		return 0;
	__u32 major = BPF_CORE_READ(tty, driver, major);
	__u32 minor = BPF_CORE_READ(tty, driver, minor_start) + BPF_CORE_READ(tty, index);
	return (minor & 0xff) | (major << 8) | ((minor & ~0xffu) << 12);
}

static __always_inline __u32 task_loginuid(struct task_struct *t)
{
	if (bpf_core_field_exists(t->loginuid))
		return BPF_CORE_READ(t, loginuid.val);
	return 0xffffffff;
}

static __always_inline __u32 task_euid(struct task_struct *t)
{
	return BPF_CORE_READ(t, cred, euid.val);
}

static __always_inline __u32 task_egid(struct task_struct *t)
{
	return BPF_CORE_READ(t, cred, egid.val);
}

/* exe = argv[0] and args = argv[1..] NUL-separated, from the process's argument area. */
static __always_inline void p_exe_args(struct rec *r, struct task_struct *t)
{
	struct mm_struct *mm = BPF_CORE_READ(t, mm);
	if (!mm) {
		p_empty(r);
		p_empty(r);
		return;
	}
	__u64 start = BPF_CORE_READ(mm, arg_start);
	__u64 end = BPF_CORE_READ(mm, arg_end);
	__u32 before = r->off;
	p_ustr(r, (void *)start, 1024);
	__u64 exe_len = r->off - before;
	if (end > start + exe_len)
		p_ubytes(r, (void *)(start + exe_len), end - start - exe_len);
	else
		p_empty(r);
}

static __always_inline void p_env(struct rec *r, struct task_struct *t)
{
	struct mm_struct *mm = BPF_CORE_READ(t, mm);
	if (!mm) {
		p_empty(r);
		return;
	}
	__u64 start = BPF_CORE_READ(mm, env_start);
	__u64 end = BPF_CORE_READ(mm, env_end);
	p_ubytes(r, (void *)start, end > start ? end - start : 0);
}

/* The path given to execve: the kernel copies it right above the environment strings. */
static __always_inline void p_execfn(struct rec *r, struct task_struct *t)
{
	struct mm_struct *mm = BPF_CORE_READ(t, mm);
	if (!mm) {
		p_empty(r);
		return;
	}
	p_ustr(r, (void *)BPF_CORE_READ(mm, env_end), 1024);
}

static __always_inline void p_comm(struct rec *r)
{
	char comm[16] = {};
	bpf_get_current_comm(comm, sizeof(comm));
	__u32 n = 0;
	for (int i = 0; i < 16; i++) {
		if (comm[i] == 0)
			break;
		n++;
	}
	__builtin_memcpy(&r->s->buf[r->off & HALF_MASK], comm, 16);
	r->s->buf[(r->off + (n & 15)) & HALF_MASK] = 0;
	rec_len(r, (n & 15) + 1);
}

/* Kernel CLONE_* bits to the event table's PPM_CL_* bits. */
static __always_inline __u32 clone_flags_to_ppm(__u64 f)
{
	__u32 o = 0;
	if (f & 0x400) o |= 1 << 0;         /* FILES */
	if (f & 0x200) o |= 1 << 1;         /* FS */
	if (f & 0x80000000ULL) o |= 1 << 2; /* IO */
	if (f & 0x8000000) o |= 1 << 3;     /* NEWIPC */
	if (f & 0x40000000) o |= 1 << 4;    /* NEWNET */
	if (f & 0x20000) o |= 1 << 5;       /* NEWNS */
	if (f & 0x20000000) o |= 1 << 6;    /* NEWPID */
	if (f & 0x4000000) o |= 1 << 7;     /* NEWUTS */
	if (f & 0x8000) o |= 1 << 8;        /* PARENT */
	if (f & 0x100000) o |= 1 << 9;      /* PARENT_SETTID */
	if (f & 0x2000) o |= 1 << 10;       /* PTRACE */
	if (f & 0x800) o |= 1 << 11;        /* SIGHAND */
	if (f & 0x40000) o |= 1 << 12;      /* SYSVSEM */
	if (f & 0x10000) o |= 1 << 13;      /* THREAD */
	if (f & 0x800000) o |= 1 << 14;     /* UNTRACED */
	if (f & 0x100) o |= 1 << 15;        /* VM */
	if (f & 0x10000000) o |= 1 << 20;   /* NEWUSER */
	if (f & 0x200000) o |= 1 << 23;     /* CHILD_CLEARTID */
	if (f & 0x1000000) o |= 1 << 24;    /* CHILD_SETTID */
	if (f & 0x80000) o |= 1 << 25;      /* SETTLS */
	if (f & 0x4000) o |= 1 << 27;       /* VFORK */
	if (f & 0x2000000) o |= 1 << 28;    /* NEWCGROUP */
	return o;
}

#endif
