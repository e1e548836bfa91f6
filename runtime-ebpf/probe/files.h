/* SPDX-License-Identifier: Apache-2.0 */
/* Files and sockets behind a file descriptor of the current task, and flag translation. */
#ifndef FALCORC_FILES_H
#define FALCORC_FILES_H

#define FMODE_CREATED_BIT (1u << 20)

static __always_inline struct file *fd_file(struct task_struct *t, __s64 fd)
{
	if (fd < 0)
		return NULL;
	/*
	 * `t` is the task's BTF pointer: loads through it and the pointers it leads to are
	 * plain loads (a fault reads as 0), far cheaper than a helper call each. Only the
	 * slot of the array, at a variable index, is read with a helper.
	 */
	struct files_struct *files = t->files;
	if (!files)
		return NULL;
	struct fdtable *fdt = files->fdt;
	if (!fdt)
		return NULL;
	if ((__u64)fd >= fdt->max_fds)
		return NULL;
	struct file **arr = fdt->fd;
	struct file *f = NULL;
	bpf_core_read(&f, sizeof(f), &arr[fd & 0xfffff]);
	return f;
}

/* Device numbers as userspace sees them (new_encode_dev). */
static __always_inline __u32 encode_dev(__u32 dev)
{
	__u32 major = dev >> 20, minor = dev & 0xfffff;
	return (minor & 0xff) | (major << 8) | ((minor & ~0xffu) << 12);
}

#define OVERLAYFS_SUPER_MAGIC 0x794c7630
#define SB_RDONLY_BIT 1
#define S_IMMUTABLE_BIT 8
#define CAP_DAC_OVERRIDE_BIT 1

/*
 * Which overlayfs layer a file comes from: 0 not on overlayfs, 1 the upper layer (written
 * since the mount: a container's own changes, including files copied up from the image
 * when they were modified), 2 a lower layer (the image). An overlay inode keeps the pointer
 * to its upper dentry right after the VFS inode it embeds; its type lives in the overlay
 * module's BTF on kernels that build overlayfs as a module, so the offset is taken from the
 * size of struct inode, which vmlinux always describes.
 */
static __always_inline int overlay_layer_of(struct inode *ino, struct super_block *sb)
{
	/* An open overlay file's inode is the overlay's own (the real file hides behind it),
	 * on the overlay's super block. */
	if (!ino || !sb || BPF_CORE_READ(sb, s_magic) != OVERLAYFS_SUPER_MAGIC)
		return 0;
	struct dentry *upper = NULL;
	bpf_probe_read_kernel(&upper, sizeof(upper), (char *)ino + bpf_core_type_size(struct inode));
	return upper && BPF_CORE_READ(upper, d_inode) ? 1 : 2;
}

/* Kernel O_* open flags to the event table's PPM_O_* bits. */
static __always_inline __u32 open_flags_to_ppm(__u64 f)
{
/* Bit `from` of the flags as bit `to` of PPM_O_*: shifts, not a branch per flag. */
#define PPM_BIT(from, to) ((__u32)((f >> (from)) & 1) << (to))
	/* The access mode: RDONLY (1), WRONLY (2), RDWR (3, also for the invalid mode 3), as a
	 * table of four nibbles. */
	return ((0x3321 >> (4 * (f & 3))) & 0xf) |
	       PPM_BIT(6, 2) |   /* O_CREAT 0100 */
	       PPM_BIT(10, 3) |  /* O_APPEND 02000 */
	       PPM_BIT(12, 4) |  /* O_DSYNC 010000 */
	       PPM_BIT(7, 5) |   /* O_EXCL 0200 */
	       PPM_BIT(11, 6) |  /* O_NONBLOCK 04000 */
	       PPM_BIT(20, 7) |  /* __O_SYNC 04000000 */
	       PPM_BIT(9, 8) |   /* O_TRUNC 01000 */
	       PPM_BIT(14, 9) |  /* O_DIRECT 040000 */
	       PPM_BIT(16, 10) | /* O_DIRECTORY 0200000 */
	       PPM_BIT(15, 11) | /* O_LARGEFILE 0100000 */
	       PPM_BIT(19, 12) | /* O_CLOEXEC 02000000 */
	       PPM_BIT(22, 13);  /* __O_TMPFILE 020000000 */
#undef PPM_BIT
}

/* mode, dev, ino of an open file plus PPM_O_F_CREATED when the open created it and
 * PPM_O_F_UPPER_LAYER / PPM_O_F_LOWER_LAYER for a file on overlayfs. */
struct open_info {
	__u32 dev;
	__u64 ino;
	__u32 fflags; /* PPM_O_F_* bits */
};

