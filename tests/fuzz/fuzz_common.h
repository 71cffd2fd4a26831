/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared by the libFuzzer harnesses: a checked assertion that aborts with
 * a message (so that libFuzzer saves the input), a reader that splits the
 * fuzzer's bytes into fields, and independent checkers for what the
 * formatters emit (strict UTF-8, strict JSON with value extraction).
 */
#ifndef __TT_FUZZ_COMMON_H
#define __TT_FUZZ_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

void fuzz_fail(const char *file, int line, const char *expr, const char *fmt,
	       ...) __attribute__((noreturn, format(printf, 4, 5)));

/* like assert(), never compiled out; the message says what was seen */
#define FUZZ_CHECK(cond, ...)                                              \
	do {                                                               \
		if (!(cond))                                               \
			fuzz_fail(__FILE__, __LINE__, #cond, __VA_ARGS__); \
	} while (0)

/* the fuzzer's input, consumed front to back; past the end reads zeros */
struct fuzz_in {
	const uint8_t *p;
	size_t n;
};

uint8_t fuzz_u8(struct fuzz_in *in);
uint16_t fuzz_u16(struct fuzz_in *in);
uint32_t fuzz_u32(struct fuzz_in *in);
uint64_t fuzz_u64(struct fuzz_in *in);
/* up to max bytes, as many as are left: returns how many were copied */
size_t fuzz_bytes(struct fuzz_in *in, void *buf, size_t max);
/*
 * A malloc'ed NUL-terminated string of the next length-prefixed field
 * (one length byte), or of everything left with rest; exactly sized, so
 * that ASan sees any read past its end. Embedded NULs cut it short.
 */
char *fuzz_str(struct fuzz_in *in, bool rest);
/* a malloc'ed exact copy of data[0..n) plus a NUL */
char *fuzz_strndup(const void *data, size_t n);

/* strict UTF-8 (Unicode table 3-7): no overlong forms, no surrogates */
bool utf8_strict(const uint8_t *s, size_t n);
/* length of the valid UTF-8 sequence at s[0..n), or 0 */
size_t utf8_seq_len(const uint8_t *s, size_t n);
/*
 * s[0..n) with each byte that starts no valid sequence replaced by U+FFFD,
 * into dst (room for 3 * n): what a JSON string of s must decode to.
 */
size_t utf8_repair(char *dst, const uint8_t *s, size_t n);

/* a top-level member of a JSON object, as found by json_parse_line() */
struct json_member {
	char key[32];
	const char *val; /* raw text of the value, in the parsed buffer */
	size_t val_len;
	bool is_string;
};

#define JSON_MAX_MEMBERS 48

struct json_doc {
	struct json_member m[JSON_MAX_MEMBERS];
	size_t n;
};

/*
 * s[0..n) is exactly one JSON object (RFC 8259, strict: no lone
 * surrogates, no duplicate keys at any depth, raw bytes valid UTF-8);
 * its top-level members go in doc. Returns NULL, or what is wrong.
 */
const char *json_parse_object(const char *s, size_t n, struct json_doc *doc);
/* the member named key, or NULL */
const struct json_member *json_get(const struct json_doc *doc, const char *key);
/*
 * Decode the JSON string literal s[0..n) (quotes included, already
 * validated) into buf as UTF-8; returns the length, or -1 if too long.
 */
long json_decode_string(const char *s, size_t n, char *buf, size_t cap);
/* the member is a string whose decoded value is exactly want[0..len) */
bool json_string_is(const struct json_member *m, const char *want, size_t len);
/* the member is the decimal number v */
bool json_u64_is(const struct json_member *m, uint64_t v);
/*
 * The elements of a JSON array whose raw text is a[0..n) (already checked
 * by json_parse_object): *pos starts at 0; each call sets the next
 * element's raw text, and returns false past the last one.
 */
bool json_array_next(const char *a, size_t n, size_t *pos, const char **elem,
		     size_t *elen);
/* the raw text s[0..n) is a plain decimal integer that fits in a uint64 */
bool dec_u64(const char *s, size_t n, uint64_t *v);

#endif /* __TT_FUZZ_COMMON_H */
