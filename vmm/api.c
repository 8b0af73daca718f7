// SPDX-License-Identifier: MIT
#include "vmm/api.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

static void answer_error(struct json_out *out, const char *command, const char *msg)
{
	json_out_init(out, out->buf, out->cap);
	json_begin_object(out, NULL);
	if (command)
		json_add_string(out, "command", command);
	json_add_bool(out, "ok", false);
	json_add_string(out, "error", msg);
	json_end_object(out);
}

void api_answer(const struct api_command *cmds, void *ctx, const char *line, size_t len,
		struct json_out *out)
{
	struct json_tok tok[API_MAX_TOKENS];
	struct errbuf err = {""};
	struct json_doc doc;
	char name[64];
	int t, r;

	if (memchr(line, 0, len))
		return answer_error(out, NULL, "the request holds a NUL byte");
	if (json_parse(&doc, line, len, tok, API_MAX_TOKENS, &err))
		return answer_error(out, NULL, errbuf_msg(&err));
	if (tok[0].type != JSON_OBJECT)
		return answer_error(out, NULL, "a request is a JSON object: {\"command\": NAME}");
	t = json_member(&doc, 0, "command");
	if (t < 0)
		return answer_error(out, NULL, "the request has no \"command\" member");
	r = json_get_string(&doc, (unsigned int)t, name, sizeof(name));
	if (r == -ENAMETOOLONG)
		return answer_error(out, NULL, "no such command (the name is too long)");
	if (r)
		return answer_error(out, NULL, "\"command\" is not a string");
	for (const struct api_command *c = cmds; c->name; c++) {
		if (strcmp(c->name, name))
			continue;
		json_out_init(out, out->buf, out->cap);
		json_begin_object(out, NULL);
		json_add_string(out, "command", c->name);
		json_add_bool(out, "ok", true);
		r = c->run(ctx, &doc, 0, out, &err);
		json_end_object(out);
		if (r)
			answer_error(out, c->name,
				     errbuf_msg(&err)[0] ? errbuf_msg(&err) : strerror(-r));
		else if (out->overflow)
			answer_error(out, c->name, "the answer does not fit in a line");
		return;
	}
	snprintf(err.msg, sizeof(err.msg), "unknown command '%s'; the commands are:", name);
	for (const struct api_command *c = cmds; c->name; c++)
		snprintf(err.msg + strlen(err.msg), sizeof(err.msg) - strlen(err.msg), " %s",
			 c->name);
	answer_error(out, NULL, err.msg);
}

/* Is something listening at addr? */
static bool socket_is_live(const struct sockaddr_un *addr)
{
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	bool live;

	if (fd < 0)
		return false;
	live = connect(fd, (const struct sockaddr *)addr, sizeof(*addr)) == 0 || errno == EAGAIN;
	close(fd);
	return live;
}

int api_listen(struct api_server *s, const char *path, const struct api_command *cmds, void *ctx,
	       struct errbuf *err)
{
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	struct stat st;
	mode_t mask;
	int r;

	*s = (struct api_server){.listen_fd = -1, .cmds = cmds, .ctx = ctx};
	for (unsigned int i = 0; i < API_MAX_CLIENTS; i++)
		s->clients[i].fd = -1;
	if (!*path || strlen(path) >= sizeof(addr.sun_path))
		return errbuf_set(err, ENAMETOOLONG,
				  "--api-socket %s: a socket path is 1 to %zu bytes", path,
				  sizeof(addr.sun_path) - 1);
	strcpy(addr.sun_path, path);
	if (lstat(path, &st) == 0) {
		if (!S_ISSOCK(st.st_mode))
			return errbuf_set(err, EEXIST,
					  "--api-socket %s: the file exists and is not a socket",
					  path);
		if (socket_is_live(&addr))
			return errbuf_set(err, EADDRINUSE,
					  "--api-socket %s: another program listens there", path);
		/* stale: its vfvm is gone */
		if (unlink(path) && errno != ENOENT)
			return errbuf_set(err, errno,
					  "--api-socket %s: cannot remove the stale socket: %s",
					  path, strerror(errno));
	}
	s->listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (s->listen_fd < 0)
		return errbuf_set(err, errno, "--api-socket: socket: %s", strerror(errno));
	/* owner only from the moment it exists: no window in which others may connect */
	mask = umask(0177);
	r = bind(s->listen_fd, (struct sockaddr *)&addr, sizeof(addr));
	umask(mask);
	if (r || listen(s->listen_fd, API_MAX_CLIENTS) || stat(path, &st)) {
		r = errbuf_set(err, errno, "--api-socket %s: %s", path, strerror(errno));
		api_close(s);
		return r;
	}
	strcpy(s->path, path);
	s->dev = st.st_dev;
	s->ino = st.st_ino;
	return 0;
}