/* Bytes read at once from the head of a struct file and of a struct inode: every field
 * open_info needs lies in them on every kernel (f_mode, f_inode, f_path; i_sb, i_ino). */
#define FILE_HEAD 256
#define INODE_HEAD 128

/* A field of `type` at a CO-RE offset inside a head copied to `buf` (the mask keeps the
 * verifier's bound; a field past the head would read other bytes, never outside). */
#define HEAD_FIELD(buf, mask, type, off) (*(type *)&(buf)[(off) & (mask)])

static __always_inline void open_info(struct task_struct *t, __s64 fd, struct open_info *oi)
{
	struct file *f = fd_file(t, fd);
	if (!f)
		return;
	__u32 zero = 0;
	struct small *sm = bpf_map_lookup_elem(&small_map, &zero);
	if (!sm)
		return;
	/* One helper call per head instead of one per field: each costs more than the copy. */
	__u8 *fh = sm->tmp, *ih = sm->tmp + FILE_HEAD;
	if (bpf_probe_read_kernel(fh, FILE_HEAD, f) != 0)
		return;
	struct inode *ino = HEAD_FIELD(fh, FILE_HEAD - 1, struct inode *, bpf_core_field_offset(struct file, f_inode));
	if (!ino || bpf_probe_read_kernel(ih, INODE_HEAD, ino) != 0)
		return;
	oi->ino = HEAD_FIELD(ih, INODE_HEAD - 1, __u64, bpf_core_field_offset(struct inode, i_ino));
	struct super_block *sb = HEAD_FIELD(ih, INODE_HEAD - 1, struct super_block *, bpf_core_field_offset(struct inode, i_sb));
	oi->dev = encode_dev(BPF_CORE_READ(sb, s_dev));
	if (HEAD_FIELD(fh, FILE_HEAD - 1, __u32, bpf_core_field_offset(struct file, f_mode)) & FMODE_CREATED_BIT)
		oi->fflags = 1 << 14;
	int layer = overlay_layer_of(ino, sb);
	if (layer == 1)
		oi->fflags |= 1 << 15;
	else if (layer == 2)
		oi->fflags |= 1 << 16;
}

/* A user sockaddr as a PT_SOCKADDR parameter (family byte + address, no padding). */
static __always_inline void p_sockaddr(struct rec *r, const void *uaddr, __u64 ulen)
{
	__u8 *tmp = r->t->tmp;
	struct {
		__u16 ss_family;
		__u8 data[126];
	} ss = {};
	if (!uaddr || ulen < 2) {
		p_empty(r);
		return;
	}
	if (ulen > sizeof(ss))
		ulen = sizeof(ss);
	if (bpf_probe_read_user(&ss, ulen & 127, uaddr) != 0) {
		p_empty(r);
		return;
	}
	__u16 fam = ss.ss_family;
	if (fam == 2) {
		/* sockaddr_in: family, port (network order), address */
		tmp[0] = 2;
		__builtin_memcpy(&tmp[1], &ss.data[2], 4);
		__u16 port = ((__u16)ss.data[0] << 8) | ss.data[1];
		__builtin_memcpy(&tmp[5], &port, 2);
		p_tmp(r, 7);
	} else if (fam == 10) {
		/* sockaddr_in6: family, port, flowinfo, address */
		tmp[0] = 10;
		__builtin_memcpy(&tmp[1], &ss.data[6], 16);
		__u16 port = ((__u16)ss.data[0] << 8) | ss.data[1];
		__builtin_memcpy(&tmp[17], &port, 2);
		p_tmp(r, 19);
	} else if (fam == 1) {
		tmp[0] = 1;
		long n = bpf_probe_read_kernel_str(&tmp[1], 108, ss.data);
		p_tmp(r, n > 0 ? 1 + n : 2);
	} else {
		p_empty(r);
	}
}

static __always_inline struct sock *fd_sock(struct task_struct *t, __s64 fd)
{
	struct file *f = fd_file(t, fd);
	if (!f)
		return NULL;
	struct socket *so = BPF_CORE_READ(f, private_data);
	if (!so)
		return NULL;
	return BPF_CORE_READ(so, sk);
}

/*
 * The socket tuple of a connected socket: local end first, or remote end first when
 * `remote_first` (accept, where the source is the client).
 */
