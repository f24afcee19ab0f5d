/* The message queue through the C ABI: order, limits, errors, deadlines, and a child
 * process answering a parent (ping-pong) with exact counts. */
#include "check.h"
#include <string.h>

enum { ROUNDS = 2000 };

static int child(const char *name) {
    char reply[64];
    snprintf(reply, sizeof reply, "%s_reply", name);
    interproc_mq_t *in = NULL, *out = NULL;
    CHECK_STATUS(interproc_mq_open(INTERPROC_OPEN_ONLY, name, 0, 0, 0, &in), INTERPROC_OK);
    CHECK_STATUS(interproc_mq_open(INTERPROC_OPEN_ONLY, reply, 0, 0, 0, &out), INTERPROC_OK);
    long buf[8];
    for (int i = 0; i < ROUNDS; ++i) {
        size_t n = 0;
        uint32_t prio = 0;
        CHECK_STATUS(interproc_mq_receive(in, buf, sizeof buf, &n, &prio), INTERPROC_OK);
        CHECK(n == sizeof(long) && buf[0] == i);
        buf[0] = -buf[0];
        CHECK_STATUS(interproc_mq_send(out, buf, sizeof(long), prio), INTERPROC_OK);
    }
    interproc_mq_free(in);
    interproc_mq_free(out);
    return 0;
}

