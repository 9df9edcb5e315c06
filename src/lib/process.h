/* urun — the container process: identity, capabilities, rlimits, and exec.
   Runs in the child.  Owned by process.c (+ capabilities.c).  */
#ifndef URUN_PROCESS_H
#define URUN_PROCESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "error.h"
#include "oci-config.h"

/* Validates process fields that the parser cannot (capability names, rlimit
   names, cwd absolute, args non-empty ...) before any side effect.  */
int process_validate_config (const struct oci_config *cfg, urun_error_t *err);

/* After pivot_root: finds args[0] with PATH from process.env inside the
   container (error: `exec: "foo": executable file not found in $PATH`), and
   creates/chdirs to cwd.  Returns the resolved path (malloc'ed).  */
int process_resolve_exec (const struct oci_process *p, char **exec_path, urun_error_t *err);

/* After pivot_root and BEFORE mount_finalize_rootfs (root.readonly): creates
   process.cwd when missing (as runc), as root.  process_resolve_exec creates
   it too, but a read-only root would refuse it by then.  */
int process_create_cwd (const struct oci_process *p, urun_error_t *err);

/* rlimits, oomScoreAdj (own /proc/self), personality, scheduler, ioPriority, umask.  */
int process_apply_limits (const struct oci_config *cfg, urun_error_t *err);

/* setgroups/setresgid/setresuid to process.user keeping the configured
   capabilities (5 sets incl. ambient), bounding set drop, noNewPrivileges.
   in_userns: setgroups may be denied when only one id is mapped.  */
int process_set_identity (const struct oci_process *p, bool in_userns, urun_error_t *err);

/* Closes every fd >= 3 + preserve_fds (close_range), then execve. Only
   returns on error.  */
int process_exec (const struct oci_process *p, const char *exec_path, int preserve_fds, urun_error_t *err);

/* execCPUAffinity.initial: for the runtime process that joins the container
   (exec), before it moves into the container's cgroup.  No-op when unset.
   process_apply_limits applies .final in the process itself.  */
int process_apply_initial_cpu_affinity (const struct oci_process *p, urun_error_t *err);

/* Parses a "0-3,7" list (CPUs, NUMA nodes) into a bitmap of NBITS bits;
   *max_id is the highest id set, -1 when empty.  Errors name FIELD.  */
int process_parse_id_list (const char *field, const char *list, unsigned long *bits, size_t nbits,
                           int *max_id, urun_error_t *err);

/* ---- capabilities.c ---- */
enum capability_set
{
  CAP_SET_BOUNDING = 0,
  CAP_SET_EFFECTIVE,
  CAP_SET_INHERITABLE,
  CAP_SET_PERMITTED,
  CAP_SET_AMBIENT,
  CAP_SET__COUNT
};
struct capability_masks
{
  uint64_t set[CAP_SET__COUNT]; /* bit N = capability N */
};
/* Unknown names are errors naming the field; names beyond the kernel's last
   cap are warned about and left out (spec: SHOULD NOT fail; as runc).
   C NULL (absent) gives empty sets.  */
int capabilities_from_config (const struct oci_capabilities *c, struct capability_masks *m, urun_error_t *err);
/* Names only, no warnings: for process_validate_config.  */
int capabilities_validate (const struct oci_capabilities *c, urun_error_t *err);
/* PR_CAPBSET_DROP of everything not in the bounding set (needs CAP_SETPCAP). */
int capabilities_drop_bounding (const struct capability_masks *m, urun_error_t *err);
/* capset effective/permitted/inheritable, then ambient (clear + raise).  */
int capabilities_apply (const struct capability_masks *m, urun_error_t *err);
/* Number -> "CAP_..." or NULL.  */
const char *capability_name (int cap);

/* Capability name ("CAP_SYS_ADMIN") -> number, -1 if unknown. */
int capability_from_name (const char *name);
/* Highest capability the running kernel knows (/proc/sys/kernel/cap_last_cap).  */
int capability_last_cap (void);

#endif
