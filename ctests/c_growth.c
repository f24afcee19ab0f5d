/* Online growth through the C ABI: a segment created with a maximum grows on demand and on
 * request, keeps its base, refuses to pass its maximum; a child process that mapped it
 * before the growth reads and writes memory in the new tail with no call; a segment
 * without a maximum does not grow while mapped; a region grows in place with mremap. */
#include "check.h"
#include <string.h>

#define KIB ((size_t)1024)

static int child(const char *name) {
    interproc_managed_t *m = NULL;
    CHECK_STATUS(interproc_managed_shm_open(INTERPROC_OPEN_ONLY, name, 0, 0, &m), INTERPROC_OK);
    interproc_segment_manager_t *mgr = interproc_managed_segment_manager(m);
    size_t size = 0;
    CHECK_STATUS(interproc_segment_get_size(mgr, &size), INTERPROC_OK);
    CHECK(size == 64 * KIB);
    /* The parent publishes the handle of a block in the tail at this handle's place. */
    uint64_t *mailbox = NULL;
    size_t count = 0;
    CHECK_STATUS(interproc_segment_find(mgr, INTERPROC_NAMED_INSTANCE, "mailbox", 8, (void **)&mailbox, &count),
                 INTERPROC_OK);
    CHECK(mailbox != NULL && count == 2);
    __atomic_store_n(&mailbox[1], 1, __ATOMIC_RELEASE); /* ready */
    for (int i = 0; __atomic_load_n(&mailbox[0], __ATOMIC_ACQUIRE) == 0; ++i) {
        CHECK(i < 30000);
        usleep(1000);
    }
    /* Follow the offset into memory that did not exist when this process mapped it. */
    uint64_t off = __atomic_load_n(&mailbox[0], __ATOMIC_ACQUIRE);
    CHECK(off < 64 * KIB); /* the block starts in the first 64 KiB and runs far past them */
    unsigned char *tail = (unsigned char *)interproc_managed_address(m) + off;
    for (size_t k = 0; k < 256 * KIB; ++k) {
        CHECK(tail[k] == (unsigned char)(k * 7));
        tail[k] = (unsigned char)(k * 3);
    }
    __atomic_store_n(&mailbox[1], 2, __ATOMIC_RELEASE);
    interproc_managed_free(m);
    return 0;
}

static void grows_while_mapped(const char *self) {
    char name[64];
    test_name(name, sizeof name, "c_growth");
    interproc_shm_remove(name);
    interproc_managed_t *m = NULL;
    /* A maximum below the size is refused. */
    CHECK_STATUS(interproc_managed_shm_open_growable(INTERPROC_CREATE_ONLY, name, 64 * KIB, 4 * KIB,
                                                     INTERPROC_PERM_DEFAULT, &m),
                 INTERPROC_SIZE_ERROR);
    CHECK(m == NULL);
    CHECK_STATUS(interproc_managed_shm_open_growable(INTERPROC_CREATE_ONLY, name, 64 * KIB, 8 * 1024 * KIB,
                                                     INTERPROC_PERM_DEFAULT, &m),
                 INTERPROC_OK);
    interproc_segment_manager_t *mgr = interproc_managed_segment_manager(m);
    void *base = interproc_managed_address(m);
    size_t size = 0, max = 0;
    uint32_t generation = 7;
    CHECK_STATUS(interproc_segment_get_max_size(mgr, &max), INTERPROC_OK);
    CHECK_STATUS(interproc_segment_get_generation(mgr, &generation), INTERPROC_OK);
    CHECK(max == 8 * 1024 * KIB && generation == 0);

    uint64_t *mailbox = NULL;
    CHECK_STATUS(interproc_segment_construct(mgr, INTERPROC_NAMED_INSTANCE, "mailbox", 8, 8, 2, false, NULL, NULL,
                                             (void **)&mailbox, NULL),
                 INTERPROC_OK);
    mailbox[0] = 0;
    mailbox[1] = 0;
    pid_t pid = spawn_child(self, "tail", name);
    for (int i = 0; __atomic_load_n(&mailbox[1], __ATOMIC_ACQUIRE) == 0; ++i) {
        CHECK(i < 30000);
        usleep(1000);
    }

    /* Growth on demand: 256 KiB do not fit in 64. */
    unsigned char *p = NULL;
    CHECK_STATUS(interproc_segment_allocate(mgr, 256 * KIB, (void **)&p), INTERPROC_OK);
    CHECK_STATUS(interproc_segment_get_size(mgr, &size), INTERPROC_OK);
    CHECK_STATUS(interproc_segment_get_generation(mgr, &generation), INTERPROC_OK);
    CHECK(size > 256 * KIB && generation >= 1);
    CHECK(interproc_managed_address(m) == base);
    for (size_t k = 0; k < 256 * KIB; ++k) {
        p[k] = (unsigned char)(k * 7);
    }
    uint64_t off = 0;
    CHECK_STATUS(interproc_segment_handle_from_address(mgr, p, &off), INTERPROC_OK);
    __atomic_store_n(&mailbox[0], off, __ATOMIC_RELEASE);
    CHECK(wait_bounded(pid, 30) == 0);
    CHECK(mailbox[1] == 2);
    for (size_t k = 0; k < 256 * KIB; ++k) {
        CHECK(p[k] == (unsigned char)(k * 3));
    }

    /* On request, and through the segment handle; beyond the maximum nothing changes. */
    CHECK_STATUS(interproc_segment_get_size(mgr, &size), INTERPROC_OK);
    CHECK_STATUS(interproc_segment_grow(mgr, 64 * KIB), INTERPROC_OK);
    CHECK_STATUS(interproc_managed_grow(m, 64 * KIB), INTERPROC_OK);
    size_t grown = 0;
    CHECK_STATUS(interproc_segment_get_size(mgr, &grown), INTERPROC_OK);
    CHECK(grown == size + 128 * KIB);
    CHECK_STATUS(interproc_segment_grow(mgr, 16 * 1024 * KIB), INTERPROC_SIZE_ERROR);
    CHECK_STATUS(interproc_segment_get_size(mgr, &size), INTERPROC_OK);
    CHECK(size == grown);
    /* Filled to the maximum: out of memory, never a fault. */
    void *q = NULL;
    interproc_status_t st;
    while ((st = interproc_segment_allocate(mgr, 64 * KIB, &q)) == INTERPROC_OK) {
    }
    CHECK(st == INTERPROC_OUT_OF_MEMORY_ERROR);
    CHECK_STATUS(interproc_segment_get_size(mgr, &size), INTERPROC_OK);
    CHECK(size == 8 * 1024 * KIB);
    CHECK_STATUS(interproc_segment_check_sanity(mgr), INTERPROC_OK);
    interproc_managed_free(m);
    CHECK(interproc_shm_remove(name));
}

