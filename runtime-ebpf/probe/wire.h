/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The records the probe sends to user space, shared by the probe and the loader.
 *
 * A record in the ring buffer is a complete scap event in the v2 layout, so the loader
 * hands it unchanged to the runtime's event parser and the `record` command writes it
 * unchanged into a capture: the 26-byte header below, one u16 length per parameter, then
 * the parameters. The Rust mirror is runtime-ebpf/src/wire.rs; its tests read the
 * FALCORC_ASSERT lines of this file, so each layout fact is stated once and checked on
 * both sides (by the C compiler here and by `cargo test` there).
 */
#ifndef FALCORC_WIRE_H
#define FALCORC_WIRE_H

#define FALCORC_ASSERT(cond) _Static_assert(cond, #cond)

/* ppm_evt_hdr v2: little-endian, no padding. */
struct falcorc_evt_hdr {
	__u64 ts;      /* ns since the Unix epoch */
	__u64 tid;     /* host thread id */
	__u32 len;     /* whole record, header included */
	__u16 type;    /* event code from the event table */
	__u32 nparams; /* u16 lengths that follow the header */
} __attribute__((packed));

FALCORC_ASSERT(sizeof(struct falcorc_evt_hdr) == 26);
FALCORC_ASSERT(__builtin_offsetof(struct falcorc_evt_hdr, ts) == 0);
FALCORC_ASSERT(__builtin_offsetof(struct falcorc_evt_hdr, tid) == 8);
FALCORC_ASSERT(__builtin_offsetof(struct falcorc_evt_hdr, len) == 16);
FALCORC_ASSERT(__builtin_offsetof(struct falcorc_evt_hdr, type) == 20);
FALCORC_ASSERT(__builtin_offsetof(struct falcorc_evt_hdr, nparams) == 22);

/* Per-CPU counters (one array slot, summed over CPUs by the loader). */
struct falcorc_counters {
	__u64 sent;      /* records written to the ring buffer */
	__u64 drops;     /* records lost because the ring buffer was full */
	__u64 oversized; /* records dropped because they outgrew the scratch buffer */
	__u64 filtered;  /* syscall exits skipped by the in-kernel filter */
	__u64 failed_opens; /* failed opens no rule can match, skipped by the path prefilter */
	__u64 unwoken;   /* bytes sent since this CPU last woke the reader (not a statistic) */
};

FALCORC_ASSERT(sizeof(struct falcorc_counters) == 48);
FALCORC_ASSERT(__builtin_offsetof(struct falcorc_counters, sent) == 0);
FALCORC_ASSERT(__builtin_offsetof(struct falcorc_counters, drops) == 8);
FALCORC_ASSERT(__builtin_offsetof(struct falcorc_counters, oversized) == 16);
FALCORC_ASSERT(__builtin_offsetof(struct falcorc_counters, filtered) == 24);
FALCORC_ASSERT(__builtin_offsetof(struct falcorc_counters, failed_opens) == 32);
FALCORC_ASSERT(__builtin_offsetof(struct falcorc_counters, unwoken) == 40);

/*
 * The failed-open prefilter's tests, written by the loader from what the rules can match
 * (runtime/src/needs/failed_opens.rs). A failed open is sent when its path is not absolute
 * and plain, or passes one test. Texts are little-endian words, cut to 32 bytes.
 */
#define FALCORC_PATH_TEXT 32
#define FALCORC_PATH_PREFIXES 16
#define FALCORC_PATH_SUFFIXES 16
#define FALCORC_PATH_SUBSTRINGS 4

struct falcorc_path_text {
	__u64 text[4]; /* a prefix from byte 0; a suffix ending at byte 31 */
	__u64 mask[4]; /* 0xff on each byte of the text */
};

struct falcorc_path_substring {
	__u64 first; /* the first byte, in every byte */
	__u64 last;  /* the last byte, in every byte */
	__u64 len;   /* bytes, 1 to 32 */
};

struct falcorc_path_table {
	__u32 prefixes;
	__u32 suffixes;
	__u32 substrings;
	__u32 pad;
	struct falcorc_path_text prefix[FALCORC_PATH_PREFIXES];
	struct falcorc_path_text suffix[FALCORC_PATH_SUFFIXES];
	struct falcorc_path_substring substring[FALCORC_PATH_SUBSTRINGS];
};

FALCORC_ASSERT(sizeof(struct falcorc_path_text) == 64);
FALCORC_ASSERT(sizeof(struct falcorc_path_substring) == 24);
FALCORC_ASSERT(sizeof(struct falcorc_path_table) == 2160);
FALCORC_ASSERT(__builtin_offsetof(struct falcorc_path_table, prefix) == 16);
FALCORC_ASSERT(__builtin_offsetof(struct falcorc_path_table, suffix) == 1040);
FALCORC_ASSERT(__builtin_offsetof(struct falcorc_path_table, substring) == 2064);
FALCORC_ASSERT(FALCORC_PATH_TEXT == 32);
FALCORC_ASSERT(FALCORC_PATH_PREFIXES == 16);
FALCORC_ASSERT(FALCORC_PATH_SUFFIXES == 16);
FALCORC_ASSERT(FALCORC_PATH_SUBSTRINGS == 4);

/* Most parameters of one event (execve has 31). */
#define FALCORC_MAX_PARAMS 32
/* Entries of the syscall filter map, indexed by x86_64 syscall number. */
#define FALCORC_SYSCALL_SLOTS 512

FALCORC_ASSERT(FALCORC_MAX_PARAMS == 32);
FALCORC_ASSERT(FALCORC_SYSCALL_SLOTS == 512);

#endif
