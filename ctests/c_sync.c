/* Process-shared mutexes, conditions and semaphores from C, across real processes
 * (fork + exec): exact counters under contention, producer/consumer with a condition and
 * with semaphores, notify_all waking several processes, bounded timeouts, owner death by
 * SIGKILL for plain and recursive mutexes, and errors for uninitialised objects. */
#include "check.h"
#include <stdint.h>
#include <string.h>

enum { WORKERS = 4, INCREMENTS = 20000, ITEMS = 5000, SLOTS = 8, SLEEPERS = 3 };

struct shared {
    interproc_mutex_t mutex;
    interproc_recursive_mutex_t rmutex;
    interproc_condition_t not_empty;
    interproc_condition_t not_full;
    interproc_condition_t go;
    interproc_semaphore_t held;   /* a child says "I hold the lock" */
    interproc_semaphore_t free_slots;
    interproc_semaphore_t used_slots;
    long counter;
    long ring[SLOTS];
    long head, tail, count;
    long asleep;
    int go_flag;
};

static long elapsed_ms(const struct timespec *a) {
    struct timespec b;
    clock_gettime(CLOCK_MONOTONIC, &b);
    return (long)(b.tv_sec - a->tv_sec) * 1000 + (b.tv_nsec - a->tv_nsec) / 1000000;
}

static int child(const char *role, const char *name) {
    interproc_shm_t *shm = NULL;
    interproc_region_t *region = NULL;
    struct shared *s = map_shm(name, sizeof *s, 0, &shm, &region);
    if (strcmp(role, "count") == 0) {
        for (int i = 0; i < INCREMENTS; ++i) {
            CHECK_STATUS(interproc_mutex_lock(&s->mutex), INTERPROC_OK);
            s->counter++;
            CHECK_STATUS(interproc_mutex_unlock(&s->mutex), INTERPROC_OK);
        }
    } else if (strcmp(role, "rcount") == 0) {
        for (int i = 0; i < INCREMENTS; ++i) {
            CHECK_STATUS(interproc_recursive_mutex_lock(&s->rmutex), INTERPROC_OK);
            CHECK_STATUS(interproc_recursive_mutex_lock(&s->rmutex), INTERPROC_OK);
            s->counter++;
            CHECK_STATUS(interproc_recursive_mutex_unlock(&s->rmutex), INTERPROC_OK);
            CHECK_STATUS(interproc_recursive_mutex_unlock(&s->rmutex), INTERPROC_OK);
        }
    } else if (strcmp(role, "produce") == 0) {
        for (long i = 1; i <= ITEMS; ++i) {
            CHECK_STATUS(interproc_mutex_lock(&s->mutex), INTERPROC_OK);
            while (s->count == SLOTS) {
                CHECK_STATUS(interproc_condition_wait(&s->not_full, &s->mutex), INTERPROC_OK);
            }
            s->ring[s->tail] = i;
            s->tail = (s->tail + 1) % SLOTS;
            s->count++;
            CHECK_STATUS(interproc_mutex_unlock(&s->mutex), INTERPROC_OK);
            CHECK_STATUS(interproc_condition_notify_one(&s->not_empty), INTERPROC_OK);
        }
    } else if (strcmp(role, "sem_produce") == 0) {
        for (long i = 1; i <= ITEMS; ++i) {
            CHECK_STATUS(interproc_semaphore_wait(&s->free_slots), INTERPROC_OK);
            s->ring[s->tail] = i;
            s->tail = (s->tail + 1) % SLOTS;
            CHECK_STATUS(interproc_semaphore_post(&s->used_slots), INTERPROC_OK);
        }
    } else if (strcmp(role, "sem_waiter") == 0) {
        CHECK_STATUS(interproc_semaphore_wait(&s->used_slots), INTERPROC_OK);
    } else if (strcmp(role, "sleeper") == 0) {
        CHECK_STATUS(interproc_mutex_lock(&s->mutex), INTERPROC_OK);
        s->asleep++;
        while (!s->go_flag) {
            CHECK_STATUS(interproc_condition_wait(&s->go, &s->mutex), INTERPROC_OK);
        }
        CHECK_STATUS(interproc_mutex_unlock(&s->mutex), INTERPROC_OK);
    } else if (strcmp(role, "hold") == 0 || strcmp(role, "rhold") == 0 || strcmp(role, "hold_briefly") == 0) {
        if (role[0] == 'r') {
            CHECK_STATUS(interproc_recursive_mutex_lock(&s->rmutex), INTERPROC_OK);
            CHECK_STATUS(interproc_recursive_mutex_lock(&s->rmutex), INTERPROC_OK);
        } else {
            CHECK_STATUS(interproc_mutex_lock(&s->mutex), INTERPROC_OK);
        }
        CHECK_STATUS(interproc_semaphore_post(&s->held), INTERPROC_OK);
        if (strcmp(role, "hold_briefly") == 0) {
            struct timespec nap = {0, 300 * 1000 * 1000};
            nanosleep(&nap, NULL);
            CHECK_STATUS(interproc_mutex_unlock(&s->mutex), INTERPROC_OK);
            return 0;
        }
        wait_for_kill();
    } else {
        return 2;
    }
    interproc_region_free(region);
    interproc_shm_free(shm);
    return 0;
}

