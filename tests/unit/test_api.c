// SPDX-License-Identifier: MIT
/*
 * The control socket (vmm/api.h): requests answered line by line, and every kind of bad client
 * (not JSON, unknown commands, NUL bytes, 1 MiB lines, too many clients, a client gone in the
 * middle of a line) answered with an error or dropped, through a real Unix socket.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
#include <cmocka.h>

#include "vmm/api.h"

struct ctx {
	int pings;
};

static int cmd_ping(void *opaque, const struct json_doc *req, unsigned int args,
		    struct json_out *out, struct errbuf *err)
{
	struct ctx *c = opaque;
	int t = json_member(req, args, "n");
	uint64_t n = 0;

	if (t >= 0 && json_get_u64(req, (unsigned int)t, &n))
		return errbuf_set(err, EINVAL, "\"n\" is not a count");
	c->pings++;
	json_add_u64(out, "n", n);
	return 0;
}

static int cmd_fail(void *opaque, const struct json_doc *req, unsigned int args,
		    struct json_out *out, struct errbuf *err)
{
	(void)opaque, (void)req, (void)args, (void)out, (void)err;
	return -EIO;
}

static int cmd_huge(void *opaque, const struct json_doc *req, unsigned int args,
		    struct json_out *out, struct errbuf *err)
{
	(void)opaque, (void)req, (void)args, (void)err;
	for (int i = 0; i < 10000; i++)
		json_add_u64(out, "x", 1);
	return 0;
}

static const struct api_command cmds[] = {
	{"ping", cmd_ping},
	{"fail", cmd_fail},
	{"huge", cmd_huge},
	{NULL, NULL},
};

static const char *answer(struct ctx *c, const char *line, size_t len)
{
	static char buf[API_MAX_ANSWER];
	struct json_out out;

	json_out_init(&out, buf, sizeof(buf));
	api_answer(cmds, c, line, len, &out);
	assert_false(out.overflow);
	return buf;
}

#define ANSWER(c, s) answer(c, s, sizeof(s) - 1)

static void answers_and_errors(void **state)
{
	struct ctx c = {0};
	(void)state;

	assert_string_equal(ANSWER(&c, "{\"command\":\"ping\",\"n\":7}"),
			    "{\"command\":\"ping\",\"ok\":true,\"n\":7}");
	assert_int_equal(c.pings, 1);
	assert_string_equal(
		ANSWER(&c, "{\"command\":\"ping\",\"n\":\"x\"}"),
		"{\"command\":\"ping\",\"ok\":false,\"error\":\"\\\"n\\\" is not a count\"}");
	assert_string_equal(ANSWER(&c, "{\"command\":\"fail\"}"),
			    "{\"command\":\"fail\",\"ok\":false,\"error\":\"Input/output error\"}");
	assert_string_equal(
		ANSWER(&c, "{\"command\":\"huge\"}"),
		"{\"command\":\"huge\",\"ok\":false,\"error\":\"the answer does not fit "
		"in a line\"}");
	assert_string_equal(ANSWER(&c, "{\"command\":\"reboot\"}"),
			    "{\"ok\":false,\"error\":\"unknown command 'reboot'; the commands are: "
			    "ping fail huge\"}");
	assert_string_equal(
		ANSWER(&c, "[\"ping\"]"),
		"{\"ok\":false,\"error\":\"a request is a JSON object: {\\\"command\\\": "
		"NAME}\"}");
	assert_string_equal(
		ANSWER(&c, "{\"cmd\":\"ping\"}"),
		"{\"ok\":false,\"error\":\"the request has no \\\"command\\\" member\"}");
	assert_string_equal(ANSWER(&c, "{\"command\":1}"),
			    "{\"ok\":false,\"error\":\"\\\"command\\\" is not a string\"}");
	assert_string_equal(ANSWER(&c, "{\"command\":\"ping\0\"}"),
			    "{\"ok\":false,\"error\":\"the request holds a NUL byte\"}");
	assert_string_equal(ANSWER(&c, "status"),
			    "{\"ok\":false,\"error\":\"not JSON at byte 0: bad number\"}");
	assert_string_equal(ANSWER(&c, ""),
			    "{\"ok\":false,\"error\":\"not JSON at byte 0: value expected\"}");
	/* a name with escapes and control characters is echoed safely */
	assert_string_equal(
		ANSWER(&c, "{\"command\":\"a\\u0001\\\"\"}"),
		"{\"ok\":false,\"error\":\"unknown command 'a\\u0001\\\"'; the commands "
		"are: ping fail huge\"}");
	assert_int_equal(c.pings, 1);
}

struct rig {
	char dir[64], path[128];
	struct api_server s;
	struct ctx c;
};

