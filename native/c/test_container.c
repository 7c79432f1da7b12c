/* Tests of container.c (run by native/c/build.sh; a failure fails the toolchain build). Each case writes a fake
 * cgroup tree (a /proc/self/cgroup, a mountinfo and the controllers' files) under a temporary directory and checks
 * what the reader makes of it, for a host of 16 GiB and 8 processors. Then, where it can (root, cgroup v1, a
 * writable memory hierarchy: this project's machines), the real thing: a child process in a new memory cgroup of
 * 512 MiB and a cpu cgroup of quota 50000/100000 must see 536870912 bytes and 1 processor through svm_container_*. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "container.h"

int svm_container_initialize(int version);
uint64_t svm_container_physical_memory(void);
int svm_container_active_processor_count(void);
long long svm_container_memory_limit_in_bytes(void);

#define GIB (1024LL * 1024 * 1024)
#define MIB (1024LL * 1024)
#define HOST_MEM (16 * GIB)
#define HOST_CPUS 8
#define V1_MAX "9223372036854771712"

static char base[256];
static int failures, checks;

static void put(const char *tree, const char *rel, const char *content) {
    char path[SW_CG_PATH];
    snprintf(path, sizeof path, "%s/%s/%s", base, tree, rel);
    for (char *s = path + strlen(base) + 1; (s = strchr(s, '/')); s++) { *s = 0; mkdir(path, 0755); *s = '/'; }
    FILE *f = fopen(path, "w");
    if (!f) { perror(path); exit(2); }
    fputs(content, f);
    fclose(f);
}

static void expect(const char *tree, const char *what, long long got, long long want) {
    checks++;
    if (got != want) { failures++; printf("  FAIL %-28s %-22s %lld, expected %lld\n", tree, what, got, want); }
}

/* Detects and settles a tree, checks every value, prints one line for the case. */
static void check(const char *tree, int version, long long limit, long long swap, long long soft, long long usage,
                  long long peak, long long rss, long long cache, int cpus) {
    char proc[SW_CG_PATH], mi[SW_CG_PATH], prefix[SW_CG_PATH];
    struct sw_cgroup cg;
    snprintf(proc, sizeof proc, "%s/%s/proc-self-cgroup", base, tree);
    snprintf(mi, sizeof mi, "%s/%s/mountinfo", base, tree);
    snprintf(prefix, sizeof prefix, "%s/%s", base, tree);
    int before = failures;
    expect(tree, "version", sw_cgroup_detect(&cg, proc, mi, prefix), version);
    sw_cgroup_settle(&cg, HOST_MEM, HOST_CPUS);
    long long got[8] = { sw_cgroup_memory_limit(&cg, HOST_MEM), sw_cgroup_memory_and_swap_limit(&cg, HOST_MEM),
        sw_cgroup_memory_soft_limit(&cg, HOST_MEM), sw_cgroup_memory_usage(&cg), sw_cgroup_memory_max_usage(&cg),
        sw_cgroup_rss_usage(&cg), sw_cgroup_cache_usage(&cg), sw_cgroup_cpus(&cg, HOST_CPUS) };
    expect(tree, "memory limit", got[0], limit);
    expect(tree, "memory+swap limit", got[1], swap);
    expect(tree, "soft limit", got[2], soft);
    expect(tree, "usage", got[3], usage);
    expect(tree, "max usage", got[4], peak);
    expect(tree, "rss", got[5], rss);
    expect(tree, "cache", got[6], cache);
    expect(tree, "processors", got[7], cpus);
    printf("%s %-28s v%d limit=%lld swap=%lld soft=%lld usage=%lld peak=%lld rss=%lld cache=%lld cpus=%lld  (%s)\n",
           failures == before ? "PASS" : "FAIL", tree, cg.version, got[0], got[1], got[2], got[3], got[4], got[5], got[6],
           got[7], cg.mem[0] ? cg.mem + strlen(prefix) : "-");
}

