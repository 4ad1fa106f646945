/* LD_PRELOAD shim: RECON_FAIL_ALLOC=N makes the Nth allocation after
 * start-up return NULL (curl's torture mode does the same). With
 * RECON_COUNT_ALLOC=FILE, the number of allocations made is written there at
 * exit, so a test knows how many N to try. Counts every malloc, calloc and
 * realloc of the process, libraries included. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void *(*real_malloc)(size_t);
static void *(*real_calloc)(size_t, size_t);
static void *(*real_realloc)(void *, size_t);
static unsigned long count, fail_at;
static int active;
static const char *count_file;
/* dlsym may itself call calloc before real_calloc is known. */
static char bootstrap[4096];
static size_t bootstrap_used;

static int should_fail(void)
{
	if (!active)
		return 0;
	count++;
	if (fail_at && count == fail_at) {
		errno = ENOMEM;
		return 1;
	}
	return 0;
}

__attribute__((constructor)) static void init(void)
{
	const char *n = getenv("RECON_FAIL_ALLOC");
	real_malloc = dlsym(RTLD_NEXT, "malloc");
	real_calloc = dlsym(RTLD_NEXT, "calloc");
	real_realloc = dlsym(RTLD_NEXT, "realloc");
	fail_at = n ? strtoul(n, NULL, 10) : 0;
	count_file = getenv("RECON_COUNT_ALLOC");
	active = 1;
}

__attribute__((destructor)) static void fini(void)
{
	if (count_file) {
		active = 0;
		FILE *f = fopen(count_file, "w");
		if (f) {
			fprintf(f, "%lu\n", count);
			fclose(f);
		}
	}
}

void *malloc(size_t n)
{
	if (!real_malloc)
		real_malloc = dlsym(RTLD_NEXT, "malloc");
	return should_fail() ? NULL : real_malloc(n);
}

void *calloc(size_t a, size_t b)
{
	if (!real_calloc) {
		size_t n = a * b;
		void *p = bootstrap + bootstrap_used;
		if (bootstrap_used + n > sizeof(bootstrap))
			return NULL;
		bootstrap_used += (n + 15) & ~(size_t)15;
		return p;
	}
	return should_fail() ? NULL : real_calloc(a, b);
}

void *realloc(void *p, size_t n)
{
	if (!real_realloc)
		real_realloc = dlsym(RTLD_NEXT, "realloc");
	return should_fail() ? NULL : real_realloc(p, n);
}

void free(void *p)
{
	static void (*real_free)(void *);
	if ((char *)p >= bootstrap && (char *)p < bootstrap + sizeof(bootstrap))
		return;
	if (!real_free)
		real_free = dlsym(RTLD_NEXT, "free");
	real_free(p);
}
