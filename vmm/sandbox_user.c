// SPDX-License-Identifier: MIT
/*
 * `vfvm run --user NAME` started as root: once /dev/kvm, the VFIO groups and the files are open,
 * vfvm becomes NAME for good, so that a guest that took a thread over holds an ordinary user's
 * rights and the open fds, nothing more.
 */
#include "vmm/sandbox.h"

#include <errno.h>
#include <grp.h>
#include <linux/capability.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

int sandbox_user_lookup(const char *name, struct sandbox_user *u, struct errbuf *err)
{
	struct passwd pw, *res = NULL;
	char buf[4096], *end;
	unsigned long id;
	int n, r;

	memset(u, 0, sizeof(*u));
	if (!*name)
		return errbuf_set(err, EINVAL, "--user: empty user name");
	errno = 0;
	id = strtoul(name, &end, 10);
	if (*end == '\0' && !errno)
		r = getpwuid_r((uid_t)id, &pw, buf, sizeof(buf), &res);
	else
		r = getpwnam_r(name, &pw, buf, sizeof(buf), &res);
	if (r || !res)
		return errbuf_set(err, r ? r : ENOENT, "--user %s: no such user%s%s", name,
				  r ? ": " : "", r ? strerror(r) : "");
	if (pw.pw_uid == 0)
		return errbuf_set(err, EINVAL, "--user %s: that is root; name an ordinary user",
				  name);
	u->uid = pw.pw_uid;
	u->gid = pw.pw_gid;
	snprintf(u->name, sizeof(u->name), "%s", pw.pw_name);
	n = (int)(sizeof(u->groups) / sizeof(u->groups[0]));
	if (getgrouplist(pw.pw_name, pw.pw_gid, u->groups, &n) < 0)
		return errbuf_set(err, E2BIG, "--user %s: member of more than %d groups", name,
				  (int)(sizeof(u->groups) / sizeof(u->groups[0])));
	u->nr_groups = n;
	return 0;
}

int sandbox_user_may_write_dir(const struct sandbox_user *u, const char *dir)
{
	int status;
	pid_t pid;

	/* the kernel's answer for u, ACLs included: a child becomes u and asks access() */
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		if (setgroups((size_t)u->nr_groups, u->groups) ||
		    setresgid(u->gid, u->gid, u->gid) || setresuid(u->uid, u->uid, u->uid))
			_exit(2);
		_exit(access(dir, W_OK | X_OK) ? 1 : 0);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	if (!WIFEXITED(status) || WEXITSTATUS(status) == 2)
		return -EPERM;
	return WEXITSTATUS(status) ? -EACCES : 0;
}

/* Every capability out of the bounding set, while vfvm still has CAP_SETPCAP to do it. */
static int drop_bounding_set(void)
{
	for (int cap = 0; cap <= 63; cap++) {
		if (prctl(PR_CAPBSET_READ, cap, 0, 0, 0) < 0)
			break; /* past the kernel's last capability */
		if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0))
			return -errno;
	}
	return 0;
}

/* capset(2) without libcap: empty effective, permitted and inheritable sets. */
static int clear_caps(void)
{
	struct __user_cap_header_struct h = {.version = _LINUX_CAPABILITY_VERSION_3};
	struct __user_cap_data_struct d[_LINUX_CAPABILITY_U32S_3];

	memset(d, 0, sizeof(d));
	return syscall(SYS_capset, &h, d) ? -errno : 0;
}

static int caps_all_clear(void)
{
	struct __user_cap_header_struct h = {.version = _LINUX_CAPABILITY_VERSION_3};
	struct __user_cap_data_struct d[_LINUX_CAPABILITY_U32S_3];

	if (syscall(SYS_capget, &h, d))
		return -errno;
	for (int i = 0; i < _LINUX_CAPABILITY_U32S_3; i++)
		if (d[i].effective || d[i].permitted || d[i].inheritable)
			return -EPERM;
	return 0;
}

int sandbox_drop_to(const struct sandbox_user *u, struct errbuf *err)
{
	int r;

	if (geteuid() != 0)
		return errbuf_set(err, EPERM,
				  "--user %s: vfvm must be started as root to switch users",
				  u->name);
	r = drop_bounding_set();
	if (r)
		return errbuf_set(err, r, "--user %s: dropping the capability bounding set: %s",
				  u->name, strerror(-r));
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) && errno != EINVAL)
		return errbuf_set(err, errno, "--user %s: clearing ambient capabilities: %s",
				  u->name, strerror(errno));
	if (setgroups((size_t)u->nr_groups, u->groups))
		return errbuf_set(err, errno, "--user %s: setgroups: %s", u->name, strerror(errno));
	if (setresgid(u->gid, u->gid, u->gid))
		return errbuf_set(err, errno, "--user %s: setresgid(%u): %s", u->name,
				  (unsigned int)u->gid, strerror(errno));
	/* without SECBIT_KEEP_CAPS this also empties the permitted and effective sets */
	if (setresuid(u->uid, u->uid, u->uid))
		return errbuf_set(err, errno, "--user %s: setresuid(%u): %s", u->name,
				  (unsigned int)u->uid, strerror(errno));
	r = clear_caps();
	if (!r)
		r = caps_all_clear();
	if (r)
		return errbuf_set(err, r, "--user %s: capabilities are left after the switch",
				  u->name);
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		return errbuf_set(err, errno, "--user %s: no_new_privs: %s", u->name,
				  strerror(errno));
	/* the point of no return is checked, not assumed */
	if (setuid(0) == 0 || getuid() != u->uid || geteuid() != u->uid)
		return errbuf_set(err, EPERM, "--user %s: root could be regained; stopping",
				  u->name);
	return 0;
}

int sandbox_memlock_reserve(uint64_t bytes, struct errbuf *err)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_MEMLOCK, &rl))
		return errbuf_set(err, errno, "getrlimit(RLIMIT_MEMLOCK): %s", strerror(errno));
	if (rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur >= bytes)
		return 0;
	rl.rlim_cur = bytes;
	if (rl.rlim_max != RLIM_INFINITY && rl.rlim_max < bytes)
		rl.rlim_max = bytes;
	if (setrlimit(RLIMIT_MEMLOCK, &rl))
		return errbuf_set(err, errno,
				  "--user: cannot raise the memlock limit to %llu KiB for guest "
				  "RAM: %s",
				  (unsigned long long)(bytes >> 10), strerror(errno));
	return 0;
}
