/* Readers-writer locks from C across real processes (fork + exec): readers overlap,
 * writers are exclusive (exact totals, no reader ever sees a writer inside), a killed
 * exclusive, upgradable or sharable owner never wedges the others, and named objects give
 * the right create/open errors. */
#include "check.h"
#include <stdint.h>
#include <string.h>

enum { WORKERS = 4, ROUNDS = 4000 };

struct shared {
    interproc_upgradable_mutex_t rw;
    interproc_semaphore_t held;
    long counter;
    volatile int writer_inside;
    long violations;
};

static int child(const char *role, const char *name) {
    interproc_shm_t *shm = NULL;
    interproc_region_t *region = NULL;
    struct shared *s = map_shm(name, sizeof *s, 0, &shm, &region);
    if (strcmp(role, "mix") == 0) {
        for (int i = 0; i < ROUNDS; ++i) {
            if (i % 4 == 0) {
                CHECK_STATUS(interproc_upgradable_mutex_lock(&s->rw), INTERPROC_OK);
                s->writer_inside = 1;
                s->counter++;
                s->writer_inside = 0;
                CHECK_STATUS(interproc_upgradable_mutex_unlock(&s->rw), INTERPROC_OK);
            } else if (i % 4 == 1) {
                CHECK_STATUS(interproc_upgradable_mutex_lock_upgradable(&s->rw), INTERPROC_OK);
                CHECK_STATUS(interproc_upgradable_mutex_unlock_upgradable_and_lock(&s->rw), INTERPROC_OK);
                s->writer_inside = 1;
                s->counter++;
                s->writer_inside = 0;
                CHECK_STATUS(interproc_upgradable_mutex_unlock_and_lock_sharable(&s->rw), INTERPROC_OK);
                CHECK_STATUS(interproc_upgradable_mutex_unlock_sharable(&s->rw), INTERPROC_OK);
            } else {
                CHECK_STATUS(interproc_upgradable_mutex_lock_sharable(&s->rw), INTERPROC_OK);
                if (s->writer_inside) {
                    __atomic_fetch_add(&s->violations, 1, __ATOMIC_RELAXED);
                }
                CHECK_STATUS(interproc_upgradable_mutex_unlock_sharable(&s->rw), INTERPROC_OK);
            }
        }
    } else if (strcmp(role, "reader_check") == 0) {
        /* The parent holds a sharable lock: readers overlap, a writer cannot enter. */
        CHECK_STATUS(interproc_upgradable_mutex_try_lock_sharable(&s->rw), INTERPROC_OK);
        CHECK_STATUS(interproc_upgradable_mutex_try_lock(&s->rw), INTERPROC_BUSY_ERROR);
        CHECK_STATUS(interproc_upgradable_mutex_try_lock_upgradable(&s->rw), INTERPROC_OK);
        CHECK_STATUS(interproc_upgradable_mutex_try_unlock_upgradable_and_lock(&s->rw), INTERPROC_BUSY_ERROR);
        CHECK_STATUS(interproc_upgradable_mutex_unlock_upgradable(&s->rw), INTERPROC_OK);
        CHECK_STATUS(interproc_upgradable_mutex_unlock_sharable(&s->rw), INTERPROC_OK);
    } else {
        if (strcmp(role, "hold_exclusive") == 0) {
            CHECK_STATUS(interproc_upgradable_mutex_lock(&s->rw), INTERPROC_OK);
        } else if (strcmp(role, "hold_upgradable") == 0) {
            CHECK_STATUS(interproc_upgradable_mutex_lock_upgradable(&s->rw), INTERPROC_OK);
        } else if (strcmp(role, "hold_sharable") == 0) {
            CHECK_STATUS(interproc_upgradable_mutex_lock_sharable(&s->rw), INTERPROC_OK);
        } else {
            return 2;
        }
        CHECK_STATUS(interproc_semaphore_post(&s->held), INTERPROC_OK);
        wait_for_kill();
    }
    interproc_region_free(region);
    interproc_shm_free(shm);
    return 0;
}

static void kill_holder(const char *self, const char *role, const char *name, struct shared *s) {
    pid_t pid = spawn_child(self, role, name);
    interproc_deadline_t d = interproc_deadline_in(20LL * 1000 * 1000 * 1000);
    CHECK_STATUS(interproc_semaphore_timed_wait(&s->held, &d), INTERPROC_OK);
    CHECK(kill(pid, SIGKILL) == 0);
    CHECK(waitpid(pid, NULL, 0) == pid);
}

