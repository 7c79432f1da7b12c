/* Shiftwork's cgroup reader for SubstrateVM's container support (svm_container_* in svmhelpers.c).
 * Every function takes its inputs explicitly (the files describing the process's cgroups, the host's memory and
 * processors) so that native/c/test_container.c can run it against fake cgroup trees. */
#ifndef SHIFTWORK_CONTAINER_H
#define SHIFTWORK_CONTAINER_H

#define SW_CG_PATH 4096
#define SW_CG_UNLIMITED (-1LL)   /* no limit set (cgroup "max", v1's page-rounded LLONG_MAX, or >= the host's) */
#define SW_CG_ERROR (-2LL)       /* a file that should be there cannot be read (HotSpot's OSCONTAINER_ERROR) */

struct sw_cgroup {
    int version;                 /* 0: no cgroup controller found, 1: cgroup v1, 2: cgroup v2 (unified) */
    char mem[SW_CG_PATH];        /* directory holding memory.* ("" if none) */
    char mem_mount[SW_CG_PATH];  /* its controller's mount point: the hierarchy walk stops there */
    char cpu[SW_CG_PATH];        /* directory holding cpu.max / cpu.cfs_* ("" if none) */
    char cpu_mount[SW_CG_PATH];
};

/* Finds the process's memory and cpu cgroup directories from a /proc/self/cgroup and a /proc/self/mountinfo;
 * prefix ("" for the real thing) is put before every mount point (a fake tree's root). Returns cg->version. */
int sw_cgroup_detect(struct sw_cgroup *cg, const char *proc_self_cgroup, const char *mountinfo, const char *prefix);
/* Moves each controller's directory up to the ancestor (up to its mount point) with the lowest limit, when that
 * is lower than the process's own cgroup's: a limit set on a parent cgroup applies to its children too. */
void sw_cgroup_settle(struct sw_cgroup *cg, long long host_memory, int host_cpus);

long long sw_cgroup_memory_limit(const struct sw_cgroup *cg, long long host_memory);
long long sw_cgroup_memory_and_swap_limit(const struct sw_cgroup *cg, long long host_memory);
long long sw_cgroup_memory_soft_limit(const struct sw_cgroup *cg, long long host_memory);
long long sw_cgroup_memory_usage(const struct sw_cgroup *cg);
long long sw_cgroup_memory_max_usage(const struct sw_cgroup *cg);
long long sw_cgroup_rss_usage(const struct sw_cgroup *cg);
long long sw_cgroup_cache_usage(const struct sw_cgroup *cg);
int sw_cgroup_cpus(const struct sw_cgroup *cg, int host_cpus);

#endif
