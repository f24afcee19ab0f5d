/* Managed segments through the C ABI: allocation, named/unique/anonymous objects,
 * handles, iteration, read-only opening, bad input, and real processes racing on
 * open_or_create and find_or_construct, and dying while holding the segment lock. */
#include "check.h"
#include <string.h>

typedef struct {
    int built;
    double values[4];
} record_t;

static int32_t init_records(void *ctx, void *object, size_t count) {
    record_t *r = (record_t *)object;
    for (size_t i = 0; i < count; ++i) {
        r[i].built = 1;
        for (int k = 0; k < 4; ++k) {
            r[i].values[k] = (double)(i * 10 + (size_t)k);
        }
    }
    if (ctx) {
        ++*(int *)ctx;
    }
    return 0;
}

static int32_t init_fails(void *ctx, void *object, size_t count) {
    (void)ctx;
    (void)object;
    (void)count;
    return 7;
}

static void count_destroy(void *ctx, void *object, size_t count) {
    (void)object;
    *(size_t *)ctx += count;
}

static void basics(void) {
    char name[64];
    test_name(name, sizeof name, "c_mng");
    interproc_shm_remove(name);
    interproc_managed_t *seg = NULL;
    CHECK_STATUS(interproc_managed_shm_open(INTERPROC_CREATE_ONLY, name, 1 << 20, INTERPROC_PERM_DEFAULT, &seg), INTERPROC_OK);
    CHECK(interproc_managed_created(seg));
    interproc_segment_manager_t *m = interproc_managed_segment_manager(seg);
    CHECK(m != NULL && (void *)m == interproc_managed_address(seg));

    size_t size = 0, free0 = 0, free1 = 0;
    CHECK_STATUS(interproc_segment_get_size(m, &size), INTERPROC_OK);
    CHECK(size == 1 << 20);
    CHECK_STATUS(interproc_segment_get_free_memory(m, &free0), INTERPROC_OK);
    CHECK(free0 > size - 4096 && free0 < size);

    void *p = NULL;
    CHECK_STATUS(interproc_segment_allocate(m, 1000, &p), INTERPROC_OK);
    CHECK(((uintptr_t)p & 15) == 0);
    memset(p, 0xAB, 1000);
    CHECK_STATUS(interproc_segment_get_free_memory(m, &free1), INTERPROC_OK);
    CHECK(free1 < free0);
    uint64_t handle = 0;
    CHECK_STATUS(interproc_segment_handle_from_address(m, p, &handle), INTERPROC_OK);
    void *back = NULL;
    CHECK_STATUS(interproc_segment_address_from_handle(m, handle, &back), INTERPROC_OK);
    CHECK(back == p);
    CHECK(interproc_segment_belongs_to_segment(m, p));
    CHECK(!interproc_segment_belongs_to_segment(m, &handle));
    /* Grown in place into the free memory after it: same address, same bytes. */
    size_t grown = 0;
    CHECK_STATUS(interproc_segment_expand_in_place(m, p, 3000, 5000, &grown), INTERPROC_OK);
    CHECK(grown >= 5000 && ((unsigned char *)p)[999] == 0xAB);
    memset(p, 0xCD, grown);
    /* A neighbour in the way: it cannot grow, and says so by its size. */
    void *q = NULL;
    CHECK_STATUS(interproc_segment_allocate(m, 16, &q), INTERPROC_OK);
    size_t same = 0;
    CHECK_STATUS(interproc_segment_expand_in_place(m, p, grown + 100, grown + 100, &same), INTERPROC_OK);
    CHECK(same == grown);
    CHECK_STATUS(interproc_segment_expand_in_place(m, &handle, 10, 10, &same), INTERPROC_INVALID_ARGUMENT);
    CHECK_STATUS(interproc_segment_expand_in_place(m, p, 10, 10, NULL), INTERPROC_INVALID_ARGUMENT);
    CHECK_STATUS(interproc_segment_deallocate(m, q), INTERPROC_OK);
    CHECK_STATUS(interproc_segment_deallocate(m, p), INTERPROC_OK);
    CHECK_STATUS(interproc_segment_get_free_memory(m, &free1), INTERPROC_OK);
    CHECK(free1 == free0);
    CHECK_STATUS(interproc_segment_allocate_aligned(m, 10, 4096, &p), INTERPROC_OK);
    CHECK(((uintptr_t)p & 4095) == 0);
    CHECK_STATUS(interproc_segment_deallocate(m, p), INTERPROC_OK);

    /* Named array with an initialiser, unique object, anonymous object (zeroed). */
    int inits = 0;
    void *obj = NULL;
    bool created = false;
    CHECK_STATUS(interproc_segment_construct(m, INTERPROC_NAMED_INSTANCE, "records", sizeof(record_t), _Alignof(record_t), 5,
                                             false, init_records, &inits, &obj, &created),
                 INTERPROC_OK);
    CHECK(created && inits == 1);
    record_t *rec = (record_t *)obj;
    CHECK(rec[4].built == 1 && rec[4].values[3] == 43.0);
    void *again = NULL;
    CHECK_STATUS(interproc_segment_construct(m, INTERPROC_NAMED_INSTANCE, "records", sizeof(record_t), _Alignof(record_t), 5,
                                             true, init_records, &inits, &again, &created),
                 INTERPROC_OK);
    CHECK(!created && again == obj && inits == 1);
    void *uni = NULL, *anon = NULL;
    CHECK_STATUS(interproc_segment_construct(m, INTERPROC_UNIQUE_INSTANCE, "record_t", sizeof(record_t), 8, 1, false, NULL,
                                             NULL, &uni, NULL),
                 INTERPROC_OK);
    CHECK(((record_t *)uni)->built == 0);
    CHECK_STATUS(interproc_segment_construct(m, INTERPROC_ANONYMOUS_INSTANCE, NULL, 64, 64, 2, false, NULL, NULL, &anon, NULL),
                 INTERPROC_OK);
    CHECK(((uintptr_t)anon & 63) == 0);

    size_t named = 0, unique = 0, count = 0;
    CHECK_STATUS(interproc_segment_num_named_objects(m, &named), INTERPROC_OK);
    CHECK_STATUS(interproc_segment_num_unique_objects(m, &unique), INTERPROC_OK);
    CHECK(named == 1 && unique == 1);
    CHECK_STATUS(interproc_segment_find(m, INTERPROC_NAMED_INSTANCE, "records", sizeof(record_t), &p, &count), INTERPROC_OK);
    CHECK(p == obj && count == 5);
    CHECK_STATUS(interproc_segment_find(m, INTERPROC_NAMED_INSTANCE, "nothing", 0, &p, &count), INTERPROC_OK);
    CHECK(p == NULL && count == 0);

    interproc_object_info_t info;
    CHECK_STATUS(interproc_segment_instance(m, obj, &info), INTERPROC_OK);
    CHECK(info.kind == INTERPROC_NAMED_INSTANCE && info.count == 5 && strcmp(info.name, "records") == 0 && info.name_len == 7);
    CHECK_STATUS(interproc_segment_instance(NULL, uni, &info), INTERPROC_OK);
    CHECK(info.kind == INTERPROC_UNIQUE_INSTANCE && strcmp(info.name, "record_t") == 0);
    CHECK_STATUS(interproc_segment_instance(m, anon, &info), INTERPROC_OK);
    CHECK(info.kind == INTERPROC_ANONYMOUS_INSTANCE && info.count == 2 && info.name_len == 0);

    uint64_t cursor = 0;
    bool found = false;
    int seen = 0;
    for (;;) {
        CHECK_STATUS(interproc_segment_next_object(m, INTERPROC_NAMED_INSTANCE, &cursor, &info, &found), INTERPROC_OK);
        if (!found) {
            break;
        }
        CHECK(strcmp(info.name, "records") == 0);
        ++seen;
    }
    CHECK(seen == 1);

    /* A second mapping in this process sees the same objects at another address. */
    interproc_managed_t *other = NULL;
    CHECK_STATUS(interproc_managed_shm_open(INTERPROC_OPEN_ONLY, name, 0, 0, &other), INTERPROC_OK);
    CHECK(!interproc_managed_created(other));
    interproc_segment_manager_t *m2 = interproc_managed_segment_manager(other);
    CHECK(m2 != m);
    CHECK_STATUS(interproc_segment_find(m2, INTERPROC_NAMED_INSTANCE, "records", 0, &p, &count), INTERPROC_OK);
    CHECK(((record_t *)p)[2].values[1] == 21.0);

    /* Read-only: finds work, writes are refused. */
    interproc_managed_t *ro = NULL;
    CHECK_STATUS(interproc_managed_shm_open(INTERPROC_OPEN_READ_ONLY, name, 0, 0, &ro), INTERPROC_OK);
    interproc_segment_manager_t *mro = interproc_managed_segment_manager(ro);
    CHECK_STATUS(interproc_segment_find(mro, INTERPROC_NAMED_INSTANCE, "records", 0, &p, &count), INTERPROC_OK);
    CHECK(count == 5);
    CHECK_STATUS(interproc_segment_allocate(mro, 16, &p), INTERPROC_MODE_ERROR);
    interproc_managed_free(ro);

    /* Failures leave nothing behind. */
    CHECK_STATUS(interproc_segment_get_free_memory(m, &free1), INTERPROC_OK);
    CHECK_STATUS(interproc_segment_construct(m, INTERPROC_NAMED_INSTANCE, "broken", 8, 8, 3, false, init_fails, NULL, &p, NULL),
                 INTERPROC_OTHER_ERROR);
    CHECK_STATUS(interproc_segment_construct(m, INTERPROC_NAMED_INSTANCE, "records", 8, 8, 1, false, NULL, NULL, &p, NULL),
                 INTERPROC_ALREADY_EXISTS_ERROR);
    CHECK_STATUS(interproc_segment_construct(m, INTERPROC_NAMED_INSTANCE, "huge", 1 << 20, 8, 4, false, NULL, NULL, &p, NULL),
                 INTERPROC_OUT_OF_MEMORY_ERROR);
    CHECK_STATUS(interproc_segment_allocate(m, (size_t)1 << 40, &p), INTERPROC_OUT_OF_MEMORY_ERROR);
    CHECK_STATUS(interproc_segment_find(m, INTERPROC_NAMED_INSTANCE, "records", 3, &p, &count), INTERPROC_INVALID_ARGUMENT);
    CHECK_STATUS(interproc_segment_construct(m, 9, "x", 8, 8, 1, false, NULL, NULL, &p, NULL), INTERPROC_INVALID_ARGUMENT);
    CHECK_STATUS(interproc_segment_construct(m, INTERPROC_NAMED_INSTANCE, NULL, 8, 8, 1, false, NULL, NULL, &p, NULL),
                 INTERPROC_INVALID_ARGUMENT);
    CHECK_STATUS(interproc_segment_construct(m, INTERPROC_NAMED_INSTANCE, "", 8, 8, 1, false, NULL, NULL, &p, NULL),
                 INTERPROC_INVALID_ARGUMENT);
    CHECK_STATUS(interproc_segment_deallocate(m, (char *)obj + 8), INTERPROC_INVALID_ARGUMENT);
    CHECK_STATUS(interproc_segment_deallocate(m, &handle), INTERPROC_INVALID_ARGUMENT);
    CHECK_STATUS(interproc_segment_destroy_ptr(m, (char *)obj + 16, NULL, NULL), INTERPROC_INVALID_ARGUMENT);
    CHECK_STATUS(interproc_segment_address_from_handle(m, (uint64_t)size, &p), INTERPROC_INVALID_ARGUMENT);
    CHECK_STATUS(interproc_segment_allocate(NULL, 16, &p), INTERPROC_INVALID_ARGUMENT);
    CHECK_STATUS(interproc_segment_allocate(m, 16, NULL), INTERPROC_INVALID_ARGUMENT);
    size_t free2 = 0;
    CHECK_STATUS(interproc_segment_get_free_memory(m, &free2), INTERPROC_OK);
    CHECK(free2 == free1);
    CHECK_STATUS(interproc_segment_check_sanity(m), INTERPROC_OK);

    /* destroy and destroy_ptr run the destroy callback and free everything. */
    size_t destroyed_elems = 0;
    bool destroyed = false;
    CHECK_STATUS(interproc_segment_destroy(m, INTERPROC_NAMED_INSTANCE, "records", 0, count_destroy, &destroyed_elems, &destroyed),
                 INTERPROC_OK);
    CHECK(destroyed && destroyed_elems == 5);
    CHECK_STATUS(interproc_segment_destroy(m, INTERPROC_NAMED_INSTANCE, "records", 0, NULL, NULL, &destroyed), INTERPROC_OK);
    CHECK(!destroyed);
    CHECK_STATUS(interproc_segment_destroy_ptr(m, uni, NULL, NULL), INTERPROC_OK);
    CHECK_STATUS(interproc_segment_destroy_ptr(m, anon, count_destroy, &destroyed_elems), INTERPROC_OK);
    CHECK(destroyed_elems == 7);
    bool all = false;
    CHECK_STATUS(interproc_segment_all_memory_deallocated(m, &all), INTERPROC_OK);
    CHECK(all);
    CHECK_STATUS(interproc_segment_zero_free_memory(m), INTERPROC_OK);
    CHECK_STATUS(interproc_segment_check_sanity(m), INTERPROC_OK);

    interproc_managed_free(other);
    interproc_managed_free(seg);

    /* Offline grow and shrink_to_fit. */
    CHECK_STATUS(interproc_managed_shm_grow(name, 1 << 20), INTERPROC_OK);
    CHECK_STATUS(interproc_managed_shm_open(INTERPROC_OPEN_ONLY, name, 0, 0, &seg), INTERPROC_OK);
    CHECK_STATUS(interproc_segment_get_size(interproc_managed_segment_manager(seg), &size), INTERPROC_OK);
    CHECK(size == 2 << 20);
    interproc_managed_free(seg);
    CHECK_STATUS(interproc_managed_shm_shrink_to_fit(name), INTERPROC_OK);
    CHECK_STATUS(interproc_managed_shm_open(INTERPROC_OPEN_ONLY, name, 0, 0, &seg), INTERPROC_OK);
    CHECK_STATUS(interproc_segment_get_size(interproc_managed_segment_manager(seg), &size), INTERPROC_OK);
    CHECK(size < 8192);
    interproc_managed_free(seg);
    CHECK(interproc_shm_remove(name));

    /* Bad segments. */
    CHECK_STATUS(interproc_managed_shm_open(INTERPROC_OPEN_ONLY, name, 0, 0, &seg), INTERPROC_NOT_FOUND_ERROR);
    CHECK_STATUS(interproc_managed_shm_open(INTERPROC_CREATE_ONLY, name, 64, INTERPROC_PERM_DEFAULT, &seg), INTERPROC_SIZE_ERROR);
    CHECK(!interproc_shm_remove(name));
    interproc_shm_t *raw = NULL;
    CHECK_STATUS(interproc_shm_open(INTERPROC_CREATE_ONLY, name, INTERPROC_READ_WRITE, INTERPROC_PERM_DEFAULT, &raw), INTERPROC_OK);
    CHECK_STATUS(interproc_shm_truncate(raw, 65536), INTERPROC_OK);
    interproc_region_t *r = NULL;
    CHECK_STATUS(interproc_region_map_shm(raw, INTERPROC_READ_WRITE, 0, 0, NULL, &r), INTERPROC_OK);
    memset(interproc_region_get_address(r), 0x5A, 65536);
    interproc_region_free(r);
    interproc_shm_free(raw);
    CHECK_STATUS(interproc_managed_shm_open(INTERPROC_OPEN_ONLY, name, 0, 0, &seg), INTERPROC_CORRUPTED_ERROR);
    CHECK(interproc_shm_remove(name));
}

