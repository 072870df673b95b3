#!/usr/bin/env bash
# Builds every test with g++ under AddressSanitizer + UndefinedBehaviorSanitizer (the `asan`
# preset: -O1 -g, build/asan) and runs the whole ctest suite; any sanitizer finding fails its test.
# Not part of CI (the build alone takes tens of minutes on 2 cores); for a reproducible deep check:
#   bash scripts/test_sanitized.sh [ctest args...]      e.g.  -R test_io
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
# The preset puts -O1 last on each compile line (CMAKE_CXX_COMPILE_OBJECT), after the -O3 that
# ctnn_dev_flags gives our programs; tests/compile_fail runs g++ -fsyntax-only without sanitizers
# and works in this preset as in any other.
jobs=${JOBS:-$(nproc)}
cmake --preset asan >/dev/null
cmake --build --preset asan -j"$jobs"

# Every finding is fatal and makes the process exit non-zero, so ctest reports that test as failed:
#   ASan: halt_on_error is its default; detect_stack_use_after_return and the init-order check add
#         the two checks that are off by default; abort_on_error=0 keeps a plain exit code (1).
#   UBSan: -fno-sanitize-recover=all already aborts on the first report; halt_on_error=1 says the
#         same at run time, print_stacktrace=1 shows where.
#   LSan (leak check at exit, part of ASan): kept ON. libgomp keeps its thread pool and per-thread
#         state alive until the process ends; those blocks stay reachable from the live worker
#         threads, so LSan does not report them, and none did in our runs. Should a libgomp version
#         report its pool anyway, the suppression below confines the exception to allocations
#         made inside libgomp itself, so a leak in ctnn still fails the test.
#   The fork()ed child of test_io's SIGKILL test is killed before it exits, so it runs no leak check.
supp=$PWD/build/asan/lsan.supp
printf 'leak:libgomp.so\n' >"$supp"
export ASAN_OPTIONS=${ASAN_OPTIONS:-halt_on_error=1:abort_on_error=0:detect_leaks=1:detect_stack_use_after_return=1:check_initialization_order=1:strict_init_order=1}
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$supp:print_suppressions=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
# Passive waiting: spinning OpenMP threads that lose their core on a shared machine are slow,
# and doubly so under ASan.
export OMP_WAIT_POLICY=${OMP_WAIT_POLICY:-PASSIVE}
# Known: test_io's "SIGKILL during save" kills a saving child after 2-152 ms and needs one full
# save (~7 ms optimized) to land in that window; an ASan save on a loaded 2-core machine takes
# longer, so that case can fail ("new generations seen: 0") with no sanitizer report.
ctest --preset asan -j"$jobs" --timeout 3600 "$@"
