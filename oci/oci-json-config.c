/* urun — serialising a parsed config back to JSON (every field), so that
   parse (to_json (parse (x))) == parse (x).  Absent optional values stay
   absent; false booleans and unset "set" flags are left out.  */
#include "config.h"

#include <stdlib.h>

#include "oci-json.h"
#include "oci-json-internal.h"

static void
j_id_mappings (struct jgen *j, const char *k, const struct oci_id_mapping *m, size_t n)
{
  size_t i;
  if (m == NULL)
    return;
  j_key (j, k);
  j_aopen (j);
  for (i = 0; i < n; i++)
    {
      j_open (j);
      j_ku64 (j, "containerID", m[i].container_id);
      j_ku64 (j, "hostID", m[i].host_id);
      j_ku64 (j, "size", m[i].size);
      j_close (j);
    }
  j_aclose (j);
}

/* ---- process ---------------------------------------------------------- */

static void
j_user (struct jgen *j, const struct oci_user *u)
{
  size_t i;
  j_key (j, "user");
  j_open (j);
  j_ku64 (j, "uid", u->uid);
  j_ku64 (j, "gid", u->gid);
  j_kopt_u64 (j, "umask", u->umask);
  if (u->additional_gids)
    {
      j_key (j, "additionalGids");
      j_aopen (j);
      for (i = 0; i < u->n_additional_gids; i++)
        j_u64 (j, u->additional_gids[i]);
      j_aclose (j);
    }
  j_kstr (j, "username", u->username);
  j_close (j);
}

static void
j_process (struct jgen *j, const struct oci_process *p)
{
  size_t i;
  j_key (j, "process");
  j_open (j);
  if (p->terminal)
    j_kbool (j, "terminal", true);
  if (p->has_console_size)
    {
      j_key (j, "consoleSize");
      j_open (j);
      j_ku64 (j, "height", p->console_height);
      j_ku64 (j, "width", p->console_width);
      j_close (j);
    }
  j_user (j, &p->user);
  j_kstrv (j, "args", &p->args);
  j_kstr (j, "commandLine", p->command_line);
  j_kstrv (j, "env", &p->env);
  j_kstr (j, "cwd", p->cwd);
  if (p->capabilities)
    {
      j_key (j, "capabilities");
      j_open (j);
      j_kstrv (j, "bounding", &p->capabilities->bounding);
      j_kstrv (j, "effective", &p->capabilities->effective);
      j_kstrv (j, "inheritable", &p->capabilities->inheritable);
      j_kstrv (j, "permitted", &p->capabilities->permitted);
      j_kstrv (j, "ambient", &p->capabilities->ambient);
      j_close (j);
    }
  if (p->rlimits)
    {
      j_key (j, "rlimits");
      j_aopen (j);
      for (i = 0; i < p->n_rlimits; i++)
        {
          j_open (j);
          j_kstr (j, "type", p->rlimits[i].type);
          j_ku64 (j, "hard", p->rlimits[i].hard);
          j_ku64 (j, "soft", p->rlimits[i].soft);
          j_close (j);
        }
      j_aclose (j);
    }
  if (p->no_new_privileges)
    j_kbool (j, "noNewPrivileges", true);
  j_kstr (j, "apparmorProfile", p->apparmor_profile);
  j_kstr (j, "selinuxLabel", p->selinux_label);
  j_kopt_i64 (j, "oomScoreAdj", p->oom_score_adj);
  if (p->scheduler)
    {
      j_key (j, "scheduler");
      j_open (j);
      j_kstr (j, "policy", p->scheduler->policy);
      j_kopt_i64 (j, "nice", p->scheduler->nice);
      j_kopt_i64 (j, "priority", p->scheduler->priority);
      j_kstrv (j, "flags", &p->scheduler->flags);
      j_kopt_u64 (j, "runtime", p->scheduler->runtime);
      j_kopt_u64 (j, "deadline", p->scheduler->deadline);
      j_kopt_u64 (j, "period", p->scheduler->period);
      j_close (j);
    }
  if (p->io_priority)
    {
      j_key (j, "ioPriority");
      j_open (j);
      j_kstr (j, "class", p->io_priority->class_);
      j_ki64 (j, "priority", p->io_priority->priority);
      j_close (j);
    }
  if (p->exec_cpu_affinity)
    {
      j_key (j, "execCPUAffinity");
      j_open (j);
      j_kstr (j, "initial", p->exec_cpu_affinity->initial);
      j_kstr (j, "final", p->exec_cpu_affinity->final);
      j_close (j);
    }
  j_close (j);
}