static void counters(const char *self, const char *name, struct shared *s, const char *role) {
    s->counter = 0;
    pid_t pids[WORKERS];
    for (int i = 0; i < WORKERS; ++i) {
        pids[i] = spawn_child(self, role, name);
    }
    for (int i = 0; i < WORKERS; ++i) {
        CHECK(wait_bounded(pids[i], 60) == 0);
    }
    CHECK(s->counter == (long)WORKERS * INCREMENTS);
}

static void producer_consumer_condition(const char *self, const char *name, struct shared *s) {
    s->head = s->tail = s->count = 0;
    pid_t pid = spawn_child(self, "produce", name);
    long sum = 0, expected = 1;
    for (long n = 0; n < ITEMS; ++n) {
        CHECK_STATUS(interproc_mutex_lock(&s->mutex), INTERPROC_OK);
        while (s->count == 0) {
            interproc_deadline_t d = interproc_deadline_in(10LL * 1000 * 1000 * 1000);
            interproc_status_t st = interproc_condition_timed_wait(&s->not_empty, &s->mutex, &d);
            CHECK(st == INTERPROC_OK); /* a 10 s stall means a lost wake-up */
        }
        long v = s->ring[s->head];
        CHECK(v == expected);
        expected++;
        sum += v;
        s->head = (s->head + 1) % SLOTS;
        s->count--;
        CHECK_STATUS(interproc_mutex_unlock(&s->mutex), INTERPROC_OK);
        CHECK_STATUS(interproc_condition_notify_one(&s->not_full), INTERPROC_OK);
    }
    CHECK(wait_bounded(pid, 60) == 0);
    CHECK(sum == (long)ITEMS * (ITEMS + 1) / 2);
}

static void producer_consumer_semaphores(const char *self, const char *name, struct shared *s) {
    s->head = s->tail = 0;
    CHECK_STATUS(interproc_semaphore_init(&s->free_slots, SLOTS), INTERPROC_OK);
    CHECK_STATUS(interproc_semaphore_init(&s->used_slots, 0), INTERPROC_OK);
    pid_t pid = spawn_child(self, "sem_produce", name);
    long sum = 0;
    for (long n = 1; n <= ITEMS; ++n) {
        interproc_deadline_t d = interproc_deadline_in(10LL * 1000 * 1000 * 1000);
        CHECK_STATUS(interproc_semaphore_timed_wait(&s->used_slots, &d), INTERPROC_OK);
        long v = s->ring[s->head];
        CHECK(v == n);
        sum += v;
        s->head = (s->head + 1) % SLOTS;
        CHECK_STATUS(interproc_semaphore_post(&s->free_slots), INTERPROC_OK);
    }
    CHECK(wait_bounded(pid, 60) == 0);
    CHECK(sum == (long)ITEMS * (ITEMS + 1) / 2);
    unsigned v = 99;
    CHECK_STATUS(interproc_semaphore_get_value(&s->free_slots, &v), INTERPROC_OK);
    CHECK(v == SLOTS);
}