static void other_backings(void) {
    interproc_managed_t *heap = NULL;
    CHECK_STATUS(interproc_managed_heap_new(65536, &heap), INTERPROC_OK);
    interproc_segment_manager_t *m = interproc_managed_segment_manager(heap);
    void *p = NULL;
    CHECK_STATUS(interproc_segment_construct(m, INTERPROC_NAMED_INSTANCE, "n", 8, 8, 1, false, NULL, NULL, &p, NULL), INTERPROC_OK);
    *(long *)p = 99;
    uint64_t h = 0;
    CHECK_STATUS(interproc_segment_handle_from_address(m, p, &h), INTERPROC_OK);
    CHECK_STATUS(interproc_managed_grow(heap, 65536), INTERPROC_OK);
    m = interproc_managed_segment_manager(heap);
    CHECK_STATUS(interproc_segment_address_from_handle(m, h, &p), INTERPROC_OK);
    CHECK(*(long *)p == 99);
    interproc_managed_free(heap);

    static _Alignas(16) unsigned char buffer[65536];
    interproc_managed_t *ext = NULL;
    CHECK_STATUS(interproc_managed_external_open(INTERPROC_CREATE_ONLY, buffer, sizeof buffer, &ext), INTERPROC_OK);
    CHECK_STATUS(interproc_segment_check_sanity(interproc_managed_segment_manager(ext)), INTERPROC_OK);
    interproc_managed_free(ext);
    CHECK_STATUS(interproc_managed_external_open(INTERPROC_OPEN_ONLY, buffer, sizeof buffer, &ext), INTERPROC_OK);
    interproc_managed_free(ext);
    CHECK_STATUS(interproc_managed_external_open(INTERPROC_OPEN_ONLY, buffer + 1, 1000, &ext), INTERPROC_INVALID_ARGUMENT);

    char path[128];
    snprintf(path, sizeof path, "/tmp/interproc_c_mfile_%ld", (long)getpid());
    unlink(path);
    interproc_managed_t *file = NULL;
    CHECK_STATUS(interproc_managed_file_open(INTERPROC_OPEN_OR_CREATE, path, 65536, INTERPROC_PERM_DEFAULT, &file), INTERPROC_OK);
    CHECK(interproc_managed_created(file));
    CHECK_STATUS(interproc_managed_flush(file), INTERPROC_OK);
    interproc_managed_free(file);
    CHECK_STATUS(interproc_managed_file_open(INTERPROC_OPEN_OR_CREATE, path, 65536, INTERPROC_PERM_DEFAULT, &file), INTERPROC_OK);
    CHECK(!interproc_managed_created(file));
    interproc_managed_free(file);
    unlink(path);

    interproc_managed_t *xsi = NULL;
    CHECK_STATUS(interproc_managed_xsi_open(INTERPROC_CREATE_ONLY, INTERPROC_XSI_KEY_PRIVATE, 65536, 0600, &xsi), INTERPROC_OK);
    int32_t id = -1;
    CHECK_STATUS(interproc_managed_xsi_shmid(xsi, &id), INTERPROC_OK);
    CHECK_STATUS(interproc_segment_check_sanity(interproc_managed_segment_manager(xsi)), INTERPROC_OK);
    interproc_managed_free(xsi);
    CHECK(interproc_xsi_shm_remove(id));
}