/* ---- mounts, hooks ------------------------------------------------------ */

static void
j_mounts (struct jgen *j, const struct oci_config *c)
{
  size_t i;
  if (c->mounts == NULL)
    return;
  j_key (j, "mounts");
  j_aopen (j);
  for (i = 0; i < c->n_mounts; i++)
    {
      const struct oci_mount *m = &c->mounts[i];
      j_open (j);
      j_kstr (j, "destination", m->destination);
      j_kstr (j, "type", m->type);
      j_kstr (j, "source", m->source);
      j_kstrv (j, "options", &m->options);
      j_id_mappings (j, "uidMappings", m->uid_mappings, m->n_uid_mappings);
      j_id_mappings (j, "gidMappings", m->gid_mappings, m->n_gid_mappings);
      j_close (j);
    }
  j_aclose (j);
}

static void
j_hook_list (struct jgen *j, const char *k, const struct oci_hook_list *l)
{
  size_t i;
  if (l->hooks == NULL)
    return;
  j_key (j, k);
  j_aopen (j);
  for (i = 0; i < l->n; i++)
    {
      j_open (j);
      j_kstr (j, "path", l->hooks[i].path);
      j_kstrv (j, "args", &l->hooks[i].args);
      j_kstrv (j, "env", &l->hooks[i].env);
      j_kopt_i64 (j, "timeout", l->hooks[i].timeout);
      j_close (j);
    }
  j_aclose (j);
}

static void
j_hooks (struct jgen *j, const struct oci_hooks *h)
{
  j_key (j, "hooks");
  j_open (j);
  j_hook_list (j, "prestart", &h->prestart);
  j_hook_list (j, "createRuntime", &h->create_runtime);
  j_hook_list (j, "createContainer", &h->create_container);
  j_hook_list (j, "startContainer", &h->start_container);
  j_hook_list (j, "poststart", &h->poststart);
  j_hook_list (j, "poststop", &h->poststop);
  j_close (j);
}

/* ---- linux.resources ---------------------------------------------------- */

static void
j_throttle (struct jgen *j, const char *k, const struct oci_throttle_list *l)
{
  size_t i;
  if (l->v == NULL)
    return;
  j_key (j, k);
  j_aopen (j);
  for (i = 0; i < l->n; i++)
    {
      j_open (j);
      j_ki64 (j, "major", l->v[i].major);
      j_ki64 (j, "minor", l->v[i].minor);
      j_ku64 (j, "rate", l->v[i].rate);
      j_close (j);
    }
  j_aclose (j);
}

static void
j_block_io (struct jgen *j, const struct oci_block_io *b)
{
  size_t i;
  j_key (j, "blockIO");
  j_open (j);
  j_kopt_u64 (j, "weight", b->weight);
  j_kopt_u64 (j, "leafWeight", b->leaf_weight);
  if (b->weight_device)
    {
      j_key (j, "weightDevice");
      j_aopen (j);
      for (i = 0; i < b->n_weight_device; i++)
        {
          j_open (j);
          j_ki64 (j, "major", b->weight_device[i].major);
          j_ki64 (j, "minor", b->weight_device[i].minor);
          j_kopt_u64 (j, "weight", b->weight_device[i].weight);
          j_kopt_u64 (j, "leafWeight", b->weight_device[i].leaf_weight);
          j_close (j);
        }
      j_aclose (j);
    }
  j_throttle (j, "throttleReadBpsDevice", &b->throttle_read_bps);
  j_throttle (j, "throttleWriteBpsDevice", &b->throttle_write_bps);
  j_throttle (j, "throttleReadIOPSDevice", &b->throttle_read_iops);
  j_throttle (j, "throttleWriteIOPSDevice", &b->throttle_write_iops);
  j_close (j);
}

