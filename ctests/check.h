/* Small helpers shared by the C and C++ test programs. */
#ifndef INTERPROC_CTESTS_CHECK_H
#define INTERPROC_CTESTS_CHECK_H

/* The tests use POSIX calls (fork, kill, nanosleep) beyond strict ISO C. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <interproc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* Fails the program, printing the condition and the library's last error message. */
#define CHECK(cond)                                                                         \
    do {                                                                                    \
        if (!(cond)) {                                                                      \
            fprintf(stderr, "%s:%d: CHECK(%s) failed; last error: %s\n", __FILE__, __LINE__, \
                    #cond, interproc_last_error_message());                                 \
            exit(1);                                                                        \
        }                                                                                   \
    } while (0)

/* Checks that a call returns the expected status and, on failure, leaves a message. */
#define CHECK_STATUS(call, expected)                                                         \
    do {                                                                                     \
        interproc_status_t st_ = (call);                                                     \
        if (st_ != (interproc_status_t)(expected)) {                                         \
            fprintf(stderr, "%s:%d: %s returned %s (%u), expected %s; last error: %s\n",     \
                    __FILE__, __LINE__, #call, interproc_status_name(st_), (unsigned)st_,    \
                    interproc_status_name(expected), interproc_last_error_message());        \
            exit(1);                                                                         \
        }                                                                                    \
        if (st_ != INTERPROC_OK && interproc_last_error_message()[0] == '\0') {              \
            fprintf(stderr, "%s:%d: %s failed without a message\n", __FILE__, __LINE__, #call); \
            exit(1);                                                                         \
        }                                                                                    \
    } while (0)

/* A name unique to this process and tag. */
static inline void test_name(char *buf, size_t len, const char *tag) {
    snprintf(buf, len, "ipctest_%s_%ld", tag, (long)getpid());
}

/* Waits for `pid` at most `seconds`; kills it on timeout. Returns its exit code, or -1 if
 * it did not exit normally or timed out. */
static inline int wait_bounded(pid_t pid, int seconds) {
    struct timespec nap = {0, 5 * 1000 * 1000};
    long rounds = (long)seconds * 200;
    for (long i = 0; i < rounds; ++i) {
        int status = 0;
        pid_t r = waitpid(pid, &status, WNOHANG);
        if (r == pid) {
            return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
        }
        nanosleep(&nap, NULL);
    }
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
    fprintf(stderr, "child %ld timed out after %d s and was killed\n", (long)pid, seconds);
    return -1;
}

/* Sleeps until this process is killed (a child holding something for its parent to kill). */
__attribute__((noreturn)) static inline void wait_for_kill(void) {
    for (;;) {
        pause();
    }
}

/* Whether this run is a child's: `self child ROLE ARG`. */
static inline int is_child(int argc, char **argv) {
    return argc == 4 && strcmp(argv[1], "child") == 0;
}

/* Starts this program again as `self child ROLE ARG`, without waiting; the child's pid. */
static inline pid_t spawn_child(const char *self, const char *role, const char *arg) {
    pid_t pid = fork();
    if (pid == 0) {
        execl(self, self, "child", role, arg, (char *)NULL);
        _exit(127);
    }
    CHECK(pid > 0);
    return pid;
}

/* Runs this program again as `self child ROLE ARG` and waits for it (bounded). */
static inline int run_child(const char *self, const char *role, const char *arg) {
    return wait_bounded(spawn_child(self, role, arg), 30);
}

/* Opens the shared memory object `name` read-write (creating it, `size` bytes, if `create`)
 * and maps all of it: its address. */
static inline void *map_shm(const char *name, size_t size, int create, interproc_shm_t **shm,
                            interproc_region_t **region) {
    CHECK_STATUS(interproc_shm_open(create ? INTERPROC_CREATE_ONLY : INTERPROC_OPEN_ONLY, name, INTERPROC_READ_WRITE,
                                    INTERPROC_PERM_DEFAULT, shm),
                 INTERPROC_OK);
    if (create) {
        CHECK_STATUS(interproc_shm_truncate(*shm, size), INTERPROC_OK);
    }
    CHECK_STATUS(interproc_region_map_shm(*shm, INTERPROC_READ_WRITE, 0, 0, NULL, region), INTERPROC_OK);
    return interproc_region_get_address(*region);
}

#endif
