// SPDX-License-Identifier: MIT
/*
 * libFuzzer target: one request line of the control socket, any bytes. The answer is always one
 * complete JSON object that the reader accepts, with "ok" true only for the known command.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vmm/api.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int cmd_echo(void *ctx, const struct json_doc *req, unsigned int args, struct json_out *out,
		    struct errbuf *err)
{
	char s[64];
	int t = json_member(req, args, "arg");

	(void)ctx;
	if (t >= 0 && json_get_string(req, (unsigned int)t, s, sizeof(s)) == 0)
		json_add_string(out, "arg", s);
	else if (t >= 0)
		return errbuf_set(err, EINVAL, "\"arg\" is not a short string");
	return 0;
}

static const struct api_command cmds[] = {{"echo", cmd_echo}, {NULL, NULL}};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char buf[API_MAX_ANSWER];
	struct json_tok tok[64];
	struct json_out out;
	struct json_doc d;
	int t;

	json_out_init(&out, buf, sizeof(buf));
	api_answer(cmds, NULL, (const char *)data, size, &out);
	if (out.overflow || json_parse(&d, buf, out.len, tok, 64, NULL) ||
	    tok[0].type != JSON_OBJECT)
		abort();
	t = json_member(&d, 0, "ok");
	if (t < 0 || (tok[t].type != JSON_TRUE && tok[t].type != JSON_FALSE))
		abort();
	return 0;
}