static void
j_memory (struct jgen *j, const struct oci_memory *m)
{
  j_key (j, "memory");
  j_open (j);
  j_kopt_i64 (j, "limit", m->limit);
  j_kopt_i64 (j, "reservation", m->reservation);
  j_kopt_i64 (j, "swap", m->swap);
  j_kopt_i64 (j, "kernel", m->kernel);
  j_kopt_i64 (j, "kernelTCP", m->kernel_tcp);
  j_kopt_u64 (j, "swappiness", m->swappiness);
  j_kopt_bool (j, "disableOOMKiller", m->disable_oom_killer);
  j_kopt_bool (j, "useHierarchy", m->use_hierarchy);
  j_kopt_bool (j, "checkBeforeUpdate", m->check_before_update);
  j_close (j);
}

static void
j_cpu (struct jgen *j, const struct oci_cpu *c)
{
  j_key (j, "cpu");
  j_open (j);
  j_kopt_u64 (j, "shares", c->shares);
  j_kopt_i64 (j, "quota", c->quota);
  j_kopt_u64 (j, "burst", c->burst);
  j_kopt_u64 (j, "period", c->period);
  j_kopt_i64 (j, "realtimeRuntime", c->realtime_runtime);
  j_kopt_u64 (j, "realtimePeriod", c->realtime_period);
  j_kstr (j, "cpus", c->cpus);
  j_kstr (j, "mems", c->mems);
  j_kopt_i64 (j, "idle", c->idle);
  j_close (j);
}

static void
j_resources (struct jgen *j, const struct oci_resources *r)
{
  size_t i;
  j_key (j, "resources");
  j_open (j);
  if (r->devices)
    {
      j_key (j, "devices");
      j_aopen (j);
      for (i = 0; i < r->n_devices; i++)
        {
          const struct oci_device_cgroup *d = &r->devices[i];
          j_open (j);
          j_kbool (j, "allow", d->allow);
          j_kstr (j, "type", d->type);
          j_kopt_i64 (j, "major", d->major);
          j_kopt_i64 (j, "minor", d->minor);
          j_kstr (j, "access", d->access);
          j_close (j);
        }
      j_aclose (j);
    }
  if (r->memory)
    j_memory (j, r->memory);
  if (r->cpu)
    j_cpu (j, r->cpu);
  if (r->has_pids)
    {
      j_key (j, "pids");
      j_open (j);
      j_kopt_i64 (j, "limit", r->pids_limit);
      j_close (j);
    }
  if (r->block_io)
    j_block_io (j, r->block_io);
  if (r->hugepage_limits)
    {
      j_key (j, "hugepageLimits");
      j_aopen (j);
      for (i = 0; i < r->n_hugepage_limits; i++)
        {
          j_open (j);
          j_kstr (j, "pageSize", r->hugepage_limits[i].page_size);
          j_ku64 (j, "limit", r->hugepage_limits[i].limit);
          j_close (j);
        }
      j_aclose (j);
    }
  if (r->network)
    {
      j_key (j, "network");
      j_open (j);
      j_kopt_u64 (j, "classID", r->network->class_id);
      if (r->network->priorities)
        {
          j_key (j, "priorities");
          j_aopen (j);
          for (i = 0; i < r->network->n_priorities; i++)
            {
              j_open (j);
              j_kstr (j, "name", r->network->priorities[i].name);
              j_ku64 (j, "priority", r->network->priorities[i].priority);
              j_close (j);
            }
          j_aclose (j);
        }
      j_close (j);
    }
  if (r->rdma)
    {
      j_key (j, "rdma");
      j_open (j);
      for (i = 0; i < r->n_rdma; i++)
        {
          j_key (j, r->rdma[i].device);
          j_open (j);
          j_kopt_u64 (j, "hcaHandles", r->rdma[i].hca_handles);
          j_kopt_u64 (j, "hcaObjects", r->rdma[i].hca_objects);
          j_close (j);
        }
      j_close (j);
    }
  j_kmap (j, "unified", &r->unified);
  j_close (j);
}

