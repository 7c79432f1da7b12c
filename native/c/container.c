/* Shiftwork's cgroup v1/v2 reader (see container.h). Our own code, written from the kernel's cgroup documentation
 * and the semantics SubstrateVM's Java side expects (HotSpot's): a limit at or above the host's is no limit (-1),
 * processors = min(affinity, ceil(quota / period)). The directories are found once, at an isolate's start; each
 * value is then a small read. */
#define _GNU_SOURCE
#include "container.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define HUGE_V1 0x7FFFFFFFFFFF0000LL   /* v1 writes "no limit" as LLONG_MAX rounded down to a page (4K..64K) */

/* Reads a small file whole; returns its length or -1. */
static int slurp(const char *path, char *buf, size_t size) {
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return -1;
    size_t n = 0;
    while (n + 1 < size) {
        ssize_t r = read(fd, buf + n, size - 1 - n);
        if (r < 0) { close(fd); return -1; }
        if (r == 0) break;
        n += (size_t) r;
    }
    close(fd);
    buf[n] = 0;
    return (int) n;
}

static int join(char *out, const char *a, const char *b, const char *c) {
    size_t la = strlen(a), lb = strlen(b), lc = strlen(c);
    if (la + lb + lc + 1 > SW_CG_PATH) { out[0] = 0; return -1; }
    memcpy(out, a, la); memcpy(out + la, b, lb); memcpy(out + la + lb, c, lc + 1);
    return 0;
}

/* 0: *v holds a number; 1: the file says "max"; -1: missing or unparsable. */
static int read_value(const char *dir, const char *file, long long *v) {
    char path[SW_CG_PATH], buf[64];
    if (!dir[0] || join(path, dir, "/", file) || slurp(path, buf, sizeof buf) < 0) return -1;
    if (strncmp(buf, "max", 3) == 0) return 1;
    char *end;
    *v = strtoll(buf, &end, 10);
    return end == buf ? -1 : 0;
}

/* A "key value" line of memory.stat. */
static int read_stat(const char *dir, const char *key, long long *v) {
    char path[SW_CG_PATH], buf[8192];
    if (!dir[0] || join(path, dir, "/memory.stat", "") || slurp(path, buf, sizeof buf) < 0) return -1;
    size_t k = strlen(key);
    for (char *line = buf; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
        if (strncmp(line, key, k) == 0 && line[k] == ' ') { *v = strtoll(line + k + 1, NULL, 10); return 0; }
    }
    return -1;
}

static int is_dir(const char *p) { struct stat st; return stat(p, &st) == 0 && S_ISDIR(st.st_mode); }

/* mountinfo escapes space, tab, newline and backslash as \ooo. */
static void unescape(char *s) {
    char *w = s;
    for (char *r = s; *r; ) {
        if (r[0] == '\\' && r[1] >= '0' && r[1] <= '3' && r[2] >= '0' && r[2] <= '7' && r[3] >= '0' && r[3] <= '7') {
            *w++ = (char) ((r[1] - '0') * 64 + (r[2] - '0') * 8 + (r[3] - '0')); r += 4;
        } else *w++ = *r++;
    }
    *w = 0;
}

static int has_token(const char *list, const char *tok) {   /* comma-separated list */
    size_t n = strlen(tok);
    for (const char *p = list; p; p = strchr(p, ',') ? strchr(p, ',') + 1 : NULL)
        if (strncmp(p, tok, n) == 0 && (p[n] == ',' || p[n] == 0)) return 1;
    return 0;
}

struct mount { char root[SW_CG_PATH], point[SW_CG_PATH]; int found; };

/* The mount of a v1 controller (fstype cgroup, super options naming it) or of the v2 hierarchy (ctl NULL).
 * Read a line at a time: a host's or a pod's mountinfo can be long, and overlay lines several KB. */
static void find_mount(const char *mountinfo, const char *ctl, struct mount *m) {
    m->found = 0;
    FILE *in = fopen(mountinfo, "re");
    if (!in) return;
    char *line = NULL;
    size_t cap = 0;
    while (!m->found && getline(&line, &cap, in) > 0) {
        line[strcspn(line, "\n")] = 0;
        char *f[6], *save = NULL, *t = strtok_r(line, " ", &save);
        int i = 0;
        for (; t && i < 6; t = strtok_r(NULL, " ", &save)) f[i++] = t;
        while (t && strcmp(t, "-") != 0) t = strtok_r(NULL, " ", &save);   /* optional fields */
        char *fstype = t ? strtok_r(NULL, " ", &save) : NULL;
        char *source = fstype ? strtok_r(NULL, " ", &save) : NULL;
        char *super = source ? strtok_r(NULL, " ", &save) : NULL;
        if (i == 6 && super && (ctl ? strcmp(fstype, "cgroup") == 0 && has_token(super, ctl) : strcmp(fstype, "cgroup2") == 0)
            && strlen(f[3]) < SW_CG_PATH && strlen(f[4]) < SW_CG_PATH) {
            strcpy(m->root, f[3]); unescape(m->root);
            strcpy(m->point, f[4]); unescape(m->point);
            m->found = 1;
        }
    }
    free(line);
    fclose(in);
}

