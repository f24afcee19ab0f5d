/* Zero-copy messages through the C ABI: loans written in place and messages received in
 * place, mixed with copies in priority and FIFO order, full and empty queues, bad input,
 * and a child process killed while it holds a loan and a received message. */
#include "check.h"
#include <pthread.h>
#include <string.h>

/* What another thread got when it tried to finish this thread's loan and message. */
struct other_thread {
    interproc_mq_loan_t *loan;
    interproc_mq_received_t *msg;
    interproc_status_t send, discard, release;
};

static void *finish_elsewhere(void *arg) {
    struct other_thread *o = (struct other_thread *)arg;
    o->send = interproc_mq_loan_send(o->loan, 0);
    o->discard = interproc_mq_loan_discard(o->loan);
    o->release = interproc_mq_release(o->msg);
    return NULL;
}

/* Sends `text` (with its NUL) with `priority` through a loan. */
static void loan_send(interproc_mq_t *q, const char *text, uint32_t priority) {
    interproc_mq_loan_t *l = NULL;
    size_t n = strlen(text) + 1;
    CHECK_STATUS(interproc_mq_loan(q, n, &l), INTERPROC_OK);
    CHECK(l != NULL && interproc_mq_loan_size(l) == n);
    memcpy(interproc_mq_loan_data(l), text, n);
    CHECK_STATUS(interproc_mq_loan_send(l, priority), INTERPROC_OK);
}

/* Receives one message in place and checks its text and priority. */
static void expect_in_place(interproc_mq_t *q, const char *text, uint32_t priority) {
    interproc_mq_received_t *r = NULL;
    CHECK_STATUS(interproc_mq_receive_in_place(q, &r), INTERPROC_OK);
    CHECK(interproc_mq_received_size(r) == strlen(text) + 1);
    CHECK(strcmp((const char *)interproc_mq_received_data(r), text) == 0);
    CHECK(interproc_mq_received_priority(r) == priority);
    CHECK_STATUS(interproc_mq_release(r), INTERPROC_OK);
}

/* Receives one message by copy and checks it. */
static void expect_copy(interproc_mq_t *q, const char *text, uint32_t priority) {
    char buf[32];
    size_t n = 0;
    uint32_t p = 0;
    CHECK_STATUS(interproc_mq_receive(q, buf, sizeof buf, &n, &p), INTERPROC_OK);
    CHECK(n == strlen(text) + 1 && strcmp(buf, text) == 0 && p == priority);
}

/* The child: takes a loan and a message in place, says so, and waits to be killed. */
static int child(const char *name) {
    interproc_mq_t *q = NULL;
    CHECK_STATUS(interproc_mq_open(INTERPROC_OPEN_ONLY, name, 0, 0, 0, &q), INTERPROC_OK);
    interproc_mq_loan_t *l = NULL;
    CHECK_STATUS(interproc_mq_loan(q, 4, &l), INTERPROC_OK);
    memcpy(interproc_mq_loan_data(l), "die", 4);
    interproc_mq_received_t *r = NULL;
    CHECK_STATUS(interproc_mq_receive_in_place(q, &r), INTERPROC_OK);
    printf("holding\n");
    fflush(stdout);
    wait_for_kill();
}

