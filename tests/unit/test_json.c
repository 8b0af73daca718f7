// SPDX-License-Identifier: MIT
/* The control socket's JSON reader and writer, with bad input. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "vmm/json.h"

static int parse(const char *s, struct json_doc *d, struct json_tok *tok, unsigned int max)
{
	struct errbuf err = {""};

	return json_parse(d, s, strlen(s), tok, max, &err);
}

static void reads_nested_values(void **state)
{
	struct json_tok tok[32];
	struct json_doc d;
	char s[32];
	uint64_t v;
	int t;
	(void)state;

	assert_int_equal(parse(" {\"command\" : \"status\", \"a\": [1, 2.5e3, {\"x\": null}],"
			       " \"b\": true, \"n\": 18446744073709551615 }\n",
			       &d, tok, 32),
			 0);
	assert_int_equal(tok[0].type, JSON_OBJECT);
	assert_int_equal(tok[0].count, 4);
	assert_int_equal(tok[0].next, d.ntok);
	t = json_member(&d, 0, "command");
	assert_true(t > 0);
	assert_int_equal(json_get_string(&d, (unsigned int)t, s, sizeof(s)), 0);
	assert_string_equal(s, "status");
	t = json_member(&d, 0, "a");
	assert_int_equal(tok[t].type, JSON_ARRAY);
	assert_int_equal(tok[t].count, 3);
	/* "b" comes after the whole array: next skips its subtree */
	assert_int_equal(tok[json_member(&d, 0, "b")].type, JSON_TRUE);
	assert_int_equal(json_get_u64(&d, (unsigned int)json_member(&d, 0, "n"), &v), 0);
	assert_true(v == UINT64_MAX);
	assert_int_equal(json_member(&d, 0, "missing"), -1);
	/* members of nested objects are not the top object's */
	assert_int_equal(json_member(&d, 0, "x"), -1);
	/* not an object, not a string, not an integer */
	assert_int_equal(json_member(&d, (unsigned int)t, "x"), -1);
	assert_int_equal(json_get_string(&d, (unsigned int)t, s, sizeof(s)), -EINVAL);
	assert_int_equal(json_get_u64(&d, (unsigned int)t + 2, &v), -EINVAL); /* 2.5e3 */
	assert_int_equal(json_get_u64(&d, 999, &v), -EINVAL);
}

static void rejects_what_is_not_json(void **state)
{
	static const char *const bad[] = {
		"",	    " ",	  "{",	      "}",	     "{\"a\"}",
		"{\"a\":}", "{\"a\":1,}", "[1,]",     "[1 2]",	     "{a:1}",
		"'x'",	    "\"abc",	  "\"a\\x\"", "\"\\u12g4\"", "\"\\u12\"",
		"01",	    "1.",	  "-",	      "1e",	     ".5",
		"+1",	    "tru",	  "nul",      "True",	     "{} {}",
		"{}x",	    "[]]",	  "\"a\tb\"", "\"a\nb\"",    "{\"a\" 1}",
		"{1:2}",    "[\"\\",	  "\x01",     "\xff",	     "{\"a\":1 \"b\":2}",
	};
	struct json_tok tok[16];
	struct errbuf err = {""};
	struct json_doc d;
	(void)state;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int r = json_parse(&d, bad[i], strlen(bad[i]), tok, 16, &err);

		if (r != -EINVAL)
			fail_msg("accepted or wrong error (%d) for \"%s\"", r, bad[i]);
		assert_non_null(strstr(errbuf_msg(&err), "not JSON at byte"));
	}
	/* a NUL byte inside the text: the length says where it ends, not the NUL */
	assert_int_equal(json_parse(&d, "{\"a\":\"x\0y\"}", 11, tok, 16, &err), -EINVAL);
	assert_int_equal(json_parse(&d, "{}\0", 3, tok, 16, &err), -EINVAL);
}

