/* SPDX-License-Identifier: MIT */
/*
 * The control socket of `vfvm run --api-socket PATH`: a Unix stream socket that takes one JSON
 * object per line, {"command": NAME, ...arguments}, and answers each with one line,
 * {"command": NAME, "ok": true, ...} or {"ok": false, "error": "..."}. The commands are a table the
 * caller gives (vmm/run_api.c); a new one (device hot-plug) is one more entry there.
 *
 * It runs in the main loop's thread, never in a vCPU's: whatever a client sends (not JSON, an
 * unknown command, a NUL byte, a line longer than API_MAX_LINE, many clients, a client gone in the
 * middle of a line) gets an error answer or the client is dropped; the guest runs on regardless.
 */
#ifndef VFVM_API_H
#define VFVM_API_H

#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "vmm/errbuf.h"
#include "vmm/json.h"

#define API_MAX_LINE 4096   /* a request line, newline included */
#define API_MAX_ANSWER 8192 /* an answer line */
#define API_MAX_CLIENTS 8
#define API_MAX_TOKENS 128 /* JSON values in one request */

struct api_command {
	const char *name;
	/*
	 * Add the answer's members to out (an open object) and return 0, or return -errno with err
	 * set: the client then gets {"ok": false, "error": err}. args is the request object's
	 * token.
	 */
	int (*run)(void *ctx, const struct json_doc *req, unsigned int args, struct json_out *out,
		   struct errbuf *err);
};

struct api_client {
	int fd; /* -1: free */
	size_t len;
	bool skipping; /* the rest of a line that was too long */
	char buf[API_MAX_LINE];
};

struct api_server {
	int listen_fd;
	char path[108];
	dev_t dev; /* the socket file we made: removed at exit only if it is still ours */
	ino_t ino;
	const struct api_command *cmds; /* ends with a NULL name */
	void *ctx;
	struct api_client clients[API_MAX_CLIENTS];
};

/*
 * Listen on path (mode 0600). A live socket there (something answers) is an error (-EADDRINUSE);
 * a stale one (nothing listens) is replaced; any other file is left alone (-EEXIST).
 */
int api_listen(struct api_server *s, const char *path, const struct api_command *cmds, void *ctx,
	       struct errbuf *err);

/*
 * Give the socket file to uid:gid (still mode 0600), if it is still the one api_listen made: for
 * `--user`, whose vfvm serves it and removes it at exit as that user. -errno with err naming it.
 */
int api_chown(struct api_server *s, uid_t uid, gid_t gid, struct errbuf *err);

/* The fds to poll (listener, then clients) into p; returns how many (at most API_POLL_FDS). */
#define API_POLL_FDS (1 + API_MAX_CLIENTS)
unsigned int api_poll_fds(const struct api_server *s, struct pollfd *p);
/* Serve what poll() reported on those fds (accept, read, answer, drop). */
void api_serve(struct api_server *s, const struct pollfd *p, unsigned int n);

/* Close every client and the listener, and remove the socket file if it is still ours. */
void api_close(struct api_server *s);

/*
 * Answer one request line (without its newline) into out, as the socket does. Pure: what the unit
 * tests and the fuzzer drive.
 */
void api_answer(const struct api_command *cmds, void *ctx, const char *line, size_t len,
		struct json_out *out);

#endif