/* ---- linux -------------------------------------------------------------- */

static void
j_seccomp (struct jgen *j, const struct oci_seccomp *s)
{
  size_t i, k;
  j_key (j, "seccomp");
  j_open (j);
  j_kstr (j, "defaultAction", s->default_action);
  j_kopt_u64 (j, "defaultErrnoRet", s->default_errno_ret);
  j_kstrv (j, "architectures", &s->architectures);
  j_kstrv (j, "flags", &s->flags);
  j_kstr (j, "listenerPath", s->listener_path);
  j_kstr (j, "listenerMetadata", s->listener_metadata);
  if (s->syscalls)
    {
      j_key (j, "syscalls");
      j_aopen (j);
      for (i = 0; i < s->n_syscalls; i++)
        {
          const struct oci_seccomp_syscall *sc = &s->syscalls[i];
          j_open (j);
          j_kstrv (j, "names", &sc->names);
          j_kstr (j, "action", sc->action);
          j_kopt_u64 (j, "errnoRet", sc->errno_ret);
          if (sc->args)
            {
              j_key (j, "args");
              j_aopen (j);
              for (k = 0; k < sc->n_args; k++)
                {
                  j_open (j);
                  j_ku64 (j, "index", sc->args[k].index);
                  j_ku64 (j, "value", sc->args[k].value);
                  j_kopt_u64 (j, "valueTwo", sc->args[k].value_two);
                  j_kstr (j, "op", sc->args[k].op);
                  j_close (j);
                }
              j_aclose (j);
            }
          j_close (j);
        }
      j_aclose (j);
    }
  j_close (j);
}

static void
j_time_offset (struct jgen *j, const char *k, const struct oci_time_offset *t)
{
  if (! t->set)
    return;
  j_key (j, k);
  j_open (j);
  j_ki64 (j, "secs", t->secs);
  j_ku64 (j, "nanosecs", t->nanosecs);
  j_close (j);
}

static void
j_devices (struct jgen *j, const struct oci_linux *l)
{
  size_t i;
  if (l->devices == NULL)
    return;
  j_key (j, "devices");
  j_aopen (j);
  for (i = 0; i < l->n_devices; i++)
    {
      const struct oci_device *d = &l->devices[i];
      j_open (j);
      j_kstr (j, "type", d->type);
      j_kstr (j, "path", d->path);
      /* FIFOs need no numbers; zero is what the parser leaves.  */
      if (d->type[0] != 'p' || d->major || d->minor)
        {
          j_ki64 (j, "major", d->major);
          j_ki64 (j, "minor", d->minor);
        }
      j_kopt_u64 (j, "fileMode", d->file_mode);
      j_kopt_u64 (j, "uid", d->uid);
      j_kopt_u64 (j, "gid", d->gid);
      j_close (j);
    }
  j_aclose (j);
}

