// SPDX-License-Identifier: MIT
/* `vfvm ctl`: the client of a running vfvm's control socket (vfvm run --api-socket). */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "vmm/api.h"
#include "vmm/commands.h"
#include "vmm/json.h"

#define CTL_TIMEOUT_MS 10000 /* a live vfvm answers at once: this is a hung or wrong peer */

static void ctl_usage(FILE *out)
{
	fprintf(out,
		"Usage: vfvm ctl SOCKET COMMAND\n"
		"       vfvm ctl SOCKET --raw\n\n"
		"Send COMMAND to the vfvm that listens on SOCKET (vfvm run --api-socket SOCKET)\n"
		"as the request {\"command\": \"COMMAND\"} and print its one-line JSON answer.\n"
		"Exit status: 0 when the answer says \"ok\": true, 1 when it is an error or no\n"
		"answer came, 2 on a usage error.\n\n"
		"Commands:\n"
		"  status     state, uptime, vCPUs, memory, passed-through devices (host and\n"
		"             guest PCI address) and VM exit counts\n"
		"  powerdown  press the guest's ACPI power button: the guest shuts down and vfvm\n"
		"             exits 0; one that has not powered off after --powerdown-timeout\n"
		"             seconds is stopped\n"
		"  stop       stop the guest at once, as SIGTERM does (vfvm exits 1)\n\n"
		"Options:\n"
		"  --raw      send standard input as it is (requests, one JSON object a line) and\n"
		"             print every answer until vfvm closes the connection\n"
		"  -h, --help this text\n");
}

static int connect_to(const char *path)
{
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	int fd;

	if (strlen(path) >= sizeof(addr.sun_path)) {
		fprintf(stderr, "vfvm ctl: %s: a socket path is at most %zu bytes\n", path,
			sizeof(addr.sun_path) - 1);
		return -1;
	}
	strcpy(addr.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&addr, sizeof(addr))) {
		fprintf(stderr, "vfvm ctl: %s: %s%s\n", path, strerror(errno),
			errno == ECONNREFUSED ? " (no vfvm listens there any more)" : "");
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

static bool write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = send(fd, p, n, MSG_NOSIGNAL);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return false;
		p += w;
		n -= (size_t)w;
	}
	return true;
}

/* --raw: stdin to the socket, then every answer to stdout until the server closes. */
static int ctl_raw(int fd)
{
	char buf[65536];
	ssize_t n;

	while ((n = read(STDIN_FILENO, buf, sizeof(buf))) > 0)
		if (!write_all(fd, buf, (size_t)n))
			break; /* dropped: the answers so far still get printed */
	shutdown(fd, SHUT_WR);
	while ((n = recv(fd, buf, sizeof(buf), 0)) > 0)
		fwrite(buf, 1, (size_t)n, stdout);
	return EXIT_OK;
}

/* Read one answer line into buf (NUL-terminated, without the newline). */
static int read_answer(int fd, char *buf, size_t size)
{
	size_t len = 0;

	while (len < size - 1) {
		struct pollfd p = {.fd = fd, .events = POLLIN};
		char *nl;
		ssize_t n;

		if (poll(&p, 1, CTL_TIMEOUT_MS) == 0)
			return -ETIMEDOUT;
		n = recv(fd, buf + len, size - 1 - len, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -ECONNRESET;
		len += (size_t)n;
		buf[len] = 0;
		nl = memchr(buf, '\n', len);
		if (nl) {
			*nl = 0;
			return 0;
		}
	}
	return -E2BIG;
}

static bool answer_ok(const char *line)
{
	static const int max = 2048;
	struct json_tok *tok = calloc(max, sizeof(*tok));
	struct json_doc doc;
	bool ok = false;
	int t;

	if (tok && json_parse(&doc, line, strlen(line), tok, max, NULL) == 0) {
		t = json_member(&doc, 0, "ok");
		ok = t >= 0 && tok[t].type == JSON_TRUE;
	}
	free(tok);
	return ok;
}

int cmd_ctl(int argc, char **argv)
{
	char request[128], answer[API_MAX_ANSWER + 1];
	struct json_out out;
	int fd, ret;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			ctl_usage(stdout);
			return EXIT_OK;
		}
	}
	if (argc != 3) {
		fprintf(stderr, "vfvm ctl: %s (see 'vfvm ctl --help')\n",
			argc < 3 ? "SOCKET and COMMAND are needed" : "one COMMAND at a time");
		return EXIT_USAGE;
	}
	if (argv[2][0] == '-' && strcmp(argv[2], "--raw")) {
		fprintf(stderr, "vfvm ctl: unknown option '%s' (see 'vfvm ctl --help')\n", argv[2]);
		return EXIT_USAGE;
	}
	json_out_init(&out, request, sizeof(request) - 1);
	json_begin_object(&out, NULL);
	json_add_string(&out, "command", argv[2]);
	json_end_object(&out);
	if (out.overflow) {
		fprintf(stderr, "vfvm ctl: command '%.32s...' is too long\n", argv[2]);
		return EXIT_USAGE;
	}
	fd = connect_to(argv[1]);
	if (fd < 0)
		return EXIT_RUNTIME;
	if (!strcmp(argv[2], "--raw")) {
		ret = ctl_raw(fd);
		close(fd);
		return ret;
	}
	request[out.len++] = '\n';
	if (!write_all(fd, request, out.len)) {
		fprintf(stderr, "vfvm ctl: %s: sending the request: %s\n", argv[1],
			strerror(errno));
		close(fd);
		return EXIT_RUNTIME;
	}
	ret = read_answer(fd, answer, sizeof(answer));
	close(fd);
	if (ret) {
		fprintf(stderr, "vfvm ctl: %s: no answer: %s\n", argv[1],
			ret == -ECONNRESET ? "vfvm closed the connection" : strerror(-ret));
		return EXIT_RUNTIME;
	}
	printf("%s\n", answer);
	return answer_ok(answer) ? EXIT_OK : EXIT_RUNTIME;
}
