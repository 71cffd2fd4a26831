// SPDX-License-Identifier: GPL-2.0
/*
 * The output buffer and its formatters (user/output/out.c, and
 * out_human() of user/output/textfmt.c), driven by a program
 * read from the input: each op byte picks a writer and its arguments.
 * The buffer starts small (growth), may write through a memfd (flushes
 * mid-stream, as stdout does) and may be line-buffered. Each op records
 * where its output starts in the stream; at the end the whole stream is
 * read back and every piece compared with what snprintf or this file's
 * own rules say it must be. Strings are passed without a terminating NUL
 * where the API takes a maximum length, so ASan sees any overread.
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include "fuzz_common.h"
#include "output/out.h"
#include "output/textfmt.h"

#define MAX_OPS 64

enum op_kind {
	OP_U64,
	OP_FIXED,
	OP_TEXT_ESC,
	OP_JSON_STR,
	OP_PAD,
	OP_SHORT,
	OP_CHAR,
	OP_STR,
	OP_MEM,
	OP_END_LINE,
	OP_FLUSH,
	OP_HUMAN,
	OP_MAX,
};

struct op {
	enum op_kind kind;
	size_t start, len; /* in the stream */
	char *want; /* exact bytes, or for OP_JSON_STR the decoded value */
	size_t want_len;
};

static int memfd = -1;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	memfd = memfd_create("fuzz_out", MFD_CLOEXEC);
	if (memfd < 0) {
		perror("memfd_create");
		abort();
	}
	return 0;
}

/* bytes written so far: flushed to the memfd plus buffered */
static size_t stream_pos(const struct out *o)
{
	off_t flushed = o->fd >= 0 ? lseek(o->fd, 0, SEEK_CUR) : 0;

	FUZZ_CHECK(flushed >= 0, "lseek");
	return flushed + o->len;
}

