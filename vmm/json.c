// SPDX-License-Identifier: MIT
#include "vmm/json.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

struct parser {
	const char *s;
	size_t len, pos;
	struct json_doc *d;
	unsigned int max;
	struct errbuf *err;
};

static int fail(struct parser *p, const char *what)
{
	return errbuf_set(p->err, EINVAL, "not JSON at byte %zu: %s", p->pos, what);
}

static void skip_ws(struct parser *p)
{
	while (p->pos < p->len && strchr(" \t\r\n", p->s[p->pos]) && p->s[p->pos])
		p->pos++;
}

static bool at(struct parser *p, char c)
{
	return p->pos < p->len && p->s[p->pos] == c;
}

static bool is_digit(struct parser *p)
{
	return p->pos < p->len && p->s[p->pos] >= '0' && p->s[p->pos] <= '9';
}

static int new_tok(struct parser *p, enum json_type type)
{
	if (p->d->ntok == p->max)
		return errbuf_set(p->err, E2BIG, "more than %u JSON values", p->max);
	p->d->tok[p->d->ntok] = (struct json_tok){.type = type, .start = (uint32_t)p->pos};
	return (int)p->d->ntok++;
}

static int hex4(struct parser *p, unsigned int *v)
{
	*v = 0;
	for (int i = 0; i < 4; i++, p->pos++) {
		char c = p->pos < p->len ? p->s[p->pos] : 0;

		*v <<= 4;
		if (c >= '0' && c <= '9')
			*v |= (unsigned int)(c - '0');
		else if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f')
			*v |= (unsigned int)((c | 0x20) - 'a' + 10);
		else
			return fail(p, "bad \\u escape");
	}
	return 0;
}

/* A string, p->pos at its opening quote; the token spans its contents. */
static int parse_string(struct parser *p)
{
	int t;
	unsigned int u;

	p->pos++;
	t = new_tok(p, JSON_STRING);
	if (t < 0)
		return t;
	for (;;) {
		unsigned char c;

		if (p->pos >= p->len)
			return fail(p, "unterminated string");
		c = (unsigned char)p->s[p->pos];
		if (c == '"')
			break;
		if (c < 0x20)
			return fail(p, "control character in a string");
		if (c != '\\') {
			p->pos++;
			continue;
		}
		p->pos++;
		if (p->pos >= p->len)
			return fail(p, "unterminated string");
		c = (unsigned char)p->s[p->pos++];
		if (c == 'u') {
			if (hex4(p, &u))
				return -EINVAL;
		} else if (!strchr("\"\\/bfnrt", c) || !c) {
			return fail(p, "bad escape in a string");
		}
	}
	p->d->tok[t].len = (uint32_t)(p->pos - p->d->tok[t].start);
	p->pos++;
	return t;
}

static int parse_number(struct parser *p)
{
	int t = new_tok(p, JSON_NUMBER);

	if (t < 0)
		return t;
	if (at(p, '-'))
		p->pos++;
	if (at(p, '0'))
		p->pos++;
	else if (is_digit(p))
		while (is_digit(p))
			p->pos++;
	else
		return fail(p, "bad number");
	if (at(p, '.')) {
		p->pos++;
		if (!is_digit(p))
			return fail(p, "bad number");
		while (is_digit(p))
			p->pos++;
	}
	if (at(p, 'e') || at(p, 'E')) {
		p->pos++;
		if (at(p, '+') || at(p, '-'))
			p->pos++;
		if (!is_digit(p))
			return fail(p, "bad number");
		while (is_digit(p))
			p->pos++;
	}
	p->d->tok[t].len = (uint32_t)(p->pos - p->d->tok[t].start);
	return t;
}

static int parse_word(struct parser *p, const char *w, enum json_type type)
{
	size_t n = strlen(w);
	int t;

	if (p->len - p->pos < n || memcmp(p->s + p->pos, w, n))
		return fail(p, "unexpected character");
	t = new_tok(p, type);
	if (t < 0)
		return t;
	p->pos += n;
	p->d->tok[t].len = (uint32_t)n;
	return t;
}

static int parse_value(struct parser *p, unsigned int depth);

