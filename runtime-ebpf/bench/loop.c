// Syscall-heavy loops for measuring the probe's overhead (see overhead.sh).
//   loop open N   : N openat+close pairs on /etc/hostname
//   loop openfail N : N openat calls that fail (ENOENT)
//   loop stat N   : N stat calls
//   loop exec N   : N fork + execve(/bin/true) + wait
// Prints the mean time per iteration in ns.
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: %s open|openfail|stat|exec N\n", argv[0]);
		return 2;
	}
	long n = atol(argv[2]);
	double t0 = now_ns();
	for (long i = 0; i < n; i++) {
		if (!strcmp(argv[1], "open")) {
			int fd = openat(AT_FDCWD, "/etc/hostname", O_RDONLY);
			if (fd >= 0)
				close(fd);
		} else if (!strcmp(argv[1], "openfail")) {
			openat(AT_FDCWD, "/nonexistent/falcorc-bench", O_RDONLY);
		} else if (!strcmp(argv[1], "stat")) {
			struct stat st;
			stat("/etc/hostname", &st);
		} else {
			pid_t p = fork();
			if (p == 0) {
				execl("/bin/true", "true", (char *)NULL);
				_exit(127);
			}
			waitpid(p, NULL, 0);
		}
	}
	printf("%.0f\n", (now_ns() - t0) / n);
	return 0;
}
