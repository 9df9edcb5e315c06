/* urun — linux.resources.devices as an eBPF BPF_PROG_TYPE_CGROUP_DEVICE
 * program, with the raw bpf(2) syscall (cgroup2 has no devices.allow file).
 *
 * Decision for an access (type, major, minor, access bits):
 *   1. the devices every container gets (null, zero, full, random, urandom,
 *      tty, console, ptmx, pts/N, as runc and crun allow) → allow;
 *   2. else the config's rules, the LAST matching one wins (the cgroup v1
 *      semantics of writing them in order to devices.allow/deny): an allow
 *      rule matches when it grants every requested access bit, a deny rule
 *      when it covers any of them;
 *   3. else deny.
 * The program is generated from the end of the rule list backwards so the
 * first match in program order is the last in config order.  */
#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "cgroup-internal.h"

/* registers: ctx in R1; R2 type, R3 access, R4 major, R5 minor; R1 scratch */
#define INSN(c, d, s, o, i) ((struct bpf_insn) { .code = (c), .dst_reg = (d), .src_reg = (s), .off = (o), .imm = (i) })
#define LDX_W(d, s, o) INSN (BPF_LDX | BPF_MEM | BPF_W, d, s, o, 0)
#define MOV_X(d, s) INSN (BPF_ALU64 | BPF_MOV | BPF_X, d, s, 0, 0)
#define MOV_K(d, k) INSN (BPF_ALU64 | BPF_MOV | BPF_K, d, 0, 0, k)
#define AND_K(d, k) INSN (BPF_ALU64 | BPF_AND | BPF_K, d, 0, 0, k)
#define RSH_K(d, k) INSN (BPF_ALU64 | BPF_RSH | BPF_K, d, 0, 0, k)
#define JNE_K(d, k, o) INSN (BPF_JMP | BPF_JNE | BPF_K, d, 0, o, k)
#define JEQ_K(d, k, o) INSN (BPF_JMP | BPF_JEQ | BPF_K, d, 0, o, k)
#define EXIT() INSN (BPF_JMP | BPF_EXIT, 0, 0, 0, 0)

#define ACC_ALL (BPF_DEVCG_ACC_MKNOD | BPF_DEVCG_ACC_READ | BPF_DEVCG_ACC_WRITE)

struct rule
{
  bool allow;
  int type;          /* 0 all, BPF_DEVCG_DEV_CHAR or BPF_DEVCG_DEV_BLOCK */
  int64_t major, minor; /* -1: any */
  int access;        /* BPF_DEVCG_ACC_* bits */
};

static const struct rule default_allowed[] = {
  { true, BPF_DEVCG_DEV_CHAR, 1, 3, ACC_ALL },   /* null */
  { true, BPF_DEVCG_DEV_CHAR, 1, 5, ACC_ALL },   /* zero */
  { true, BPF_DEVCG_DEV_CHAR, 1, 7, ACC_ALL },   /* full */
  { true, BPF_DEVCG_DEV_CHAR, 1, 8, ACC_ALL },   /* random */
  { true, BPF_DEVCG_DEV_CHAR, 1, 9, ACC_ALL },   /* urandom */
  { true, BPF_DEVCG_DEV_CHAR, 5, 0, ACC_ALL },   /* tty */
  { true, BPF_DEVCG_DEV_CHAR, 5, 1, ACC_ALL },   /* console */
  { true, BPF_DEVCG_DEV_CHAR, 5, 2, ACC_ALL },   /* ptmx */
  { true, BPF_DEVCG_DEV_CHAR, 136, -1, ACC_ALL }, /* pts/N */
};

struct prog
{
  struct bpf_insn *v;
  size_t n;
};

static int
emit (struct prog *p, struct bpf_insn insn)
{
  struct bpf_insn *nv = realloc (p->v, (p->n + 1) * sizeof *nv);
  if (nv == NULL)
    return -1;
  p->v = nv;
  p->v[p->n++] = insn;
  return 0;
}

/* One rule: a block of checks jumping past its end when they fail, then
   "return verdict".  Offsets are patched once the block length is known.  */
/* A rule that matches every access: nothing after it can run (and the
   verifier refuses unreachable instructions).  */
