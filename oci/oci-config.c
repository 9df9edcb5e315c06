/* urun — loading and freeing parsed configs, and small helpers on them.  */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "oci-parse-internal.h"

/* ---- freeing ----------------------------------------------------------- */

void
oci_strv_free (oci_strv *s)
{
  size_t i;
  if (s->v)
    for (i = 0; i < s->n; i++)
      free (s->v[i]);
  free (s->v);
  s->v = NULL;
  s->n = 0;
}

void
oci_map_free (oci_map *m)
{
  size_t i;
  for (i = 0; i < m->n; i++)
    {
      if (m->keys)
        free (m->keys[i]);
      if (m->values)
        free (m->values[i]);
    }
  free (m->keys);
  free (m->values);
  m->keys = m->values = NULL;
  m->n = 0;
}

static void
capabilities_free (struct oci_capabilities *c)
{
  if (c == NULL)
    return;
  oci_strv_free (&c->bounding);
  oci_strv_free (&c->effective);
  oci_strv_free (&c->inheritable);
  oci_strv_free (&c->permitted);
  oci_strv_free (&c->ambient);
  free (c);
}

void
oci_process_free (struct oci_process *p)
{
  size_t i;
  if (p == NULL)
    return;
  free (p->user.additional_gids);
  free (p->user.username);
  oci_strv_free (&p->args);
  free (p->command_line);
  oci_strv_free (&p->env);
  free (p->cwd);
  capabilities_free (p->capabilities);
  for (i = 0; i < p->n_rlimits; i++)
    free (p->rlimits[i].type);
  free (p->rlimits);
  free (p->apparmor_profile);
  free (p->selinux_label);
  if (p->scheduler)
    {
      free (p->scheduler->policy);
      oci_strv_free (&p->scheduler->flags);
      free (p->scheduler);
    }
  if (p->io_priority)
    {
      free (p->io_priority->class_);
      free (p->io_priority);
    }
  if (p->exec_cpu_affinity)
    {
      free (p->exec_cpu_affinity->initial);
      free (p->exec_cpu_affinity->final);
      free (p->exec_cpu_affinity);
    }
  free (p);
}

static void
hook_list_free (struct oci_hook_list *l)
{
  size_t i;
  for (i = 0; i < l->n; i++)
    {
      free (l->hooks[i].path);
      oci_strv_free (&l->hooks[i].args);
      oci_strv_free (&l->hooks[i].env);
    }
  free (l->hooks);
}

static void
hooks_free (struct oci_hooks *h)
{
  if (h == NULL)
    return;
  hook_list_free (&h->prestart);
  hook_list_free (&h->create_runtime);
  hook_list_free (&h->create_container);
  hook_list_free (&h->start_container);
  hook_list_free (&h->poststart);
  hook_list_free (&h->poststop);
  free (h);
}

static void
block_io_free (struct oci_block_io *b)
{
  if (b == NULL)
    return;
  free (b->weight_device);
  free (b->throttle_read_bps.v);
  free (b->throttle_write_bps.v);
  free (b->throttle_read_iops.v);
  free (b->throttle_write_iops.v);
  free (b);
}

static void
resources_free (struct oci_resources *r)
{
  size_t i;
  if (r == NULL)
    return;
  for (i = 0; i < r->n_devices; i++)
    {
      free (r->devices[i].type);
      free (r->devices[i].access);
    }
  free (r->devices);
  free (r->memory);
  if (r->cpu)
    {
      free (r->cpu->cpus);
      free (r->cpu->mems);
      free (r->cpu);
    }
  block_io_free (r->block_io);
  for (i = 0; i < r->n_hugepage_limits; i++)
    free (r->hugepage_limits[i].page_size);
  free (r->hugepage_limits);
  if (r->network)
    {
      for (i = 0; i < r->network->n_priorities; i++)
        free (r->network->priorities[i].name);
      free (r->network->priorities);
      free (r->network);
    }
  for (i = 0; i < r->n_rdma; i++)
    free (r->rdma[i].device);
  free (r->rdma);
  oci_map_free (&r->unified);
  free (r);
}

static void
seccomp_free (struct oci_seccomp *s)
{
  size_t i, j;
  if (s == NULL)
    return;
  free (s->default_action);
  oci_strv_free (&s->architectures);
  oci_strv_free (&s->flags);
  free (s->listener_path);
  free (s->listener_metadata);
  for (i = 0; i < s->n_syscalls; i++)
    {
      struct oci_seccomp_syscall *sc = &s->syscalls[i];
      oci_strv_free (&sc->names);
      free (sc->action);
      for (j = 0; j < sc->n_args; j++)
        free (sc->args[j].op);
      free (sc->args);
    }
  free (s->syscalls);
  free (s);
}

