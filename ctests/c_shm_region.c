/* Shared memory objects and mapped regions through the C ABI. */
#include "check.h"
#include <string.h>
#include <sys/stat.h>

static void shm_basics(void) {
    char name[64];
    test_name(name, sizeof name, "c_basic");
    interproc_shm_remove(name);

    interproc_shm_t *shm = NULL;
    CHECK_STATUS(interproc_shm_open(INTERPROC_CREATE_ONLY, name, INTERPROC_READ_WRITE, INTERPROC_PERM_DEFAULT, &shm),
                 INTERPROC_OK);
    CHECK(shm != NULL);
    CHECK(interproc_shm_created(shm));
    CHECK(strcmp(interproc_shm_get_name(shm), name) == 0);
    CHECK(interproc_shm_get_mode(shm) == INTERPROC_READ_WRITE);

    int64_t size = -1;
    CHECK_STATUS(interproc_shm_get_size(shm, &size), INTERPROC_OK);
    CHECK(size == 0);
    CHECK_STATUS(interproc_shm_truncate(shm, 3 * 4096 + 100), INTERPROC_OK);
    CHECK_STATUS(interproc_shm_get_size(shm, &size), INTERPROC_OK);
    CHECK(size == 3 * 4096 + 100);
    /* The descriptor behind the handle (Boost's mapping handle) sees the same object. */
    {
        struct stat fd_st;
        CHECK(fstat(interproc_shm_native_handle(shm), &fd_st) == 0 && fd_st.st_size == 3 * 4096 + 100);
        CHECK(interproc_shm_native_handle(NULL) == -1);
    }

    /* It lives where Boost puts it, with Boost's default permissions despite the umask. */
    char path[128];
    snprintf(path, sizeof path, "/dev/shm/%s", name);
    struct stat st;
    CHECK(stat(path, &st) == 0);
    CHECK((st.st_mode & 0777) == 0644);
    CHECK(st.st_size == 3 * 4096 + 100);

    /* open_or_create on an existing object opens it. */
    interproc_shm_t *again = NULL;
    CHECK_STATUS(interproc_shm_open(INTERPROC_OPEN_OR_CREATE, name, INTERPROC_READ_ONLY, INTERPROC_PERM_DEFAULT, &again),
                 INTERPROC_OK);
    CHECK(!interproc_shm_created(again));
    CHECK(interproc_shm_get_mode(again) == INTERPROC_READ_ONLY);

    /* Write through one region, read through another mapped at an unaligned offset. */
    interproc_region_t *rw = NULL;
    CHECK_STATUS(interproc_region_map_shm(shm, INTERPROC_READ_WRITE, 0, 0, NULL, &rw), INTERPROC_OK);
    CHECK(interproc_region_get_size(rw) == 3 * 4096 + 100);
    CHECK(interproc_region_get_mode(rw) == INTERPROC_READ_WRITE);
    unsigned char *p = (unsigned char *)interproc_region_get_address(rw);
    for (size_t i = 0; i < interproc_region_get_size(rw); ++i) {
        p[i] = (unsigned char)(i * 7u + 3u);
    }
    interproc_region_t *ro = NULL;
    CHECK_STATUS(interproc_region_map_shm(again, INTERPROC_READ_ONLY, 4097, 500, NULL, &ro), INTERPROC_OK);
    CHECK(interproc_region_get_size(ro) == 500);
    const unsigned char *q = (const unsigned char *)interproc_region_get_address(ro);
    for (size_t i = 0; i < 500; ++i) {
        CHECK(q[i] == (unsigned char)((4097 + i) * 7u + 3u));
    }
    CHECK_STATUS(interproc_region_flush(rw, 0, 0, true), INTERPROC_OK);
    CHECK_STATUS(interproc_region_flush(rw, 5000, 10, false), INTERPROC_OK);
    CHECK_STATUS(interproc_region_advise(rw, INTERPROC_ADVICE_SEQUENTIAL), INTERPROC_OK);
    CHECK_STATUS(interproc_region_advise(rw, INTERPROC_ADVICE_WILLNEED), INTERPROC_OK);

    /* copy_on_write: private writes are not seen by others. */
    interproc_region_t *cow = NULL;
    CHECK_STATUS(interproc_region_map_shm(again, INTERPROC_COPY_ON_WRITE, 0, 4096, NULL, &cow), INTERPROC_OK);
    unsigned char *c = (unsigned char *)interproc_region_get_address(cow);
    c[0] = (unsigned char)(p[0] + 1u);
    CHECK(p[0] == 3);
    CHECK(c[0] == 4);

    /* shrink_by from the front moves the address forward by exactly the bytes. */
    unsigned char *before = (unsigned char *)interproc_region_get_address(rw);
    CHECK_STATUS(interproc_region_shrink_by(rw, 4096 + 10, false), INTERPROC_OK);
    unsigned char *after = (unsigned char *)interproc_region_get_address(rw);
    CHECK(after == before + 4096 + 10);
    CHECK(after[0] == (unsigned char)((4096 + 10) * 7u + 3u));
    CHECK_STATUS(interproc_region_shrink_by(rw, 100, true), INTERPROC_OK);
    CHECK(interproc_region_get_size(rw) == 3 * 4096 + 100 - 4096 - 10 - 100);

    interproc_region_free(cow);
    interproc_region_free(ro);
    interproc_region_free(rw);
    interproc_shm_free(again);
    interproc_shm_free(shm);
    CHECK(interproc_shm_remove(name));
    CHECK(!interproc_shm_remove(name));
}

