// LD_PRELOAD shim for scripts/bench-load --count-allocations: counts the heap allocations of the process it is
// loaded into (malloc, calloc, realloc, posix_memalign, aligned_alloc, memalign), and every 10 ms writes the count
// to the file named by USHER_MALLOC_COUNT_FILE, so the harness can divide a run's difference by its requests.
// Build: cc -O2 -shared -fPIC -o malloc-count.so malloc-count.c -lpthread
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void *__libc_memalign(size_t, size_t);

static atomic_ulong allocations;

void *malloc(size_t size) {
    atomic_fetch_add_explicit(&allocations, 1, memory_order_relaxed);
    return __libc_malloc(size);
}

void *calloc(size_t count, size_t size) {
    atomic_fetch_add_explicit(&allocations, 1, memory_order_relaxed);
    return __libc_calloc(count, size);
}

void *realloc(void *pointer, size_t size) {
    atomic_fetch_add_explicit(&allocations, 1, memory_order_relaxed);
    return __libc_realloc(pointer, size);
}

void *memalign(size_t alignment, size_t size) {
    atomic_fetch_add_explicit(&allocations, 1, memory_order_relaxed);
    return __libc_memalign(alignment, size);
}

void *aligned_alloc(size_t alignment, size_t size) { return memalign(alignment, size); }

int posix_memalign(void **result, size_t alignment, size_t size) {
    void *pointer = memalign(alignment, size);
    if (pointer == NULL) return 12;  // ENOMEM
    *result = pointer;
    return 0;
}

static void *report(void *path) {
    char temporary[4096];
    snprintf(temporary, sizeof temporary, "%s.tmp", (const char *)path);
    struct timespec interval = {0, 10 * 1000 * 1000};
    // open/write rather than stdio, so the reporting itself allocates nothing.
    for (;;) {
        char line[32];
        int length = snprintf(line, sizeof line, "%lu\n", atomic_load_explicit(&allocations, memory_order_relaxed));
        int file = open(temporary, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (file >= 0) {
            ssize_t written = write(file, line, (size_t)length);
            close(file);
            if (written == length) rename(temporary, (const char *)path);
        }
        nanosleep(&interval, NULL);
    }
    return NULL;
}

__attribute__((constructor)) static void start(void) {
    const char *path = getenv("USHER_MALLOC_COUNT_FILE");
    if (path == NULL) return;
    pthread_t thread;
    pthread_create(&thread, NULL, report, (void *)path);
    pthread_detach(thread);
}
