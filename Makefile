# kubeset — see README.md.  Everything runs from the project's own venv (.venv).
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python

KUBE_VERSION ?= 1.36
SPEC ?=
OUT ?= generated/kubernetes
PACKAGE ?=
export KUBESET_OPENAPI_DIR ?= $(if $(wildcard ../shared/openapi),$(abspath ../shared/openapi),)

.PHONY: install generate check-generated test test-unit test-pydantic-range test-without-codec bench soak typecheck lint clean help dist test-wheel docs

help:
	@echo "make install          create .venv with pinned tools and an editable kubeset"
	@echo "make generate         regenerate generated/kubernetes (KUBE_VERSION=1.36 | SPEC=path-or-url-or-crd.yaml | CLUSTER=1, OUT=dir, PACKAGE=import.name)"
	@echo "make check-generated  fail when committed generated code differs from a fresh generation"
	@echo "make test             the whole test suite (unit, fixtures, typing, regeneration check, e2e)"
	@echo "make test-unit        the suite without the end-to-end tests (no Go, no kube-apiserver)"
	@echo "make test-pydantic-range  the model and codec tests under the lowest and the newest tested pydantic"
	@echo "make test-without-codec   model, codec, cache and behaviour tests as if built without Rust"
	@echo "make typecheck        mypy --strict and pyright on the runtime"
	@echo "make lint             ruff format check and lint, cargo fmt --check, clippy"
	@echo "make bench            speed and size benchmarks (medians and ratios)"
	@echo "make soak             leader election through partitions, SOAK_SECONDS (600) a scenario"
	@echo "make dist             sdist, manylinux_2_17 wheels (x86_64, aarch64; DIST_PYTHONS) and the pure wheel in dist/"
	@echo "make test-wheel       install the built wheels in fresh venvs (no cargo) and test the installed package"
	@echo "make docs             the documentation site (MkDocs --strict) in site/"