static bool
rule_is_catch_all (const struct rule *r)
{
  return r->type == 0 && r->major < 0 && r->minor < 0 && (r->access & ACC_ALL) == ACC_ALL;
}

static int
emit_rule (struct prog *p, const struct rule *r)
{
  struct bpf_insn block[8];
  size_t n = 0, jumps[8], nj = 0;

  if (r->type)
    {
      jumps[nj++] = n;
      block[n++] = JNE_K (BPF_REG_2, r->type, 0);
    }
  if (r->allow && (r->access & ACC_ALL) != ACC_ALL)
    {
      /* every requested bit must be granted */
      block[n++] = MOV_X (BPF_REG_1, BPF_REG_3);
      block[n++] = AND_K (BPF_REG_1, ~r->access & ACC_ALL);
      jumps[nj++] = n;
      block[n++] = JNE_K (BPF_REG_1, 0, 0);
    }
  else if (! r->allow && (r->access & ACC_ALL) != ACC_ALL)
    {
      /* any requested bit covered by the deny */
      block[n++] = MOV_X (BPF_REG_1, BPF_REG_3);
      block[n++] = AND_K (BPF_REG_1, r->access);
      jumps[nj++] = n;
      block[n++] = JEQ_K (BPF_REG_1, 0, 0);
    }
  if (r->major >= 0)
    {
      jumps[nj++] = n;
      block[n++] = JNE_K (BPF_REG_4, (int32_t) r->major, 0);
    }
  if (r->minor >= 0)
    {
      jumps[nj++] = n;
      block[n++] = JNE_K (BPF_REG_5, (int32_t) r->minor, 0);
    }
  block[n++] = MOV_K (BPF_REG_0, r->allow ? 1 : 0);
  block[n++] = EXIT ();
  for (size_t j = 0; j < nj; j++)
    block[jumps[j]].off = (int16_t) (n - jumps[j] - 1);
  for (size_t i = 0; i < n; i++)
    if (emit (p, block[i]) < 0)
      return -1;
  return 0;
}

static int
parse_access (const char *a)
{
  int acc = 0;
  if (a == NULL || *a == '\0')
    return ACC_ALL;
  for (; *a; a++)
    acc |= *a == 'r' ? BPF_DEVCG_ACC_READ : *a == 'w' ? BPF_DEVCG_ACC_WRITE : *a == 'm' ? BPF_DEVCG_ACC_MKNOD : 0;
  return acc;
}

static struct rule
rule_from_config (const struct oci_device_cgroup *d)
{
  struct rule r = { .allow = d->allow, .major = -1, .minor = -1, .access = parse_access (d->access) };
  if (d->type && strcmp (d->type, "c") == 0)
    r.type = BPF_DEVCG_DEV_CHAR;
  else if (d->type && strcmp (d->type, "b") == 0)
    r.type = BPF_DEVCG_DEV_BLOCK;
  if (d->major.set && d->major.value >= 0)
    r.major = d->major.value;
  if (d->minor.set && d->minor.value >= 0)
    r.minor = d->minor.value;
  return r;
}

static int
build_program (const struct oci_device_cgroup *rules, size_t n, struct prog *p)
{
  size_t i;

  if (emit (p, LDX_W (BPF_REG_2, BPF_REG_1, offsetof (struct bpf_cgroup_dev_ctx, access_type))) < 0
      || emit (p, MOV_X (BPF_REG_3, BPF_REG_2)) < 0
      || emit (p, AND_K (BPF_REG_2, 0xffff)) < 0
      || emit (p, RSH_K (BPF_REG_3, 16)) < 0
      || emit (p, LDX_W (BPF_REG_4, BPF_REG_1, offsetof (struct bpf_cgroup_dev_ctx, major))) < 0
      || emit (p, LDX_W (BPF_REG_5, BPF_REG_1, offsetof (struct bpf_cgroup_dev_ctx, minor))) < 0)
    return -1;
  for (i = 0; i < sizeof default_allowed / sizeof default_allowed[0]; i++)
    if (emit_rule (p, &default_allowed[i]) < 0)
      return -1;
  for (i = n; i > 0; i--)
    {
      struct rule r = rule_from_config (&rules[i - 1]);
      if (emit_rule (p, &r) < 0)
        return -1;
      if (rule_is_catch_all (&r))
        return 0;
    }
  if (emit (p, MOV_K (BPF_REG_0, 0)) < 0 || emit (p, EXIT ()) < 0)
    return -1;
  return 0;
}

