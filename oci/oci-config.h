/* urun — the OCI runtime-spec 1.3 config.json (Linux part) as C types.
 *
 * Strings are NUL-terminated and owned by the config; string vectors are
 * NULL-terminated (so they can go straight to execve) with their count.
 * Optional scalars carry a "set" flag: absent and zero are different things
 * to the runtime (a memory limit of 0 is not "no limit").  */
#ifndef URUN_OCI_CONFIG_H
#define URUN_OCI_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "error.h"
#include "oci-names.h"

typedef struct { bool set; int64_t value; } oci_opt_i64;
typedef struct { bool set; uint64_t value; } oci_opt_u64;
typedef struct { bool set; bool value; } oci_opt_bool;

typedef struct
{
  char **v; /* NULL-terminated */
  size_t n;
} oci_strv;

typedef struct
{
  char **keys;
  char **values;
  size_t n;
} oci_map; /* string -> string, in document order */

/* ---- process ---------------------------------------------------------- */

struct oci_rlimit
{
  char *type; /* "RLIMIT_NOFILE", validated against the known set */
  uint64_t hard;
  uint64_t soft;
};

struct oci_capabilities
{
  oci_strv bounding, effective, inheritable, permitted, ambient;
};

struct oci_user
{
  uint32_t uid;
  uint32_t gid;
  oci_opt_u64 umask;
  uint32_t *additional_gids;
  size_t n_additional_gids;
  char *username;
};

struct oci_scheduler
{
  char *policy; /* SCHED_OTHER, SCHED_FIFO, ... (validated) */
  oci_opt_i64 nice;
  oci_opt_i64 priority;
  oci_strv flags; /* SCHED_FLAG_* */
  oci_opt_u64 runtime, deadline, period;
};

struct oci_io_priority
{
  char *class_; /* IOPRIO_CLASS_RT, IOPRIO_CLASS_BE, IOPRIO_CLASS_IDLE */
  int64_t priority;
};

struct oci_exec_cpu_affinity
{
  char *initial;
  char *final;
};

struct oci_process
{
  bool terminal;
  bool has_console_size;
  uint32_t console_height, console_width;
  struct oci_user user;
  oci_strv args;
  char *command_line;
  oci_strv env;
  char *cwd;
  struct oci_capabilities *capabilities; /* NULL: absent */
  struct oci_rlimit *rlimits;
  size_t n_rlimits;
  bool no_new_privileges;
  char *apparmor_profile;
  char *selinux_label;
  oci_opt_i64 oom_score_adj;
  struct oci_scheduler *scheduler;      /* NULL: absent */
  struct oci_io_priority *io_priority;  /* NULL: absent */
  struct oci_exec_cpu_affinity *exec_cpu_affinity; /* NULL: absent */
};

/* ---- root, mounts, hooks ---------------------------------------------- */

struct oci_root
{
  char *path;
  bool readonly;
};

struct oci_id_mapping
{
  uint32_t container_id;
  uint32_t host_id;
  uint32_t size;
};

struct oci_mount
{
  char *destination;
  char *source; /* may be NULL */
  char *type;   /* may be NULL */
  oci_strv options;
  struct oci_id_mapping *uid_mappings;
  size_t n_uid_mappings;
  struct oci_id_mapping *gid_mappings;
  size_t n_gid_mappings;
};

struct oci_hook
{
  char *path;
  oci_strv args;
  oci_strv env;
  oci_opt_i64 timeout; /* seconds, > 0 when set */
};

struct oci_hook_list
{
  struct oci_hook *hooks;
  size_t n;
};

struct oci_hooks
{
  struct oci_hook_list prestart; /* deprecated, still run */
  struct oci_hook_list create_runtime;
  struct oci_hook_list create_container;
  struct oci_hook_list start_container;
  struct oci_hook_list poststart;
  struct oci_hook_list poststop;
};

/* ---- linux ------------------------------------------------------------- */

enum oci_namespace_type
{
  OCI_NS_PID = 0,
  OCI_NS_NETWORK,
  OCI_NS_MOUNT,
  OCI_NS_IPC,
  OCI_NS_UTS,
  OCI_NS_USER,
  OCI_NS_CGROUP,
  OCI_NS_TIME,
  OCI_NS__COUNT
};

struct oci_namespace
{
  enum oci_namespace_type type;
  char *path; /* NULL: create a new one */
};

struct oci_time_offset
{
  bool set;
  int64_t secs;
  uint32_t nanosecs;
};

struct oci_device
{
  char *type; /* "c", "b", "u" or "p" */
  char *path;
  int64_t major, minor; /* required for c/b/u */
  oci_opt_u64 file_mode;
  oci_opt_u64 uid;
  oci_opt_u64 gid;
};

struct oci_device_cgroup
{
  bool allow;
  char *type;   /* "a", "c", "b" or NULL */
  oci_opt_i64 major, minor;
  char *access; /* "rwm" subset or NULL */
};

struct oci_memory
{
  oci_opt_i64 limit, reservation, swap, kernel, kernel_tcp;
  oci_opt_u64 swappiness;
  oci_opt_bool disable_oom_killer, use_hierarchy, check_before_update;
};

struct oci_cpu
{
  oci_opt_u64 shares;
  oci_opt_i64 quota;
  oci_opt_u64 burst;
  oci_opt_u64 period;
  oci_opt_i64 realtime_runtime;
  oci_opt_u64 realtime_period;
  char *cpus;
  char *mems;
  oci_opt_i64 idle;
};

struct oci_block_io_device_weight
{
  int64_t major, minor;
  oci_opt_u64 weight, leaf_weight;
};

