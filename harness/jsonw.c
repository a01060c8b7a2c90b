// SPDX-License-Identifier: GPL-2.0
/*
 * jsonw.c - streaming JSON writer (escaping, nesting, commas, indentation)
 * and atomic file writes for result files.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness/jsonw.h"

void json_init(struct json *j)
{
	memset(j, 0, sizeof(*j));
	j->inline_depth = JSON_MAX_DEPTH + 1;
	j->first[0] = true;
}

void json_free(struct json *j)
{
	free(j->buf);
	j->buf = NULL;
}

static void put(struct json *j, const char *s, size_t n)
{
	char *p;
	size_t cap;

	if (j->err)
		return;
	if (j->len + n + 1 > j->cap) {
		cap = j->cap ? j->cap : 4096;
		while (cap < j->len + n + 1)
			cap *= 2;
		p = realloc(j->buf, cap);
		if (!p) {
			j->err = -ENOMEM;
			return;
		}
		j->buf = p;
		j->cap = cap;
	}
	memcpy(j->buf + j->len, s, n);
	j->len += n;
	j->buf[j->len] = '\0';
}

static void putf(struct json *j, const char *fmt, ...)
{
	char tmp[64];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	put(j, tmp, n);
}

static void put_string(struct json *j, const char *s)
{
	put(j, "\"", 1);
	for (; *s; s++) {
		unsigned char c = *s;

		if (c == '"' || c == '\\') {
			char esc[2] = { '\\', (char)c };

			put(j, esc, 2);
		} else if (c == '\n') {
			put(j, "\\n", 2);
		} else if (c == '\t') {
			put(j, "\\t", 2);
		} else if (c < 0x20) {
			putf(j, "\\u%04x", c);
		} else {
			put(j, (const char *)&c, 1);	/* UTF-8 passes through */
		}
	}
	put(j, "\"", 1);
}

/* Separator, indentation and key before a value at the current depth. */
static void member(struct json *j, const char *key)
{
	bool is_inline = j->depth >= j->inline_depth;
	bool first = j->first[j->depth];

	j->first[j->depth] = false;
	if (!first)
		put(j, is_inline ? ", " : ",", is_inline ? 2 : 1);
	if (j->depth && !is_inline) {
		put(j, "\n", 1);
		for (int i = 0; i < j->depth; i++)
			put(j, "  ", 2);
	}
	if (key) {
		put_string(j, key);
		put(j, ": ", 2);
	}
}

static void open_container(struct json *j, const char *key, char c, bool is_inline)
{
	member(j, key);
	if (j->depth + 1 >= JSON_MAX_DEPTH) {
		j->err = j->err ? j->err : -EINVAL;
		return;
	}
	put(j, &c, 1);
	j->depth++;
	j->first[j->depth] = true;
	if (is_inline && j->inline_depth > j->depth)
		j->inline_depth = j->depth;
}

static void close_container(struct json *j, char c)
{
	bool empty = j->first[j->depth];

	if (j->depth == 0) {
		j->err = j->err ? j->err : -EINVAL;
		return;
	}
	j->depth--;
	if (!empty && j->depth + 1 < j->inline_depth) {
		put(j, "\n", 1);
		for (int i = 0; i < j->depth; i++)
			put(j, "  ", 2);
	}
	put(j, &c, 1);
	if (j->depth < j->inline_depth)
		j->inline_depth = JSON_MAX_DEPTH + 1;
}

void json_object_begin(struct json *j, const char *key)
{
	open_container(j, key, '{', false);
}

void json_object_end(struct json *j)
{
	close_container(j, '}');
}

void json_array_begin(struct json *j, const char *key)
{
	open_container(j, key, '[', false);
}

void json_array_begin_inline(struct json *j, const char *key)
{
	open_container(j, key, '[', true);
}

void json_array_end(struct json *j)
{
	close_container(j, ']');
}

void json_string(struct json *j, const char *key, const char *v)
{
	member(j, key);
	put_string(j, v ? v : "");
}

void json_int(struct json *j, const char *key, int64_t v)
{
	member(j, key);
	putf(j, "%" PRId64, v);
}

void json_uint(struct json *j, const char *key, uint64_t v)
{
	member(j, key);
	putf(j, "%" PRIu64, v);
}

void json_double(struct json *j, const char *key, double v)
{
	member(j, key);
	if (isfinite(v))
		putf(j, "%.17g", v);
	else
		put(j, "null", 4);
}

void json_bool(struct json *j, const char *key, bool v)
{
	member(j, key);
	put(j, v ? "true" : "false", v ? 4 : 5);
}

void json_null(struct json *j, const char *key)
{
	member(j, key);
	put(j, "null", 4);
}

int json_finish(struct json *j)
{
	if (!j->err && j->depth)
		j->err = -EINVAL;
	put(j, "\n", 1);
	return j->err;
}

int json_write_file_atomic(const char *path, const char *buf, size_t len)
{
	char tmp[PATH_MAX], dir[PATH_MAX], *slash;
	int fd, dfd, ret = 0;
	size_t done = 0;
	ssize_t n;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp.XXXXXX", path) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	fd = mkstemp(tmp);
	if (fd < 0)
		return -errno;
	while (done < len) {
		n = write(fd, buf + done, len - done);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			ret = -errno;
			break;
		}
		done += n;
	}
	if (!ret && fchmod(fd, 0644))
		ret = -errno;
	if (!ret && fsync(fd))
		ret = -errno;
	if (close(fd) && !ret)
		ret = -errno;
	if (!ret && rename(tmp, path))
		ret = -errno;
	if (ret) {
		unlink(tmp);
		return ret;
	}

	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (slash)
		*slash = '\0';
	dfd = open(slash ? dir : ".", O_RDONLY | O_DIRECTORY);
	if (dfd >= 0) {
		fsync(dfd);	/* best effort: the file itself is complete */
		close(dfd);
	}
	return 0;
}
