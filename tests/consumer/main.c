/* A C program using an installed interproc: a managed segment and a named object. */
#include <interproc.h>
#include <stdio.h>
#include <unistd.h>

int main(void) {
    char name[64];
    snprintf(name, sizeof name, "consumer_c_%ld", (long)getpid());
    interproc_managed_t *seg = NULL;
    if (interproc_managed_shm_open(INTERPROC_CREATE_ONLY, name, 65536, INTERPROC_PERM_DEFAULT, &seg) != INTERPROC_OK) {
        fprintf(stderr, "%s\n", interproc_last_error_message());
        return 1;
    }
    void *p = NULL;
    interproc_status_t st = interproc_segment_construct(interproc_managed_segment_manager(seg), INTERPROC_NAMED_INSTANCE, "n",
                                                        sizeof(int), sizeof(int), 1, false, NULL, NULL, &p, NULL);
    int ok = st == INTERPROC_OK && *(int *)p == 0;
    interproc_managed_free(seg);
    interproc_shm_remove(name);
    printf("%s c %s\n", ok ? "ok" : "FAILED", interproc_version());
    return ok ? 0 : 1;
}