static void fixed_segments_do_not_grow_while_mapped(void) {
    char name[64];
    test_name(name, sizeof name, "c_growth_fixed");
    interproc_shm_remove(name);
    interproc_managed_t *m = NULL;
    CHECK_STATUS(interproc_managed_shm_open(INTERPROC_CREATE_ONLY, name, 64 * KIB, INTERPROC_PERM_DEFAULT, &m),
                 INTERPROC_OK);
    interproc_segment_manager_t *mgr = interproc_managed_segment_manager(m);
    size_t size = 0, max = 0;
    CHECK_STATUS(interproc_segment_get_size(mgr, &size), INTERPROC_OK);
    CHECK_STATUS(interproc_segment_get_max_size(mgr, &max), INTERPROC_OK);
    CHECK(size == max);
    CHECK_STATUS(interproc_segment_grow(mgr, 4096), INTERPROC_INVALID_ARGUMENT);
    CHECK_STATUS(interproc_managed_grow(m, 4096), INTERPROC_INVALID_ARGUMENT);
    CHECK_STATUS(interproc_segment_grow(NULL, 4096), INTERPROC_INVALID_ARGUMENT);
    interproc_managed_free(m);
    CHECK(interproc_shm_remove(name));
}

static void regions_grow_in_place(void) {
    char name[64];
    test_name(name, sizeof name, "c_growth_region");
    interproc_shm_remove(name);
    interproc_shm_t *shm = NULL;
    CHECK_STATUS(interproc_shm_open(INTERPROC_CREATE_ONLY, name, INTERPROC_READ_WRITE, INTERPROC_PERM_DEFAULT, &shm),
                 INTERPROC_OK);
    CHECK_STATUS(interproc_shm_truncate(shm, 4096), INTERPROC_OK);
    /* Room after the region: reserve a range, then give its tail back. */
    interproc_region_t *r = NULL;
    CHECK_STATUS(interproc_region_map_shm(shm, INTERPROC_READ_WRITE, 0, 4096, NULL, &r), INTERPROC_OK);
    unsigned char *a = interproc_region_get_address(r);
    a[0] = 9;
    /* Past the object's end: refused, nothing changes. */
    CHECK_STATUS(interproc_region_grow_by_shm(r, shm, 4096), INTERPROC_SIZE_ERROR);
    CHECK(interproc_region_get_size(r) == 4096);
    CHECK_STATUS(interproc_shm_truncate(shm, 3 * 4096), INTERPROC_OK);
    interproc_status_t st = interproc_region_grow_by_shm(r, shm, 2 * 4096);
    /* The addresses after the region may be taken (then nothing changes); usually free. */
    CHECK(st == INTERPROC_OK || st == INTERPROC_OUT_OF_MEMORY_ERROR);
    if (st == INTERPROC_OK) {
        CHECK(interproc_region_get_size(r) == 3 * 4096);
        CHECK(interproc_region_get_address(r) == a);
        a[3 * 4096 - 1] = 5;
        CHECK(a[0] == 9);
    } else {
        CHECK(interproc_region_get_size(r) == 4096);
    }
    CHECK_STATUS(interproc_region_grow_by_shm(NULL, shm, 1), INTERPROC_INVALID_ARGUMENT);
    interproc_region_free(r);
    interproc_shm_free(shm);
    CHECK(interproc_shm_remove(name));
}

int main(int argc, char **argv) {
    if (is_child(argc, argv)) {
        return child(argv[3]);
    }
    grows_while_mapped(argv[0]);
    fixed_segments_do_not_grow_while_mapped();
    regions_grow_in_place();
    puts("c_growth: ok");
    return 0;
}