/* An array or object, p->pos at its opening bracket. */
static int parse_container(struct parser *p, unsigned int depth, bool object)
{
	char close = object ? '}' : ']';
	int t, r;

	if (depth >= JSON_MAX_DEPTH)
		return errbuf_set(p->err, E2BIG, "JSON nested deeper than %d", JSON_MAX_DEPTH);
	t = new_tok(p, object ? JSON_OBJECT : JSON_ARRAY);
	if (t < 0)
		return t;
	p->pos++;
	skip_ws(p);
	if (at(p, close))
		goto done;
	for (;;) {
		skip_ws(p);
		if (object) {
			if (!at(p, '"'))
				return fail(p, "expected a member name");
			r = parse_string(p);
			if (r < 0)
				return r;
			skip_ws(p);
			if (!at(p, ':'))
				return fail(p, "expected ':'");
			p->pos++;
		}
		r = parse_value(p, depth + 1);
		if (r < 0)
			return r;
		p->d->tok[t].count++;
		skip_ws(p);
		if (at(p, ',')) {
			p->pos++;
			continue;
		}
		if (at(p, close))
			break;
		return fail(p, object ? "expected ',' or '}'" : "expected ',' or ']'");
	}
done:
	p->pos++;
	p->d->tok[t].len = (uint32_t)(p->pos - p->d->tok[t].start);
	return t;
}

static int parse_value(struct parser *p, unsigned int depth)
{
	int t;

	skip_ws(p);
	if (p->pos >= p->len)
		return fail(p, "value expected");
	switch (p->s[p->pos]) {
	case '{':
		t = parse_container(p, depth, true);
		break;
	case '[':
		t = parse_container(p, depth, false);
		break;
	case '"':
		t = parse_string(p);
		break;
	case 't':
		t = parse_word(p, "true", JSON_TRUE);
		break;
	case 'f':
		t = parse_word(p, "false", JSON_FALSE);
		break;
	case 'n':
		t = parse_word(p, "null", JSON_NULL);
		break;
	default:
		t = parse_number(p);
	}
	if (t >= 0)
		p->d->tok[t].next = p->d->ntok;
	return t;
}

int json_parse(struct json_doc *d, const char *text, size_t len, struct json_tok *tok,
	       unsigned int max, struct errbuf *err)
{
	struct parser p = {.s = text, .len = len, .d = d, .max = max, .err = err};
	int r;

	*d = (struct json_doc){.text = text, .tok = tok};
	if (len > UINT32_MAX)
		return errbuf_set(err, E2BIG, "JSON text too long");
	r = parse_value(&p, 0);
	if (r < 0)
		return r;
	skip_ws(&p);
	if (p.pos != len)
		return fail(&p, "text after the value");
	return 0;
}

static bool tok_is_string(const struct json_doc *d, unsigned int t)
{
	return t < d->ntok && d->tok[t].type == JSON_STRING;
}

int json_member(const struct json_doc *d, unsigned int obj, const char *key)
{
	unsigned int t;
	char name[64];

	if (obj >= d->ntok || d->tok[obj].type != JSON_OBJECT)
		return -1;
	t = obj + 1;
	for (uint32_t i = 0; i < d->tok[obj].count; i++) {
		unsigned int value = t + 1;

		if (json_get_string(d, t, name, sizeof(name)) == 0 && !strcmp(name, key))
			return (int)value;
		t = d->tok[value].next;
	}
	return -1;
}