int main(int argc, char **argv) {
    if (is_child(argc, argv)) {
        return child(argv[3]);
    }
    char name[64], reply[80];
    test_name(name, sizeof name, "c_mq");
    snprintf(reply, sizeof reply, "%s_reply", name);
    interproc_mq_remove(name);
    interproc_mq_remove(reply);

    interproc_mq_t *q = NULL;
    CHECK_STATUS(interproc_mq_open(INTERPROC_CREATE_ONLY, name, 4, 64, INTERPROC_PERM_DEFAULT, &q), INTERPROC_OK);
    CHECK(interproc_mq_get_max_msg(q) == 4 && interproc_mq_get_max_msg_size(q) == 64 && interproc_mq_get_num_msg(q) == 0);

    /* Priorities, FIFO among equals. */
    CHECK_STATUS(interproc_mq_send(q, "low", 4, 1), INTERPROC_OK);
    CHECK_STATUS(interproc_mq_send(q, "high", 5, 7), INTERPROC_OK);
    CHECK_STATUS(interproc_mq_send(q, "low2", 5, 1), INTERPROC_OK);
    char buf[64];
    size_t n = 0;
    uint32_t prio = 0;
    CHECK_STATUS(interproc_mq_receive(q, buf, sizeof buf, &n, &prio), INTERPROC_OK);
    CHECK(strcmp(buf, "high") == 0 && prio == 7 && n == 5);
    CHECK_STATUS(interproc_mq_receive(q, buf, sizeof buf, &n, &prio), INTERPROC_OK);
    CHECK(strcmp(buf, "low") == 0 && prio == 1);
    CHECK_STATUS(interproc_mq_receive(q, buf, sizeof buf, &n, &prio), INTERPROC_OK);
    CHECK(strcmp(buf, "low2") == 0);

    /* Full and empty, try and timed. */
    bool ok = false;
    for (int i = 0; i < 4; ++i) {
        CHECK_STATUS(interproc_mq_try_send(q, &i, sizeof i, 0, &ok), INTERPROC_OK);
        CHECK(ok);
    }
    CHECK_STATUS(interproc_mq_try_send(q, "x", 1, 0, &ok), INTERPROC_OK);
    CHECK(!ok);
    interproc_deadline_t d;
    d = interproc_deadline_in(20000000);
    CHECK_STATUS(interproc_mq_timed_send(q, "x", 1, 0, &d, &ok), INTERPROC_OK);
    CHECK(!ok);
    for (int i = 0; i < 4; ++i) {
        CHECK_STATUS(interproc_mq_try_receive(q, buf, sizeof buf, &n, &prio, &ok), INTERPROC_OK);
        CHECK(ok && n == sizeof(int));
    }
    CHECK_STATUS(interproc_mq_try_receive(q, buf, sizeof buf, &n, &prio, &ok), INTERPROC_OK);
    CHECK(!ok);
    CHECK_STATUS(interproc_deadline_now(INTERPROC_CLOCK_REALTIME, &d), INTERPROC_OK);
    d.nsec += 20000000;
    if (d.nsec >= 1000000000) {
        d.sec += 1;
        d.nsec -= 1000000000;
    }
    CHECK_STATUS(interproc_mq_timed_receive(q, buf, sizeof buf, &n, &prio, &d, &ok), INTERPROC_OK);
    CHECK(!ok);

    /* Bad input: too large, buffer too small, NULLs, bad limits, duplicate, garbage. */
    char big[65] = {0};
    CHECK_STATUS(interproc_mq_send(q, big, sizeof big, 0), INTERPROC_SIZE_ERROR);
    CHECK_STATUS(interproc_mq_receive(q, buf, 63, &n, &prio), INTERPROC_SIZE_ERROR);
    CHECK_STATUS(interproc_mq_send(q, NULL, 3, 0), INTERPROC_INVALID_ARGUMENT);
    CHECK_STATUS(interproc_mq_send(NULL, "a", 1, 0), INTERPROC_INVALID_ARGUMENT);
    CHECK_STATUS(interproc_mq_timed_send(q, "a", 1, 0, NULL, &ok), INTERPROC_INVALID_ARGUMENT);
    CHECK(interproc_mq_get_num_msg(q) == 0);
    interproc_mq_t *bad = NULL;
    CHECK_STATUS(interproc_mq_open(INTERPROC_CREATE_ONLY, reply, 0, 16, INTERPROC_PERM_DEFAULT, &bad), INTERPROC_INVALID_ARGUMENT);
    CHECK_STATUS(interproc_mq_open(INTERPROC_CREATE_ONLY, reply, 16, 0, INTERPROC_PERM_DEFAULT, &bad), INTERPROC_INVALID_ARGUMENT);
    CHECK_STATUS(interproc_mq_open(INTERPROC_CREATE_ONLY, name, 4, 64, INTERPROC_PERM_DEFAULT, &bad), INTERPROC_ALREADY_EXISTS_ERROR);
    CHECK_STATUS(interproc_mq_open(INTERPROC_OPEN_ONLY, reply, 0, 0, 0, &bad), INTERPROC_NOT_FOUND_ERROR);
    CHECK(bad == NULL);

    /* Ping-pong with a child process: exact counts, both directions. */
    interproc_mq_t *r = NULL;
    CHECK_STATUS(interproc_mq_open(INTERPROC_CREATE_ONLY, reply, 1, 64, INTERPROC_PERM_DEFAULT, &r), INTERPROC_OK);
    pid_t pid = spawn_child(argv[0], "pong", name);
    for (long i = 0; i < ROUNDS; ++i) {
        CHECK_STATUS(interproc_mq_send(q, &i, sizeof i, (uint32_t)(i % 3)), INTERPROC_OK);
        d = interproc_deadline_in(10000000000LL);
        CHECK_STATUS(interproc_mq_timed_receive(r, buf, 63, &n, &prio, &d, &ok), INTERPROC_SIZE_ERROR);
        long big_back[8];
        CHECK_STATUS(interproc_mq_timed_receive(r, big_back, sizeof big_back, &n, &prio, &d, &ok), INTERPROC_OK);
        CHECK(ok && n == sizeof(long) && big_back[0] == -i && prio == (uint32_t)(i % 3));
    }
    CHECK(wait_bounded(pid, 60) == 0);
    interproc_mq_free(r);
    interproc_mq_free(q);
    CHECK(interproc_mq_remove(name));
    CHECK(interproc_mq_remove(reply));
    CHECK(!interproc_mq_remove(name));
    printf("c_mq: ok\n");
    return 0;
}
