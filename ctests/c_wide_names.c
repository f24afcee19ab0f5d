/* Wide-character names through the C ABI: INTERPROC_WIDE_NAMED_INSTANCE takes and reports
 * UTF-8; a wide name and a narrow name of the same spelling are two objects; iteration
 * gives narrow and wide names apart; a narrow name starting with byte 0xFF and a wide name
 * that is not UTF-8 are refused. */
#include "check.h"
#include <string.h>

static size_t count_kind(interproc_segment_manager_t *m, interproc_instance_kind_t kind, const char *expect) {
    uint64_t cursor = 0;
    size_t n = 0;
    for (;;) {
        interproc_object_info_t info;
        bool found = false;
        CHECK_STATUS(interproc_segment_next_object(m, kind, &cursor, &info, &found), INTERPROC_OK);
        if (!found) {
            return n;
        }
        CHECK(info.kind == kind);
        CHECK(strcmp(info.name, expect) == 0 && info.name_len == strlen(expect));
        ++n;
    }
}

int main(void) {
    interproc_managed_t *heap = NULL;
    CHECK_STATUS(interproc_managed_heap_new(1 << 16, &heap), INTERPROC_OK);
    interproc_segment_manager_t *m = interproc_managed_segment_manager(heap);

    void *narrow = NULL, *wide = NULL, *found = NULL;
    size_t count = 0;
    CHECK_STATUS(interproc_segment_construct(m, INTERPROC_NAMED_INSTANCE, "gr\xc3\xb6\xc3\x9f" "e", 4, 4, 1, false, NULL, NULL,
                                             &narrow, NULL),
                 INTERPROC_OK);
    CHECK_STATUS(interproc_segment_construct(m, INTERPROC_WIDE_NAMED_INSTANCE, "gr\xc3\xb6\xc3\x9f" "e", 4, 4, 1, false, NULL,
                                             NULL, &wide, NULL),
                 INTERPROC_OK);
    CHECK(narrow != wide);
    CHECK_STATUS(interproc_segment_find(m, INTERPROC_WIDE_NAMED_INSTANCE, "gr\xc3\xb6\xc3\x9f" "e", 4, &found, &count),
                 INTERPROC_OK);
    CHECK(found == wide && count == 1);
    CHECK_STATUS(interproc_segment_find(m, INTERPROC_NAMED_INSTANCE, "gr\xc3\xb6\xc3\x9f" "e", 4, &found, &count), INTERPROC_OK);
    CHECK(found == narrow);

    /* Iteration keeps them apart; the object's own description says which it is. */
    CHECK(count_kind(m, INTERPROC_NAMED_INSTANCE, "gr\xc3\xb6\xc3\x9f" "e") == 1);
    CHECK(count_kind(m, INTERPROC_WIDE_NAMED_INSTANCE, "gr\xc3\xb6\xc3\x9f" "e") == 1);
    interproc_object_info_t info;
    CHECK_STATUS(interproc_segment_instance(m, wide, &info), INTERPROC_OK);
    CHECK(info.kind == INTERPROC_WIDE_NAMED_INSTANCE && strcmp(info.name, "gr\xc3\xb6\xc3\x9f" "e") == 0);
    CHECK_STATUS(interproc_segment_instance(m, narrow, &info), INTERPROC_OK);
    CHECK(info.kind == INTERPROC_NAMED_INSTANCE);

    /* A narrow name may not pose as a wide one; a wide name must be UTF-8. */
    CHECK_STATUS(interproc_segment_construct(m, INTERPROC_NAMED_INSTANCE, "\xff" "gr\xc3\xb6\xc3\x9f" "e", 4, 4, 1, true, NULL,
                                             NULL, &found, NULL),
                 INTERPROC_INVALID_ARGUMENT);
    CHECK_STATUS(interproc_segment_construct(m, INTERPROC_WIDE_NAMED_INSTANCE, "bad \xc3", 4, 4, 1, false, NULL, NULL, &found,
                                             NULL),
                 INTERPROC_INVALID_ARGUMENT);
    CHECK_STATUS(interproc_segment_construct(m, 9, "x", 4, 4, 1, false, NULL, NULL, &found, NULL), INTERPROC_INVALID_ARGUMENT);

    bool destroyed = false;
    CHECK_STATUS(interproc_segment_destroy(m, INTERPROC_WIDE_NAMED_INSTANCE, "gr\xc3\xb6\xc3\x9f" "e", 4, NULL, NULL, &destroyed),
                 INTERPROC_OK);
    CHECK(destroyed);
    CHECK_STATUS(interproc_segment_find(m, INTERPROC_NAMED_INSTANCE, "gr\xc3\xb6\xc3\x9f" "e", 4, &found, &count), INTERPROC_OK);
    CHECK(found == narrow);
    CHECK_STATUS(interproc_segment_destroy(m, INTERPROC_NAMED_INSTANCE, "gr\xc3\xb6\xc3\x9f" "e", 4, NULL, NULL, &destroyed),
                 INTERPROC_OK);
    CHECK(destroyed);
    CHECK_STATUS(interproc_segment_check_sanity(m), INTERPROC_OK);
    interproc_managed_free(heap);
    printf("c_wide_names: ok\n");
    return 0;
}