/* Children race: open_or_create the segment, then find_or_construct one object. */
static int child_race(const char *name) {
    interproc_managed_t *seg = NULL;
    if (interproc_managed_shm_open(INTERPROC_OPEN_OR_CREATE, name, 1 << 16, INTERPROC_PERM_DEFAULT, &seg) != INTERPROC_OK) {
        fprintf(stderr, "child: %s\n", interproc_last_error_message());
        return 100;
    }
    interproc_segment_manager_t *m = interproc_managed_segment_manager(seg);
    void *p = NULL;
    bool created = false;
    if (interproc_segment_construct(m, INTERPROC_NAMED_INSTANCE, "once", sizeof(record_t), 8, 1, true, init_records, NULL, &p,
                                    &created) != INTERPROC_OK) {
        return 101;
    }
    int code = (interproc_managed_created(seg) ? 1 : 0) | (created ? 2 : 0);
    interproc_managed_free(seg);
    return code;
}

static void hold_lock_forever(void *ctx) {
    volatile int *flag = (volatile int *)ctx;
    *flag = 1;
    wait_for_kill();
}

static int child_hold_lock(const char *name) {
    interproc_managed_t *seg = NULL;
    CHECK_STATUS(interproc_managed_shm_open(INTERPROC_OPEN_ONLY, name, 0, 0, &seg), INTERPROC_OK);
    interproc_segment_manager_t *m = interproc_managed_segment_manager(seg);
    void *flag = NULL;
    size_t n = 0;
    CHECK_STATUS(interproc_segment_find(m, INTERPROC_NAMED_INSTANCE, "flag", 0, &flag, &n), INTERPROC_OK);
    CHECK(flag != NULL);
    interproc_segment_atomic_func(m, hold_lock_forever, flag);
    return 3;
}