void
oci_linux_free (struct oci_linux *l)
{
  size_t i;
  if (l == NULL)
    return;
  for (i = 0; i < l->n_namespaces; i++)
    free (l->namespaces[i].path);
  free (l->namespaces);
  free (l->uid_mappings);
  free (l->gid_mappings);
  for (i = 0; i < l->n_devices; i++)
    {
      free (l->devices[i].type);
      free (l->devices[i].path);
    }
  free (l->devices);
  free (l->cgroups_path);
  resources_free (l->resources);
  oci_map_free (&l->sysctl);
  seccomp_free (l->seccomp);
  free (l->rootfs_propagation);
  oci_strv_free (&l->masked_paths);
  oci_strv_free (&l->readonly_paths);
  free (l->mount_label);
  if (l->personality)
    {
      free (l->personality->domain);
      oci_strv_free (&l->personality->flags);
      free (l->personality);
    }
  if (l->intel_rdt)
    {
      free (l->intel_rdt->clos_id);
      free (l->intel_rdt->l3_cache_schema);
      free (l->intel_rdt->mem_bw_schema);
      oci_strv_free (&l->intel_rdt->schemata);
      free (l->intel_rdt);
    }
  for (i = 0; i < l->n_net_devices; i++)
    {
      free (l->net_devices[i].host_name);
      free (l->net_devices[i].name);
    }
  free (l->net_devices);
  if (l->memory_policy)
    {
      free (l->memory_policy->mode);
      free (l->memory_policy->nodes);
      oci_strv_free (&l->memory_policy->flags);
      free (l->memory_policy);
    }
  free (l);
}

void
oci_config_free (struct oci_config *c)
{
  size_t i;
  if (c == NULL)
    return;
  free (c->oci_version);
  if (c->root)
    {
      free (c->root->path);
      free (c->root);
    }
  oci_process_free (c->process);
  free (c->hostname);
  free (c->domainname);
  for (i = 0; i < c->n_mounts; i++)
    {
      struct oci_mount *m = &c->mounts[i];
      free (m->destination);
      free (m->source);
      free (m->type);
      oci_strv_free (&m->options);
      free (m->uid_mappings);
      free (m->gid_mappings);
    }
  free (c->mounts);
  hooks_free (c->hooks);
  oci_map_free (&c->annotations);
  oci_linux_free (c->linux_);
  free (c);
}

/* ---- loading ----------------------------------------------------------- */

/* A config.json larger than this is not a config.  */
#define CONFIG_MAX_SIZE (64u << 20)

static int
read_whole_file (const char *path, char **out, size_t *len, urun_error_t *err)
{
  /* O_NONBLOCK: opening a FIFO must not hang; it is refused below.  */
  cleanup_close int fd = open (path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  cleanup_free char *buf = NULL;
  size_t size = 0, cap = 0;
  struct stat st;

  if (fd < 0)
    return urun_make_error (err, errno, "open `%s`", path);
  if (fstat (fd, &st) < 0)
    return urun_make_error (err, errno, "stat `%s`", path);
  if (! S_ISREG (st.st_mode))
    return urun_make_error (err, 0, "`%s` is not a regular file", path);
  for (;;)
    {
      ssize_t n;
      if (size == cap)
        {
          char *nb;
          if (cap >= CONFIG_MAX_SIZE)
            return urun_make_error (err, EFBIG, "read `%s`", path);
          cap = cap ? cap * 2 : (size_t) st.st_size + 4096;
          nb = realloc (buf, cap + 1);
          if (nb == NULL)
            return urun_make_error (err, ENOMEM, "read `%s`", path);
          buf = nb;
        }
      n = read (fd, buf + size, cap - size);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return urun_make_error (err, errno, "read `%s`", path);
      if (n == 0)
        break;
      size += (size_t) n;
    }
  buf[size] = '\0';
  *len = size;
  *out = steal_pointer (&buf);
  return 0;
}

int
oci_config_load_file (const char *path, struct oci_config **out, urun_error_t *err)
{
  cleanup_free char *text = NULL;
  size_t len = 0;
  if (read_whole_file (path, &text, &len, err) < 0)
    return -1;
  if (oci_config_parse (text, len, out, err) < 0)
    return urun_error_prepend (err, "%s", path);
  return 0;
}

/* ---- helpers ----------------------------------------------------------- */

const char *
oci_namespace_type_name (enum oci_namespace_type t)
{
  if ((unsigned) t >= OCI_NS__COUNT)
    return NULL;
  return oci_namespace_names[t];
}

int
oci_namespace_type_from_name (const char *name)
{
  return oci_name_index (oci_namespace_names, name);
}

const struct oci_namespace *
oci_config_find_namespace (const struct oci_config *c, enum oci_namespace_type t)
{
  size_t i;
  if (c == NULL || c->linux_ == NULL)
    return NULL;
  for (i = 0; i < c->linux_->n_namespaces; i++)
    if (c->linux_->namespaces[i].type == t)
      return &c->linux_->namespaces[i];
  return NULL;
}