static void notify_all_wakes_everyone(const char *self, const char *name, struct shared *s) {
    s->asleep = 0;
    s->go_flag = 0;
    pid_t pids[SLEEPERS];
    for (int i = 0; i < SLEEPERS; ++i) {
        pids[i] = spawn_child(self, "sleeper", name);
    }
    struct timespec start;
    clock_gettime(CLOCK_MONOTONIC, &start);
    for (;;) {
        CHECK_STATUS(interproc_mutex_lock(&s->mutex), INTERPROC_OK);
        long n = s->asleep;
        if (n == SLEEPERS) {
            s->go_flag = 1;
            CHECK_STATUS(interproc_mutex_unlock(&s->mutex), INTERPROC_OK);
            break;
        }
        CHECK_STATUS(interproc_mutex_unlock(&s->mutex), INTERPROC_OK);
        CHECK(elapsed_ms(&start) < 20000);
        struct timespec nap = {0, 1000 * 1000};
        nanosleep(&nap, NULL);
    }
    CHECK_STATUS(interproc_condition_notify_all(&s->go), INTERPROC_OK);
    for (int i = 0; i < SLEEPERS; ++i) {
        CHECK(wait_bounded(pids[i], 20) == 0);
    }
}

/* A waiter killed inside a condition wait and one killed inside a semaphore wait leave
 * nothing behind that blocks the others. */
static void killed_waiters_block_no_one(const char *self, const char *name, struct shared *s) {
    s->asleep = 0;
    s->go_flag = 0;
    pid_t pid = spawn_child(self, "sleeper", name);
    struct timespec start;
    clock_gettime(CLOCK_MONOTONIC, &start);
    for (;;) {
        CHECK_STATUS(interproc_mutex_lock(&s->mutex), INTERPROC_OK);
        long n = s->asleep;
        CHECK_STATUS(interproc_mutex_unlock(&s->mutex), INTERPROC_OK);
        if (n == 1) {
            break;
        }
        CHECK(elapsed_ms(&start) < 20000);
        struct timespec nap = {0, 1000 * 1000};
        nanosleep(&nap, NULL);
    }
    struct timespec nap = {0, 20 * 1000 * 1000}; /* let it reach the kernel sleep */
    nanosleep(&nap, NULL);
    CHECK(kill(pid, SIGKILL) == 0);
    CHECK(waitpid(pid, NULL, 0) == pid);
    /* The mutex was released by the wait, and the condition still works for others. */
    CHECK_STATUS(interproc_mutex_try_lock(&s->mutex), INTERPROC_OK);
    CHECK_STATUS(interproc_mutex_unlock(&s->mutex), INTERPROC_OK);
    notify_all_wakes_everyone(self, name, s);

    pid = spawn_child(self, "sem_waiter", name);
    nanosleep(&nap, NULL);
    CHECK(kill(pid, SIGKILL) == 0);
    CHECK(waitpid(pid, NULL, 0) == pid);
    CHECK_STATUS(interproc_semaphore_post(&s->used_slots), INTERPROC_OK);
    CHECK_STATUS(interproc_semaphore_try_wait(&s->used_slots), INTERPROC_OK);
}

static void wait_until_held(struct shared *s) {
    interproc_deadline_t d = interproc_deadline_in(20LL * 1000 * 1000 * 1000);
    CHECK_STATUS(interproc_semaphore_timed_wait(&s->held, &d), INTERPROC_OK);
}