int main(int argc, char **argv) {
    if (is_child(argc, argv)) {
        return child(argv[3]);
    }
    char name[64];
    test_name(name, sizeof name, "c_mq_loans");
    interproc_mq_remove(name);
    interproc_mq_t *q = NULL;
    CHECK_STATUS(interproc_mq_open(INTERPROC_CREATE_ONLY, name, 3, 32, INTERPROC_PERM_DEFAULT, &q), INTERPROC_OK);

    /* Loans and copies mix: priorities, then send order among equals. */
    interproc_mq_loan_t *early = NULL;
    CHECK_STATUS(interproc_mq_loan(q, 6, &early), INTERPROC_OK);
    memcpy(interproc_mq_loan_data(early), "early", 6);
    CHECK_STATUS(interproc_mq_send(q, "a", 2, 1), INTERPROC_OK);
    loan_send(q, "b", 2);
    CHECK_STATUS(interproc_mq_loan_send(early, 1), INTERPROC_OK);
    expect_copy(q, "b", 2);
    expect_in_place(q, "a", 1);
    expect_copy(q, "early", 1);

    /* Empty: try and timed receives in place find nothing. */
    interproc_mq_received_t *r = NULL;
    bool got = true;
    CHECK_STATUS(interproc_mq_try_receive_in_place(q, &r, &got), INTERPROC_OK);
    CHECK(!got && r == NULL);
    interproc_deadline_t soon = interproc_deadline_in(20000000);
    got = true;
    CHECK_STATUS(interproc_mq_timed_receive_in_place(q, &soon, &r, &got), INTERPROC_OK);
    CHECK(!got && r == NULL);

    /* The loan pool (as many slots as the queue) full: try and timed loans find none,
     * copies still go. */
    interproc_mq_loan_t *l1 = NULL, *l2 = NULL, *l3 = NULL, *l4 = NULL;
    bool loaned = false;
    CHECK_STATUS(interproc_mq_try_loan(q, 32, &l1, &loaned), INTERPROC_OK);
    CHECK(loaned && l1 != NULL);
    soon = interproc_deadline_in(1000000000);
    CHECK_STATUS(interproc_mq_timed_loan(q, 1, &soon, &l2, &loaned), INTERPROC_OK);
    CHECK(loaned && l2 != NULL);
    CHECK_STATUS(interproc_mq_loan(q, 1, &l3), INTERPROC_OK);
    CHECK_STATUS(interproc_mq_try_loan(q, 1, &l4, &loaned), INTERPROC_OK);
    CHECK(!loaned && l4 == NULL);
    soon = interproc_deadline_in(20000000);
    CHECK_STATUS(interproc_mq_timed_loan(q, 1, &soon, &l4, &loaned), INTERPROC_OK);
    CHECK(!loaned && l4 == NULL);
    bool sent = false;
    CHECK_STATUS(interproc_mq_try_send(q, "c", 2, 0, &sent), INTERPROC_OK);
    CHECK(sent);
    /* A discarded loan gives its slot back. */
    CHECK_STATUS(interproc_mq_loan_discard(l1), INTERPROC_OK);
    CHECK_STATUS(interproc_mq_try_loan(q, 1, &l4, &loaned), INTERPROC_OK);
    CHECK(loaned && l4 != NULL);
    CHECK_STATUS(interproc_mq_loan_discard(l4), INTERPROC_OK);
    CHECK_STATUS(interproc_mq_loan_discard(l3), INTERPROC_OK);
    CHECK_STATUS(interproc_mq_loan_discard(l2), INTERPROC_OK);
    CHECK_STATUS(interproc_mq_loan_discard(NULL), INTERPROC_OK);
    CHECK_STATUS(interproc_mq_release(NULL), INTERPROC_OK);
    expect_in_place(q, "c", 0);

    /* The queue full: a loan's try and timed sends keep the loan until there is room. */
    for (int i = 0; i < 3; ++i) {
        CHECK_STATUS(interproc_mq_try_send(q, "f", 2, 0, &sent), INTERPROC_OK);
        CHECK(sent);
    }
    CHECK_STATUS(interproc_mq_loan(q, 2, &l1), INTERPROC_OK);
    memcpy(interproc_mq_loan_data(l1), "w", 2);
    sent = true;
    CHECK_STATUS(interproc_mq_loan_try_send(l1, 0, &sent), INTERPROC_OK);
    CHECK(!sent && interproc_mq_loan_size(l1) == 2);
    soon = interproc_deadline_in(10000000);
    sent = true;
    CHECK_STATUS(interproc_mq_loan_timed_send(l1, 0, &soon, &sent), INTERPROC_OK);
    CHECK(!sent && interproc_mq_loan_size(l1) == 2);
    CHECK_STATUS(interproc_mq_loan_try_send(l1, 0, NULL), INTERPROC_INVALID_ARGUMENT);
    CHECK_STATUS(interproc_mq_loan_try_send(NULL, 0, &sent), INTERPROC_INVALID_ARGUMENT);
    for (int i = 0; i < 3; ++i) {
        expect_in_place(q, "f", 0);
        if (i == 0) {
            CHECK_STATUS(interproc_mq_loan_try_send(l1, 0, &sent), INTERPROC_OK);
            CHECK(sent);
        }
    }
    expect_in_place(q, "w", 0);

    /* Bad input: too large, NULL arguments; nothing changes. */
    CHECK_STATUS(interproc_mq_loan(q, 33, &l1), INTERPROC_SIZE_ERROR);
    CHECK_STATUS(interproc_mq_loan(NULL, 1, &l1), INTERPROC_INVALID_ARGUMENT);
    CHECK_STATUS(interproc_mq_loan(q, 1, NULL), INTERPROC_INVALID_ARGUMENT);
    CHECK_STATUS(interproc_mq_try_loan(q, 1, &l1, NULL), INTERPROC_INVALID_ARGUMENT);
    CHECK_STATUS(interproc_mq_receive_in_place(q, NULL), INTERPROC_INVALID_ARGUMENT);
    CHECK_STATUS(interproc_mq_timed_receive_in_place(q, NULL, &r, &got), INTERPROC_INVALID_ARGUMENT);
    CHECK_STATUS(interproc_mq_loan_send(NULL, 0), INTERPROC_INVALID_ARGUMENT);
    CHECK(interproc_mq_loan_data(NULL) == NULL && interproc_mq_loan_size(NULL) == 0);
    CHECK(interproc_mq_received_data(NULL) == NULL && interproc_mq_received_size(NULL) == 0);
    CHECK(interproc_mq_get_num_msg(q) == 0);

    /* Another thread cannot finish this thread's loan or message: refused, kept. */
    loan_send(q, "mine", 4);
    struct other_thread o = {NULL, NULL, INTERPROC_OK, INTERPROC_OK, INTERPROC_OK};
    CHECK_STATUS(interproc_mq_receive_in_place(q, &o.msg), INTERPROC_OK);
    CHECK_STATUS(interproc_mq_loan(q, 6, &o.loan), INTERPROC_OK);
    memcpy(interproc_mq_loan_data(o.loan), "later", 6);
    pthread_t t;
    CHECK(pthread_create(&t, NULL, finish_elsewhere, &o) == 0);
    CHECK(pthread_join(t, NULL) == 0);
    CHECK(o.send == INTERPROC_INVALID_ARGUMENT && o.discard == INTERPROC_INVALID_ARGUMENT &&
          o.release == INTERPROC_INVALID_ARGUMENT);
    CHECK(strcmp((const char *)interproc_mq_received_data(o.msg), "mine") == 0);
    CHECK_STATUS(interproc_mq_release(o.msg), INTERPROC_OK);
    CHECK_STATUS(interproc_mq_loan_send(o.loan, 0), INTERPROC_OK);
    expect_copy(q, "later", 0);

    /* A child killed holding a loan and a received message: both slots come back, and
     * only the message it held is lost. */
    loan_send(q, "held", 0);
    loan_send(q, "kept", 0);
    int pipefd[2];
    CHECK(pipe(pipefd) == 0);
    pid_t pid = fork();
    CHECK(pid >= 0);
    if (pid == 0) {
        dup2(pipefd[1], 1);
        execl(argv[0], argv[0], "child", "hold", name, (char *)NULL);
        _exit(127);
    }
    close(pipefd[1]);
    char line[16] = {0};
    CHECK(read(pipefd[0], line, sizeof line - 1) > 0 && strncmp(line, "holding", 7) == 0);
    close(pipefd[0]);
    kill(pid, SIGKILL);
    CHECK(wait_bounded(pid, 10) == -1);
    /* The dead child's two pool slots come back to loans (the third holds "kept"). */
    CHECK_STATUS(interproc_mq_try_loan(q, 1, &l1, &loaned), INTERPROC_OK);
    CHECK(loaned);
    CHECK_STATUS(interproc_mq_try_loan(q, 1, &l2, &loaned), INTERPROC_OK);
    CHECK(loaned);
    CHECK_STATUS(interproc_mq_try_loan(q, 1, &l3, &loaned), INTERPROC_OK);
    CHECK(!loaned);
    CHECK_STATUS(interproc_mq_loan_discard(l1), INTERPROC_OK);
    CHECK_STATUS(interproc_mq_loan_discard(l2), INTERPROC_OK);
    for (int i = 0; i < 2; ++i) {
        sent = false;
        CHECK_STATUS(interproc_mq_try_send(q, "new", 4, 0, &sent), INTERPROC_OK);
        CHECK(sent);
    }
    CHECK_STATUS(interproc_mq_try_send(q, "over", 5, 0, &sent), INTERPROC_OK);
    CHECK(!sent);
    expect_in_place(q, "kept", 0);
    expect_copy(q, "new", 0);
    expect_in_place(q, "new", 0);
    CHECK(interproc_mq_get_num_msg(q) == 0);

    interproc_mq_free(q);
    CHECK(interproc_mq_remove(name));
    printf("c_mq_loans ok\n");
    return 0;
}