/* The directory of cgroup `path` under a mount of hierarchy root `m->root` at `m->point`: the mount point plus the
 * part of the path below the mount's root. A container without its own cgroup namespace sees its host's path in
 * /proc/self/cgroup but only its own cgroup at the mount point: when the joined directory does not exist, the
 * mount point it is. */
static void resolve(const struct mount *m, const char *prefix, const char *path, char *dir, char *mount_dir) {
    join(mount_dir, prefix, m->point, "");
    size_t lr = strlen(m->root);
    const char *rel = "";
    if (strcmp(m->root, "/") == 0) rel = path;
    else if (strncmp(path, m->root, lr) == 0 && (path[lr] == '/' || path[lr] == 0)) rel = path + lr;
    if (strcmp(rel, "/") == 0) rel = "";
    if (join(dir, mount_dir, rel, "") || !is_dir(dir)) strcpy(dir, mount_dir);
}

int sw_cgroup_detect(struct sw_cgroup *cg, const char *proc_self_cgroup, const char *mountinfo, const char *prefix) {
    static char buf[8192];
    char mem_path[SW_CG_PATH] = "", cpu_path[SW_CG_PATH] = "", unified[SW_CG_PATH] = "";
    int v1_mem = 0, v1_cpu = 0, v2 = 0;
    memset(cg, 0, sizeof *cg);
    if (slurp(proc_self_cgroup, buf, sizeof buf) < 0) return 0;
    for (char *line = buf; line && *line; ) {   /* "id:controllers:path" */
        char *next = strchr(line, '\n');
        if (next) *next++ = 0;
        char *c1 = strchr(line, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
        if (c2 && strlen(c2 + 1) < SW_CG_PATH) {
            *c1 = 0; *c2 = 0;
            const char *ctls = c1 + 1, *path = c2 + 1;
            if (strcmp(line, "0") == 0 && !*ctls) { strcpy(unified, path); v2 = 1; }
            if (has_token(ctls, "memory")) { strcpy(mem_path, path); v1_mem = 1; }
            if (has_token(ctls, "cpu")) { strcpy(cpu_path, path); v1_cpu = 1; }
        }
        line = next;
    }
    struct mount m;
    if (v1_mem || v1_cpu) {   /* v1, or hybrid with the controllers on v1 */
        if (v1_mem) { find_mount(mountinfo, "memory", &m); if (m.found) resolve(&m, prefix, mem_path, cg->mem, cg->mem_mount); }
        if (v1_cpu) { find_mount(mountinfo, "cpu", &m); if (m.found) resolve(&m, prefix, cpu_path, cg->cpu, cg->cpu_mount); }
        if (cg->mem[0] || cg->cpu[0]) return cg->version = 1;
    }
    if (v2) {
        find_mount(mountinfo, NULL, &m);
        if (m.found) {
            resolve(&m, prefix, unified, cg->mem, cg->mem_mount);
            strcpy(cg->cpu, cg->mem); strcpy(cg->cpu_mount, cg->mem_mount);
            return cg->version = 2;
        }
    }
    memset(cg, 0, sizeof *cg);
    return 0;
}

/* The limit set in one directory (not its ancestors): SW_CG_UNLIMITED when none or not below the host's. */
static long long memory_limit_here(int version, const char *dir, long long host) {
    long long v;
    if (read_value(dir, version == 2 ? "memory.max" : "memory.limit_in_bytes", &v) != 0) return SW_CG_UNLIMITED;
    return v < 0 || v >= HUGE_V1 || v >= host ? SW_CG_UNLIMITED : v;
}

static int cpus_here(int version, const char *dir, int host) {
    long long quota, period;
    if (version == 2) {
        char path[SW_CG_PATH], buf[64], *end;
        if (!dir[0] || join(path, dir, "/cpu.max", "") || slurp(path, buf, sizeof buf) < 0) return host;
        if (strncmp(buf, "max", 3) == 0) return host;
        quota = strtoll(buf, &end, 10);
        if (end == buf) return host;
        period = strtoll(end, NULL, 10);
    } else {
        if (read_value(dir, "cpu.cfs_quota_us", &quota) != 0 || read_value(dir, "cpu.cfs_period_us", &period) != 0) return host;
    }
    if (quota <= 0 || period <= 0) return host;   /* v1 says -1 for no quota */
    long long n = (quota + period - 1) / period;
    return n < host ? (int) n : host;
}

static void parent(char *dir) { char *s = strrchr(dir, '/'); if (s) *s = 0; }

void sw_cgroup_settle(struct sw_cgroup *cg, long long host_memory, int host_cpus) {
    char dir[SW_CG_PATH];
    if (cg->mem[0]) {
        long long best = memory_limit_here(cg->version, cg->mem, host_memory);
        for (strcpy(dir, cg->mem); strlen(dir) > strlen(cg->mem_mount); ) {
            parent(dir);
            long long l = memory_limit_here(cg->version, dir, host_memory);
            if (l != SW_CG_UNLIMITED && (best == SW_CG_UNLIMITED || l < best)) { best = l; strcpy(cg->mem, dir); }
        }
    }
    if (cg->cpu[0]) {
        int best = cpus_here(cg->version, cg->cpu, host_cpus);
        for (strcpy(dir, cg->cpu); strlen(dir) > strlen(cg->cpu_mount); ) {
            parent(dir);
            int n = cpus_here(cg->version, dir, host_cpus);
            if (n < best) { best = n; strcpy(cg->cpu, dir); }
        }
    }
}

long long sw_cgroup_memory_limit(const struct sw_cgroup *cg, long long host_memory) {
    if (!cg->version || !cg->mem[0]) return SW_CG_UNLIMITED;
    long long l = memory_limit_here(cg->version, cg->mem, host_memory), h;
    /* v1 also states the limit its ancestors impose, those above the mount's root included */
    if (l == SW_CG_UNLIMITED && cg->version == 1 && read_stat(cg->mem, "hierarchical_memory_limit", &h) == 0
        && h > 0 && h < HUGE_V1 && h < host_memory) l = h;
    return l;
}

long long sw_cgroup_memory_and_swap_limit(const struct sw_cgroup *cg, long long host_memory) {
    long long mem = sw_cgroup_memory_limit(cg, host_memory), v;
    if (!cg->version || !cg->mem[0]) return SW_CG_UNLIMITED;
    if (cg->version == 1) {   /* memory.memsw.* exist only with swap accounting on; without it: the memory limit */
        int r = read_value(cg->mem, "memory.memsw.limit_in_bytes", &v);
        if (r < 0) return mem;
        return r == 1 || v < 0 || v >= HUGE_V1 ? SW_CG_UNLIMITED : v;
    }
    if (mem == SW_CG_UNLIMITED) return SW_CG_UNLIMITED;
    int r = read_value(cg->mem, "memory.swap.max", &v);   /* v2 states the swap alone */
    if (r < 0) return mem;
    return r == 1 ? SW_CG_UNLIMITED : mem + v;
}

long long sw_cgroup_memory_soft_limit(const struct sw_cgroup *cg, long long host_memory) {
    long long v;
    if (!cg->version || !cg->mem[0]) return SW_CG_UNLIMITED;
    int r = read_value(cg->mem, cg->version == 2 ? "memory.low" : "memory.soft_limit_in_bytes", &v);
    return r != 0 || v < 0 || v >= HUGE_V1 || v >= host_memory ? SW_CG_UNLIMITED : v;
}

static long long value(const struct sw_cgroup *cg, const char *v1, const char *v2) {
    long long v;
    if (!cg->version || !cg->mem[0]) return SW_CG_ERROR;
    return read_value(cg->mem, cg->version == 2 ? v2 : v1, &v) == 0 ? v : SW_CG_ERROR;
}

static long long stat_value(const struct sw_cgroup *cg, const char *v1, const char *v2) {
    long long v;
    if (!cg->version || !cg->mem[0]) return SW_CG_ERROR;
    return read_stat(cg->mem, cg->version == 2 ? v2 : v1, &v) == 0 ? v : SW_CG_ERROR;
}

long long sw_cgroup_memory_usage(const struct sw_cgroup *cg) { return value(cg, "memory.usage_in_bytes", "memory.current"); }
long long sw_cgroup_memory_max_usage(const struct sw_cgroup *cg) { return value(cg, "memory.max_usage_in_bytes", "memory.peak"); }
long long sw_cgroup_rss_usage(const struct sw_cgroup *cg) { return stat_value(cg, "rss", "anon"); }
long long sw_cgroup_cache_usage(const struct sw_cgroup *cg) { return stat_value(cg, "cache", "file"); }

int sw_cgroup_cpus(const struct sw_cgroup *cg, int host_cpus) {
    int n = cg->version && cg->cpu[0] ? cpus_here(cg->version, cg->cpu, host_cpus) : host_cpus;
    return n < 1 ? 1 : n;
}
