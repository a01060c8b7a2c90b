/* SPDX-License-Identifier: GPL-2.0 */
/*
 * jsonw.h - a small streaming JSON writer into memory, indented for people,
 * with inline containers for long number lists, and atomic file writes.
 */
#ifndef SNAP_JSONW_H
#define SNAP_JSONW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define JSON_MAX_DEPTH	16

struct json {
	char *buf;
	size_t len, cap;
	int depth;
	int inline_depth;		/* containers at or below it stay on one line */
	bool first[JSON_MAX_DEPTH];	/* nothing written yet at this depth */
	int err;			/* first error: -ENOMEM or -EINVAL (misuse) */
};

void json_init(struct json *j);
void json_free(struct json *j);

/*
 * Every value takes a key: the member name inside an object, NULL inside an
 * array or at the top.  Misuse (too deep, unbalanced) sets j->err.
 */
void json_object_begin(struct json *j, const char *key);
void json_object_end(struct json *j);
void json_array_begin(struct json *j, const char *key);
/* An array written on one line, with everything inside it. */
void json_array_begin_inline(struct json *j, const char *key);
void json_array_end(struct json *j);
void json_string(struct json *j, const char *key, const char *v);
void json_int(struct json *j, const char *key, int64_t v);
void json_uint(struct json *j, const char *key, uint64_t v);
/* Finite doubles; NaN and infinities are written as null. */
void json_double(struct json *j, const char *key, double v);
void json_bool(struct json *j, const char *key, bool v);
void json_null(struct json *j, const char *key);

/**
 * json_finish() - end the document
 * Returns: 0, or the first error met while writing it.
 */
int json_finish(struct json *j);

/**
 * json_write_file_atomic() - write @len bytes of @buf to @path atomically
 * Writes a temporary file in the same directory, fsyncs it, renames it over
 * @path and fsyncs the directory.  On failure the temporary is removed and
 * @path is untouched.
 * Returns: 0 or -errno (-ENOSPC when the disk is full).
 */
int json_write_file_atomic(const char *path, const char *buf, size_t len);

#endif /* SNAP_JSONW_H */
