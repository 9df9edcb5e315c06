/* urun — the known names of the runtime-spec's Linux enums, in one place.
 *
 * Every list is NULL-terminated.  The parser validates against these, the
 * features generator reports them, and the runtime maps them to kernel or
 * libseccomp values (by name, or by index where noted).  */
#ifndef URUN_OCI_NAMES_H
#define URUN_OCI_NAMES_H

/* Index == the kernel's capability number (CAP_CHOWN is 0).  */
extern const char *const oci_capability_names[];
/* Index == the value of enum oci_namespace_type.  */
extern const char *const oci_namespace_names[];
extern const char *const oci_rlimit_names[];
extern const char *const oci_seccomp_action_names[];
extern const char *const oci_seccomp_operator_names[];
extern const char *const oci_seccomp_arch_names[];
extern const char *const oci_seccomp_flag_names[];
extern const char *const oci_rootfs_propagation_names[];
extern const char *const oci_personality_domain_names[];
extern const char *const oci_scheduler_policy_names[];
extern const char *const oci_scheduler_flag_names[];
extern const char *const oci_io_priority_class_names[];
extern const char *const oci_memory_policy_mode_names[];
extern const char *const oci_memory_policy_flag_names[];
extern const char *const oci_device_type_names[];      /* c b u p */
extern const char *const oci_hook_names[];             /* prestart ... poststop */

/* Index of NAME in the NULL-terminated list NAMES, or -1.  */
int oci_name_index (const char *const *names, const char *name);
/* CAP_* name -> capability number, or -1.  */
int oci_capability_from_name (const char *name);
/* RLIMIT_* name -> RLIMIT_* value of <sys/resource.h>, or -1.  */
int oci_rlimit_from_name (const char *name);

#endif