static void permissions_exact(void) {
    char name[64];
    test_name(name, sizeof name, "c_perm");
    interproc_shm_remove(name);
    mode_t old = umask(0077);
    interproc_shm_t *shm = NULL;
    CHECK_STATUS(interproc_shm_open(INTERPROC_CREATE_ONLY, name, INTERPROC_READ_WRITE, INTERPROC_PERM_UNRESTRICTED, &shm),
                 INTERPROC_OK);
    umask(old);
    char path[128];
    snprintf(path, sizeof path, "/dev/shm/%s", name);
    struct stat st;
    CHECK(stat(path, &st) == 0);
    CHECK((st.st_mode & 0777) == 0666);
    interproc_shm_free(shm);
    CHECK(interproc_shm_remove(name));
}

static void anonymous_shared_with_fork(void) {
    interproc_region_t *r = NULL;
    CHECK_STATUS(interproc_region_anonymous(8192, NULL, &r), INTERPROC_OK);
    volatile int *counter = (volatile int *)interproc_region_get_address(r);
    CHECK(interproc_region_get_size(r) == 8192);
    *counter = 1;
    pid_t pid = fork();
    if (pid == 0) {
        *counter = 42;
        _exit(0);
    }
    CHECK(wait_bounded(pid, 30) == 0);
    CHECK(*counter == 42);
    interproc_region_free(r);
}

static void file_mapping(void) {
    char path[128];
    snprintf(path, sizeof path, "/tmp/interproc_c_file_%ld", (long)getpid());
    FILE *f = fopen(path, "wb");
    CHECK(f != NULL);
    for (int i = 0; i < 10000; ++i) {
        fputc(i % 251, f);
    }
    fclose(f);

    interproc_file_mapping_t *fm = NULL;
    CHECK_STATUS(interproc_file_mapping_open(path, INTERPROC_READ_WRITE, &fm), INTERPROC_OK);
    CHECK(strcmp(interproc_file_mapping_get_name(fm), path) == 0);
    CHECK(interproc_file_mapping_get_mode(fm) == INTERPROC_READ_WRITE);
    CHECK(interproc_file_mapping_native_handle(fm) >= 0);
    CHECK(interproc_file_mapping_native_handle(NULL) == -1);
    interproc_region_t *r = NULL;
    CHECK_STATUS(interproc_region_map_file(fm, INTERPROC_READ_WRITE, 5000, 0, NULL, &r), INTERPROC_OK);
    CHECK(interproc_region_get_size(r) == 5000);
    unsigned char *p = (unsigned char *)interproc_region_get_address(r);
    CHECK(p[0] == 5000 % 251);
    p[1] = 0xAB;
    CHECK_STATUS(interproc_region_flush(r, 0, 0, false), INTERPROC_OK);
    interproc_region_free(r);
    interproc_file_mapping_free(fm);

    f = fopen(path, "rb");
    CHECK(f != NULL);
    CHECK(fseek(f, 5001, SEEK_SET) == 0);
    CHECK(fgetc(f) == 0xAB);
    fclose(f);
    CHECK(interproc_file_mapping_remove(path));
    CHECK(!interproc_file_mapping_remove(path));
}

static void xsi(void) {
    char path[128];
    snprintf(path, sizeof path, "/tmp/interproc_c_xsi_%ld", (long)getpid());
    FILE *f = fopen(path, "w");
    CHECK(f != NULL);
    fclose(f);
    int32_t key = 0;
    CHECK_STATUS(interproc_xsi_key_from_path(path, 7, &key), INTERPROC_OK);
    interproc_xsi_shm_t *seg = NULL;
    CHECK_STATUS(interproc_xsi_shm_open(INTERPROC_CREATE_ONLY, key, 10000, INTERPROC_PERM_DEFAULT, &seg), INTERPROC_OK);
    int32_t id = -1;
    CHECK_STATUS(interproc_xsi_shm_get_shmid(seg, &id), INTERPROC_OK);
    CHECK(id >= 0);
    interproc_xsi_shm_t *same = NULL;
    CHECK_STATUS(interproc_xsi_shm_open(INTERPROC_OPEN_ONLY, key, 0, 0, &same), INTERPROC_OK);
    interproc_region_t *a = NULL, *b = NULL;
    CHECK_STATUS(interproc_region_map_xsi(seg, INTERPROC_READ_WRITE, 0, 0, NULL, &a), INTERPROC_OK);
    CHECK_STATUS(interproc_region_map_xsi(same, INTERPROC_READ_ONLY, 0, 0, NULL, &b), INTERPROC_OK);
    CHECK(interproc_region_get_size(a) == 10000);
    ((char *)interproc_region_get_address(a))[9999] = 'z';
    CHECK(((const char *)interproc_region_get_address(b))[9999] == 'z');
    interproc_xsi_shm_t *by_id = NULL;
    CHECK_STATUS(interproc_xsi_shm_open_id(id, &by_id), INTERPROC_OK);
    int32_t same_id = -1;
    CHECK_STATUS(interproc_xsi_shm_get_shmid(by_id, &same_id), INTERPROC_OK);
    CHECK(same_id == id);
    interproc_xsi_shm_free(by_id);
    interproc_region_free(a);
    interproc_region_free(b);
    interproc_xsi_shm_free(same);
    interproc_xsi_shm_free(seg);
    CHECK(interproc_xsi_shm_remove(id));
    CHECK(!interproc_xsi_shm_remove(id));
    by_id = NULL;
    CHECK(interproc_xsi_shm_open_id(id, &by_id) != INTERPROC_OK);
    CHECK(by_id == NULL);
    unlink(path);
}

int main(void) {
    CHECK(strcmp(interproc_version(), INTERPROC_VERSION_STRING) == 0);
    CHECK(interproc_page_size() >= 4096);
    shm_basics();
    permissions_exact();
    anonymous_shared_with_fork();
    file_mapping();
    xsi();
    printf("c_shm_region: ok\n");
    return 0;
}
