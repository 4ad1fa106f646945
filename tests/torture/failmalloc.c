/* LD_PRELOAD shim: RECON_FAIL_ALLOC=N makes the Nth allocation after
 * start-up return NULL (curl's torture mode does the same). With
 * RECON_COUNT_ALLOC=FILE, the number of allocations made is written there at
 * exit, so a test knows how many N to try. Counts every malloc, calloc and
 * realloc of the process, libraries included, and of its forked children
 * (`recon report` renders in children): the counter lives in shared memory,
 * so the Nth allocation is the Nth in time whichever process makes it.
 *
 * RECON_FAIL_TRACE=1 prints the stack of the failed allocation on stderr
 * (build recon with -g and read it with addr2line, or use gdb).
 * RECON_FAIL_ONLY=NAME leaves every program but NAME alone: under valgrind
 * the shim is also loaded into Debian's /usr/bin/valgrind (a shell script)
 * and the launcher, each of which would otherwise count from 1 too.
 *
 * RECON_FAIL_FROM=TEXT counts (and fails) only the allocations made by code
 * in a shared object whose path contains TEXT: "libstdc++" is C++ `new`,
 * which in recon is only simdjson and src/json_simd.cpp, a few hundred
 * among tens of thousands, so every one of them can be tried in turn.
 *
 * The real functions come from dlsym(RTLD_NEXT): libc's, or valgrind's
 * replacements when run under memcheck (which then sees every block). */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <execinfo.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static void *(*real_malloc)(size_t);
static void *(*real_calloc)(size_t, size_t);
static void *(*real_realloc)(void *, size_t);
static void (*real_free)(void *);
static unsigned long fail_at;
static unsigned long *count;   /* shared with forked children */
static unsigned long local_count;
static pid_t owner;
static const char *count_file;
/* dlsym may itself allocate before the real functions are known. */
static char bootstrap[4096];
static size_t bootstrap_used;
static int resolving;
static int trace;
static const char *from;

static void resolve(void)
{
	if (resolving || real_free)
		return;
	resolving = 1;
	real_malloc = dlsym(RTLD_NEXT, "malloc");
	real_calloc = dlsym(RTLD_NEXT, "calloc");
	real_realloc = dlsym(RTLD_NEXT, "realloc");
	real_free = dlsym(RTLD_NEXT, "free");
	resolving = 0;
}

static void *bootstrap_alloc(size_t n)
{
	void *p = bootstrap + bootstrap_used;
	if (n > sizeof(bootstrap) - bootstrap_used)
		return NULL;
	bootstrap_used += (n + 15) & ~(size_t)15;
	return p;
}

/* The allocation was asked for by code in a shared object named like `from`. */
static int caller_matches(const void *ret)
{
	Dl_info info;
	return dladdr(ret, &info) && info.dli_fname && strstr(info.dli_fname, from);
}

static int should_fail(const void *ret)
{
	unsigned long n;
	if (!count)
		return 0;
	if (from && !caller_matches(ret))
		return 0;
	n = __atomic_add_fetch(count, 1, __ATOMIC_RELAXED);
	if (fail_at && n == fail_at) {
		if (trace) {
			void *frames[64];
			int depth = backtrace(frames, 64);
			static const char head[] = "failmalloc: failing this allocation:\n";
			write(2, head, sizeof(head) - 1);
			backtrace_symbols_fd(frames, depth, 2);
		}
		errno = ENOMEM;
		return 1;
	}
	return 0;
}

/* Libraries' constructors may allocate before this runs: those are not counted. */
__attribute__((constructor)) static void init(void)
{
	const char *n = getenv("RECON_FAIL_ALLOC"), *only = getenv("RECON_FAIL_ONLY");
	void *m;
	resolve();
	if (only && strcmp(only, program_invocation_short_name) != 0)
		return;   /* count stays NULL: nothing counted, nothing failed, no count file */
	fail_at = n ? strtoul(n, NULL, 10) : 0;
	trace = getenv("RECON_FAIL_TRACE") != NULL;
	from = getenv("RECON_FAIL_FROM");
	if (trace) {
		void *frame;
		backtrace(&frame, 1);   /* loads libgcc_s now, not at the failure */
	}
	count_file = getenv("RECON_COUNT_ALLOC");
	owner = getpid();
	m = mmap(NULL, sizeof(*count), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	count = m == MAP_FAILED ? &local_count : m;
}

__attribute__((destructor)) static void fini(void)
{
	unsigned long n;
	if (!count || !count_file || getpid() != owner)
		return;
	n = *count;
	count = NULL;   /* fopen's own allocations are not counted */
	FILE *f = fopen(count_file, "w");
	if (f) {
		fprintf(f, "%lu\n", n);
		fclose(f);
	}
}

void *malloc(size_t n)
{
	if (!real_malloc) {
		resolve();
		if (!real_malloc)
			return bootstrap_alloc(n);
	}
	return should_fail(__builtin_return_address(0)) ? NULL : real_malloc(n);
}

void *calloc(size_t a, size_t b)
{
	if (!real_calloc) {
		resolve();
		if (!real_calloc)
			return b && a > (size_t)-1 / b ? NULL : bootstrap_alloc(a * b);   /* zeroed: static */
	}
	return should_fail(__builtin_return_address(0)) ? NULL : real_calloc(a, b);
}

void *realloc(void *p, size_t n)
{
	if (!real_realloc) {
		resolve();
		if (!real_realloc)
			return NULL;
	}
	return should_fail(__builtin_return_address(0)) ? NULL : real_realloc(p, n);
}

void free(void *p)
{
	if ((char *)p >= bootstrap && (char *)p < bootstrap + sizeof(bootstrap))
		return;
	if (!real_free) {
		resolve();
		if (!real_free)
			return;   /* only while resolving: a bootstrap block, or nothing */
	}
	real_free(p);
}
