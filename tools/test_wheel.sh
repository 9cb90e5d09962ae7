#!/usr/bin/env bash
# Tests a built wheel as a user installs it (make test-wheel): a fresh venv under the git-ignored
# .cache/wheel-venv, `pip install` of the wheel (no source tree, no cargo on PATH), then tests
# run against the installed package.
#
#   tools/test_wheel.sh binary WHEEL   compiled codec required; unit, behaviour and codegen-CLI
#                                      tests; kubeset-gen from kubeset[codegen]; the pytest plugin
#   tools/test_wheel.sh pure WHEEL     the py3-none-any wheel: no kubeset._codec, the unit suite
#   tools/test_wheel.sh foreign WHEEL ARCH   a wheel for another architecture: tag and ELF only
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
KIND=$1
WHEEL=$(realpath "$2")
VENV=$ROOT/.venv

if [ "$KIND" = foreign ]; then
  arch=$3
  case "$WHEEL" in *"manylinux_2_17_$arch"*) ;; *) echo "not a manylinux_2_17_$arch wheel: $WHEEL" >&2; exit 1 ;; esac
  shown=$("$VENV/bin/auditwheel" show "$WHEEL")
  echo "$shown"
  grep -q "\"manylinux_2_17_$arch\"" <<<"$shown" \
    || { echo "auditwheel does not confirm manylinux_2_17_$arch" >&2; exit 1; }
  tmp=$(mktemp -d) && trap 'rm -rf "$tmp"' EXIT
  (cd "$tmp" && "$VENV/bin/python" -m zipfile -e "$WHEEL" .)
  desc=$(file -b "$tmp"/kubeset/_codec*.so)
  echo "kubeset/_codec: $desc"
  case "$arch:$desc" in
    aarch64:*"ARM aarch64"*|x86_64:*"x86-64"*) ;;
    *) echo "the extension is not built for $arch" >&2; exit 1 ;;
  esac
  exit 0
fi

TV=$ROOT/.cache/wheel-venv/$KIND
rm -rf "$TV"
"$VENV/bin/python" -m venv "$TV"
# a user's PATH: no ~/.cargo/bin, no project venv
export PATH=$TV/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
if command -v cargo >/dev/null; then
  echo "cargo is on PATH ($(command -v cargo)): the test would not show an install without Rust" >&2
  exit 1
fi
# the tests' own tools at the versions the project pins
"$TV/bin/python" -m pip install -q -c requirements-dev.txt "$WHEEL[codegen,socks,async,streams]" \
  pytest pytest-timeout orjson typeguard cryptography
cd "$TV"  # nothing of the source tree on sys.path
where=$("$TV/bin/python" -c 'import kubeset; print(kubeset.__file__)')
case "$where" in "$TV"/*) ;; *) echo "kubeset imported from $where, not the wheel" >&2; exit 1 ;; esac

# the plugin registers from the entry point: a user's test file, outside this repository
mkdir -p "$TV/usertest" && cat >"$TV/usertest/test_user.py" <<'EOF'
def test_the_fake_cluster_fixture_is_there(kube_fake):
    cs = kube_fake.clientset()
    cm = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a"}, "data": {"k": "v"}}
    cs.core_v1.config_maps("default").create(cm)
    assert cs.core_v1.config_maps("default").get("a").data == {"k": "v"}
EOF
(cd "$TV/usertest" && "$TV/bin/python" -m pytest -q -p no:cacheprovider test_user.py)

cd "$ROOT"
if [ "$KIND" = binary ]; then
  "$TV/bin/python" -c 'import kubeset._codec, sys; print("kubeset._codec:", kubeset._codec.__file__)'
  # kubeset-gen (the console script of kubeset[codegen]) on a CRD, and the result imports
  gen=$TV/gen && mkdir -p "$gen" && cat >"$gen/widget.yaml" <<'EOF'
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgets.example.com}
spec:
  group: example.com
  scope: Namespaced
  names: {kind: Widget, plural: widgets, singular: widget, listKind: WidgetList}
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec: {type: object, properties: {size: {type: integer}}}
EOF
  (cd "$gen" && "$TV/bin/kubeset-gen" generate --spec widget.yaml --out widgets --package widgets >gen.log 2>&1) \
    || { cat "$gen/gen.log"; exit 1; }
  (cd "$gen" && "$TV/bin/python" -c 'import widgets, sys; print("kubeset-gen output imports:", widgets.__name__)')
  KUBESET_NATIVE=required KUBESET_E2E=skip "$TV/bin/python" -m pytest -q -p no:cacheprovider \
    -m "not e2e" tests/unit tests/behaviour tests/codegen/test_codegen_user_repo.py
else
  "$TV/bin/python" -c 'import importlib.util as u, sys; sys.exit(u.find_spec("kubeset._codec") is not None)' \
    || { echo "the pure wheel carries kubeset._codec" >&2; exit 1; }
  # no codec in this wheel: whatever the caller asked of KUBESET_NATIVE (CI: required) does not apply
  env -u KUBESET_NATIVE KUBESET_E2E=skip "$TV/bin/python" -m pytest -q -p no:cacheprovider -m "not e2e" tests/unit
fi
