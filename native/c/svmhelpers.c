/* Shiftwork's implementation of the remaining SubstrateVM C helpers an image links: signal dispatch
 * (CSunMiscSignal), Linux helpers, container limits (cgroup v1/v2, container.c), and the few JVM_* functions
 * SubstrateVM's libjvm shim provides. Written from the builder's declarations (javap), not from GraalVM's C. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <semaphore.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "container.h"

/* --- CSunMiscSignal: a counting semaphore and a pending count per signal --- */
#define SIGNAL_LIMIT 65
static volatile int pending[SIGNAL_LIMIT];
static sem_t signal_sem;
static int signal_open;
int cSunMiscSignal_open(void) { if (signal_open) return -1; if (sem_init(&signal_sem, 0, 0)) return -1; signal_open = 1; return 0; }
int cSunMiscSignal_close(void) { if (!signal_open) return -1; signal_open = 0; return sem_destroy(&signal_sem); }
int cSunMiscSignal_awaitSemaphore(void) { int r; while ((r = sem_wait(&signal_sem)) != 0 && errno == EINTR) {} return r; }
int cSunMiscSignal_signalSemaphore(void) { return sem_post(&signal_sem); }
int cSunMiscSignal_signalRangeCheck(int s) { return s > 0 && s < SIGNAL_LIMIT; }
int cSunMiscSignal_checkPendingSignal(void) {
    for (int s = 1; s < SIGNAL_LIMIT; s++) {
        int n = pending[s];
        if (n > 0 && __sync_bool_compare_and_swap(&pending[s], n, n - 1)) return s;
    }
    return -1;
}
static void dispatch(int s) { if (cSunMiscSignal_signalRangeCheck(s)) { __sync_fetch_and_add(&pending[s], 1); if (signal_open) sem_post(&signal_sem); } }
void *cSunMiscSignal_signalHandlerFunctionPointer(void) { return (void *) dispatch; }

/* --- Linux helpers --- */
int getThreadId(void) { return (int) syscall(SYS_gettid); }
long getThreadUserTimeSlow(int tid) { return -1; }
void *mremapP(void *old, size_t old_size, size_t new_size, int flags, void *new_addr) { return mremap(old, old_size, new_size, flags, new_addr); }
int openSII(const char *path, int flags, int mode) { return open(path, flags, mode); }
int fprintfSD(FILE *f, const char *fmt, const char *s, int d) { return fprintf(f, fmt, s, d); }

/* --- container support: the cgroup (v1 or v2) limits of the process (container.c), else the machine's --- */
#define CONTAINER_LIBRARY_VERSION 240100   /* ContainerLibrary.VERSION of svm 25.0.4 */
static struct sw_cgroup self_cgroup;
static volatile int self_cgroup_state;   /* 0 not looked at yet, 1 looked at */
static int cpus(void) { cpu_set_t set; if (sched_getaffinity(0, sizeof set, &set) == 0) return CPU_COUNT(&set); return (int) sysconf(_SC_NPROCESSORS_ONLN); }
static long long host_memory(void) { return (long long) sysconf(_SC_PHYS_PAGES) * (long long) sysconf(_SC_PAGESIZE); }
static const struct sw_cgroup *self(void) {
    if (!self_cgroup_state) {
        sw_cgroup_detect(&self_cgroup, "/proc/self/cgroup", "/proc/self/mountinfo", "");
        sw_cgroup_settle(&self_cgroup, host_memory(), cpus());
        self_cgroup_state = 1;
    }
    return &self_cgroup;
}
int svm_container_initialize(int version) {
    if (version > CONTAINER_LIBRARY_VERSION) return 2;   /* ERROR_LIBCONTAINER_TOO_OLD */
    if (version < CONTAINER_LIBRARY_VERSION) return 3;   /* ERROR_LIBCONTAINER_TOO_NEW */
    return self()->version ? 1 : 0;                      /* SUCCESS_IS_CONTAINERIZED : SUCCESS_IS_NOT_CONTAINERIZED */
}
/* what the heap is sized from: the memory limit when there is one below the machine's */
uint64_t svm_container_physical_memory(void) {
    long long host = host_memory(), limit = sw_cgroup_memory_limit(self(), host);
    return (uint64_t) (limit > 0 && limit < host ? limit : host);
}
int svm_container_active_processor_count(void) { return sw_cgroup_cpus(self(), cpus()); }
long long svm_container_memory_limit_in_bytes(void) { return sw_cgroup_memory_limit(self(), host_memory()); }
long long svm_container_memory_and_swap_limit_in_bytes(void) { return sw_cgroup_memory_and_swap_limit(self(), host_memory()); }
long long svm_container_memory_soft_limit_in_bytes(void) { return sw_cgroup_memory_soft_limit(self(), host_memory()); }
long long svm_container_memory_usage_in_bytes(void) { return sw_cgroup_memory_usage(self()); }
long long svm_container_memory_max_usage_in_bytes(void) { return sw_cgroup_memory_max_usage(self()); }
long long svm_container_rss_usage_in_bytes(void) { return sw_cgroup_rss_usage(self()); }
long long svm_container_cache_usage_in_bytes(void) { return sw_cgroup_cache_usage(self()); }

/* --- the libjvm shim --- */
void initialize(void) {}
int JVM_ActiveProcessorCount(void) { return svm_container_active_processor_count(); }
