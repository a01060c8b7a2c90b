#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# TAP: harness/kernel/build keeps one object tree per series and flavour and
# brings its source to each build in place, so that make recompiles only
# what changed.  A stand-in kernel tree (its Makefile compiles every .c
# newer than its object and lists it) checks what each kind of change
# recompiles: nothing for a cached build, one file for an edit of a patch,
# one file for a new source (a point release), and that a file a patch
# created is gone when no patch creates it any more.
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
TAP_TMP_NAME=kernel-incremental
. "$ROOT/tests/lib.sh"
export SNAPBENCH_CACHE="$T/cache" SNAPBENCH_CCACHE=0

# tree DIR: a stand-in 6.1.0 tree with three translation units.
tree() {
	mkdir -p "$1/mm" "$1/lib" "$1/scripts/kconfig" "$1/tools/testing/selftests/mm"
	cat >"$1/Makefile" <<'MK'
VERSION = 6
PATCHLEVEL = 1
SUBLEVEL = 0
O ?= .
tinyconfig:
	mkdir -p $(O) && echo '# tiny' >$(O)/.config
olddefconfig:
	@:
bzImage:
	mkdir -p $(O)/arch/x86/boot $(O)/usr $(O)/include/config
	: >$(O)/compiled
	for c in $$(find . -name '*.c' -not -path './tools/*' | sort); do \
		o=$(O)/$${c%.c}.o; \
		if [ ! -e $$o ] || [ $$c -nt $$o ]; then \
			mkdir -p $$(dirname $$o) && $(CC) -c $$c -o $$o && echo $${c#./} >>$(O)/compiled; \
		fi; \
	done
	cat $$(find $(O) -name '*.o' | sort) >$(O)/arch/x86/boot/bzImage
	echo 6.1.0 >$(O)/include/config/kernel.release
	: >$(O)/usr/gen_init_cpio
modules:
	@:
modules_install:
	mkdir -p $(INSTALL_MOD_PATH)/lib/modules/6.1.0
headers_install:
	mkdir -p $(INSTALL_HDR_PATH)/include
MK
	# merge_config.sh -m -O DIR BASE FRAGMENT...: append the fragments
	cat >"$1/scripts/kconfig/merge_config.sh" <<'SH'
#!/bin/sh
shift 3
base=$1
shift
cat "$@" >>"$base"
SH
	chmod +x "$1/scripts/kconfig/merge_config.sh"
	printf 'int main(void) { return 0; }\n' >"$1/tools/testing/selftests/mm/hmm-tests.c"
	printf '$(TEST_GEN_FILES):\n' >"$1/tools/testing/selftests/mm/Makefile"
	for f in mm/a.c mm/b.c lib/c.c; do
		printf 'int %s;\nint two;\n' "$(basename "$f" .c)" >"$1/$f"
	done
}

# edit FILE OLD NEW: a patch changing line OLD of FILE to NEW.
edit() {
	printf -- '--- a/%s\n+++ b/%s\n@@ -1,2 +1,2 @@\n-%s\n+%s\n int two;\n' "$1" "$1" "$2" "$3"
}

# build NAME ARGS...: build; the build directory in $bd, what make compiled in $compiled.
build() {
	local name=$1
	shift
	sleep 1.1	# distinct mtimes, as between real builds
	bd=$("$ROOT/harness/kernel/build" "$@" 2>"$T/$name.err")
	rc=$?
	bd=${bd##*$'\n'}
	compiled=$(tr '\n' ' ' <"$SNAPBENCH_CACHE/work/6.1-patched-source/obj/compiled" 2>/dev/null)
	compiled=${compiled% }
}

W=$SNAPBENCH_CACHE/work/6.1-patched-source
json() { python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$bd/build.json" "$1"; }

echo "1..12"
tree "$T/v0"
edit mm/a.c 'int a;' 'int a = 1;' >"$T/p1.patch"
edit mm/a.c 'int a;' 'int a = 2;' >"$T/p2.patch"
edit mm/a.c 'int a;' 'int a = 3;' >"$T/p3.patch"
edit mm/a.c 'int a;' 'int a = 4;' >"$T/p4.patch"
edit mm/a.c 'int a;' 'int a = 5;' >"$T/p5.patch"
printf -- '--- /dev/null\n+++ b/mm/new.c\n@@ -0,0 +1 @@\n+int n;\n' >"$T/new.patch"
edit mm/b.c 'int nothere;' 'int b = 1;' >"$T/nonapply.patch"
cp -a "$T/v0" "$T/v1"
printf 'int c = 3;\nint two;\n' >"$T/v1/lib/c.c"

build first --source "$T/v0" --no-patches --extra-patch "$T/p1.patch"
[ $rc = 0 ] && [ "$compiled" = "lib/c.c mm/a.c mm/b.c" ] && [ "$(json 'd["object_tree"]["reused"]')" = False ] &&
	[ "$(json 'd["object_tree"]["config"]')" = made ]
ok $? "a cold build configures and compiles every unit: $compiled"
grep -qx 'int a = 1;' "$W/src/mm/a.c" && grep -qx 'int a;' "$T/v0/mm/a.c"
ok $? "the work tree holds the patched file, the source tree is not modified"
[ "$(json 'sorted(d["seconds"])')" = "['configure', 'fetch_unpack', 'hmm_tests', 'install', 'make', 'sync']" ] &&
	[ "$(json 'd["cpu_seconds"]["make"] > 0')" = True ]
ok $? "build.json times make and the installs apart, and counts make's CPU time ($(json 'd["cpu_seconds"]'))"

build edit --source "$T/v0" --no-patches --extra-patch "$T/p2.patch"
[ $rc = 0 ] && [ "$compiled" = "mm/a.c" ] && [ "$(json 'd["object_tree"]["reused"]')" = True ] &&
	[ "$(json 'd["object_tree"]["source_files_changed"]')" = 1 ] &&
	[ "$(json 'd["object_tree"]["config"]')" = reused ] && [ -e "$bd/config-absent" ]
ok $? "an edit of a patch reuses the configuration and recompiles the file it patches: $compiled"

build release --source "$T/v1" --no-patches --extra-patch "$T/p2.patch"
[ $rc = 0 ] && [ "$compiled" = "lib/c.c" ] && [ "$(json 'd["object_tree"]["source_files_changed"]')" = 1 ] &&
	[ "$(json 'd["object_tree"]["config"]')" = made ]
ok $? "another source (a point release) configures again and recompiles the file that differs: $compiled"

build created --source "$T/v1" --no-patches --extra-patch "$T/p2.patch" --extra-patch "$T/new.patch"
[ $rc = 0 ] && [ "$compiled" = "mm/new.c" ]
ok $? "a patch that creates a file compiles it alone: $compiled"

build dropped --source "$T/v1" --no-patches --extra-patch "$T/p1.patch"
[ $rc = 0 ] && [ ! -e "$W/src/mm/new.c" ] && [ "$compiled" = "mm/a.c" ]
ok $? "the file is gone when no patch creates it; the patched file recompiles: $compiled"

build back --source "$T/v0" --no-patches --extra-patch "$T/p3.patch"
[ $rc = 0 ] && [ "$compiled" = "lib/c.c mm/a.c" ]
ok $? "back to the first source, another edit: what differs recompiles: $compiled"

build nonapply --source "$T/v0" --no-patches --extra-patch "$T/nonapply.patch"
[ $rc = 2 ] && grep -q 'patch nonapply.patch does not apply' "$T/nonapply.err" &&
	grep -qx 'int a = 3;' "$W/src/mm/a.c" && [ "$compiled" = "lib/c.c mm/a.c" ]
ok $? "a patch that does not apply: exit $rc, no make run, the work tree as it was"

build force --source "$T/v0" --no-patches --extra-patch "$T/p2.patch" --force
[ $rc = 0 ] && [ "$compiled" = "lib/c.c mm/a.c mm/b.c" ]
ok $? "--force builds in a fresh object tree: $compiled"

build profile --source "$T/v0" --no-patches --extra-patch "$T/p5.patch" --profile
[ $rc = 0 ] && [ "$compiled" = "mm/a.c" ] &&
	[ "$(json '[(e["dir"], e["compiles"]) for e in d["compile_profile"]["by_directory"]]')" = "[('mm', 1)]" ] &&
	grep -q "^[0-9]*	.*/mm/a\.o\$" "$bd/compile-times.tsv"
ok $? "--profile times each compile through CC: $(json 'd["compile_profile"]')"

# A sync that fails half way (an rsync that copies, then fails) leaves the
# tree in no recorded state: the next build syncs it again.
mkdir -p "$T/bin"
printf '#!/bin/sh\n/usr/bin/rsync "$@"\nexit 1\n' >"$T/bin/rsync"
chmod +x "$T/bin/rsync"
PATH="$T/bin:$PATH" build broken --source "$T/v1" --no-patches --extra-patch "$T/p3.patch"
broken=$rc
build after --source "$T/v0" --no-patches --extra-patch "$T/p4.patch"
[ "$broken" = 1 ] && [ $rc = 0 ] && grep -qx 'int c;' "$W/src/lib/c.c" && [ "$compiled" = "lib/c.c mm/a.c" ]
ok $? "after a sync that failed (exit $broken), the next build syncs again: $compiled"