int main(int argc, char **argv) {
    if (is_child(argc, argv)) {
        return child(argv[2], argv[3]);
    }
    char name[64];
    test_name(name, sizeof name, "c_sync_rw");
    interproc_shm_remove(name);
    interproc_shm_t *shm = NULL;
    interproc_region_t *region = NULL;
    struct shared *s = map_shm(name, sizeof *s, 1, &shm, &region);
    CHECK_STATUS(interproc_upgradable_mutex_init(&s->rw), INTERPROC_OK);
    CHECK_STATUS(interproc_semaphore_init(&s->held, 0), INTERPROC_OK);
    CHECK(sizeof(interproc_upgradable_mutex_t) == 1152);

    /* Writers exclusive, readers never see one inside, exact total. */
    pid_t pids[WORKERS];
    for (int i = 0; i < WORKERS; ++i) {
        pids[i] = spawn_child(argv[0], "mix", name);
    }
    for (int i = 0; i < WORKERS; ++i) {
        CHECK(wait_bounded(pids[i], 60) == 0);
    }
    CHECK(s->counter == (long)WORKERS * ROUNDS / 2);
    CHECK(s->violations == 0);

    /* Readers overlap across processes. */
    CHECK_STATUS(interproc_upgradable_mutex_lock_sharable(&s->rw), INTERPROC_OK);
    CHECK(wait_bounded(spawn_child(argv[0], "reader_check", name), 20) == 0);
    CHECK_STATUS(interproc_upgradable_mutex_unlock_sharable(&s->rw), INTERPROC_OK);

    /* A dead exclusive owner: a reader recovers it, and the next writer is told too. */
    kill_holder(argv[0], "hold_exclusive", name, s);
    interproc_deadline_t d = interproc_deadline_in(5LL * 1000 * 1000 * 1000);
    CHECK_STATUS(interproc_upgradable_mutex_timed_lock_sharable(&s->rw, &d), INTERPROC_OWNER_DEAD_ERROR);
    CHECK_STATUS(interproc_upgradable_mutex_unlock_sharable(&s->rw), INTERPROC_OK);
    CHECK_STATUS(interproc_upgradable_mutex_lock(&s->rw), INTERPROC_OWNER_DEAD_ERROR);
    CHECK(interproc_upgradable_mutex_previous_owner_died(&s->rw));
    CHECK_STATUS(interproc_upgradable_mutex_unlock(&s->rw), INTERPROC_OK);
    CHECK_STATUS(interproc_upgradable_mutex_lock(&s->rw), INTERPROC_OK);
    CHECK(!interproc_upgradable_mutex_previous_owner_died(&s->rw));
    CHECK_STATUS(interproc_upgradable_mutex_unlock(&s->rw), INTERPROC_OK);

    /* A dead exclusive owner found by a writer directly. */
    kill_holder(argv[0], "hold_exclusive", name, s);
    CHECK_STATUS(interproc_upgradable_mutex_lock(&s->rw), INTERPROC_OWNER_DEAD_ERROR);
    CHECK_STATUS(interproc_upgradable_mutex_unlock(&s->rw), INTERPROC_OK);

    /* A dead upgradable owner. */
    kill_holder(argv[0], "hold_upgradable", name, s);
    CHECK_STATUS(interproc_upgradable_mutex_try_lock_sharable(&s->rw), INTERPROC_OK); /* readers were never shut out */
    CHECK_STATUS(interproc_upgradable_mutex_unlock_sharable(&s->rw), INTERPROC_OK);
    CHECK_STATUS(interproc_upgradable_mutex_lock_upgradable(&s->rw), INTERPROC_OWNER_DEAD_ERROR);
    CHECK_STATUS(interproc_upgradable_mutex_unlock_upgradable(&s->rw), INTERPROC_OK);

    /* A dead reader is reclaimed when a writer waits for it. */
    kill_holder(argv[0], "hold_sharable", name, s);
    struct timespec start, end;
    clock_gettime(CLOCK_MONOTONIC, &start);
    d = interproc_deadline_in(5LL * 1000 * 1000 * 1000);
    CHECK_STATUS(interproc_upgradable_mutex_timed_lock(&s->rw, &d), INTERPROC_OK);
    clock_gettime(CLOCK_MONOTONIC, &end);
    CHECK(end.tv_sec - start.tv_sec < 3);
    CHECK_STATUS(interproc_upgradable_mutex_unlock(&s->rw), INTERPROC_OK);

    /* Timeouts: a live reader keeps a writer out until the deadline. */
    CHECK_STATUS(interproc_upgradable_mutex_lock_sharable(&s->rw), INTERPROC_OK);
    CHECK_STATUS(interproc_upgradable_mutex_lock_upgradable(&s->rw), INTERPROC_OK);
    d = interproc_deadline_in(30 * 1000 * 1000);
    CHECK_STATUS(interproc_upgradable_mutex_timed_unlock_upgradable_and_lock(&s->rw, &d),
                 INTERPROC_TIMEOUT_WHEN_LOCKING_ERROR);
    CHECK_STATUS(interproc_upgradable_mutex_unlock_upgradable(&s->rw), INTERPROC_OK);
    CHECK_STATUS(interproc_upgradable_mutex_unlock_sharable(&s->rw), INTERPROC_OK);
    CHECK_STATUS(interproc_upgradable_mutex_unlock_sharable(&s->rw), INTERPROC_LOCK_ERROR);

    /* Named: errors, kinds, and the object works. */
    char nname[80];
    snprintf(nname, sizeof nname, "%s_named", name);
    interproc_named_upgradable_mutex_remove(nname);
    interproc_named_upgradable_mutex_t *nu = NULL;
    interproc_named_sharable_mutex_t *ns = NULL;
    CHECK_STATUS(interproc_named_upgradable_mutex_open(INTERPROC_OPEN_ONLY, nname, 0, &nu), INTERPROC_NOT_FOUND_ERROR);
    CHECK(nu == NULL);
    CHECK_STATUS(interproc_named_upgradable_mutex_open(INTERPROC_CREATE_ONLY, nname, INTERPROC_PERM_DEFAULT, &nu),
                 INTERPROC_OK);
    CHECK_STATUS(interproc_named_upgradable_mutex_open(INTERPROC_CREATE_ONLY, nname, INTERPROC_PERM_DEFAULT, &nu),
                 INTERPROC_ALREADY_EXISTS_ERROR);
    CHECK_STATUS(interproc_named_sharable_mutex_open(INTERPROC_OPEN_ONLY, nname, 0, &ns), INTERPROC_CORRUPTED_ERROR);
    interproc_upgradable_mutex_t *m = interproc_named_upgradable_mutex_get(nu);
    CHECK_STATUS(interproc_upgradable_mutex_lock_sharable(m), INTERPROC_OK);
    CHECK_STATUS(interproc_upgradable_mutex_try_unlock_sharable_and_lock(m), INTERPROC_OK);
    CHECK_STATUS(interproc_upgradable_mutex_unlock(m), INTERPROC_OK);
    interproc_named_upgradable_mutex_free(nu);
    CHECK(interproc_named_upgradable_mutex_remove(nname));

    /* file_lock: two handles exclude each other like two processes. */
    char fname[80];
    snprintf(fname, sizeof fname, "%s_file", name);
    FILE *f = fopen(fname, "w");
    CHECK(f != NULL);
    fclose(f);
    interproc_file_lock_t *fa = NULL, *fb = NULL;
    CHECK_STATUS(interproc_file_lock_open(fname, &fa), INTERPROC_OK);
    CHECK_STATUS(interproc_file_lock_open(fname, &fb), INTERPROC_OK);
    CHECK_STATUS(interproc_file_lock_lock(fa), INTERPROC_OK);
    CHECK_STATUS(interproc_file_lock_try_lock_sharable(fb), INTERPROC_BUSY_ERROR);
    d = interproc_deadline_in(20 * 1000 * 1000);
    CHECK_STATUS(interproc_file_lock_timed_lock(fb, &d), INTERPROC_TIMEOUT_WHEN_LOCKING_ERROR);
    CHECK_STATUS(interproc_file_lock_unlock(fa), INTERPROC_OK);
    CHECK_STATUS(interproc_file_lock_lock_sharable(fa), INTERPROC_OK);
    CHECK_STATUS(interproc_file_lock_try_lock_sharable(fb), INTERPROC_OK);
    CHECK_STATUS(interproc_file_lock_unlock_sharable(fb), INTERPROC_OK);
    interproc_file_lock_free(fa); /* closing releases */
    CHECK_STATUS(interproc_file_lock_try_lock(fb), INTERPROC_OK);
    interproc_file_lock_free(fb);
    interproc_file_lock_free(NULL);
    CHECK(remove(fname) == 0);
    CHECK_STATUS(interproc_file_lock_open(fname, &fa), INTERPROC_NOT_FOUND_ERROR);

    interproc_region_free(region);
    interproc_shm_free(shm);
    CHECK(interproc_shm_remove(name));
    printf("c_sync_rw: ok\n");
    return 0;
}