int api_chown(struct api_server *s, uid_t uid, gid_t gid, struct errbuf *err)
{
	struct stat st;

	/* never follow a link: root changes the owner of the file it made, or of nothing */
	if (lstat(s->path, &st) || st.st_dev != s->dev || st.st_ino != s->ino)
		return errbuf_set(err, EEXIST, "--api-socket %s: replaced since vfvm made it",
				  s->path);
	if (fchownat(AT_FDCWD, s->path, uid, gid, AT_SYMLINK_NOFOLLOW))
		return errbuf_set(err, errno, "--api-socket %s: chown to %u:%u: %s", s->path,
				  (unsigned int)uid, (unsigned int)gid, strerror(errno));
	return 0;
}

unsigned int api_poll_fds(const struct api_server *s, struct pollfd *p)
{
	unsigned int n = 0;

	p[n++] = (struct pollfd){.fd = s->listen_fd, .events = POLLIN};
	for (unsigned int i = 0; i < API_MAX_CLIENTS; i++)
		p[n++] = (struct pollfd){.fd = s->clients[i].fd, .events = POLLIN};
	return n;
}

static void drop(struct api_client *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	c->len = 0;
}

/* Send one answer line; false when the client cannot take it (it then gets dropped). */
static bool send_line(int fd, struct json_out *out)
{
	ssize_t n;

	if (out->overflow)
		return false;
	out->buf[out->len++] = '\n'; /* json_out keeps a byte free for the NUL */
	n = send(fd, out->buf, out->len, MSG_NOSIGNAL | MSG_DONTWAIT);
	return n == (ssize_t)out->len;
}

static bool send_error(int fd, const char *msg)
{
	char buf[256];
	struct json_out out;

	json_out_init(&out, buf, sizeof(buf));
	answer_error(&out, NULL, msg);
	return send_line(fd, &out);
}

static void accept_client(struct api_server *s)
{
	int fd = accept4(s->listen_fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);

	if (fd < 0)
		return;
	for (unsigned int i = 0; i < API_MAX_CLIENTS; i++) {
		if (s->clients[i].fd < 0) {
			s->clients[i].fd = fd;
			s->clients[i].len = 0;
			s->clients[i].skipping = false;
			return;
		}
	}
	send_error(fd, "too many clients");
	close(fd);
}

/* Answer every complete line in the client's buffer; false when it must be dropped. */
static bool answer_lines(struct api_server *s, struct api_client *c)
{
	char answer[API_MAX_ANSWER];
	char *nl;

	if (c->skipping) {
		nl = memchr(c->buf, '\n', c->len);
		if (!nl) {
			c->len = 0;
			return true;
		}
		c->len -= (size_t)(nl + 1 - c->buf);
		memmove(c->buf, nl + 1, c->len);
		c->skipping = false;
	}
	while ((nl = memchr(c->buf, '\n', c->len))) {
		size_t line = (size_t)(nl - c->buf);
		struct json_out out;

		json_out_init(&out, answer, sizeof(answer));
		api_answer(s->cmds, s->ctx, c->buf, line, &out);
		if (!send_line(c->fd, &out))
			return false;
		c->len -= line + 1;
		memmove(c->buf, nl + 1, c->len);
	}
	/*
	 * Too long: answer now and skip the rest of the line. Closing instead would make the
	 * kernel reset the connection over the unread bytes, and the client lose the answer.
	 */
	if (c->len == sizeof(c->buf)) {
		char msg[64];

		snprintf(msg, sizeof(msg), "a request line is at most %d bytes", API_MAX_LINE);
		c->len = 0;
		c->skipping = true;
		return send_error(c->fd, msg);
	}
	return true;
}

static void serve_client(struct api_server *s, struct api_client *c, short revents)
{
	ssize_t n;

	if (!(revents & (POLLIN | POLLHUP | POLLERR)))
		return;
	n = recv(c->fd, c->buf + c->len, sizeof(c->buf) - c->len, MSG_DONTWAIT);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	/* gone (a request it did not finish is dropped with it) */
	if (n <= 0)
		return drop(c);
	c->len += (size_t)n;
	if (!answer_lines(s, c))
		drop(c);
}

void api_serve(struct api_server *s, const struct pollfd *p, unsigned int n)
{
	for (unsigned int i = 1; i < n && i <= API_MAX_CLIENTS; i++)
		if (p[i].fd >= 0 && p[i].fd == s->clients[i - 1].fd)
			serve_client(s, &s->clients[i - 1], p[i].revents);
	if (n && p[0].fd >= 0 && p[0].revents & POLLIN)
		accept_client(s);
}

void api_close(struct api_server *s)
{
	struct stat st;

	for (unsigned int i = 0; i < API_MAX_CLIENTS; i++)
		drop(&s->clients[i]);
	if (s->listen_fd >= 0)
		close(s->listen_fd);
	s->listen_fd = -1;
	if (s->path[0] && stat(s->path, &st) == 0 && st.st_dev == s->dev && st.st_ino == s->ino)
		unlink(s->path);
	s->path[0] = 0;
}
