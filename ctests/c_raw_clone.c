/* A process made by a raw clone(SIGCHLD) system call, which skips glibc's atfork handlers
 * (as some runtimes and sandboxes fork), is its own lock owner through the shared library
 * too: its parent cannot enter a recursive mutex the clone holds, and when the clone dies
 * holding locks, the next locker gets each with INTERPROC_OWNER_DEAD_ERROR. */
#include "check.h"
#include <stdatomic.h>
#include <sys/mman.h>
#include <sys/syscall.h>

struct shared {
    interproc_recursive_mutex_t rmutex;
    interproc_mutex_t mutex;
    atomic_int step;
};

/* Waits at most about ten seconds for `s->step` to read `want`; whether it did. */
static int wait_step(struct shared *s, int want) {
    for (int i = 0; i < 10000; ++i) {
        if (atomic_load(&s->step) == want) {
            return 1;
        }
        struct timespec ms = {0, 1000000};
        nanosleep(&ms, NULL);
    }
    return 0;
}

int main(void) {
    struct shared *s = mmap(NULL, sizeof *s, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    CHECK(s != MAP_FAILED);
    CHECK_STATUS(interproc_recursive_mutex_init(&s->rmutex), INTERPROC_OK);
    CHECK_STATUS(interproc_mutex_init(&s->mutex), INTERPROC_OK);
    atomic_init(&s->step, 0);
    /* The parent locks first, so its identity is known before the clone. */
    for (int i = 0; i < 3; ++i) {
        CHECK_STATUS(interproc_recursive_mutex_lock(&s->rmutex), INTERPROC_OK);
        CHECK_STATUS(interproc_recursive_mutex_unlock(&s->rmutex), INTERPROC_OK);
        CHECK_STATUS(interproc_mutex_lock(&s->mutex), INTERPROC_OK);
        CHECK_STATUS(interproc_mutex_unlock(&s->mutex), INTERPROC_OK);
    }
    long pid = syscall(SYS_clone, (long)SIGCHLD, 0L, 0L, 0L, 0L);
    CHECK(pid >= 0);
    if (pid == 0) {
        /* The clone: take both, say so, wait for the parent's word, die holding them. */
        if (interproc_recursive_mutex_lock(&s->rmutex) != INTERPROC_OK || interproc_mutex_lock(&s->mutex) != INTERPROC_OK) {
            _exit(2);
        }
        atomic_store(&s->step, 1);
        _exit(wait_step(s, 2) ? 0 : 3);
    }
    CHECK(wait_step(s, 1));
    CHECK_STATUS(interproc_recursive_mutex_try_lock(&s->rmutex), INTERPROC_BUSY_ERROR);
    CHECK_STATUS(interproc_mutex_try_lock(&s->mutex), INTERPROC_BUSY_ERROR);
    atomic_store(&s->step, 2);
    int status = 0;
    CHECK(waitpid((pid_t)pid, &status, 0) == (pid_t)pid);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    interproc_deadline_t deadline = interproc_deadline_in(5000000000LL);
    CHECK_STATUS(interproc_mutex_timed_lock(&s->mutex, &deadline), INTERPROC_OWNER_DEAD_ERROR);
    CHECK_STATUS(interproc_recursive_mutex_timed_lock(&s->rmutex, &deadline), INTERPROC_OWNER_DEAD_ERROR);
    printf("raw clone: own owner, owner death seen\n");
    return 0;
}