#define MI_V2 "30 23 0:26 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:4 - cgroup2 cgroup2 rw,nsdelegate\n"
#define MI_V1 "25 20 0:22 / /sys/fs/cgroup rw - tmpfs tmpfs rw,mode=755\n" \
              "31 25 0:27 / /sys/fs/cgroup/memory rw,nosuid shared:12 - cgroup cgroup rw,memory\n" \
              "32 25 0:28 / /sys/fs/cgroup/cpu,cpuacct rw,nosuid shared:13 - cgroup cgroup rw,cpu,cpuacct\n"
#define STAT_V2 "anon 300000\nfile 400000\nkernel 1000\n"
#define STAT_V1 "cache 500000\nrss 600000\nrss_huge 0\nhierarchical_memory_limit " V1_MAX "\n"

static void v2_files(const char *tree, const char *dir, const char *max, const char *swap, const char *cpu) {
    char rel[512];
#define F(name, content) (snprintf(rel, sizeof rel, "%s/%s", dir, name), put(tree, rel, content))
    if (max) F("memory.max", max);
    if (swap) F("memory.swap.max", swap);
    F("memory.low", "0\n"); F("memory.current", "123456\n"); F("memory.peak", "234567\n"); F("memory.stat", STAT_V2);
    if (cpu) F("cpu.max", cpu);
#undef F
}

static void v1_files(const char *tree, const char *mem, const char *cpu, const char *limit, const char *memsw,
                     const char *quota, const char *stat) {
    char rel[512];
#define F(dir, name, content) (snprintf(rel, sizeof rel, "%s/%s", dir, name), put(tree, rel, content))
    F(mem, "memory.limit_in_bytes", limit);
    if (memsw) F(mem, "memory.memsw.limit_in_bytes", memsw);
    F(mem, "memory.soft_limit_in_bytes", V1_MAX "\n"); F(mem, "memory.usage_in_bytes", "111111\n");
    F(mem, "memory.max_usage_in_bytes", "222222\n"); F(mem, "memory.stat", stat);
    F(cpu, "cpu.cfs_quota_us", quota); F(cpu, "cpu.cfs_period_us", "100000\n");
#undef F
}

