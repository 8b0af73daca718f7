/* SPDX-License-Identifier: MIT */
/*
 * The little JSON the control socket speaks (RFC 8259): a reader that checks one text and indexes
 * its values in a caller-given token array (no allocation, bounded depth, so any byte string is
 * safe input), and a writer that fills a caller-given buffer.
 */
#ifndef VFVM_JSON_H
#define VFVM_JSON_H

#include <stdbool.h>
#include <stdio.h>
#include <stddef.h>
#include <stdint.h>

#include "vmm/errbuf.h"

#define JSON_MAX_DEPTH 16

enum json_type {
	JSON_NULL,
	JSON_FALSE,
	JSON_TRUE,
	JSON_NUMBER,
	JSON_STRING,
	JSON_ARRAY,
	JSON_OBJECT,
};

/*
 * One value. An array's elements and an object's members follow it in document order (an object
 * member is its key, a JSON_STRING token, then the value's tokens); next is the index of the
 * first token after the whole value.
 */
struct json_tok {
	enum json_type type;
	uint32_t start, len; /* the value's text (a string's without its quotes, still escaped) */
	uint32_t count;	     /* elements of an array, members of an object */
	uint32_t next;
};

struct json_doc {
	const char *text;
	struct json_tok *tok;
	unsigned int ntok;
};

/*
 * Parse exactly one value from text[0..len) (whitespace around it allowed) into at most max
 * tokens. -EINVAL when it is not JSON (err says what and at which byte), -E2BIG for more values
 * than max or nesting deeper than JSON_MAX_DEPTH.
 */
int json_parse(struct json_doc *d, const char *text, size_t len, struct json_tok *tok,
	       unsigned int max, struct errbuf *err);

/* The value of member key of the object at token obj; -1 when absent (or obj is no object). */
int json_member(const struct json_doc *d, unsigned int obj, const char *key);

/*
 * Unescape the string at token t into out (NUL-terminated, UTF-8). -EINVAL for a token that is no
 * string or holds \u0000, -ENAMETOOLONG when it does not fit in size bytes.
 */
int json_get_string(const struct json_doc *d, unsigned int t, char *out, size_t size);

/* The number at token t when it is an integer in [0, UINT64_MAX]; -EINVAL otherwise. */
int json_get_u64(const struct json_doc *d, unsigned int t, uint64_t *v);

/*
 * The writer. Each call adds one value; key is its member name inside an object and NULL inside an
 * array or at the top. Output that does not fit sets overflow (the text is then incomplete).
 * Strings are written as ASCII: control characters escaped, bytes above 0x7e as '?'.
 */
struct json_out {
	char *buf;
	size_t cap, len;
	bool overflow;
	unsigned int depth;
	bool comma[JSON_MAX_DEPTH + 1];
};

void json_out_init(struct json_out *o, char *buf, size_t cap);
/* s as a JSON string on out, escaped as above but with bytes above 0x7e (UTF-8) kept. */
void json_fput_string(FILE *out, const char *s);
void json_begin_object(struct json_out *o, const char *key);
void json_end_object(struct json_out *o);
void json_begin_array(struct json_out *o, const char *key);
void json_end_array(struct json_out *o);
void json_add_string(struct json_out *o, const char *key, const char *s);
void json_add_u64(struct json_out *o, const char *key, uint64_t v);
void json_add_double(struct json_out *o, const char *key, double v); /* 3 decimals */
void json_add_bool(struct json_out *o, const char *key, bool v);

#endif
