#!/usr/bin/env bash
# vouch diff beside diffoscope on the pairs vouch reproduce makes (the same builds as
# crates/vouch/tests/reproduce.rs): a C program embedding its build path, a tarball leaking the
# umask, a wheel leaking the umask (Debian's pip 23 + wheel 0.38). For each pair: both tools'
# exit code, wall time, peak RSS and output size. One run each; numbers for BENCHMARKS.md.
#
#   bench/diff-vs-diffoscope.sh [VOUCH_BINARY]   (default target/debug/vouch)
# Needs gcc, make, GNU tar, /usr/bin/python3 with pip/setuptools/wheel, diffoscope, GNU time
# (scripts/test-setup.d/repro.sh installs them).
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
vouch="${1:-$repo/target/debug/vouch}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
export TMPDIR="$work" SOURCE_DATE_EPOCH=1700000000

mk() { mkdir -p "$work/$1"; }
mk c; printf '#include <stdio.h>\nint main(void) { printf("hello from %%s\\n", __FILE__); return 0; }\n' > "$work/c/hello.c"
printf 'hello: hello.c\n\tgcc -O2 -o hello $(CURDIR)/hello.c\n' > "$work/c/Makefile"
mk tar; printf 'set -e\necho generated > gen.txt\ntar --sort=name --mtime=@$SOURCE_DATE_EPOCH --owner=0 --group=0 --numeric-owner -cf out.tar gen.txt\n' > "$work/tar/build.sh"
mk whl; mkdir -p "$work/whl/vouchdemo"; echo 'VALUE = 1' > "$work/whl/vouchdemo/__init__.py"
printf '[build-system]\nrequires = ["setuptools", "wheel"]\nbuild-backend = "setuptools.build_meta"\n\n[project]\nname = "vouchdemo"\nversion = "1.0"\n' > "$work/whl/pyproject.toml"
printf 'set -e\n/usr/bin/python3 -m pip wheel --no-deps --no-build-isolation --no-index --wheel-dir dist . >&2\nmv dist/vouchdemo-1.0-py3-none-any.whl vouchdemo.whl\n' > "$work/whl/build.sh"

pair() { # name source artifact variation command...
  local name=$1 src=$2 artifact=$3 variation=$4; shift 4
  local kept
  kept=$("$vouch" reproduce --keep --vary "$variation" --source "$work/$src" --artifact "$artifact" -- "$@" 2>&1 >/dev/null \
    | sed -n 's/^kept the builds, logs and artifacts in //p' || true)
  local a="$kept/artifacts/1-control/$artifact" b="$kept/artifacts/2-varied/$artifact"
  for tool in vouch diffoscope; do
    local out="$work/$name.$tool.out" rc
    set +e
    if [ $tool = vouch ]; then
      /usr/bin/time -f '%e %M' -o "$work/t" "$vouch" diff "$a" "$b" > "$out"; rc=$?
    else
      /usr/bin/time -f '%e %M' -o "$work/t" diffoscope --text - "$a" "$b" > "$out"; rc=$?
    fi
    set -e
    read -r secs kb < <(tail -1 "$work/t")
    printf '%-10s %-11s exit %s  %6s s  %7s KB RSS  %7s bytes\n' "$name" "$tool" "$rc" "$secs" "$kb" "$(wc -c < "$out")"
  done
}
pair c-binary c hello build-path make
pair tarball tar out.tar umask sh build.sh
pair wheel whl vouchdemo.whl umask sh build.sh