static __always_inline void p_tuple(struct rec *r, struct task_struct *t, __s64 fd, bool remote_first,
				    const void *uaddr, __u64 ulen)
{
	__u8 *tmp = r->t->tmp;
	struct sock *sk = fd_sock(t, fd);
	if (!sk) {
		p_empty(r);
		return;
	}
	__u16 fam = BPF_CORE_READ(sk, __sk_common.skc_family);
	__u16 lport = BPF_CORE_READ(sk, __sk_common.skc_num);
	__u16 rport = bpf_ntohs(BPF_CORE_READ(sk, __sk_common.skc_dport));
	if (fam == 2) {
		__u32 l = BPF_CORE_READ(sk, __sk_common.skc_rcv_saddr);
		__u32 rr = BPF_CORE_READ(sk, __sk_common.skc_daddr);
		tmp[0] = 2;
		__builtin_memcpy(&tmp[1], remote_first ? &rr : &l, 4);
		__builtin_memcpy(&tmp[5], remote_first ? &rport : &lport, 2);
		__builtin_memcpy(&tmp[7], remote_first ? &l : &rr, 4);
		__builtin_memcpy(&tmp[11], remote_first ? &lport : &rport, 2);
		p_tmp(r, 13);
	} else if (fam == 10) {
		struct in6_addr l = BPF_CORE_READ(sk, __sk_common.skc_v6_rcv_saddr);
		struct in6_addr rr = BPF_CORE_READ(sk, __sk_common.skc_v6_daddr);
		tmp[0] = 10;
		__builtin_memcpy(&tmp[1], remote_first ? &rr : &l, 16);
		__builtin_memcpy(&tmp[17], remote_first ? &rport : &lport, 2);
		__builtin_memcpy(&tmp[19], remote_first ? &l : &rr, 16);
		__builtin_memcpy(&tmp[35], remote_first ? &lport : &rport, 2);
		p_tmp(r, 37);
	} else if (fam == 1) {
		struct unix_sock *us = (void *)sk;
		__u64 src = (__u64)sk;
		__u64 dst = (__u64)BPF_CORE_READ(us, peer);
		tmp[0] = 1;
		__builtin_memcpy(&tmp[1], &src, 8);
		__builtin_memcpy(&tmp[9], &dst, 8);
		long n = -1;
		if (uaddr && ulen > 2)
			n = bpf_probe_read_user_str(&tmp[17], 108, (const __u8 *)uaddr + 2);
		if (n <= 0) {
			tmp[17] = 0;
			n = 1;
		}
		p_tmp(r, 17 + n);
	} else {
		p_empty(r);
	}
}

/*
 * The tuple of a datagram exchanged with an explicit address (sendto/sendmsg to it,
 * recvfrom/recvmsg from it): one end from the socket, the other from the user's sockaddr,
 * the sender first. Without an address, the connected socket's own tuple.
 */
static __always_inline void p_tuple_user(struct rec *r, struct task_struct *t, __s64 fd, const void *uaddr,
					 __u64 ulen, bool inbound)
{
	struct sock *sk = fd_sock(t, fd);
	if (!sk || !uaddr || ulen < 8) {
		p_tuple(r, t, fd, false, NULL, 0);
		return;
	}
	__u8 *tmp = r->t->tmp;
	__u8 ua[28] = {};
	if (bpf_probe_read_user(ua, ulen < sizeof(ua) ? (ulen & 31) : sizeof(ua), uaddr) != 0) {
		p_empty(r);
		return;
	}
	__u16 fam = ua[0] | (ua[1] << 8);
	__u16 lport = BPF_CORE_READ(sk, __sk_common.skc_num);
	__u16 rport = ((__u16)ua[2] << 8) | ua[3];
	/* The sender's end first: this socket's when sending, the address's when receiving. An
	 * address is 4 or 16 bytes, then its port; the ends are written in a fixed order and
	 * swapped by whole values, which keeps the verifier on constant offsets. */
	if (fam == 2) {
		__u32 l = BPF_CORE_READ(sk, __sk_common.skc_rcv_saddr), u = 0;
		__builtin_memcpy(&u, &ua[4], 4);
		__u32 a1 = inbound ? u : l, a2 = inbound ? l : u;
		__u16 p1 = inbound ? rport : lport, p2 = inbound ? lport : rport;
		tmp[0] = 2;
		__builtin_memcpy(&tmp[1], &a1, 4);
		__builtin_memcpy(&tmp[5], &p1, 2);
		__builtin_memcpy(&tmp[7], &a2, 4);
		__builtin_memcpy(&tmp[11], &p2, 2);
		p_tmp(r, 13);
	} else if (fam == 10) {
		struct in6_addr l = BPF_CORE_READ(sk, __sk_common.skc_v6_rcv_saddr);
		__u16 p1 = inbound ? rport : lport, p2 = inbound ? lport : rport;
		tmp[0] = 10;
		if (inbound) {
			__builtin_memcpy(&tmp[1], &ua[8], 16);
			__builtin_memcpy(&tmp[19], &l, 16);
		} else {
			__builtin_memcpy(&tmp[1], &l, 16);
			__builtin_memcpy(&tmp[19], &ua[8], 16);
		}
		__builtin_memcpy(&tmp[17], &p1, 2);
		__builtin_memcpy(&tmp[35], &p2, 2);
		p_tmp(r, 37);
	} else {
		p_empty(r);
	}
}