struct oci_block_io_device_throttle
{
  int64_t major, minor;
  uint64_t rate;
};

struct oci_throttle_list
{
  struct oci_block_io_device_throttle *v;
  size_t n;
};

struct oci_block_io
{
  oci_opt_u64 weight, leaf_weight;
  struct oci_block_io_device_weight *weight_device;
  size_t n_weight_device;
  struct oci_throttle_list throttle_read_bps, throttle_write_bps,
    throttle_read_iops, throttle_write_iops;
};

struct oci_hugepage_limit
{
  char *page_size;
  uint64_t limit;
};

struct oci_net_priority
{
  char *name;
  uint32_t priority;
};

struct oci_network
{
  oci_opt_u64 class_id;
  struct oci_net_priority *priorities;
  size_t n_priorities;
};

struct oci_rdma
{
  char *device;
  oci_opt_u64 hca_handles, hca_objects;
};

struct oci_resources
{
  struct oci_device_cgroup *devices;
  size_t n_devices;
  struct oci_memory *memory;   /* NULL: absent */
  struct oci_cpu *cpu;         /* NULL: absent */
  oci_opt_i64 pids_limit;      /* from pids.limit */
  bool has_pids;
  struct oci_block_io *block_io; /* NULL: absent */
  struct oci_hugepage_limit *hugepage_limits;
  size_t n_hugepage_limits;
  struct oci_network *network; /* NULL: absent */
  struct oci_rdma *rdma;
  size_t n_rdma;
  oci_map unified;
};

struct oci_seccomp_arg
{
  uint32_t index;
  uint64_t value;
  oci_opt_u64 value_two;
  char *op; /* SCMP_CMP_NE ... SCMP_CMP_MASKED_EQ (validated) */
};

struct oci_seccomp_syscall
{
  oci_strv names;
  char *action; /* SCMP_ACT_* (validated) */
  oci_opt_u64 errno_ret;
  struct oci_seccomp_arg *args;
  size_t n_args;
};

struct oci_seccomp
{
  char *default_action;
  oci_opt_u64 default_errno_ret;
  oci_strv architectures; /* SCMP_ARCH_* */
  oci_strv flags;         /* SECCOMP_FILTER_FLAG_* */
  char *listener_path;
  char *listener_metadata;
  struct oci_seccomp_syscall *syscalls;
  size_t n_syscalls;
};

struct oci_personality
{
  char *domain; /* LINUX or LINUX32 */
  oci_strv flags;
};

struct oci_intel_rdt
{
  char *clos_id;
  char *l3_cache_schema;
  char *mem_bw_schema;
  oci_strv schemata;
  bool enable_monitoring;
};

struct oci_net_device
{
  char *host_name; /* the key in netDevices */
  char *name;      /* name in the container; NULL: same as host_name */
};

struct oci_memory_policy
{
  char *mode;  /* MPOL_* */
  char *nodes;
  oci_strv flags;
};

struct oci_linux
{
  struct oci_namespace *namespaces;
  size_t n_namespaces;
  struct oci_id_mapping *uid_mappings;
  size_t n_uid_mappings;
  struct oci_id_mapping *gid_mappings;
  size_t n_gid_mappings;
  struct oci_time_offset time_monotonic, time_boottime;
  struct oci_device *devices;
  size_t n_devices;
  char *cgroups_path;
  struct oci_resources *resources; /* NULL: absent */
  oci_map sysctl;
  struct oci_seccomp *seccomp;     /* NULL: absent */
  char *rootfs_propagation;        /* shared, slave, private, unbindable, ... */
  oci_strv masked_paths;
  oci_strv readonly_paths;
  char *mount_label;
  struct oci_personality *personality; /* NULL: absent */
  struct oci_intel_rdt *intel_rdt;     /* NULL: absent */
  struct oci_net_device *net_devices;
  size_t n_net_devices;
  struct oci_memory_policy *memory_policy; /* NULL: absent */
};

struct oci_config
{
  char *oci_version;
  struct oci_root *root;       /* NULL: absent */
  struct oci_process *process; /* NULL: absent (allowed for create-only use) */
  char *hostname;
  char *domainname;
  struct oci_mount *mounts;
  size_t n_mounts;
  struct oci_hooks *hooks; /* NULL: absent */
  oci_map annotations;
  struct oci_linux *linux_; /* NULL: absent */
};

/* Parse and validate.  Errors name the JSON path, e.g.
   `linux.namespaces[2].type: unknown namespace "foo"`.  Unknown properties
   are ignored.  Returns 0 or -1 with *err set.  */
int oci_config_parse (const char *json, size_t len, struct oci_config **out, urun_error_t *err);
/* Reads the file and parses it; errors are prefixed with the file name.  */
int oci_config_load_file (const char *path, struct oci_config **out, urun_error_t *err);
void oci_config_free (struct oci_config *c);
/* A lone process object (`exec --process process.json`), validated like
   config.json's "process" (errors name "cwd", "user.uid", ...).  */
int oci_process_parse (const char *json, size_t len, struct oci_process **out, urun_error_t *err);
void oci_process_free (struct oci_process *p);
static inline void cleanup_oci_configp (struct oci_config **c) { oci_config_free (*c); }
#define cleanup_oci_config __attribute__ ((cleanup (cleanup_oci_configp)))

/* Helpers on parsed configs.  */
const char *oci_namespace_type_name (enum oci_namespace_type t);
/* -1 if unknown.  */
int oci_namespace_type_from_name (const char *name);
/* The namespace entry of that type, or NULL.  */
const struct oci_namespace *oci_config_find_namespace (const struct oci_config *c, enum oci_namespace_type t);

#endif