static void owner_death(const char *self, const char *name, struct shared *s, int recursive) {
    pid_t pid = spawn_child(self, recursive ? "rhold" : "hold", name);
    wait_until_held(s);
    /* Held by a live process: try and timed lock fail. */
    if (recursive) {
        CHECK_STATUS(interproc_recursive_mutex_try_lock(&s->rmutex), INTERPROC_BUSY_ERROR);
    } else {
        CHECK_STATUS(interproc_mutex_try_lock(&s->mutex), INTERPROC_BUSY_ERROR);
    }
    CHECK(kill(pid, SIGKILL) == 0);
    CHECK(waitpid(pid, NULL, 0) == pid);
    if (recursive) {
        CHECK_STATUS(interproc_recursive_mutex_lock(&s->rmutex), INTERPROC_OWNER_DEAD_ERROR);
        CHECK(interproc_recursive_mutex_previous_owner_died(&s->rmutex));
        /* A recursive re-lock by the new holder keeps the news. */
        CHECK_STATUS(interproc_recursive_mutex_lock(&s->rmutex), INTERPROC_OK);
        CHECK(interproc_recursive_mutex_previous_owner_died(&s->rmutex));
        CHECK_STATUS(interproc_recursive_mutex_unlock(&s->rmutex), INTERPROC_OK);
        CHECK_STATUS(interproc_recursive_mutex_unlock(&s->rmutex), INTERPROC_OK);
        /* The dead owner's two levels of recursion did not carry over. */
        CHECK_STATUS(interproc_recursive_mutex_unlock(&s->rmutex), INTERPROC_LOCK_ERROR);
        /* It keeps working, and the news is not repeated. */
        CHECK_STATUS(interproc_recursive_mutex_lock(&s->rmutex), INTERPROC_OK);
        CHECK(!interproc_recursive_mutex_previous_owner_died(&s->rmutex));
        CHECK_STATUS(interproc_recursive_mutex_unlock(&s->rmutex), INTERPROC_OK);
    } else {
        CHECK_STATUS(interproc_mutex_lock(&s->mutex), INTERPROC_OWNER_DEAD_ERROR);
        CHECK(interproc_mutex_previous_owner_died(&s->mutex));
        CHECK_STATUS(interproc_mutex_unlock(&s->mutex), INTERPROC_OK);
        CHECK_STATUS(interproc_mutex_lock(&s->mutex), INTERPROC_OK);
        CHECK(!interproc_mutex_previous_owner_died(&s->mutex));
        CHECK_STATUS(interproc_mutex_unlock(&s->mutex), INTERPROC_OK);
    }
}

static void timeouts(const char *self, const char *name, struct shared *s) {
    pid_t pid = spawn_child(self, "hold_briefly", name);
    wait_until_held(s);
    struct timespec start;
    clock_gettime(CLOCK_MONOTONIC, &start);
    interproc_deadline_t d = interproc_deadline_in(50 * 1000 * 1000);
    CHECK_STATUS(interproc_mutex_timed_lock(&s->mutex, &d), INTERPROC_TIMEOUT_WHEN_LOCKING_ERROR);
    long ms = elapsed_ms(&start);
    CHECK(ms >= 45 && ms < 2000);
    /* A wall-clock deadline 5 s away: the holder lets go after 300 ms. */
    CHECK_STATUS(interproc_deadline_now(INTERPROC_CLOCK_REALTIME, &d), INTERPROC_OK);
    d.sec += 5;
    CHECK_STATUS(interproc_mutex_timed_lock(&s->mutex, &d), INTERPROC_OK);
    CHECK_STATUS(interproc_mutex_unlock(&s->mutex), INTERPROC_OK);
    CHECK(wait_bounded(pid, 20) == 0);

    /* Condition and semaphore timeouts, on both clocks. */
    CHECK_STATUS(interproc_mutex_lock(&s->mutex), INTERPROC_OK);
    clock_gettime(CLOCK_MONOTONIC, &start);
    CHECK_STATUS(interproc_deadline_now(INTERPROC_CLOCK_REALTIME, &d), INTERPROC_OK);
    d.nsec += 40 * 1000 * 1000;
    if (d.nsec >= 1000000000) {
        d.nsec -= 1000000000;
        d.sec += 1;
    }
    CHECK_STATUS(interproc_condition_timed_wait(&s->go, &s->mutex, &d), INTERPROC_TIMEOUT_WHEN_WAITING_ERROR);
    ms = elapsed_ms(&start);
    CHECK(ms >= 35 && ms < 2000);
    CHECK_STATUS(interproc_mutex_unlock(&s->mutex), INTERPROC_OK); /* held again after the timeout */
    interproc_semaphore_t sem;
    CHECK_STATUS(interproc_semaphore_init(&sem, 0), INTERPROC_OK);
    CHECK_STATUS(interproc_semaphore_try_wait(&sem), INTERPROC_BUSY_ERROR);
    clock_gettime(CLOCK_MONOTONIC, &start);
    d = interproc_deadline_in(30 * 1000 * 1000);
    CHECK_STATUS(interproc_semaphore_timed_wait(&sem, &d), INTERPROC_TIMEOUT_WHEN_WAITING_ERROR);
    ms = elapsed_ms(&start);
    CHECK(ms >= 25 && ms < 2000);
    CHECK_STATUS(interproc_semaphore_post(&sem), INTERPROC_OK);
    CHECK_STATUS(interproc_semaphore_try_wait(&sem), INTERPROC_OK);
    CHECK_STATUS(interproc_semaphore_destroy(&sem), INTERPROC_OK);
}