static int
sys_bpf (int cmd, union bpf_attr *attr)
{
  return (int) syscall (__NR_bpf, cmd, attr, sizeof *attr);
}

static int
load_program (const struct prog *p, urun_error_t *err)
{
  char log[4096];
  union bpf_attr attr;
  int fd;

  memset (&attr, 0, sizeof attr);
  attr.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
  attr.insns = (uint64_t) (uintptr_t) p->v;
  attr.insn_cnt = (uint32_t) p->n;
  attr.license = (uint64_t) (uintptr_t) "GPL";
  fd = sys_bpf (BPF_PROG_LOAD, &attr);
  if (fd >= 0)
    return fd;
  if (errno != EINVAL)
    return urun_make_error (err, errno, "load the eBPF device filter");
  /* reload with the verifier log for the message */
  log[0] = '\0';
  attr.log_buf = (uint64_t) (uintptr_t) log;
  attr.log_size = sizeof log;
  attr.log_level = 1;
  fd = sys_bpf (BPF_PROG_LOAD, &attr);
  if (fd >= 0)
    return fd;
  log[strcspn (log, "\n")] = '\0';
  return urun_make_error (err, EINVAL, "load the eBPF device filter (verifier: %s)", log);
}

/* The ids of the device programs attached to the cgroup itself.  */
static int
query_attached (int cgfd, uint32_t *ids, uint32_t *n)
{
  union bpf_attr attr;

  memset (&attr, 0, sizeof attr);
  attr.query.target_fd = cgfd;
  attr.query.attach_type = BPF_CGROUP_DEVICE;
  attr.query.prog_ids = (uint64_t) (uintptr_t) ids;
  attr.query.prog_cnt = *n;
  if (sys_bpf (BPF_PROG_QUERY, &attr) < 0)
    return -1;
  *n = attr.query.prog_cnt;
  return 0;
}

static void
detach_id (int cgfd, uint32_t id)
{
  union bpf_attr attr;
  int pfd;

  memset (&attr, 0, sizeof attr);
  attr.prog_id = id;
  pfd = sys_bpf (BPF_PROG_GET_FD_BY_ID, &attr);
  if (pfd < 0)
    return;
  memset (&attr, 0, sizeof attr);
  attr.target_fd = cgfd;
  attr.attach_bpf_fd = pfd;
  attr.attach_type = BPF_CGROUP_DEVICE;
  sys_bpf (BPF_PROG_DETACH, &attr);
  close (pfd);
}

int
cg_devices_apply (int dirfd, const struct oci_device_cgroup *rules, size_t n, urun_error_t *err)
{
  cleanup_close int cgfd = openat (dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  cleanup_close int pfd = -1;
  struct prog p = { NULL, 0 };
  uint32_t old[64], nold = 64;
  union bpf_attr attr;

  if (cgfd < 0)
    return urun_make_error (err, errno, "open cgroup directory");
  if (build_program (rules, n, &p) < 0)
    {
      free (p.v);
      return urun_make_error (err, ENOMEM, "build the eBPF device filter");
    }
  pfd = load_program (&p, err);
  free (p.v);
  if (pfd < 0)
    return -1;
  if (query_attached (cgfd, old, &nold) < 0)
    nold = 0;
  memset (&attr, 0, sizeof attr);
  attr.target_fd = cgfd;
  attr.attach_bpf_fd = pfd;
  attr.attach_type = BPF_CGROUP_DEVICE;
  attr.attach_flags = BPF_F_ALLOW_MULTI;
  if (sys_bpf (BPF_PROG_ATTACH, &attr) < 0)
    return urun_make_error (err, errno, "attach the eBPF device filter");
  /* the new filter is in place: drop the ones it replaces */
  for (uint32_t i = 0; i < nold && i < 64; i++)
    detach_id (cgfd, old[i]);
  return 0;
}
