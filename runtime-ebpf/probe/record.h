/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Building one scap event record in a per-CPU scratch buffer, then copying it to the ring
 * buffer in one go. The lengths array sits right after the header, so a record is built
 * front to back: the handler says up front how many parameters it will write.
 *
 * Every write goes to `buf[off & HALF_MASK]` with at most SCRATCH_HALF bytes, which the
 * verifier can bound inside the 2 * SCRATCH_HALF buffer whatever `off` is; a record that
 * really grows past SCRATCH_HALF is counted as oversized and dropped.
 */
#ifndef FALCORC_RECORD_H
#define FALCORC_RECORD_H

#define SCRATCH_HALF 16384
#define HALF_MASK (SCRATCH_HALF - 1)
#define HDR_LEN 26
/* Waiting bytes that make a record wake the reader up. */
#define WAKEUP_BYTES (256 * 1024)
/* Longest string or byte parameter. */
#define MAX_PARAM 4096

/* Per-CPU values are limited to 32 KiB: the small scratch area has its own map. */
struct scratch {
	__u8 buf[SCRATCH_HALF * 2];
};

struct small {
	__u8 tmp[512]; /* sockaddr and tuple copies */
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct small);
} small_map SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct scratch);
} scratch_map SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 16 << 20);
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct falcorc_counters);
} counters SEC(".maps");

/* Boot time as ns since the epoch (set by the loader): event times are epoch-based. */
const volatile __u64 boot_epoch_ns = 0;

struct rec {
	struct scratch *s;
	struct small *t;
	__u32 off;
	__u32 idx;
	__u32 n;
};

static __always_inline struct falcorc_counters *counters_get(void)
{
	__u32 zero = 0;
	return bpf_map_lookup_elem(&counters, &zero);
}

/*
 * Leaves the thread id of the records this CPU builds next in the scratch header: the
 * sys_exit program reads it from the task it already holds (a plain load), which spares a
 * helper call in every record of the hot path. False if there is no scratch buffer.
 */
static __always_inline bool rec_tid(__u32 tid)
{
	__u32 zero = 0;
	struct scratch *s = bpf_map_lookup_elem(&scratch_map, &zero);
	if (!s)
		return false;
	((struct falcorc_evt_hdr *)s->buf)->tid = tid;
	return true;
}

/* Starts a record of `type` with `n` parameters, for the thread `rec_tid` named; false if
 * no scratch buffer. */
static __always_inline bool rec_begin(struct rec *r, __u16 type, __u32 n)
{
	__u32 zero = 0;
	r->s = bpf_map_lookup_elem(&scratch_map, &zero);
	r->t = bpf_map_lookup_elem(&small_map, &zero);
	if (!r->s || !r->t || n > FALCORC_MAX_PARAMS)
		return false;
	struct falcorc_evt_hdr *h = (void *)r->s->buf;
	h->type = type;
	h->nparams = n;
	r->idx = 0;
	r->n = n;
	r->off = HDR_LEN + 2 * n;
	return true;
}

/*
 * The scratch byte at `off`, masked into the buffer by an instruction the compiler cannot
 * drop: when it can prove the mask a no-op it removes it, and older verifiers (Linux 6.1)
 * then cannot bound the access.
 */
static __always_inline __u8 *scratch_at(struct scratch *s, __u64 off)
{
	asm volatile("%[o] &= %[m]" : [o] "+r"(off) : [m] "i"(HALF_MASK));
	return &s->buf[off];
}

static __always_inline void rec_len(struct rec *r, __u16 len)
{
	__u32 i = r->idx;
	if (i >= FALCORC_MAX_PARAMS)
		return;
	/* The mask repeats the bound for the verifier, which can lose it when this is inlined
	 * into a loop (FALCORC_MAX_PARAMS is a power of two). */
	__u8 *p = &r->s->buf[HDR_LEN + 2 * (i & (FALCORC_MAX_PARAMS - 1))];
	p[0] = len & 0xff;
	p[1] = len >> 8;
	r->idx = i + 1;
	r->off += len;
}

static __always_inline void p_empty(struct rec *r)
{
	rec_len(r, 0);
}

static __always_inline void p_u8(struct rec *r, __u8 v)
{
	*scratch_at(r->s, r->off) = v;
	rec_len(r, 1);
}

static __always_inline void p_u16(struct rec *r, __u16 v)
{
	__builtin_memcpy(scratch_at(r->s, r->off), &v, 2);
	rec_len(r, 2);
}

static __always_inline void p_u32(struct rec *r, __u32 v)
{
	__builtin_memcpy(scratch_at(r->s, r->off), &v, 4);
	rec_len(r, 4);
}