static char *want_printf(size_t *len, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static char *want_printf(size_t *len, const char *fmt, ...)
{
	va_list ap;
	char *s;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	FUZZ_CHECK(n >= 0, "vasprintf");
	*len = n;
	return s;
}

static __u64 pow10u(int k)
{
	__u64 v = 1;

	while (k--)
		v *= 10;
	return v;
}

/* v / div with digits decimals, truncated, computed in 128 bits */
static char *want_fixed(__u64 v, __u64 div, int digits, size_t *len)
{
	unsigned __int128 frac;

	if (digits <= 0)
		return want_printf(len, "%llu", (unsigned long long)(v / div));
	frac = (unsigned __int128)(v % div) * pow10u(digits) / div;
	return want_printf(len, "%llu.%0*llu", (unsigned long long)(v / div),
			   digits, (unsigned long long)frac);
}

/* printable ASCII but space and backslash as is, the rest \xNN */
static char *want_text_esc(const __u8 *s, size_t maxlen, size_t *len)
{
	char *w = malloc(4 * maxlen + 1);
	size_t o = 0;

	FUZZ_CHECK(w, "out of memory");
	for (size_t i = 0; i < maxlen && s[i]; i++) {
		if (s[i] > 0x20 && s[i] < 0x7f && s[i] != '\\')
			w[o++] = s[i];
		else
			o += sprintf(w + o, "\\x%02x", s[i]);
	}
	*len = o;
	return w;
}

static void check_op(const struct op *op, const char *s, size_t total)
{
	const char *got = s + op->start;
	char *dec;
	long n;

	FUZZ_CHECK(op->start + op->len <= total, "op %d past the end",
		   op->kind);
	if (op->kind != OP_JSON_STR) {
		FUZZ_CHECK(op->len == op->want_len &&
				   !memcmp(got, op->want, op->len),
			   "op %d wrote '%.*s', want '%.*s'", op->kind,
			   (int)op->len, got, (int)op->want_len, op->want);
		return;
	}
	dec = malloc(op->len + 1);
	FUZZ_CHECK(dec, "out of memory");
	for (size_t i = 0; i < op->len; i++)
		FUZZ_CHECK((unsigned char)got[i] >= 0x20,
			   "raw control byte 0x%02x in a JSON string",
			   (unsigned char)got[i]);
	FUZZ_CHECK(utf8_strict((const __u8 *)got, op->len),
		   "JSON string is not UTF-8: '%.*s'", (int)op->len, got);
	n = json_decode_string(got, op->len, dec, op->len);
	FUZZ_CHECK(n >= 0, "not one JSON string: '%.*s'", (int)op->len, got);
	FUZZ_CHECK((size_t)n == op->want_len && !memcmp(dec, op->want, n),
		   "JSON string '%.*s' does not decode to the input",
		   (int)op->len, got);
	free(dec);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };
	struct op ops[MAX_OPS];
	size_t nops = 0, total;
	__u8 mode = fuzz_u8(&in);
	struct out o;
	off_t flushed;
	char *s;

	if (mode & 1) {
		FUZZ_CHECK(!ftruncate(memfd, 0) && !lseek(memfd, 0, SEEK_SET),
			   "cannot reset the memfd");
	}
	FUZZ_CHECK(!out_init(&o, mode & 1 ? memfd : -1, 1 + fuzz_u8(&in) % 64),
		   "out_init");
	o.line_buffered = mode & 2;

	while (in.n && nops < MAX_OPS) {
		struct op *op = &ops[nops++];
		__u8 *arg = NULL;
		size_t alen = 0;
		__u64 v, div;
		int digits;

		op->kind = fuzz_u8(&in) % OP_MAX;
		op->want = NULL;
		op->want_len = 0;
		if (op->kind == OP_TEXT_ESC || op->kind == OP_JSON_STR ||
		    op->kind == OP_MEM || op->kind == OP_STR ||
		    op->kind == OP_SHORT) {
			/* exactly sized, no NUL after it */
			alen = fuzz_u8(&in);
			if (op->kind == OP_SHORT)
				alen %= 32;
			alen = alen < in.n ? alen : in.n;
			arg = malloc(alen + 1);
			FUZZ_CHECK(arg, "out of memory");
			fuzz_bytes(&in, arg, alen);
		}
		op->start = stream_pos(&o);
		switch (op->kind) {
		case OP_U64:
			v = fuzz_u64(&in);
			out_u64(&o, v);
			op->want = want_printf(&op->want_len, "%llu",
					       (unsigned long long)v);
			break;
		case OP_FIXED:
			/* the callers' divisors: powers of ten */
			v = fuzz_u64(&in);
			div = pow10u(fuzz_u8(&in) % 20);
			digits = fuzz_u8(&in) % 20;
			out_fixed(&o, v, div, digits);
			op->want = want_fixed(v, div, digits, &op->want_len);
			break;
		case OP_TEXT_ESC:
			out_text_esc(&o, (const char *)arg, alen);
			op->want = want_text_esc(arg, alen, &op->want_len);
			break;
		case OP_JSON_STR:
			json_quote(&o, (const char *)arg, alen);
			op->want = malloc(3 * alen + 1);
			FUZZ_CHECK(op->want, "out of memory");
			op->want_len = utf8_repair(op->want, arg,
						   strnlen((char *)arg, alen));
			break;
		case OP_PAD:
			v = fuzz_u8(&in);
			out_pad(&o, v);
			op->want =
				want_printf(&op->want_len, "%*s", (int)v, "");
			break;
		case OP_CHAR:
			v = fuzz_u8(&in);
			out_char(&o, v);
			op->want = want_printf(&op->want_len, "%c", (int)v);
			break;
		case OP_SHORT:
		case OP_STR:
			arg[alen] = '\0';
			if (op->kind == OP_SHORT)
				out_short(&o, (const char *)arg);
			else
				out_str(&o, (const char *)arg);
			op->want = want_printf(&op->want_len, "%s", arg);
			break;
		case OP_MEM:
			out_mem(&o, arg, alen);
			op->want = malloc(alen + 1);
			FUZZ_CHECK(op->want, "out of memory");
			if (alen)
				memcpy(op->want, arg, alen);
			op->want_len = alen;
			break;
		case OP_END_LINE:
			out_end_line(&o);
			op->want = want_printf(&op->want_len, "\n");
			if (o.line_buffered && o.fd >= 0)
				FUZZ_CHECK(!o.len, "a line end did not flush");
			break;
		case OP_HUMAN:
			/* "0.081ms", "480.2ms", "1.204s", truncated */
			v = fuzz_u64(&in);
			out_human(&o, v);
			if (v < 1000000ULL)
				op->want = want_printf(
					&op->want_len, "0.%03llums",
					(unsigned long long)(v / 1000));
			else if (v < 1000000000ULL)
				op->want = want_printf(
					&op->want_len, "%llu.%llums",
					(unsigned long long)(v / 1000000),
					(unsigned long long)(v / 100000 % 10));
			else
				op->want = want_printf(
					&op->want_len, "%llu.%03llus",
					(unsigned long long)(v / 1000000000),
					(unsigned long long)(v / 1000000 %
							     1000));
			break;
		case OP_FLUSH:
			FUZZ_CHECK(!out_flush(&o), "out_flush");
			if (o.fd >= 0)
				FUZZ_CHECK(!o.len, "a flush left %zu bytes",
					   o.len);
			op->want = want_printf(&op->want_len, "%s", "");
			break;
		default:
			break;
		}
		free(arg);
		FUZZ_CHECK(!o.err && o.len <= o.cap, "err %d, len %zu, cap %zu",
			   o.err, o.len, o.cap);
		op->len = stream_pos(&o) - op->start;
	}

	/* the whole stream: what reached the memfd, then the buffer */
	flushed = o.fd >= 0 ? lseek(o.fd, 0, SEEK_CUR) : 0;
	total = flushed + o.len;
	s = malloc(total + 1);
	FUZZ_CHECK(s, "out of memory");
	if (flushed)
		FUZZ_CHECK(pread(o.fd, s, flushed, 0) == flushed, "pread");
	memcpy(s + flushed, o.buf, o.len);
	for (size_t i = 0; i < nops; i++) {
		check_op(&ops[i], s, total);
		FUZZ_CHECK(i + 1 == nops || ops[i].start + ops[i].len ==
						    ops[i + 1].start,
			   "ops %zu and %zu are not contiguous", i, i + 1);
		free(ops[i].want);
	}
	free(s);
	out_free(&o);
	return 0;
}
