// SPDX-License-Identifier: GPL-2.0
/*
 * jsonw.c - the JSON writer's output parsed by Python's json module, misuse,
 * and atomic writes that leave no temporary file behind.
 */
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness/jsonw.h"
#include "tests/tap.h"

static char dir[] = "/tmp/snapbench-jsonw-XXXXXX";

/* Python reads @path and prints what @expr evaluates to on document d. */
static bool python_says(const char *path, const char *expr, const char *want)
{
	char cmd[1024], out[256] = "";
	FILE *p;

	snprintf(cmd, sizeof(cmd),
		 "python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(%s)' %s",
		 expr, path);
	p = popen(cmd, "r");
	if (!p)
		return false;
	if (!fgets(out, sizeof(out), p))
		out[0] = '\0';
	pclose(p);
	out[strcspn(out, "\n")] = '\0';
	if (strcmp(out, want))
		diag("python printed '%s', want '%s'", out, want);
	return !strcmp(out, want);
}

static int files_in(const char *path)
{
	struct dirent *e;
	int n = 0;
	DIR *d = opendir(path);

	if (!d)
		return -1;
	while ((e = readdir(d)))
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

int main(void)
{
	char path[256];
	struct json j;

	plan(8);
	if (!mkdtemp(dir))
		bail_out("mkdtemp");
	snprintf(path, sizeof(path), "%s/doc.json", dir);

	json_init(&j);
	json_object_begin(&j, NULL);
	json_string(&j, "quote", "a \"b\" \\ c\n\t\x01 é");
	json_int(&j, "neg", -42);
	json_uint(&j, "big", 18446744073709551615ULL);
	json_double(&j, "pi", 3.25);
	json_double(&j, "nan", NAN);
	json_bool(&j, "yes", true);
	json_null(&j, "nothing");
	json_object_begin(&j, "nested");
	json_array_begin_inline(&j, "buckets");
	for (int i = 0; i < 3; i++) {
		json_array_begin(&j, NULL);
		json_int(&j, NULL, i);
		json_int(&j, NULL, i * 10);
		json_array_end(&j);
	}
	json_array_end(&j);
	json_array_begin(&j, "empty");
	json_array_end(&j);
	json_object_end(&j);
	json_object_end(&j);
	ok(json_finish(&j) == 0, "a balanced document finishes cleanly");
	ok(json_write_file_atomic(path, j.buf, j.len) == 0 && files_in(dir) == 1,
	   "atomic write: the file is there and no temporary is left");
	ok(python_says(path, "repr(d[\"quote\"])", "'a \"b\" \\\\ c\\n\\t\\x01 é'"),
	   "strings with quotes, backslashes and control characters round-trip");
	ok(python_says(path, "d[\"neg\"], d[\"big\"], d[\"pi\"], d[\"nan\"], d[\"yes\"], d[\"nothing\"]",
		       "-42 18446744073709551615 3.25 None True None"),
	   "numbers, NaN as null, booleans and null parse back");
	ok(python_says(path, "d[\"nested\"][\"buckets\"], d[\"nested\"][\"empty\"]",
		       "[[0, 0], [1, 10], [2, 20]] []"),
	   "nested and inline arrays parse back");
	json_free(&j);

	json_init(&j);
	json_object_begin(&j, NULL);
	json_array_begin(&j, "open");
	ok(json_finish(&j) == -EINVAL, "an unbalanced document is an error");
	json_free(&j);

	snprintf(path, sizeof(path), "%s/no/such/dir/x.json", dir);
	ok(json_write_file_atomic(path, "{}", 2) == -ENOENT && files_in(dir) == 1,
	   "writing into a missing directory fails with -ENOENT and leaves nothing");
	ok(json_write_file_atomic("/proc/version", "{}", 2) < 0,
	   "writing where no file can be created fails with an error");

	snprintf(path, sizeof(path), "%s/doc.json", dir);
	unlink(path);
	rmdir(dir);
	return done();
}
