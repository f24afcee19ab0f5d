/* Two real processes (fork + exec) share a POSIX shared memory object. The parent fills
 * it; the child opens it read-only, checks every byte, and answers through a second
 * object it opens read-write. Every wait is bounded. */
#include "check.h"
#include <string.h>

enum { SIZE = 1 << 20 };

static unsigned char pattern(size_t i) { return (unsigned char)((i * 131u) ^ (i >> 8)); }

static int child(const char *role, const char *name) {
    if (strcmp(role, "verify") != 0) {
        return 2;
    }
    interproc_shm_t *shm = NULL;
    CHECK_STATUS(interproc_shm_open(INTERPROC_OPEN_ONLY, name, INTERPROC_READ_ONLY, 0, &shm), INTERPROC_OK);
    interproc_region_t *r = NULL;
    CHECK_STATUS(interproc_region_map_shm(shm, INTERPROC_READ_ONLY, 0, 0, NULL, &r), INTERPROC_OK);
    CHECK(interproc_region_get_size(r) == SIZE);
    const unsigned char *p = (const unsigned char *)interproc_region_get_address(r);
    size_t bad = 0;
    for (size_t i = 0; i < SIZE; ++i) {
        bad += p[i] != pattern(i);
    }
    char reply_name[128];
    snprintf(reply_name, sizeof reply_name, "%s_reply", name);
    interproc_shm_t *reply = NULL;
    CHECK_STATUS(interproc_shm_open(INTERPROC_OPEN_ONLY, reply_name, INTERPROC_READ_WRITE, 0, &reply), INTERPROC_OK);
    interproc_region_t *rr = NULL;
    CHECK_STATUS(interproc_region_map_shm(reply, INTERPROC_READ_WRITE, 0, 0, NULL, &rr), INTERPROC_OK);
    long *answer = (long *)interproc_region_get_address(rr);
    /* The library's process id is the child's own, not the parent's. */
    CHECK(interproc_current_process_id() == (uint32_t)getpid());
    answer[0] = (long)interproc_current_process_id();
    answer[1] = (long)bad;
    interproc_region_free(rr);
    interproc_shm_free(reply);
    interproc_region_free(r);
    interproc_shm_free(shm);
    return bad == 0 ? 0 : 1;
}

int main(int argc, char **argv) {
    if (is_child(argc, argv)) {
        return child(argv[2], argv[3]);
    }
    char name[64], reply_name[128];
    test_name(name, sizeof name, "c_mp");
    snprintf(reply_name, sizeof reply_name, "%s_reply", name);
    interproc_shm_remove(name);
    interproc_shm_remove(reply_name);
    CHECK(interproc_current_process_id() == (uint32_t)getpid());

    interproc_shm_t *shm = NULL, *reply = NULL;
    CHECK_STATUS(interproc_shm_open(INTERPROC_CREATE_ONLY, name, INTERPROC_READ_WRITE, INTERPROC_PERM_DEFAULT, &shm),
                 INTERPROC_OK);
    CHECK_STATUS(interproc_shm_truncate(shm, SIZE), INTERPROC_OK);
    CHECK_STATUS(interproc_shm_open(INTERPROC_CREATE_ONLY, reply_name, INTERPROC_READ_WRITE, INTERPROC_PERM_DEFAULT, &reply),
                 INTERPROC_OK);
    CHECK_STATUS(interproc_shm_truncate(reply, 4096), INTERPROC_OK);
    interproc_region_t *r = NULL, *rr = NULL;
    CHECK_STATUS(interproc_region_map_shm(shm, INTERPROC_READ_WRITE, 0, 0, NULL, &r), INTERPROC_OK);
    CHECK_STATUS(interproc_region_map_shm(reply, INTERPROC_READ_WRITE, 0, 0, NULL, &rr), INTERPROC_OK);
    unsigned char *p = (unsigned char *)interproc_region_get_address(r);
    for (size_t i = 0; i < SIZE; ++i) {
        p[i] = pattern(i);
    }
    const volatile long *answer = (const volatile long *)interproc_region_get_address(rr);

    for (int round = 0; round < 3; ++round) {
        int code = run_child(argv[0], "verify", name);
        CHECK(code == 0);
        CHECK(answer[0] != 0 && answer[0] != (long)getpid());
        CHECK(answer[1] == 0);
    }
    /* A corrupted byte is noticed by the child: the check can fail. */
    p[SIZE / 2] ^= 0xFF;
    CHECK(run_child(argv[0], "verify", name) == 1);
    CHECK(answer[1] == 1);

    interproc_region_free(rr);
    interproc_region_free(r);
    interproc_shm_free(reply);
    interproc_shm_free(shm);
    CHECK(interproc_shm_remove(name));
    CHECK(interproc_shm_remove(reply_name));
    printf("c_multiprocess: ok\n");
    return 0;
}