static __always_inline void p_u64(struct rec *r, __u64 v)
{
	__builtin_memcpy(scratch_at(r->s, r->off), &v, 8);
	rec_len(r, 8);
}

/* PT_ERRNO, PT_FD, PT_PID: signed 64-bit. */
static __always_inline void p_i64(struct rec *r, __s64 v)
{
	p_u64(r, (__u64)v);
}

/* A NUL-terminated string from user memory (empty parameter if unreadable). */
static __always_inline void p_ustr(struct rec *r, const void *ptr, __u32 max)
{
	if (!ptr) {
		p_empty(r);
		return;
	}
	long n = bpf_probe_read_user_str(scratch_at(r->s, r->off), max & (MAX_PARAM * 2 - 1), ptr);
	rec_len(r, n > 0 ? (__u16)n : 0);
}

/* A NUL-terminated string from kernel memory. */
static __always_inline void p_kstr(struct rec *r, const void *ptr, __u32 max)
{
	if (!ptr) {
		p_empty(r);
		return;
	}
	long n = bpf_probe_read_kernel_str(scratch_at(r->s, r->off), max & (MAX_PARAM * 2 - 1), ptr);
	rec_len(r, n > 0 ? (__u16)n : 0);
}

/* `len` raw bytes from user memory, cut at MAX_PARAM. */
static __always_inline void p_ubytes(struct rec *r, const void *ptr, __u64 len)
{
	if (!ptr || len == 0) {
		p_empty(r);
		return;
	}
	if (len > MAX_PARAM)
		len = MAX_PARAM;
	__u32 n = len & (MAX_PARAM * 2 - 1);
	if (n == 0 || bpf_probe_read_user(scratch_at(r->s, r->off), n, ptr) != 0) {
		p_empty(r);
		return;
	}
	rec_len(r, n);
}

/* The bytes of a small value already in the scratch area (`len` <= 512). */
static __always_inline void p_tmp(struct rec *r, __u32 len)
{
	if (len == 0 || len >= sizeof(r->t->tmp)) {
		p_empty(r);
		return;
	}
	/* The size as an unsigned 64-bit value of known bounds: older verifiers (6.1) lose the
	 * bounds of a 32-bit mask and refuse the size as possibly negative. */
	__u64 n = len;
	asm volatile("%[n] &= 511" : [n] "+r"(n)); /* kept: the compiler knows it is a no-op */
	bpf_probe_read_kernel(scratch_at(r->s, r->off), n, r->t->tmp);
	rec_len(r, len);
}

/*
 * Fills missing parameters with empty ones, writes the length and the time and sends the
 * record. The time is read here, right before the record enters the ring, rather than when
 * it was started: a record that is dropped (a failed open no rule can match) never pays for
 * the clock, and records from different CPUs enter the ring in an order closer to their
 * times. Not `timed`: time 0 (see NO_TIME).
 */
static __always_inline void rec_send_timed(struct rec *r, bool timed)
{
	for (int i = 0; i < FALCORC_MAX_PARAMS; i++) {
		if (r->idx >= r->n)
			break;
		p_empty(r);
	}
	struct falcorc_counters *c = counters_get();
	__u32 len = r->off;
	if (len > SCRATCH_HALF) {
		if (c)
			c->oversized++;
		return;
	}
	struct falcorc_evt_hdr *h = (void *)r->s->buf;
	h->len = len;
	h->ts = timed ? bpf_ktime_get_boot_ns() + boot_epoch_ns : 0;
	/*
	 * Waking the reader for every record costs more than building it; user space polls
	 * with a short timeout anyway, so wake it once per batch: after each WAKEUP_BYTES this
	 * CPU wrote. A reader still draining reads on to the end without it; one that has gone
	 * back to poll finds the data ready at once. The count is this CPU's own (its counters
	 * slot), not the ring's waiting bytes: asking the ring reads the reader's position, a
	 * cache line the reader's CPU keeps writing.
	 */
	__u64 wake = BPF_RB_NO_WAKEUP;
	if (c) {
		c->unwoken += len;
		if (c->unwoken >= WAKEUP_BYTES) {
			c->unwoken = 0;
			wake = BPF_RB_FORCE_WAKEUP;
		}
	}
	__u64 size = len;
	asm volatile("%[n] &= %[m]" : [n] "+r"(size) : [m] "i"(2 * SCRATCH_HALF - 1)); /* as scratch_at */
	if (bpf_ringbuf_output(&events, r->s->buf, size, wake) == 0) {
		if (c)
			c->sent++;
	} else if (c) {
		c->drops++;
	}
}

static __always_inline void rec_send(struct rec *r)
{
	rec_send_timed(r, true);
}

#endif