static void races_and_death(const char *self) {
    char name[64];
    for (int round = 0; round < 3; ++round) {
        test_name(name, sizeof name, "c_mng_race");
        interproc_shm_remove(name);
        enum { N = 6 };
        pid_t pids[N];
        for (int i = 0; i < N; ++i) {
            pids[i] = spawn_child(self, "race", name);
        }
        int creators = 0, constructors = 0;
        for (int i = 0; i < N; ++i) {
            int code = wait_bounded(pids[i], 30);
            CHECK(code >= 0 && code <= 3);
            creators += code & 1;
            constructors += (code >> 1) & 1;
        }
        CHECK(creators == 1);
        CHECK(constructors == 1);
        CHECK(interproc_shm_remove(name));
    }

    /* A process killed while it holds the segment lock does not stop the others. */
    test_name(name, sizeof name, "c_mng_death");
    interproc_shm_remove(name);
    interproc_managed_t *seg = NULL;
    CHECK_STATUS(interproc_managed_shm_open(INTERPROC_CREATE_ONLY, name, 1 << 16, INTERPROC_PERM_DEFAULT, &seg), INTERPROC_OK);
    interproc_segment_manager_t *m = interproc_managed_segment_manager(seg);
    void *flag = NULL;
    CHECK_STATUS(interproc_segment_construct(m, INTERPROC_NAMED_INSTANCE, "flag", sizeof(int), 4, 1, false, NULL, NULL, &flag, NULL),
                 INTERPROC_OK);
    pid_t pid = spawn_child(self, "hold", name);
    struct timespec nap = {0, 1000000};
    for (int i = 0; i < 30000 && *(volatile int *)flag == 0; ++i) {
        nanosleep(&nap, NULL);
    }
    CHECK(*(volatile int *)flag == 1);
    bool ran = true;
    CHECK_STATUS(interproc_segment_try_atomic_func(m, hold_lock_forever, NULL, &ran), INTERPROC_OK);
    CHECK(!ran);
    kill(pid, SIGKILL);
    CHECK(wait_bounded(pid, 30) == -1);
    void *p = NULL;
    CHECK_STATUS(interproc_segment_allocate(m, 128, &p), INTERPROC_OK);
    CHECK_STATUS(interproc_segment_deallocate(m, p), INTERPROC_OK);
    CHECK_STATUS(interproc_segment_check_sanity(m), INTERPROC_OK);
    interproc_managed_free(seg);
    CHECK(interproc_shm_remove(name));
}