/* The tuple of a message sent to `uaddr` (sendto, sendmsg): this end first. */
static __always_inline void p_tuple_to(struct rec *r, struct task_struct *t, __s64 fd, const void *uaddr,
				       __u64 ulen)
{
	p_tuple_user(r, t, fd, uaddr, ulen, false);
}

/* The tuple of a datagram received from `uaddr` (recvfrom, recvmsg): the sender first, as the
 * drivers build inbound tuples; a connected socket's own tuple when no address came back. */
static __always_inline void p_tuple_from(struct rec *r, struct task_struct *t, __s64 fd, const void *uaddr,
					 __u64 ulen)
{
	p_tuple_user(r, t, fd, uaddr, ulen, true);
}

/*
 * Whether the task could open its executable for writing, by the kernel's own order: a
 * read-only mount or an immutable file never; then the owner's, the group's or the others'
 * mode bits, whichever class the task's filesystem ids fall in; then CAP_DAC_OVERRIDE.
 */
static __always_inline bool exe_writable(struct task_struct *t, struct inode *ino)
{
	if (BPF_CORE_READ(ino, i_sb, s_flags) & SB_RDONLY_BIT)
		return false;
	if (BPF_CORE_READ(ino, i_flags) & S_IMMUTABLE_BIT)
		return false;
	const struct cred *c = BPF_CORE_READ(t, cred);
	__u32 mode = BPF_CORE_READ(ino, i_mode);
	bool ok;
	if (BPF_CORE_READ(c, fsuid.val) == BPF_CORE_READ(ino, i_uid.val))
		ok = mode & 0200;
	else if (BPF_CORE_READ(c, fsgid.val) == BPF_CORE_READ(ino, i_gid.val))
		ok = mode & 020;
	else
		ok = mode & 02;
	return ok || (CRED_CAPS(c, cap_effective) & (1ull << CAP_DAC_OVERRIDE_BIT));
}

/* PPM_EXE_* flags of the running image: WRITABLE, UPPER_LAYER, FROM_MEMFD (an unlinked
 * memfd file), LOWER_LAYER. */
static __always_inline __u32 exe_flags(struct task_struct *t)
{
	struct file *exe = BPF_CORE_READ(t, mm, exe_file);
	if (!exe)
		return 0;
	__u32 flags = 0;
	struct inode *ino = BPF_CORE_READ(exe, f_inode);
	if (ino && exe_writable(t, ino))
		flags |= 1 << 0;
	int layer = overlay_layer_of(ino, BPF_CORE_READ(ino, i_sb));
	if (layer == 1)
		flags |= 1 << 1;
	else if (layer == 2)
		flags |= 1 << 3;
	char name[8] = {};
	bpf_probe_read_kernel_str(name, sizeof(name), BPF_CORE_READ(exe, f_path.dentry, d_name.name));
	__u32 nlink = BPF_CORE_READ(exe, f_inode, __i_nlink);
	if (nlink == 0 && name[0] == 'm' && name[1] == 'e' && name[2] == 'm' && name[3] == 'f' && name[4] == 'd' &&
	    name[5] == ':')
		flags |= 1 << 2;
	return flags;
}

/* Deepest path written in full; a deeper one is sent empty (user space then keeps the
 * directory it tracked through chdir, or reads the executable's link in /proc). */
#define CWD_DEPTH 48
/* A path component with its NUL (NAME_MAX + 1). */
#define NAME_BYTES 256

/* Which path falcorc_path writes. */
#define PATH_CWD 0
#define PATH_EXE 1

/*
 * The current task's working directory (PATH_CWD) or executable file (PATH_EXE, the
 * execve's `trusted_exepath`: symlinks resolved, as Falco's drivers send it) as an absolute
 * path, as seen from the task's root (so a process in a container gets its own view, as
 * Falco reports it), written at `off` in the scratch record; returns its length with the
 * NUL, or 0 when it cannot be told (too deep, too long, unreadable). d_path is not callable
 * from this program type, so the dentries are walked by hand: up to the root, crossing
 * mount points, remembering each component in the small scratch area, then written root
 * first. A file on a mount that is attached nowhere (a memfd) is `/name`, as Falco's walk
 * gives it.
 *
 * A global function, so the verifier checks it once on its own and the caller goes on with
 * one unknown length: inlined, each way out of the walk multiplied the paths through the
 * rest of the execve handler past the verifier's limit.
 */