static void
j_linux_misc (struct jgen *j, const struct oci_linux *l)
{
  size_t i;
  if (l->personality)
    {
      j_key (j, "personality");
      j_open (j);
      j_kstr (j, "domain", l->personality->domain);
      j_kstrv (j, "flags", &l->personality->flags);
      j_close (j);
    }
  if (l->intel_rdt)
    {
      j_key (j, "intelRdt");
      j_open (j);
      j_kstr (j, "closID", l->intel_rdt->clos_id);
      j_kstr (j, "l3CacheSchema", l->intel_rdt->l3_cache_schema);
      j_kstr (j, "memBwSchema", l->intel_rdt->mem_bw_schema);
      j_kstrv (j, "schemata", &l->intel_rdt->schemata);
      if (l->intel_rdt->enable_monitoring)
        j_kbool (j, "enableMonitoring", true);
      j_close (j);
    }
  if (l->net_devices)
    {
      j_key (j, "netDevices");
      j_open (j);
      for (i = 0; i < l->n_net_devices; i++)
        {
          j_key (j, l->net_devices[i].host_name);
          j_open (j);
          j_kstr (j, "name", l->net_devices[i].name);
          j_close (j);
        }
      j_close (j);
    }
  if (l->memory_policy)
    {
      j_key (j, "memoryPolicy");
      j_open (j);
      j_kstr (j, "mode", l->memory_policy->mode);
      j_kstr (j, "nodes", l->memory_policy->nodes);
      j_kstrv (j, "flags", &l->memory_policy->flags);
      j_close (j);
    }
}

static void
j_linux (struct jgen *j, const struct oci_linux *l)
{
  size_t i;
  j_key (j, "linux");
  j_open (j);
  if (l->namespaces)
    {
      j_key (j, "namespaces");
      j_aopen (j);
      for (i = 0; i < l->n_namespaces; i++)
        {
          j_open (j);
          j_kstr (j, "type", oci_namespace_type_name (l->namespaces[i].type));
          j_kstr (j, "path", l->namespaces[i].path);
          j_close (j);
        }
      j_aclose (j);
    }
  j_id_mappings (j, "uidMappings", l->uid_mappings, l->n_uid_mappings);
  j_id_mappings (j, "gidMappings", l->gid_mappings, l->n_gid_mappings);
  if (l->time_monotonic.set || l->time_boottime.set)
    {
      j_key (j, "timeOffsets");
      j_open (j);
      j_time_offset (j, "monotonic", &l->time_monotonic);
      j_time_offset (j, "boottime", &l->time_boottime);
      j_close (j);
    }
  j_devices (j, l);
  j_kstr (j, "cgroupsPath", l->cgroups_path);
  if (l->resources)
    j_resources (j, l->resources);
  j_kmap (j, "sysctl", &l->sysctl);
  if (l->seccomp)
    j_seccomp (j, l->seccomp);
  j_kstr (j, "rootfsPropagation", l->rootfs_propagation);
  j_kstrv (j, "maskedPaths", &l->masked_paths);
  j_kstrv (j, "readonlyPaths", &l->readonly_paths);
  j_kstr (j, "mountLabel", l->mount_label);
  j_linux_misc (j, l);
  j_close (j);
}

int
oci_config_to_json (const struct oci_config *c, char **out, urun_error_t *err)
{
  struct jgen j;
  if (jgen_init (&j, true, err) < 0)
    return -1;
  j_open (&j);
  j_kstr (&j, "ociVersion", c->oci_version ? c->oci_version : OCI_SPEC_VERSION);
  if (c->root)
    {
      j_key (&j, "root");
      j_open (&j);
      j_kstr (&j, "path", c->root->path);
      if (c->root->readonly)
        j_kbool (&j, "readonly", true);
      j_close (&j);
    }
  if (c->process)
    j_process (&j, c->process);
  j_kstr (&j, "hostname", c->hostname);
  j_kstr (&j, "domainname", c->domainname);
  j_mounts (&j, c);
  if (c->hooks)
    j_hooks (&j, c->hooks);
  j_kmap (&j, "annotations", &c->annotations);
  if (c->linux_)
    j_linux (&j, c->linux_);
  j_close (&j);
  return jgen_finish (&j, out, "config", err);
}