static void fake_trees(void) {
    /* v2, the container's own view (cgroup namespace): "0::/", its cgroup is the mount point; a Kubernetes pod
     * with a 768Mi limit, no swap, 1.5 CPUs */
    put("v2-ns-limited", "proc-self-cgroup", "0::/\n");
    put("v2-ns-limited", "mountinfo", MI_V2);
    v2_files("v2-ns-limited", "sys/fs/cgroup", "805306368\n", "0\n", "150000 100000\n");
    check("v2-ns-limited", 2, 768 * MIB, 768 * MIB, 0, 123456, 234567, 300000, 400000, 2);

    put("v2-ns-unlimited", "proc-self-cgroup", "0::/\n");
    put("v2-ns-unlimited", "mountinfo", MI_V2);
    v2_files("v2-ns-unlimited", "sys/fs/cgroup", "max\n", "max\n", "max 100000\n");
    check("v2-ns-unlimited", 2, -1, -1, 0, 123456, 234567, 300000, 400000, HOST_CPUS);

    /* v2, swap allowed (memory + swap), quota above the machine's processors */
    put("v2-swap-bigquota", "proc-self-cgroup", "0::/\n");
    put("v2-swap-bigquota", "mountinfo", MI_V2);
    v2_files("v2-swap-bigquota", "sys/fs/cgroup", "536870912\n", "268435456\n", "1000000 100000\n");
    check("v2-swap-bigquota", 2, 512 * MIB, 768 * MIB, 0, 123456, 234567, 300000, 400000, HOST_CPUS);

    /* v2, a limit above the machine's memory is no limit */
    put("v2-above-host", "proc-self-cgroup", "0::/\n");
    put("v2-above-host", "mountinfo", MI_V2);
    v2_files("v2-above-host", "sys/fs/cgroup", "34359738368\n", "0\n", "50000 100000\n");
    check("v2-above-host", 2, -1, -1, 0, 123456, 234567, 300000, 400000, 1);

    /* v2, the host's view: the path in /proc/self/cgroup is appended to the mount point */
    put("v2-host-path", "proc-self-cgroup", "0::/kubepods.slice/pod1.slice/cri-abc.scope\n");
    put("v2-host-path", "mountinfo", MI_V2);
    v2_files("v2-host-path", "sys/fs/cgroup", "max\n", "max\n", "max 100000\n");
    v2_files("v2-host-path", "sys/fs/cgroup/kubepods.slice/pod1.slice/cri-abc.scope", "1073741824\n", "0\n", "250000 100000\n");
    check("v2-host-path", 2, GIB, GIB, 0, 123456, 234567, 300000, 400000, 3);

    /* v2, no cgroup namespace: the host's path, which does not exist under the container's mount: the mount point */
    put("v2-path-missing", "proc-self-cgroup", "0::/kubepods.slice/pod2.slice/cri-def.scope\n");
    put("v2-path-missing", "mountinfo", MI_V2);
    v2_files("v2-path-missing", "sys/fs/cgroup", "402653184\n", "0\n", "200000 100000\n");
    check("v2-path-missing", 2, 384 * MIB, 384 * MIB, 0, 123456, 234567, 300000, 400000, 2);

    /* v2, the limits are on the parent (a pod's slice), the leaf has none: the parent's apply */
    put("v2-parent-limit", "proc-self-cgroup", "0::/pod.slice/app.scope\n");
    put("v2-parent-limit", "mountinfo", MI_V2);
    v2_files("v2-parent-limit", "sys/fs/cgroup", "max\n", "max\n", "max 100000\n");
    v2_files("v2-parent-limit", "sys/fs/cgroup/pod.slice", "1073741824\n", "0\n", "50000 100000\n");
    v2_files("v2-parent-limit", "sys/fs/cgroup/pod.slice/app.scope", "max\n", "max\n", "max 100000\n");
    check("v2-parent-limit", 2, GIB, GIB, 0, 123456, 234567, 300000, 400000, 1);

    /* v2, missing files (no memory/cpu controller enabled; no swap accounting; an old kernel without memory.peak) */
    put("v2-missing-files", "proc-self-cgroup", "0::/\n");
    put("v2-missing-files", "mountinfo", MI_V2);
    put("v2-missing-files", "sys/fs/cgroup/cgroup.procs", "1\n");
    check("v2-missing-files", 2, -1, -1, -1, -2, -2, -2, -2, HOST_CPUS);
    put("v2-no-swap-file", "proc-self-cgroup", "0::/\n");
    put("v2-no-swap-file", "mountinfo", MI_V2);
    v2_files("v2-no-swap-file", "sys/fs/cgroup", "536870912\n", NULL, NULL);
    check("v2-no-swap-file", 2, 512 * MIB, 512 * MIB, 0, 123456, 234567, 300000, 400000, HOST_CPUS);

    /* v1, the container's view without a cgroup namespace (Docker): the mount's root is the container's path */
    put("v1-docker-limited", "proc-self-cgroup", "12:memory:/docker/abc\n4:cpu,cpuacct:/docker/abc\n1:name=systemd:/docker/abc\n");
    put("v1-docker-limited", "mountinfo",
        "25 20 0:22 / /sys/fs/cgroup rw - tmpfs tmpfs rw,mode=755\n"
        "31 25 0:27 /docker/abc /sys/fs/cgroup/memory ro,nosuid master:12 - cgroup cgroup rw,memory\n"
        "32 25 0:28 /docker/abc /sys/fs/cgroup/cpu,cpuacct ro,nosuid master:13 - cgroup cgroup rw,cpu,cpuacct\n");
    v1_files("v1-docker-limited", "sys/fs/cgroup/memory", "sys/fs/cgroup/cpu,cpuacct", "536870912\n", "1073741824\n", "250000\n", STAT_V1);
    check("v1-docker-limited", 1, 512 * MIB, GIB, -1, 111111, 222222, 600000, 500000, 3);

    put("v1-unlimited", "proc-self-cgroup", "4:memory:/\n2:cpu,cpuacct:/\n");
    put("v1-unlimited", "mountinfo", MI_V1);
    v1_files("v1-unlimited", "sys/fs/cgroup/memory", "sys/fs/cgroup/cpu,cpuacct", V1_MAX "\n", V1_MAX "\n", "-1\n", STAT_V1);
    check("v1-unlimited", 1, -1, -1, -1, 111111, 222222, 600000, 500000, HOST_CPUS);

    /* v1, the host's view: path appended to the mount point; memsw absent (no swap accounting): the memory limit */
    put("v1-host-path", "proc-self-cgroup", "4:memory:/kubepods/burstable/pod1/c1\n2:cpuacct,cpu:/kubepods/burstable/pod1/c1\n");
    put("v1-host-path", "mountinfo", MI_V1);
    v1_files("v1-host-path", "sys/fs/cgroup/memory", "sys/fs/cgroup/cpu,cpuacct", V1_MAX "\n", V1_MAX "\n", "-1\n", STAT_V1);
    v1_files("v1-host-path", "sys/fs/cgroup/memory/kubepods/burstable/pod1/c1", "sys/fs/cgroup/cpu,cpuacct/kubepods/burstable/pod1/c1",
             "805306368\n", NULL, "50000\n", STAT_V1);
    check("v1-host-path", 1, 768 * MIB, 768 * MIB, -1, 111111, 222222, 600000, 500000, 1);

    /* v1, the limit set above the visible hierarchy: memory.stat's hierarchical_memory_limit */
    put("v1-hierarchical", "proc-self-cgroup", "4:memory:/docker/def\n2:cpu,cpuacct:/docker/def\n");
    put("v1-hierarchical", "mountinfo",
        "31 25 0:27 /docker/def /sys/fs/cgroup/memory ro - cgroup cgroup rw,memory\n"
        "32 25 0:28 /docker/def /sys/fs/cgroup/cpu,cpuacct ro - cgroup cgroup rw,cpuacct,cpu\n");
    v1_files("v1-hierarchical", "sys/fs/cgroup/memory", "sys/fs/cgroup/cpu,cpuacct", V1_MAX "\n", NULL, "-1\n",
             "cache 1\nrss 2\nhierarchical_memory_limit 2147483648\n");
    check("v1-hierarchical", 1, 2 * GIB, 2 * GIB, -1, 111111, 222222, 2, 1, HOST_CPUS);

    /* v1 and v2 together (hybrid, as on this project's machines): memory and cpu on v1 (cpu alone, not with
     * cpuacct); a mount point with an escaped space */
    put("v1-hybrid", "proc-self-cgroup", "9:name=systemd:/\n4:memory:/process_api/x1\n2:cpuacct:/\n1:cpu:/job\n0::/\n");
    put("v1-hybrid", "mountinfo",
        "32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu\n"
        "33 31 0:30 / /sys/fs/cgroup/cpuacct rw,relatime - cgroup cgroup rw,cpuacct\n"
        "35 31 0:32 / /sys/fs/cgroup/mem\\040ory rw,relatime - cgroup cgroup rw,memory\n"
        "41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw\n");
    v1_files("v1-hybrid", "sys/fs/cgroup/mem ory/process_api/x1", "sys/fs/cgroup/cpu/job", "536870912\n", V1_MAX "\n", "50000\n", STAT_V1);
    check("v1-hybrid", 1, 512 * MIB, -1, -1, 111111, 222222, 600000, 500000, 1);

    /* v1, missing files: a mounted controller whose files cannot be read */
    put("v1-missing-files", "proc-self-cgroup", "4:memory:/\n2:cpu,cpuacct:/\n");
    put("v1-missing-files", "mountinfo", MI_V1);
    put("v1-missing-files", "sys/fs/cgroup/memory/tasks", "1\n");
    put("v1-missing-files", "sys/fs/cgroup/cpu,cpuacct/tasks", "1\n");
    check("v1-missing-files", 1, -1, -1, -1, -2, -2, -2, -2, HOST_CPUS);

    /* no cgroup at all: no /proc/self/cgroup, or no cgroup mount */
    check("none-no-proc-file", 0, -1, -1, -1, -2, -2, -2, -2, HOST_CPUS);
    put("none-no-mount", "proc-self-cgroup", "0::/\n");
    put("none-no-mount", "mountinfo", "25 20 0:22 / / rw - ext4 /dev/sda1 rw\n");
    check("none-no-mount", 0, -1, -1, -1, -2, -2, -2, -2, HOST_CPUS);
}