/* A segment of 1 000 bytes, as Boost's examples make them: at most 224 bytes of it go to
 * the segment itself, it holds a named object and fills to the last block, and the
 * smallest size (interproc_managed_min_size) works while one byte less does not. */
static void small_segments(void) {
    char name[64];
    test_name(name, sizeof name, "c_small");
    interproc_shm_remove(name);
    interproc_managed_t *seg = NULL;
    CHECK_STATUS(interproc_managed_shm_open(INTERPROC_CREATE_ONLY, name, 1000, INTERPROC_PERM_DEFAULT, &seg), INTERPROC_OK);
    interproc_segment_manager_t *m = interproc_managed_segment_manager(seg);
    size_t free0 = 0, free1 = 0;
    CHECK_STATUS(interproc_segment_get_free_memory(m, &free0), INTERPROC_OK);
    CHECK(1000 - free0 <= 224);
    void *obj = NULL;
    bool created = false;
    CHECK_STATUS(interproc_segment_construct(m, INTERPROC_NAMED_INSTANCE, "records", sizeof(record_t), _Alignof(record_t), 2,
                                             false, init_records, NULL, &obj, &created),
                 INTERPROC_OK);
    CHECK(created && ((record_t *)obj)[1].values[3] == 13.0);
    void *blocks[64];
    int n = 0;
    while (n < 64 && interproc_segment_allocate(m, 24, &blocks[n]) == INTERPROC_OK) {
        ++n;
    }
    CHECK(n >= 4 && n < 64);
    for (int i = 0; i < n; ++i) {
        CHECK_STATUS(interproc_segment_deallocate(m, blocks[i]), INTERPROC_OK);
    }
    CHECK_STATUS(interproc_segment_get_free_memory(m, &free1), INTERPROC_OK);
    CHECK(free1 < free0);
    CHECK_STATUS(interproc_segment_check_sanity(m), INTERPROC_OK);
    interproc_managed_free(seg);
    interproc_shm_remove(name);

    size_t smallest = interproc_managed_min_size();
    CHECK(smallest <= 272);
    CHECK_STATUS(interproc_managed_shm_open(INTERPROC_CREATE_ONLY, name, smallest, INTERPROC_PERM_DEFAULT, &seg), INTERPROC_OK);
    interproc_managed_free(seg);
    interproc_shm_remove(name);
    CHECK_STATUS(interproc_managed_shm_open(INTERPROC_CREATE_ONLY, name, smallest - 1, INTERPROC_PERM_DEFAULT, &seg),
                 INTERPROC_SIZE_ERROR);
    interproc_shm_remove(name);
}

int main(int argc, char **argv) {
    if (is_child(argc, argv)) {
        if (strcmp(argv[2], "race") == 0) {
            return child_race(argv[3]);
        }
        return child_hold_lock(argv[3]);
    }
    basics();
    small_segments();
    other_backings();
    races_and_death(argv[0]);
    printf("c_managed: ok\n");
    return 0;
}
