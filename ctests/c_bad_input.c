/* Every bad input of the foundation gets its documented status through the C ABI, leaves
 * out-parameters untouched, and leaves other objects intact. */
#include "check.h"
#include <string.h>

int main(void) {
    char name[64];
    test_name(name, sizeof name, "c_bad");
    interproc_shm_remove(name);
    interproc_shm_t *const sentinel = (interproc_shm_t *)(uintptr_t)0x1;
    interproc_shm_t *out = sentinel;

    /* open_only on a missing name. */
    CHECK_STATUS(interproc_shm_open(INTERPROC_OPEN_ONLY, name, INTERPROC_READ_WRITE, 0, &out), INTERPROC_NOT_FOUND_ERROR);
    CHECK(out == sentinel);
    CHECK(interproc_last_error_code() == INTERPROC_NOT_FOUND_ERROR);
    CHECK(interproc_last_error_native() != 0);
    CHECK(strstr(interproc_last_error_message(), name) != NULL);

    /* A valid object that must survive everything below. */
    interproc_shm_t *shm = NULL;
    CHECK_STATUS(interproc_shm_open(INTERPROC_CREATE_ONLY, name, INTERPROC_READ_WRITE, INTERPROC_PERM_DEFAULT, &shm),
                 INTERPROC_OK);
    CHECK_STATUS(interproc_shm_truncate(shm, 4096), INTERPROC_OK);
    interproc_region_t *rw = NULL;
    CHECK_STATUS(interproc_region_map_shm(shm, INTERPROC_READ_WRITE, 0, 0, NULL, &rw), INTERPROC_OK);
    strcpy((char *)interproc_region_get_address(rw), "intact");

    /* create_only on an existing name. */
    CHECK_STATUS(interproc_shm_open(INTERPROC_CREATE_ONLY, name, INTERPROC_READ_WRITE, 0, &out),
                 INTERPROC_ALREADY_EXISTS_ERROR);
    CHECK(out == sentinel);

    /* Names: '/' inside, empty, over the OS limit, NULL. */
    CHECK_STATUS(interproc_shm_open(INTERPROC_OPEN_OR_CREATE, "a/b", INTERPROC_READ_WRITE, 0, &out), INTERPROC_PATH_ERROR);
    CHECK_STATUS(interproc_shm_open(INTERPROC_OPEN_OR_CREATE, "", INTERPROC_READ_WRITE, 0, &out), INTERPROC_PATH_ERROR);
    CHECK_STATUS(interproc_shm_open(INTERPROC_OPEN_OR_CREATE, "..", INTERPROC_READ_WRITE, 0, &out), INTERPROC_PATH_ERROR);
    char long_name[300];
    memset(long_name, 'x', sizeof long_name - 1);
    long_name[sizeof long_name - 1] = '\0';
    CHECK_STATUS(interproc_shm_open(INTERPROC_OPEN_OR_CREATE, long_name, INTERPROC_READ_WRITE, 0, &out),
                 INTERPROC_PATH_ERROR);
    CHECK_STATUS(interproc_shm_open(INTERPROC_OPEN_OR_CREATE, NULL, INTERPROC_READ_WRITE, 0, &out),
                 INTERPROC_INVALID_ARGUMENT);
    CHECK_STATUS(interproc_shm_open(INTERPROC_OPEN_OR_CREATE, name, INTERPROC_READ_WRITE, 0, NULL),
                 INTERPROC_INVALID_ARGUMENT);
    CHECK(out == sentinel);

    /* Modes and creation tags that are not valid for the call. */
    CHECK_STATUS(interproc_shm_open(INTERPROC_OPEN_ONLY, name, INTERPROC_COPY_ON_WRITE, 0, &out), INTERPROC_MODE_ERROR);
    CHECK_STATUS(interproc_shm_open(INTERPROC_OPEN_ONLY, name, 77, 0, &out), INTERPROC_MODE_ERROR);
    CHECK_STATUS(interproc_shm_open(INTERPROC_OPEN_READ_ONLY, name, INTERPROC_READ_ONLY, 0, &out),
                 INTERPROC_INVALID_ARGUMENT);
    CHECK_STATUS(interproc_shm_open(99, name, INTERPROC_READ_ONLY, 0, &out), INTERPROC_INVALID_ARGUMENT);
    CHECK(out == sentinel);

    /* truncate on a read_only object; a negative and an absurd size. */
    interproc_shm_t *ro = NULL;
    CHECK_STATUS(interproc_shm_open(INTERPROC_OPEN_ONLY, name, INTERPROC_READ_ONLY, 0, &ro), INTERPROC_OK);
    CHECK_STATUS(interproc_shm_truncate(ro, 8192), INTERPROC_MODE_ERROR);
    CHECK_STATUS(interproc_shm_truncate(shm, -1), INTERPROC_INVALID_ARGUMENT);
    interproc_status_t st = interproc_shm_truncate(shm, (int64_t)1 << 60);
    CHECK(st == INTERPROC_OUT_OF_SPACE_ERROR || st == INTERPROC_OUT_OF_MEMORY_ERROR);
    int64_t size = 0;
    CHECK_STATUS(interproc_shm_get_size(shm, &size), INTERPROC_OK);
    CHECK(size == 4096);

    /* Mapping: read_write on a read_only object, beyond the end, a bad mode or offset. */
    interproc_region_t *const rsent = (interproc_region_t *)(uintptr_t)0x1;
    interproc_region_t *r = rsent;
    CHECK_STATUS(interproc_region_map_shm(ro, INTERPROC_READ_WRITE, 0, 0, NULL, &r), INTERPROC_SECURITY_ERROR);
    CHECK_STATUS(interproc_region_map_shm(shm, INTERPROC_READ_WRITE, 4096, 0, NULL, &r), INTERPROC_SIZE_ERROR);
    CHECK_STATUS(interproc_region_map_shm(shm, INTERPROC_READ_WRITE, 100, 4000, NULL, &r), INTERPROC_SIZE_ERROR);
    CHECK_STATUS(interproc_region_map_shm(shm, INTERPROC_READ_WRITE, -5, 0, NULL, &r), INTERPROC_INVALID_ARGUMENT);
    CHECK_STATUS(interproc_region_map_shm(shm, INTERPROC_INVALID_MODE, 0, 0, NULL, &r), INTERPROC_MODE_ERROR);
    CHECK_STATUS(interproc_region_map_shm(NULL, INTERPROC_READ_ONLY, 0, 0, NULL, &r), INTERPROC_INVALID_ARGUMENT);
    CHECK_STATUS(interproc_region_anonymous(0, NULL, &r), INTERPROC_SIZE_ERROR);
    CHECK(r == rsent);

    /* Mapping an empty object. */
    char empty_name[64];
    test_name(empty_name, sizeof empty_name, "c_bad_empty");
    interproc_shm_t *empty = NULL;
    CHECK_STATUS(interproc_shm_open(INTERPROC_OPEN_OR_CREATE, empty_name, INTERPROC_READ_WRITE, INTERPROC_PERM_DEFAULT, &empty),
                 INTERPROC_OK);
    CHECK_STATUS(interproc_region_map_shm(empty, INTERPROC_READ_ONLY, 0, 0, NULL, &r), INTERPROC_SIZE_ERROR);
    CHECK(r == rsent);
    interproc_shm_free(empty);
    CHECK(interproc_shm_remove(empty_name));

    /* Region calls out of range. */
    CHECK_STATUS(interproc_region_flush(rw, 5000, 0, true), INTERPROC_SIZE_ERROR);
    CHECK_STATUS(interproc_region_flush(rw, 10, 4096, true), INTERPROC_SIZE_ERROR);
    CHECK_STATUS(interproc_region_shrink_by(rw, 5000, true), INTERPROC_SIZE_ERROR);
    CHECK_STATUS(interproc_region_advise(rw, 99), INTERPROC_INVALID_ARGUMENT);

    /* File mapping: missing file, bad mode. */
    interproc_file_mapping_t *fm = (interproc_file_mapping_t *)(uintptr_t)0x1;
    CHECK_STATUS(interproc_file_mapping_open("/nonexistent/interproc/file", INTERPROC_READ_ONLY, &fm),
                 INTERPROC_NOT_FOUND_ERROR);
    CHECK_STATUS(interproc_file_mapping_open("/tmp", INTERPROC_COPY_ON_WRITE, &fm), INTERPROC_MODE_ERROR);
    CHECK(fm == (interproc_file_mapping_t *)(uintptr_t)0x1);

    /* System V: a missing key file, a zero size, an offset. */
    int32_t key = 0;
    CHECK_STATUS(interproc_xsi_key_from_path("/nonexistent/interproc", 1, &key), INTERPROC_NOT_FOUND_ERROR);
    interproc_xsi_shm_t *seg = NULL;
    CHECK_STATUS(interproc_xsi_shm_open(INTERPROC_CREATE_ONLY, INTERPROC_XSI_KEY_PRIVATE, 0, 0600, &seg),
                 INTERPROC_SIZE_ERROR);
    CHECK_STATUS(interproc_xsi_shm_open(INTERPROC_CREATE_ONLY, INTERPROC_XSI_KEY_PRIVATE, 4096, 0600, &seg), INTERPROC_OK);
    CHECK_STATUS(interproc_region_map_xsi(seg, INTERPROC_READ_WRITE, 4096, 0, NULL, &r), INTERPROC_INVALID_ARGUMENT);
    CHECK_STATUS(interproc_region_map_xsi(seg, INTERPROC_COPY_ON_WRITE, 0, 0, NULL, &r), INTERPROC_MODE_ERROR);
    CHECK_STATUS(interproc_region_map_xsi(seg, INTERPROC_READ_WRITE, 0, 8192, NULL, &r), INTERPROC_SIZE_ERROR);
    int32_t id = -1;
    CHECK_STATUS(interproc_xsi_shm_get_shmid(seg, &id), INTERPROC_OK);
    interproc_xsi_shm_free(seg);
    CHECK(interproc_xsi_shm_remove(id));

    /* Freeing NULL is harmless; NULL handles give safe answers. */
    interproc_shm_free(NULL);
    interproc_region_free(NULL);
    interproc_file_mapping_free(NULL);
    interproc_xsi_shm_free(NULL);
    CHECK(interproc_shm_get_name(NULL) == NULL);
    CHECK(interproc_region_get_address(NULL) == NULL);
    CHECK(interproc_region_get_size(NULL) == 0);
    CHECK(interproc_shm_get_mode(NULL) == INTERPROC_INVALID_MODE);
    CHECK(!interproc_shm_remove(NULL));
    CHECK(!interproc_shm_remove("a/b"));
    CHECK(strcmp(interproc_status_name(INTERPROC_SIZE_ERROR), "size_error") == 0);
    CHECK(strcmp(interproc_status_name(12345), "unknown_error") == 0);

    /* Nothing above disturbed the valid object. */
    CHECK(strcmp((const char *)interproc_region_get_address(rw), "intact") == 0);
    CHECK_STATUS(interproc_shm_get_size(shm, &size), INTERPROC_OK);
    CHECK(size == 4096);

    interproc_region_free(rw);
    interproc_shm_free(ro);
    interproc_shm_free(shm);
    CHECK(interproc_shm_remove(name));
    printf("c_bad_input: ok\n");
    return 0;
}