static int setup(void **state)
{
	struct rig *r = calloc(1, sizeof(*r));
	struct errbuf err = {""};

	strcpy(r->dir, "/tmp/vfvm-api-XXXXXX");
	assert_non_null(mkdtemp(r->dir));
	snprintf(r->path, sizeof(r->path), "%s/api.sock", r->dir);
	assert_int_equal(api_listen(&r->s, r->path, cmds, &r->c, &err), 0);
	*state = r;
	return 0;
}

static int teardown(void **state)
{
	struct rig *r = *state;

	api_close(&r->s);
	rmdir(r->dir);
	free(r);
	return 0;
}

/* Let the server handle whatever is pending (a few rounds of poll + serve). */
static void pump(struct rig *r)
{
	for (int i = 0; i < 20; i++) {
		struct pollfd p[API_POLL_FDS];
		unsigned int n = api_poll_fds(&r->s, p);

		if (poll(p, n, i < 2 ? 20 : 0) <= 0 && i >= 2)
			return;
		api_serve(&r->s, p, n);
	}
}

static int client(struct rig *r)
{
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);

	strcpy(a.sun_path, r->path);
	assert_int_equal(connect(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	return fd;
}

static void send_str(int fd, const char *s, size_t n)
{
	assert_int_equal(send(fd, s, n, MSG_NOSIGNAL), (ssize_t)n);
}

#define SEND(fd, s) send_str(fd, s, sizeof(s) - 1)

/* Everything the server sent so far ("" if nothing). */
static const char *received(int fd)
{
	static char buf[16384];
	ssize_t n = recv(fd, buf, sizeof(buf) - 1, MSG_DONTWAIT);

	buf[n > 0 ? n : 0] = 0;
	return buf;
}

static bool closed_by_server(int fd)
{
	char b;

	return recv(fd, &b, 1, MSG_DONTWAIT) == 0;
}

static void socket_is_private_and_refuses_a_second_server(void **state)
{
	struct rig *r = *state;
	struct api_server other;
	struct errbuf err = {""};
	struct stat st;
	int fd;

	assert_int_equal(stat(r->path, &st), 0);
	assert_true(S_ISSOCK(st.st_mode));
	assert_int_equal(st.st_mode & 0777, 0600);
	/* live: refused, and the first server's socket is untouched */
	assert_int_equal(api_listen(&other, r->path, cmds, NULL, &err), -EADDRINUSE);
	assert_non_null(strstr(errbuf_msg(&err), "another program listens there"));
	assert_int_equal(stat(r->path, &st), 0);
	fd = client(r);
	SEND(fd, "{\"command\":\"ping\"}\n");
	pump(r);
	assert_string_equal(received(fd), "{\"command\":\"ping\",\"ok\":true,\"n\":0}\n");
	close(fd);
	/* a path that is no socket is never removed */
	api_close(&r->s);
	assert_int_equal(stat(r->path, &st), -1);
	fd = open(r->path, O_CREAT | O_WRONLY, 0600);
	close(fd);
	assert_int_equal(api_listen(&other, r->path, cmds, NULL, &err), -EEXIST);
	assert_int_equal(stat(r->path, &st), 0);
	unlink(r->path);
	/* a path too long for a Unix socket */
	memset(err.msg, 0, sizeof(err.msg));
	{
		char longpath[200];

		memset(longpath, 'a', sizeof(longpath) - 1);
		longpath[sizeof(longpath) - 1] = 0;
		assert_int_equal(api_listen(&other, longpath, cmds, NULL, &err), -ENAMETOOLONG);
	}
	assert_int_equal(api_listen(&r->s, r->path, cmds, &r->c, &err), 0);
}

static void stale_socket_is_replaced(void **state)
{
	struct rig *r = *state;
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	struct errbuf err = {""};
	int fd;

	/* a socket file whose server is gone (a vfvm that was killed) */
	api_close(&r->s);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	strcpy(a.sun_path, r->path);
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	close(fd);
	assert_int_equal(api_listen(&r->s, r->path, cmds, &r->c, &err), 0);
	fd = client(r);
	SEND(fd, "{\"command\":\"ping\",\"n\":1}\n");
	pump(r);
	assert_string_equal(received(fd), "{\"command\":\"ping\",\"ok\":true,\"n\":1}\n");
	close(fd);
}

static void lines_pipelined_split_and_bad(void **state)
{
	struct rig *r = *state;
	int fd = client(r);

	SEND(fd, "{\"command\":\"ping\",\"n\":1}\n{\"command\":\"ping\",\"n\":2}\n{\"comm");
	pump(r);
	assert_string_equal(received(fd), "{\"command\":\"ping\",\"ok\":true,\"n\":1}\n"
					  "{\"command\":\"ping\",\"ok\":true,\"n\":2}\n");
	SEND(fd, "and\":\"ping\",\"n\":3}\nnot json\n");
	send_str(fd, "{\"command\":\0\"ping\"}\n", 20);
	SEND(fd, "{\"command\":\"nope\"}\n\n");
	pump(r);
	assert_string_equal(
		received(fd),
		"{\"command\":\"ping\",\"ok\":true,\"n\":3}\n"
		"{\"ok\":false,\"error\":\"not JSON at byte 0: unexpected character\"}\n"
		"{\"ok\":false,\"error\":\"the request holds a NUL byte\"}\n"
		"{\"ok\":false,\"error\":\"unknown command 'nope'; the commands are: "
		"ping fail huge\"}\n"
		"{\"ok\":false,\"error\":\"not JSON at byte 0: value expected\"}\n");
	/* and the connection still serves */
	SEND(fd, "{\"command\":\"ping\"}\n");
	pump(r);
	assert_string_equal(received(fd), "{\"command\":\"ping\",\"ok\":true,\"n\":0}\n");
	assert_int_equal(r->c.pings, 4);
	close(fd);
}

static void one_mib_line_is_refused_and_skipped(void **state)
{
	struct rig *r = *state;
	size_t len = 1 << 20, sent = 0;
	char *big = malloc(len);
	int fd = client(r);

	memset(big, ' ', len);
	memcpy(big, "{\"command\":\"ping\",\"pad\":\"", 25);
	while (sent < len) {
		ssize_t n = send(fd, big + sent, len - sent, MSG_NOSIGNAL);

		if (n > 0)
			sent += (size_t)n;
		pump(r);
	}
	SEND(fd, "\"}\n{\"command\":\"ping\",\"n\":5}\n");
	pump(r);
	assert_string_equal(received(fd),
			    "{\"ok\":false,\"error\":\"a request line is at most 4096 bytes\"}\n"
			    "{\"command\":\"ping\",\"ok\":true,\"n\":5}\n");
	assert_int_equal(r->c.pings, 1);
	free(big);
	close(fd);
}

static void too_many_clients_and_clients_that_leave(void **state)
{
	struct rig *r = *state;
	int fds[API_MAX_CLIENTS + 3];

	for (unsigned int i = 0; i < API_MAX_CLIENTS + 3; i++) {
		fds[i] = client(r);
		pump(r);
	}
	for (unsigned int i = API_MAX_CLIENTS; i < API_MAX_CLIENTS + 3; i++) {
		assert_string_equal(received(fds[i]),
				    "{\"ok\":false,\"error\":\"too many clients\"}\n");
		assert_true(closed_by_server(fds[i]));
		close(fds[i]);
	}
	/* one leaves in the middle of a request: nothing runs, its place is free again */
	SEND(fds[0], "{\"command\":\"ping\"");
	pump(r);
	close(fds[0]);
	pump(r);
	assert_int_equal(r->c.pings, 0);
	fds[0] = client(r);
	pump(r);
	for (unsigned int i = 0; i < API_MAX_CLIENTS; i++) {
		SEND(fds[i], "{\"command\":\"ping\",\"n\":9}\n");
		pump(r);
		assert_string_equal(received(fds[i]),
				    "{\"command\":\"ping\",\"ok\":true,\"n\":9}\n");
	}
	assert_int_equal(r->c.pings, API_MAX_CLIENTS);
	/* a client that never reads its answers is dropped, not waited for */
	for (int i = 0; i < 200000; i++) {
		static const char req[] = "{\"command\":\"ping\"}\n";

		if (send(fds[1], req, sizeof(req) - 1, MSG_NOSIGNAL) < 0)
			break;
		if (i % 256 == 0)
			pump(r);
	}
	pump(r);
	assert_int_equal(r->s.clients[1].fd, -1);
	for (unsigned int i = 0; i < API_MAX_CLIENTS; i++)
		close(fds[i]);
}

static void close_removes_only_its_own_socket(void **state)
{
	struct rig *r = *state;
	struct stat st;
	int fd;

	api_close(&r->s);
	assert_int_equal(stat(r->path, &st), -1);
	api_close(&r->s); /* twice is harmless */
	/* a file someone put in its place after a rename is left alone */
	assert_int_equal(api_listen(&r->s, r->path, cmds, &r->c, &(struct errbuf){""}), 0);
	unlink(r->path);
	fd = open(r->path, O_CREAT | O_WRONLY, 0600);
	close(fd);
	api_close(&r->s);
	assert_int_equal(stat(r->path, &st), 0);
	unlink(r->path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(answers_and_errors),
		cmocka_unit_test_setup_teardown(socket_is_private_and_refuses_a_second_server,
						setup, teardown),
		cmocka_unit_test_setup_teardown(stale_socket_is_replaced, setup, teardown),
		cmocka_unit_test_setup_teardown(lines_pipelined_split_and_bad, setup, teardown),
		cmocka_unit_test_setup_teardown(one_mib_line_is_refused_and_skipped, setup,
						teardown),
		cmocka_unit_test_setup_teardown(too_many_clients_and_clients_that_leave, setup,
						teardown),
		cmocka_unit_test_setup_teardown(close_removes_only_its_own_socket, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
