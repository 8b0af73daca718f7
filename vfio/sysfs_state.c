// SPDX-License-Identifier: MIT
/*
 * The state file run/<addr> remembers the driver a device had before `vfvm bind`, so that
 * `vfvm unbind` (maybe in another process, after a reboot of vfvm but not of the host: /run is a
 * tmpfs) gives it back. Text, one key=value per line, written atomically.
 */
#include "vfio/sysfs.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void state_path(char *p, size_t len, const struct host_paths *h, const char *addr)
{
	snprintf(p, len, "%s/%s", h->run, addr);
}

static int mkdir_p(const char *dir)
{
	char p[PATH_MAX];

	snprintf(p, sizeof(p), "%s", dir);
	for (char *s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, 0755) && errno != EEXIST)
			return -errno;
		*s = '/';
	}
	if (mkdir(p, 0755) && errno != EEXIST)
		return -errno;
	return 0;
}

int bind_state_save(const struct host_paths *h, const char *addr, const struct bind_state *s,
		    struct errbuf *e)
{
	char p[PATH_MAX], tmp[PATH_MAX + 8];
	int err = mkdir_p(h->run);
	FILE *f;

	if (err)
		return errbuf_set(e, err, "cannot create %s: %s", h->run, strerror(-err));
	state_path(p, sizeof(p), h, addr);
	snprintf(tmp, sizeof(tmp), "%s.tmp", p);
	f = fopen(tmp, "we");
	if (!f)
		return errbuf_set(e, errno, "cannot write %s: %s", tmp, strerror(errno));
	fprintf(f, "# vfvm bind: the driver %s goes back to on 'vfvm unbind'\n", addr);
	fprintf(f, "driver=%s\nnew_id=%d\n", s->driver, s->used_new_id);
	if (fflush(f) || ferror(f) || fclose(f)) {
		err = -errno;
		unlink(tmp);
		return errbuf_set(e, err, "cannot write %s: %s", tmp, strerror(-err));
	}
	if (rename(tmp, p))
		return errbuf_set(e, errno, "cannot rename %s to %s: %s", tmp, p, strerror(errno));
	return 0;
}

int bind_state_load(const struct host_paths *h, const char *addr, struct bind_state *s,
		    struct errbuf *e)
{
	char p[PATH_MAX], line[256];
	bool have_driver = false;
	unsigned int lineno = 0;
	FILE *f;

	memset(s, 0, sizeof(*s));
	state_path(p, sizeof(p), h, addr);
	f = fopen(p, "re");
	if (!f)
		return errno == ENOENT
			       ? -ENOENT
			       : errbuf_set(e, errno, "cannot read %s: %s", p, strerror(errno));
	while (fgets(line, sizeof(line), f)) {
		size_t n = strcspn(line, "\n");

		lineno++;
		if (line[n] != '\n' && !feof(f))
			goto bad;
		line[n] = '\0';
		if (line[0] == '#' || !line[0])
			continue;
		if (!strncmp(line, "driver=", 7) && strlen(line + 7) < sizeof(s->driver) &&
		    !strpbrk(line + 7, "/ \t")) {
			strcpy(s->driver, line + 7);
			have_driver = true;
		} else if (!strcmp(line, "new_id=0") || !strcmp(line, "new_id=1")) {
			s->used_new_id = line[7] == '1';
		} else {
			goto bad;
		}
	}
	fclose(f);
	if (!have_driver)
		return errbuf_set(e, EINVAL,
				  "%s has no driver= line: remove it and unbind %s by hand", p,
				  addr);
	return 0;
bad:
	fclose(f);
	return errbuf_set(e, EINVAL,
			  "%s line %u is malformed: remove the file and unbind %s by hand", p,
			  lineno, addr);
}

int bind_state_remove(const struct host_paths *h, const char *addr)
{
	char p[PATH_MAX];

	state_path(p, sizeof(p), h, addr);
	return unlink(p) && errno != ENOENT ? -errno : 0;
}