static size_t put_utf8(char *out, unsigned int cp)
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xc0 | cp >> 6);
		out[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xe0 | cp >> 12);
		out[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		out[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	out[0] = (char)(0xf0 | cp >> 18);
	out[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	out[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
	out[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

static unsigned int hex_at(const char *s)
{
	unsigned int v = 0;

	for (int i = 0; i < 4; i++) {
		char c = s[i];

		v = v << 4 | (unsigned int)(c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10);
	}
	return v;
}

int json_get_string(const struct json_doc *d, unsigned int t, char *out, size_t size)
{
	const char *s, *end;
	size_t n = 0;

	if (!tok_is_string(d, t) || !size)
		return -EINVAL;
	s = d->text + d->tok[t].start;
	end = s + d->tok[t].len;
	while (s < end) {
		char u[4];
		size_t k = 1;
		unsigned int cp;

		u[0] = *s++;
		if (u[0] == '\\') {
			/* the parser checked every escape: 'u' is followed by four hex digits */
			char c = *s++;

			if (c != 'u') {
				const char *from = "\"\\/bfnrt", *to = "\"\\/\b\f\n\r\t";

				u[0] = to[strchr(from, c) - from];
			} else {
				cp = hex_at(s);
				s += 4;
				/* a surrogate pair makes one code point; a lone surrogate becomes
				 * U+FFFD */
				if (cp >= 0xd800 && cp < 0xdc00 && end - s >= 6 && s[0] == '\\' &&
				    s[1] == 'u' && hex_at(s + 2) >= 0xdc00 &&
				    hex_at(s + 2) < 0xe000) {
					cp = 0x10000 + ((cp - 0xd800) << 10) +
					     (hex_at(s + 2) - 0xdc00);
					s += 6;
				} else if (cp >= 0xd800 && cp < 0xe000) {
					cp = 0xfffd;
				}
				if (cp == 0)
					return -EINVAL;
				k = put_utf8(u, cp);
			}
		}
		if (n + k >= size)
			return -ENAMETOOLONG;
		memcpy(out + n, u, k);
		n += k;
	}
	out[n] = 0;
	return 0;
}

int json_get_u64(const struct json_doc *d, unsigned int t, uint64_t *v)
{
	const char *s;
	uint64_t x = 0;

	if (t >= d->ntok || d->tok[t].type != JSON_NUMBER)
		return -EINVAL;
	s = d->text + d->tok[t].start;
	for (uint32_t i = 0; i < d->tok[t].len; i++) {
		if (s[i] < '0' || s[i] > '9' || x > (UINT64_MAX - (uint64_t)(s[i] - '0')) / 10)
			return -EINVAL;
		x = x * 10 + (uint64_t)(s[i] - '0');
	}
	*v = x;
	return 0;
}

/* ---- writer ---- */

void json_out_init(struct json_out *o, char *buf, size_t cap)
{
	*o = (struct json_out){.buf = buf, .cap = cap};
	if (cap)
		buf[0] = 0;
	else
		o->overflow = true;
}

static void put(struct json_out *o, const char *s, size_t n)
{
	if (o->overflow || o->len + n >= o->cap) {
		o->overflow = true;
		return;
	}
	memcpy(o->buf + o->len, s, n);
	o->len += n;
	o->buf[o->len] = 0;
}

static void putf(struct json_out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void putf(struct json_out *o, const char *fmt, ...)
{
	char tmp[64];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(tmp))
		o->overflow = true;
	else
		put(o, tmp, (size_t)n);
}

/*
 * One byte of a JSON string's content as written: quote and backslash escaped, control characters
 * as \u00XX, the rest as is or, when ascii, bytes above 0x7e as '?' (a peer on the control socket
 * may not expect UTF-8, and sysfs text is not promised to be). Returns the length put in tmp.
 */
static size_t escape_byte(unsigned char c, bool ascii, char tmp[8])
{
	if (c == '"' || c == '\\')
		return (size_t)snprintf(tmp, 8, "\\%c", c);
	if (c < 0x20)
		return (size_t)snprintf(tmp, 8, "\\u%04x", c);
	tmp[0] = ascii && c > 0x7e ? '?' : (char)c;
	return 1;
}

static void put_string(struct json_out *o, const char *s)
{
	char tmp[8];

	put(o, "\"", 1);
	for (; *s; s++)
		put(o, tmp, escape_byte((unsigned char)*s, true, tmp));
	put(o, "\"", 1);
}

void json_fput_string(FILE *out, const char *s)
{
	char tmp[8];

	fputc('"', out);
	for (; *s; s++)
		fwrite(tmp, 1, escape_byte((unsigned char)*s, false, tmp), out);
	fputc('"', out);
}

/* The separator and member name in front of a value. */
static void value_start(struct json_out *o, const char *key)
{
	if (o->comma[o->depth])
		put(o, ",", 1);
	o->comma[o->depth] = true;
	if (key) {
		put_string(o, key);
		put(o, ":", 1);
	}
}

static void begin(struct json_out *o, const char *key, const char *bracket)
{
	value_start(o, key);
	put(o, bracket, 1);
	if (o->depth == JSON_MAX_DEPTH) {
		o->overflow = true;
		return;
	}
	o->comma[++o->depth] = false;
}

static void end(struct json_out *o, const char *bracket)
{
	if (o->depth)
		o->depth--;
	put(o, bracket, 1);
}

void json_begin_object(struct json_out *o, const char *key)
{
	begin(o, key, "{");
}

void json_end_object(struct json_out *o)
{
	end(o, "}");
}

void json_begin_array(struct json_out *o, const char *key)
{
	begin(o, key, "[");
}

void json_end_array(struct json_out *o)
{
	end(o, "]");
}

void json_add_string(struct json_out *o, const char *key, const char *s)
{
	value_start(o, key);
	put_string(o, s);
}

void json_add_u64(struct json_out *o, const char *key, uint64_t v)
{
	value_start(o, key);
	putf(o, "%llu", (unsigned long long)v);
}

void json_add_double(struct json_out *o, const char *key, double v)
{
	value_start(o, key);
	/* JSON has no NaN or infinity */
	if (v != v || v > 1e300 || v < -1e300)
		put(o, "null", 4);
	else
		putf(o, "%.3f", v);
}

void json_add_bool(struct json_out *o, const char *key, bool v)
{
	value_start(o, key);
	put(o, v ? "true" : "false", v ? 4 : 5);
}