$(VENV)/.deps: requirements-dev.txt pyproject.toml setup.py
	@test -x $(PY) || $(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements-dev.txt
	@rm -f $(VENV)/.layout-*
	touch $@

# The editable install is "strict" (a tree of links under build/) so that mypy and
# pyright resolve kubeset.* statically; it is refreshed whenever files are added or removed.
# The install also builds kubeset._codec (runtime/_codec, Rust) with cargo when cargo is there;
# its build cache is the git-ignored .cache/cargo.  Without cargo kubeset decodes with pydantic alone.
export CARGO_TARGET_DIR ?= $(CURDIR)/.cache/cargo
# rustup installs cargo under ~/.cargo/bin, which a non-login shell may not have on PATH
export PATH := $(PATH):$(HOME)/.cargo/bin
CODEC_SRC := $(wildcard runtime/_codec/src/*.rs) runtime/_codec/Cargo.toml runtime/_codec/Cargo.lock
LAYOUT_ID := $(shell find runtime codegen generated/kubernetes -type f -not -path '*/__pycache__/*' -not -name '*.so' 2>/dev/null | sort | cksum | cut -d' ' -f1)
$(VENV)/.layout-$(LAYOUT_ID): $(VENV)/.deps $(CODEC_SRC)
	@rm -f $(VENV)/.layout-*
	$(PY) -m pip install -q --no-deps --no-build-isolation -e . --config-settings editable_mode=strict
	touch $@

install: $(VENV)/.layout-$(LAYOUT_ID)

generate: install
	$(PY) -m kubeset.codegen generate $(if $(CLUSTER),--cluster,$(if $(SPEC),--spec "$(SPEC)",--release $(KUBE_VERSION))) --out "$(OUT)" $(if $(PACKAGE),--package "$(PACKAGE)") $(if $(filter generated/kubernetes,$(OUT)),--record openapi/kubernetes.json)
	@$(MAKE) --no-print-directory install

check-generated: install
	$(PY) -m kubeset.codegen check generated/kubernetes

test: install test-pydantic-range test-without-codec test-wheel docs
	$(PY) -m pytest $(PYTEST_ARGS)

test-unit: install
	KUBESET_E2E=skip $(PY) -m pytest -m "not e2e" $(PYTEST_ARGS)

typecheck: install
	$(BIN)/mypy
	$(BIN)/pyright --pythonpath $(PY) runtime

PY_SOURCES := runtime codegen tests bench examples setup.py
CODEC_MANIFEST := runtime/_codec/Cargo.toml
lint: install
	$(BIN)/ruff format --check $(PY_SOURCES)
	$(BIN)/ruff check $(PY_SOURCES)
	cargo fmt --manifest-path $(CODEC_MANIFEST) --check
	cargo clippy --manifest-path $(CODEC_MANIFEST) --quiet -- -D warnings

# --- the pydantic releases kubeset is tested with: kubeset.codec.layout.TESTED_PYDANTIC (the lowest
# that pyproject allows and the pinned newest).  The model and codec tests run in one small venv
# per release under the git-ignored .cache/ (created once, again when requirements-dev.txt
# changes), with kubeset linked in from this checkout's editable install.  The thread-safety
# stress tests run 20,000 operations a configuration there (100,000 in the main run).
PYDANTIC_TESTED := $(shell sed -n 's/^TESTED_PYDANTIC = ("\([0-9.]*\)", "\([0-9.]*\)")$$/\1 \2/p' runtime/codec/layout.py)
PYDANTIC_VENVS := $(foreach v,$(PYDANTIC_TESTED),.cache/pydantic-$(v)/.deps)

.cache/pydantic-%/.deps: requirements-dev.txt $(VENV)/.deps
	rm -rf $(@D)
	$(PY) -m venv $(@D)
	grep -v -i -E '^pydantic(_core)?==' requirements-dev.txt > $(@D)/constraints.txt
	$(@D)/bin/python -m pip install -q -c $(@D)/constraints.txt "pydantic==$*" pytest requests PyYAML orjson
	cp $(VENV)/lib/python*/site-packages/__editable__.kubeset-*.pth \
	  "$$($(@D)/bin/python -c 'import sysconfig; print(sysconfig.get_path("purelib"))')/"
	touch $@

test-pydantic-range: install $(PYDANTIC_VENVS)
	@test -n "$(PYDANTIC_TESTED)" || { echo "no TESTED_PYDANTIC in runtime/codec/layout.py"; exit 1; }
	@for v in $(PYDANTIC_TESTED); do \
	  echo "model and codec tests with pydantic $$v:"; \
	  KUBESET_STRESS_OPS=20000 .cache/pydantic-$$v/bin/python -m pytest -q -p no:cacheprovider tests/unit/codec tests/unit/model || exit 1; \
	done

# --- kubeset installed without a Rust toolchain: no kubeset._codec, the models' Python field
# descriptors and pydantic for every decode and encode; the same tests must pass.
test-without-codec: install
	KUBESET_E2E=skip $(PY) tests/without_codec.py -q -p no:cacheprovider -m "not e2e" \
	  tests/unit/model tests/unit/codec tests/unit/cache tests/behaviour

bench: install
	$(PY) bench/run.py

# The leader-election partition scenarios (cut, black hole, latency) on the real server, each for
# SOAK_SECONDS instead of CI's 30 s: never two leaders over a long run.  Not part of make test.
SOAK_SECONDS ?= 600
soak: install
	KUBESET_E2E=required KUBESET_PARTITION_SECONDS=$(SOAK_SECONDS) $(PY) -m pytest -q -s \
	  -p no:cacheprovider tests/e2e/test_leaderelection_partitions_e2e.py $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .mypy_cache runtime/_codec*.so

# --- end-to-end: a real kube-apiserver (tests/e2e/apiserver, k8s.io/kubernetes as a library) ---
# Built once into the git-ignored .cache/e2e and rebuilt only when its sources change; Go's own
# caches (GOMODCACHE, GOCACHE) keep a rebuild fast.  The e2e pytest fixture runs this target.
GO ?= go
E2E_APISERVER := .cache/e2e/kube-apiserver-e2e
E2E_APISERVER_SRC := $(wildcard tests/e2e/apiserver/*.go) tests/e2e/apiserver/go.mod tests/e2e/apiserver/go.sum
# /version of a library build says v0.0.0-master unless the release is stamped in, as Kubernetes'
# own build does (hack/lib/version.sh); the release is the k8s.io/kubernetes version in go.mod.
E2E_KUBE_VERSION = $(shell awk '$$1 == "k8s.io/kubernetes" { print $$2 }' tests/e2e/apiserver/go.mod)
E2E_LDFLAGS = $(foreach pkg,k8s.io/component-base/version k8s.io/client-go/pkg/version,\
  -X $(pkg).gitVersion=$(E2E_KUBE_VERSION) -X $(pkg).gitTreeState=clean \
  -X $(pkg).gitMajor=$(patsubst v%,%,$(word 1,$(subst ., ,$(E2E_KUBE_VERSION)))) \
  -X $(pkg).gitMinor=$(word 2,$(subst ., ,$(E2E_KUBE_VERSION))))

.PHONY: e2e-apiserver
e2e-apiserver: $(E2E_APISERVER)

# the differential test of the fake against the e2e server, longer: make fuzz-fake FUZZ_SEED=7 FUZZ_CASES=3000
FUZZ_SEED ?= 2027
FUZZ_CASES ?= 3000
.PHONY: fuzz-fake
fuzz-fake: install $(E2E_APISERVER)
	KUBESET_E2E=required KUBESET_DIFF_SEED=$(FUZZ_SEED) KUBESET_DIFF_CASES=$(FUZZ_CASES) \
	  $(PY) -m pytest tests/e2e/test_fake_differential_e2e.py -x -q -s -p no:cacheprovider

# the fake cluster's discovery data (short names, categories ...) from the e2e server
.PHONY: record-discovery
record-discovery: install $(E2E_APISERVER)
	$(PY) tests/e2e/record_discovery.py

$(E2E_APISERVER): $(E2E_APISERVER_SRC) Makefile
	@mkdir -p $(@D)
	cd tests/e2e/apiserver && $(GO) build -ldflags "$(E2E_LDFLAGS)" -o $(abspath $@).tmp.$$$$ . \
	  && mv -f $(abspath $@).tmp.$$$$ $(abspath $@)

# --- distributions (tools/dist.sh): setuptools-rust builds, cargo-zigbuild as cargo (zig links
# against glibc 2.17 for x86_64 and, cross, aarch64), auditwheel checks and tags; no Docker.
DIST_PYTHONS ?= 3.11 3.12 3.13
DIST_ARCHS ?= x86_64 aarch64
$(VENV)/.dist-deps: requirements-dist.txt $(VENV)/.deps
	$(PY) -m pip install -q -r requirements-dist.txt
	@if command -v rustup >/dev/null; then rustup target add $(foreach a,$(DIST_ARCHS),$(a)-unknown-linux-gnu); fi
	touch $@

dist: install $(VENV)/.dist-deps
	rm -rf dist
	tools/dist.sh sdist
	@for a in $(DIST_ARCHS); do tools/dist.sh wheel $$a $(DIST_PYTHONS) || exit 1; done
	tools/dist.sh pure
	@for w in dist/*manylinux*.whl; do $(BIN)/auditwheel show $$w | grep -A1 'consistent with' | tr '\n' ' '; echo; done
	@ls -l dist

# make test builds, once per change of the sources, the wheels its checks install (x86_64 for this
# venv's CPython, one aarch64 for the tag check, the pure wheel) into the git-ignored .cache/wheels.
WHEELS := .cache/wheels
WHEEL_PY := $(patsubst python%,%,$(notdir $(PYTHON)))
DIST_INPUTS := $(shell git ls-files runtime codegen generated/kubernetes 2>/dev/null) setup.py pyproject.toml MANIFEST.in LICENSE README.md tools/dist.sh
$(WHEELS)/.built: $(DIST_INPUTS) $(VENV)/.dist-deps
	rm -rf $(WHEELS)
	DIST_OUT=$(abspath $(WHEELS)) tools/dist.sh sdist
	DIST_OUT=$(abspath $(WHEELS)) tools/dist.sh wheel x86_64 $(WHEEL_PY)
	DIST_OUT=$(abspath $(WHEELS)) tools/dist.sh wheel aarch64 $(WHEEL_PY)
	DIST_OUT=$(abspath $(WHEELS)) tools/dist.sh pure
	touch $@

test-wheel: $(WHEELS)/.built
	tools/test_wheel.sh binary $(wildcard $(WHEELS)/*-manylinux*x86_64.whl)
	tools/test_wheel.sh pure $(wildcard $(WHEELS)/*-py3-none-any.whl)
	tools/test_wheel.sh foreign $(wildcard $(WHEELS)/*-manylinux*aarch64.whl) aarch64

# --- the documentation site: MkDocs + Material + mkdocstrings (pinned in requirements-docs.txt);
# --strict turns a broken link, reference or docstring into a failure.
$(VENV)/.docs-deps: requirements-docs.txt $(VENV)/.deps
	$(PY) -m pip install -q -r requirements-docs.txt
	touch $@

docs: install $(VENV)/.docs-deps
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict --quiet --site-dir site