static int write_file(const char *dir, const char *name, const char *value) {
    char path[SW_CG_PATH];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    if (!f) return -1;
    int r = fputs(value, f) < 0;
    return fclose(f) || r ? -1 : 0;
}

/* The real thing: 0 passed, 1 failed, 2 skipped. */
static int real_cgroups(void) {
    struct sw_cgroup cg;
    char mem[SW_CG_PATH + 32], cpu[SW_CG_PATH + 32], pid[32];
    int v = sw_cgroup_detect(&cg, "/proc/self/cgroup", "/proc/self/mountinfo", "");
    if (v != 1 || !cg.mem[0] || !cg.cpu[0]) { printf("SKIP real-cgroup-v1: this machine is not cgroup v1 (found v%d)\n", v); return 2; }
    if (geteuid() != 0) { printf("SKIP real-cgroup-v1: not root\n"); return 2; }
    snprintf(mem, sizeof mem, "%s/shiftwork-test-%d", cg.mem, (int) getpid());
    snprintf(cpu, sizeof cpu, "%s/shiftwork-test-%d", cg.cpu, (int) getpid());
    if (mkdir(mem, 0755)) { printf("SKIP real-cgroup-v1: mkdir %s: %s\n", mem, strerror(errno)); return 2; }
    if (mkdir(cpu, 0755)) { printf("SKIP real-cgroup-v1: mkdir %s: %s\n", cpu, strerror(errno)); rmdir(mem); return 2; }
    int result = 2;
    if (write_file(mem, "memory.limit_in_bytes", "536870912") || write_file(cpu, "cpu.cfs_period_us", "100000")
        || write_file(cpu, "cpu.cfs_quota_us", "50000")) {
        printf("SKIP real-cgroup-v1: cannot set the limits in %s, %s: %s\n", mem, cpu, strerror(errno));
    } else {
        fflush(stdout);
        pid_t child = fork();
        if (child == 0) {
            snprintf(pid, sizeof pid, "%d", (int) getpid());
            if (write_file(mem, "cgroup.procs", pid) || write_file(cpu, "cgroup.procs", pid)) {
                printf("SKIP real-cgroup-v1: cannot move a process into %s: %s\n", mem, strerror(errno)); _exit(2);
            }
            int init = svm_container_initialize(240100);
            long long limit = svm_container_memory_limit_in_bytes();
            unsigned long long phys = (unsigned long long) svm_container_physical_memory();
            int cpus = svm_container_active_processor_count();
            int ok = init == 1 && limit == 536870912 && phys == 536870912ULL && cpus == 1;
            printf("%s real-cgroup-v1: %s, %s: initialize=%d memory_limit=%lld physical_memory=%llu processors=%d "
                   "(expected 1, 536870912, 536870912, 1)\n", ok ? "PASS" : "FAIL", mem, cpu, init, limit, phys, cpus);
            fflush(stdout);
            _exit(ok ? 0 : 1);
        }
        int status = 0;
        if (child < 0 || waitpid(child, &status, 0) != child || !WIFEXITED(status)) result = 1;
        else result = WEXITSTATUS(status);
    }
    if (rmdir(mem) || rmdir(cpu)) printf("  (could not remove %s or %s: %s)\n", mem, cpu, strerror(errno));
    return result;
}

int main(void) {
    snprintf(base, sizeof base, "/tmp/shiftwork-cgroup-test-XXXXXX");
    if (!mkdtemp(base)) { perror("mkdtemp"); return 2; }
    fake_trees();
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", base);
    if (system(cmd)) fprintf(stderr, "could not remove %s\n", base);
    int older = svm_container_initialize(240099), newer = svm_container_initialize(240101);
    checks += 2;
    if (older != 3 || newer != 2) failures++;
    printf("%s library-version: initialize(240099)=%d initialize(240101)=%d (expected 3 TOO_NEW, 2 TOO_OLD)\n",
           older == 3 && newer == 2 ? "PASS" : "FAIL", older, newer);
    int real = real_cgroups();
    printf("container tests: %d checks, %d failed; real cgroup check %s\n", checks, failures,
           real == 0 ? "passed" : real == 1 ? "FAILED" : "skipped");
    return failures || real == 1 ? 1 : 0;
}