__noinline int falcorc_path(__u32 off, int which)
{
	__u32 zero = 0;
	struct scratch *s = bpf_map_lookup_elem(&scratch_map, &zero);
	struct small *sm = bpf_map_lookup_elem(&small_map, &zero);
	if (!s || !sm)
		return 0;
	struct task_struct *t = bpf_get_current_task_btf();
	struct fs_struct *fs = BPF_CORE_READ(t, fs);
	if (!fs)
		return 0;
	struct dentry *start_d;
	struct vfsmount *start_vm;
	if (which == PATH_EXE) {
		struct file *exe = BPF_CORE_READ(t, mm, exe_file);
		if (!exe)
			return 0;
		start_d = BPF_CORE_READ(exe, f_path.dentry);
		start_vm = BPF_CORE_READ(exe, f_path.mnt);
	} else {
		start_d = BPF_CORE_READ(fs, pwd.dentry);
		start_vm = BPF_CORE_READ(fs, pwd.mnt);
	}
	/*
	 * stack[0..n]: component dentries, leaf first; n in stack[63] and the walk's position
	 * (dentry, vfsmount, mount) in stack[59..61]. Reloaded from memory at every step, they
	 * carry no facts from one step's comparisons into the next, which would otherwise
	 * multiply the paths the verifier follows at every step.
	 */
	__u64 *stack = (__u64 *)sm->tmp;
	struct dentry *root_d = BPF_CORE_READ(fs, root.dentry);
	struct vfsmount *root_vm = BPF_CORE_READ(fs, root.mnt);
	stack[59] = (__u64)start_d;
	stack[60] = (__u64)start_vm;
	stack[61] = (__u64)start_vm - bpf_core_field_offset(struct mount, mnt);
	stack[63] = 0;
	for (int i = 0; i < CWD_DEPTH + 16; i++) {
		struct dentry *d = (struct dentry *)stack[59];
		struct vfsmount *vm = (struct vfsmount *)stack[60];
		struct mount *m = (struct mount *)stack[61];
		if (d == root_d && vm == root_vm)
			goto walked;
		if (d == BPF_CORE_READ(vm, mnt_root)) {
			struct mount *parent = BPF_CORE_READ(m, mnt_parent);
			if (parent == m)
				goto walked; /* the top of the mount tree */
			stack[59] = (__u64)BPF_CORE_READ(m, mnt_mountpoint);
			stack[60] = (__u64)parent + bpf_core_field_offset(struct mount, mnt);
			stack[61] = (__u64)parent;
			continue;
		}
		struct dentry *up = BPF_CORE_READ(d, d_parent);
		if (up == d)
			goto walked; /* the root of a file system mounted nowhere */
		__u64 depth = stack[63];
		if (depth >= CWD_DEPTH)
			return 0;
		stack[depth & 63] = (__u64)d;
		stack[63] = depth + 1;
		stack[59] = (__u64)up;
	}
	return 0; /* the walk did not end: too deep */
walked:;
	__u64 n = stack[63] & 63;
	__u8 *buf = s->buf;
	__u32 w = 0;
	for (int i = 0; i < CWD_DEPTH; i++) {
		if (n == 0)
			break;
		/* Room for '/', a longest name and the NUL, else the path is too long to send. */
		if (w > MAX_PARAM - NAME_BYTES - 2)
			return 0;
		n--;
		struct dentry *c = (struct dentry *)stack[n & 63];
		buf[(off + w) & HALF_MASK] = '/';
		const unsigned char *name = BPF_CORE_READ(c, d_name.name);
		long k = bpf_probe_read_kernel_str(&buf[(off + w + 1) & HALF_MASK], NAME_BYTES, name);
		if (k <= 0)
			return 0;
		w += k; /* '/' and the name; its NUL is overwritten by the next '/' */
	}
	if (w == 0)
		buf[off & HALF_MASK] = '/', w = 1;
	buf[(off + w) & HALF_MASK] = 0;
	return w + 1;
}

static __always_inline void p_cwd(struct rec *r)
{
	rec_len(r, (__u16)(falcorc_path(r->off, PATH_CWD) & (MAX_PARAM * 2 - 1)));
}

static __always_inline void p_exepath(struct rec *r)
{
	rec_len(r, (__u16)(falcorc_path(r->off, PATH_EXE) & (MAX_PARAM * 2 - 1)));
}

#endif