static void limits_tokens_and_depth(void **state)
{
	char deep[2 * JSON_MAX_DEPTH + 8], *big;
	struct json_tok tok[64];
	struct json_doc d;
	size_t n = 0;
	(void)state;

	assert_int_equal(parse("[1,2,3,4]", &d, tok, 4), -E2BIG);
	assert_int_equal(parse("[1,2,3,4]", &d, tok, 5), 0);
	for (int i = 0; i < JSON_MAX_DEPTH + 1; i++)
		deep[n++] = '[';
	for (int i = 0; i < JSON_MAX_DEPTH + 1; i++)
		deep[n++] = ']';
	deep[n] = 0;
	assert_int_equal(parse(deep, &d, tok, 64), -E2BIG);
	assert_int_equal(parse(deep + 1, &d, tok, 64) == 0 ? 0 : -1, -1); /* unbalanced */
	deep[n - 1] = 0;
	assert_int_equal(parse(deep + 1, &d, tok, 64), 0); /* exactly the limit */
	/* 1 MiB of one string: fine for the reader, which only indexes it */
	big = malloc(1 << 20);
	memset(big, 'a', (1 << 20) - 1);
	big[0] = '"';
	big[(1 << 20) - 2] = '"';
	big[(1 << 20) - 1] = 0;
	assert_int_equal(parse(big, &d, tok, 64), 0);
	assert_int_equal(tok[0].len, (1 << 20) - 3);
	free(big);
}

static void unescapes_strings(void **state)
{
	struct json_tok tok[8];
	struct json_doc d;
	char s[64];
	(void)state;

	assert_int_equal(parse("\"a\\\"b\\\\c\\/d\\n\\t\\u00e9\\u20ac\\ud83d\\ude00\"", &d, tok, 8),
			 0);
	assert_int_equal(json_get_string(&d, 0, s, sizeof(s)), 0);
	assert_string_equal(s, "a\"b\\c/d\n\t\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80");
	/* a lone surrogate is replaced, \u0000 refused (it would cut the string) */
	assert_int_equal(parse("\"\\ud800x\"", &d, tok, 8), 0);
	assert_int_equal(json_get_string(&d, 0, s, sizeof(s)), 0);
	assert_string_equal(s, "\xef\xbf\xbdx");
	assert_int_equal(parse("\"a\\u0000b\"", &d, tok, 8), 0);
	assert_int_equal(json_get_string(&d, 0, s, sizeof(s)), -EINVAL);
	/* too long for the buffer */
	assert_int_equal(parse("\"abcdef\"", &d, tok, 8), 0);
	assert_int_equal(json_get_string(&d, 0, s, 6), -ENAMETOOLONG);
	assert_int_equal(json_get_string(&d, 0, s, 7), 0);
}

static void writes_and_reads_back(void **state)
{
	char buf[256];
	struct json_out o;
	struct json_tok tok[32];
	struct json_doc d;
	char s[64];
	(void)state;

	json_out_init(&o, buf, sizeof(buf));
	json_begin_object(&o, NULL);
	json_add_string(&o, "s", "q\"\\\n\x01\xc3\xa9");
	json_add_u64(&o, "n", 42);
	json_add_double(&o, "d", 1.5);
	json_add_bool(&o, "b", false);
	json_begin_array(&o, "a");
	json_add_u64(&o, NULL, 1);
	json_begin_object(&o, NULL);
	json_end_object(&o);
	json_end_array(&o);
	json_end_object(&o);
	assert_false(o.overflow);
	assert_string_equal(buf, "{\"s\":\"q\\\"\\\\\\u000a\\u0001??\",\"n\":42,\"d\":1.500,"
				 "\"b\":false,\"a\":[1,{}]}");
	assert_int_equal(parse(buf, &d, tok, 32), 0);
	assert_int_equal(json_get_string(&d, (unsigned int)json_member(&d, 0, "s"), s, sizeof(s)),
			 0);
	assert_string_equal(s, "q\"\\\n\x01??");
	/* what does not fit is flagged, never written past the buffer */
	json_out_init(&o, buf, 8);
	json_begin_object(&o, NULL);
	json_add_string(&o, "key", "value");
	json_end_object(&o);
	assert_true(o.overflow);
	assert_true(strlen(buf) < 8);
}

/* devices --json: the same escapes, but UTF-8 names from pci.ids pass through */
static void writes_a_string_to_a_file(void **state)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	(void)state;

	assert_non_null(f);
	json_fput_string(f, "q\"\\\n\x01\xc3\xa9");
	assert_int_equal(fclose(f), 0);
	assert_string_equal(text, "\"q\\\"\\\\\\u000a\\u0001\xc3\xa9\"");
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(reads_nested_values),
		cmocka_unit_test(rejects_what_is_not_json),
		cmocka_unit_test(limits_tokens_and_depth),
		cmocka_unit_test(unescapes_strings),
		cmocka_unit_test(writes_and_reads_back),
		cmocka_unit_test(writes_a_string_to_a_file),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
