/* Node pools from C: a pool constructed in a managed segment, nodes taken and given back
 * (one at a time and as a chain), a forked child taking nodes from the same pool, exact
 * counts from interproc_node_pool_check, and bad arguments refused. */
#include "check.h"

#include <stdint.h>
#include <string.h>

static int init_pool(void *ctx, void *object, size_t count) {
    (void)ctx;
    (void)count;
    return interproc_node_pool_init((interproc_node_pool_t *)object, 24, 16) == INTERPROC_OK ? 0 : 1;
}

int main(void) {
    char name[64];
    test_name(name, sizeof name, "c_pool");
    interproc_shm_remove(name);
    interproc_managed_t *seg = NULL;
    CHECK_STATUS(interproc_managed_shm_open(INTERPROC_CREATE_ONLY, name, 1 << 20, INTERPROC_PERM_DEFAULT, &seg),
                 INTERPROC_OK);
    interproc_segment_manager_t *m = interproc_managed_segment_manager(seg);

    void *obj = NULL;
    bool created = false;
    CHECK_STATUS(interproc_segment_construct(m, INTERPROC_NAMED_INSTANCE, "pool", sizeof(interproc_node_pool_t),
                                             8, 1, false, init_pool, NULL, &obj, &created),
                 INTERPROC_OK);
    interproc_node_pool_t *pool = (interproc_node_pool_t *)obj;
    CHECK(created && interproc_node_pool_blocks(pool) == 0);

    /* 40 nodes of 32 bytes (24 rounded up), 16 per block: three blocks. */
    void *nodes[40];
    for (int i = 0; i < 40; ++i) {
        CHECK_STATUS(interproc_node_pool_allocate(m, pool, &nodes[i]), INTERPROC_OK);
        CHECK(((uintptr_t)nodes[i] & 15) == 0);
        memset(nodes[i], i, 32);
        for (int j = 0; j < i; ++j) {
            CHECK(nodes[j] != nodes[i]);
        }
    }
    interproc_pool_report_t r;
    CHECK_STATUS(interproc_node_pool_check(m, pool, &r), INTERPROC_OK);
    CHECK(r.node_size == 32 && r.nodes_per_block == 16 && r.blocks == 3 && r.free_nodes == 8);

    /* A forked child maps the segment elsewhere and takes ten nodes from the same pool. */
    pid_t pid = fork();
    if (pid == 0) {
        interproc_managed_t *other = NULL;
        if (interproc_managed_shm_open(INTERPROC_OPEN_ONLY, name, 0, 0, &other) != INTERPROC_OK) {
            _exit(2);
        }
        interproc_segment_manager_t *om = interproc_managed_segment_manager(other);
        void *found = NULL;
        size_t count = 0;
        if (interproc_segment_find(om, INTERPROC_NAMED_INSTANCE, "pool", sizeof(interproc_node_pool_t), &found,
                                   &count) != INTERPROC_OK ||
            found == NULL) {
            _exit(3);
        }
        for (int i = 0; i < 10; ++i) {
            void *n = NULL;
            if (interproc_node_pool_allocate(om, (interproc_node_pool_t *)found, &n) != INTERPROC_OK) {
                _exit(4);
            }
            memset(n, 0xEE, 32);
        }
        interproc_managed_free(other);
        _exit(0);
    }
    CHECK(wait_bounded(pid, 30) == 0);
    /* The child took the 8 free nodes and carved a fourth block for 2 more. */
    CHECK_STATUS(interproc_node_pool_check(m, pool, &r), INTERPROC_OK);
    CHECK(r.blocks == 4 && r.free_nodes == 14);
    for (int i = 0; i < 40; ++i) {
        CHECK(((unsigned char *)nodes[i])[31] == (unsigned char)i);
    }

    /* One at a time, then a chain of two linked in the pool's encoding by a first give-back. */
    for (int i = 0; i < 38; ++i) {
        CHECK_STATUS(interproc_node_pool_deallocate(m, pool, nodes[i]), INTERPROC_OK);
    }
    CHECK_STATUS(interproc_node_pool_deallocate(m, pool, nodes[38]), INTERPROC_OK);
    void *again = NULL;
    CHECK_STATUS(interproc_node_pool_allocate(m, pool, &again), INTERPROC_OK);
    CHECK(again == nodes[38]);
    /* nodes[39] → again: write again's position into nodes[39], then give both back. */
    {
        int64_t units = ((intptr_t)again - (intptr_t)pool) / 8;
        uint64_t pos = (uint64_t)units & ((UINT64_C(1) << 40) - 1);
        memcpy(nodes[39], &pos, sizeof pos);
    }
    CHECK_STATUS(interproc_node_pool_deallocate_chain(m, pool, nodes[39], again), INTERPROC_OK);
    CHECK_STATUS(interproc_node_pool_check(m, pool, &r), INTERPROC_OK);
    CHECK(r.blocks == 4 && r.free_nodes == 54);

    /* Many at once, listed: the pool links them; one bad entry and none goes back. */
    {
        void *many[3] = {NULL, NULL, NULL};
        for (int i = 0; i < 3; ++i) {
            CHECK_STATUS(interproc_node_pool_allocate(m, pool, &many[i]), INTERPROC_OK);
        }
        void *bad[4] = {many[0], many[1], (char *)many[2] + 8, many[2]};
        CHECK_STATUS(interproc_node_pool_deallocate_many(m, pool, bad, 4), INTERPROC_INVALID_ARGUMENT);
        CHECK_STATUS(interproc_node_pool_deallocate_many(m, pool, NULL, 2), INTERPROC_INVALID_ARGUMENT);
        CHECK_STATUS(interproc_node_pool_check(m, pool, &r), INTERPROC_OK);
        CHECK(r.free_nodes == 51);
        CHECK_STATUS(interproc_node_pool_deallocate_many(m, pool, NULL, 0), INTERPROC_OK);
        CHECK_STATUS(interproc_node_pool_deallocate_many(m, pool, many, 3), INTERPROC_OK);
        CHECK_STATUS(interproc_node_pool_check(m, pool, &r), INTERPROC_OK);
        CHECK(r.free_nodes == 54);
        /* And taken again in one call. */
        size_t taken = 99;
        CHECK_STATUS(interproc_node_pool_allocate_many(m, pool, many, 3, NULL), INTERPROC_INVALID_ARGUMENT);
        CHECK_STATUS(interproc_node_pool_allocate_many(m, pool, NULL, 3, &taken), INTERPROC_INVALID_ARGUMENT);
        CHECK(taken == 99);
        CHECK_STATUS(interproc_node_pool_allocate_many(m, pool, NULL, 0, &taken), INTERPROC_OK);
        CHECK(taken == 0);
        CHECK_STATUS(interproc_node_pool_allocate_many(m, pool, many, 3, &taken), INTERPROC_OK);
        CHECK(taken == 3 && many[0] != many[1] && many[1] != many[2] && many[0] != many[2]);
        CHECK_STATUS(interproc_node_pool_check(m, pool, &r), INTERPROC_OK);
        CHECK(r.free_nodes == 51);
        CHECK_STATUS(interproc_node_pool_deallocate_many(m, pool, many, 3), INTERPROC_OK);
    }

    /* Bad arguments: nothing changes. */
    void *out = NULL;
    CHECK_STATUS(interproc_node_pool_allocate(m, NULL, &out), INTERPROC_INVALID_ARGUMENT);
    CHECK_STATUS(interproc_node_pool_allocate(m, pool, NULL), INTERPROC_INVALID_ARGUMENT);
    CHECK_STATUS(interproc_node_pool_deallocate(m, pool, (char *)nodes[0] + 8), INTERPROC_INVALID_ARGUMENT);
    CHECK_STATUS(interproc_node_pool_deallocate(m, pool, &out), INTERPROC_INVALID_ARGUMENT);
    CHECK_STATUS(interproc_node_pool_init(NULL, 16, 4), INTERPROC_INVALID_ARGUMENT);
    interproc_node_pool_t local;
    CHECK_STATUS(interproc_node_pool_init(&local, 16, 0), INTERPROC_INVALID_ARGUMENT);
    CHECK_STATUS(interproc_node_pool_check(m, pool, &r), INTERPROC_OK);
    CHECK(r.free_nodes == 54);
    CHECK_STATUS(interproc_segment_check_sanity(m), INTERPROC_OK);

    interproc_managed_free(seg);
    interproc_shm_remove(name);
    printf("c_node_pool: ok\n");
    return 0;
}
