/* The in-place allocation commands through the C ABI: shrinking (and the dry run of
 * try_shrink_in_place), backward expansion by whole elements, an allocation's usable size,
 * the smallest segment, and shrinking a segment to what it uses; bad input is an error. */
#include "check.h"
#include <string.h>

int main(void) {
    interproc_managed_t *heap = NULL;
    CHECK(interproc_managed_min_size() > 0);
    CHECK_STATUS(interproc_managed_heap_new(1 << 16, &heap), INTERPROC_OK);
    interproc_segment_manager_t *m = interproc_managed_segment_manager(heap);
    size_t free0 = 0;
    CHECK_STATUS(interproc_segment_get_free_memory(m, &free0), INTERPROC_OK);

    /* Shrink: a dry run changes nothing, then the end moves back and the contents stay. */
    char *p = NULL;
    CHECK_STATUS(interproc_segment_allocate(m, 1000, (void **)&p), INTERPROC_OK);
    memset(p, 'x', 1000);
    size_t size = 0;
    CHECK_STATUS(interproc_segment_allocation_size(m, p, &size), INTERPROC_OK);
    CHECK(size >= 1000);
    size_t would = 0;
    CHECK_STATUS(interproc_segment_shrink_in_place(m, p, 100, false, &would), INTERPROC_OK);
    CHECK(would >= 100 && would < 1000);
    CHECK_STATUS(interproc_segment_allocation_size(m, p, &size), INTERPROC_OK);
    CHECK(size >= 1000);
    size_t got = 0;
    CHECK_STATUS(interproc_segment_shrink_in_place(m, p, 100, true, &got), INTERPROC_OK);
    CHECK(got == would && p[99] == 'x');
    CHECK_STATUS(interproc_segment_allocation_size(m, p, &size), INTERPROC_OK);
    CHECK(size == got);

    /* Backward expansion: free the block before b, then b's start moves back by a multiple
     * of 12 bytes; the contents stay where they were, for the caller to move. */
    char *b = NULL;
    CHECK_STATUS(interproc_segment_allocate(m, 120, (void **)&b), INTERPROC_OK);
    memset(b, 'b', 120);
    char *c = NULL;
    CHECK_STATUS(interproc_segment_allocate(m, 16, (void **)&c), INTERPROC_OK);
    CHECK_STATUS(interproc_segment_deallocate(m, p), INTERPROC_OK);
    void *start = NULL;
    CHECK_STATUS(interproc_segment_expand_backwards(m, b, 200, 300, 12, &start, &got), INTERPROC_OK);
    CHECK(start != NULL && (char *)start < b && (size_t)(b - (char *)start) % 12 == 0 && got >= 200);
    CHECK(b[119] == 'b');
    memmove(start, b, 120);
    /* c's neighbour before it is in use: nothing changes and the current size comes back. */
    void *none = (void *)1;
    CHECK_STATUS(interproc_segment_expand_backwards(m, c, 600, 600, 8, &none, &got), INTERPROC_OK);
    CHECK(none == NULL && got >= 16 && got < 600);

    /* Bad input is an error that changes nothing. */
    CHECK_STATUS(interproc_segment_expand_backwards(m, start, 6000, 6000, 0, &none, &got), INTERPROC_INVALID_ARGUMENT);
    CHECK_STATUS(interproc_segment_shrink_in_place(m, (char *)start + 8, 1, true, &got),
                 INTERPROC_INVALID_ARGUMENT);
    CHECK_STATUS(interproc_segment_shrink_in_place(m, NULL, 1, true, &got), INTERPROC_INVALID_ARGUMENT);
    CHECK_STATUS(interproc_segment_allocation_size(m, start, NULL), INTERPROC_INVALID_ARGUMENT);
    CHECK_STATUS(interproc_segment_check_sanity(m), INTERPROC_OK);

    CHECK_STATUS(interproc_segment_deallocate(m, start), INTERPROC_OK);
    CHECK_STATUS(interproc_segment_deallocate(m, c), INTERPROC_OK);
    size_t free1 = 0;
    CHECK_STATUS(interproc_segment_get_free_memory(m, &free1), INTERPROC_OK);
    CHECK(free1 == free0);

    /* Shrinking the segment to what it uses, then allocation fails until it grows. */
    size_t before = 0, after = 0;
    CHECK_STATUS(interproc_segment_get_size(m, &before), INTERPROC_OK);
    CHECK_STATUS(interproc_segment_shrink_to_fit(m), INTERPROC_OK);
    CHECK_STATUS(interproc_segment_get_size(m, &after), INTERPROC_OK);
    CHECK(after < before);
    CHECK_STATUS(interproc_segment_check_sanity(m), INTERPROC_OK);
    interproc_managed_free(heap);
    printf("c_allocation: ok\n");
    return 0;
}
