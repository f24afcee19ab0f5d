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

/* Runs this program again as `self child <args...>` and waits for it (bounded). */
static inline int run_child(const char *self, const char *role, const char *arg) {
    pid_t pid = fork();
    if (pid == 0) {
        execl(self, self, "child", role, arg, (char *)NULL);
        _exit(127);
    }
    if (pid < 0) {
        return -1;
    }
    return wait_bounded(pid, 30);
}

#endif