static void bad_input(void) {
    interproc_mutex_t m;
    memset(&m, 0, sizeof m);
    CHECK_STATUS(interproc_mutex_lock(&m), INTERPROC_INVALID_ARGUMENT);
    CHECK_STATUS(interproc_mutex_lock(NULL), INTERPROC_INVALID_ARGUMENT);
    CHECK_STATUS(interproc_mutex_init(&m), INTERPROC_OK);
    CHECK_STATUS(interproc_mutex_unlock(&m), INTERPROC_LOCK_ERROR); /* not held */
    interproc_deadline_t d = {INTERPROC_CLOCK_MONOTONIC, 0, 2000000000};
    CHECK_STATUS(interproc_mutex_timed_lock(&m, &d), INTERPROC_INVALID_ARGUMENT);
    d.clock = 42;
    d.nsec = 0;
    CHECK_STATUS(interproc_mutex_timed_lock(&m, &d), INTERPROC_INVALID_ARGUMENT);
    /* A deadline in the past still takes a free lock. */
    d.clock = INTERPROC_CLOCK_MONOTONIC;
    CHECK_STATUS(interproc_mutex_timed_lock(&m, &d), INTERPROC_OK);
    CHECK_STATUS(interproc_mutex_unlock(&m), INTERPROC_OK);
    CHECK_STATUS(interproc_mutex_destroy(&m), INTERPROC_OK);
    CHECK_STATUS(interproc_mutex_lock(&m), INTERPROC_INVALID_ARGUMENT);
    interproc_recursive_mutex_t *as_recursive = (interproc_recursive_mutex_t *)(void *)&m;
    CHECK_STATUS(interproc_mutex_init(&m), INTERPROC_OK);
    CHECK_STATUS(interproc_recursive_mutex_lock(as_recursive), INTERPROC_INVALID_ARGUMENT);
    CHECK_STATUS(interproc_semaphore_init(NULL, 0), INTERPROC_INVALID_ARGUMENT);
    interproc_semaphore_t sem;
    CHECK_STATUS(interproc_semaphore_init(&sem, 0x80000000u), INTERPROC_INVALID_ARGUMENT);
    CHECK(_Alignof(interproc_mutex_t) == 8 && sizeof(interproc_mutex_t) == 64);
    CHECK(sizeof(interproc_recursive_mutex_t) == 64);
    CHECK(sizeof(interproc_condition_t) == 32 && sizeof(interproc_semaphore_t) == 32);
}

int main(int argc, char **argv) {
    if (is_child(argc, argv)) {
        return child(argv[2], argv[3]);
    }
    char name[64];
    test_name(name, sizeof name, "c_sync");
    interproc_shm_remove(name);
    interproc_shm_t *shm = NULL;
    interproc_region_t *region = NULL;
    struct shared *s = map_shm(name, sizeof *s, 1, &shm, &region);
    CHECK_STATUS(interproc_mutex_init(&s->mutex), INTERPROC_OK);
    CHECK_STATUS(interproc_recursive_mutex_init(&s->rmutex), INTERPROC_OK);
    CHECK_STATUS(interproc_condition_init(&s->not_empty), INTERPROC_OK);
    CHECK_STATUS(interproc_condition_init(&s->not_full), INTERPROC_OK);
    CHECK_STATUS(interproc_condition_init(&s->go), INTERPROC_OK);
    CHECK_STATUS(interproc_semaphore_init(&s->held, 0), INTERPROC_OK);

    bad_input();
    counters(argv[0], name, s, "count");
    counters(argv[0], name, s, "rcount");
    producer_consumer_condition(argv[0], name, s);
    producer_consumer_semaphores(argv[0], name, s);
    notify_all_wakes_everyone(argv[0], name, s);
    killed_waiters_block_no_one(argv[0], name, s);
    owner_death(argv[0], name, s, 0);
    owner_death(argv[0], name, s, 1);
    timeouts(argv[0], name, s);

    interproc_region_free(region);
    interproc_shm_free(shm);
    CHECK(interproc_shm_remove(name));
    printf("c_sync: ok\n");
    return 0;
}
