"""Maps the top-level folders onto the one import package ``kubeset``.

runtime/               -> kubeset
codegen/               -> kubeset.codegen
generated/kubernetes/  -> kubeset.kubernetes
runtime/_codec/        -> kubeset._codec, a compiled Rust extension (PyO3) that decodes JSON
                          straight into the models and encodes them back; optional: without a Rust toolchain the build
                          goes on and kubeset decodes with pydantic alone (same results, slower)

KUBESET_PURE=1 builds the pure-Python py3-none-any wheel: no kubeset._codec at all, for
platforms without a binary wheel (tools/dist.sh pure; `make dist`).
"""

import os
from pathlib import Path

from setuptools import setup
from setuptools_rust import Binding, RustExtension

ROOTS = {
    "kubeset": "runtime",
    "kubeset.codegen": "codegen",
    "kubeset.kubernetes": "generated/kubernetes",
}
HERE = Path(__file__).parent
PURE = os.environ.get("KUBESET_PURE") == "1"
# tools/dist.sh sets it: a release wheel without the codec is an error, not a quiet fallback
CODEC_REQUIRED = os.environ.get("KUBESET_BUILD_CODEC") == "required"


def _packages() -> list[str]:
    found = []
    for pkg, folder in ROOTS.items():
        base = HERE / folder
        for init in sorted(base.rglob("__init__.py")):
            rel = init.parent.relative_to(base)
            if any(part.startswith(".") for part in rel.parts):  # hidden folders (caches)
                continue
            found.append(".".join([pkg, *rel.parts]) if rel.parts else pkg)
    return found


setup(
    package_dir=ROOTS,
    packages=_packages(),
    package_data={
        # the in-place build of kubeset._codec (editable installs link it like any package file)
        "kubeset": ["py.typed", "_codec.pyi", *([] if PURE else ["_codec*.so"])],
        "kubeset.codegen": [
            "templates/*.jinja2",
            "templates/**/*.jinja2",
            "releases.json",
            "supplement.json",
        ],
    },
    include_package_data=False,
    rust_extensions=[]
    if PURE
    else [
        RustExtension(
            "kubeset._codec",
            path="runtime/_codec/Cargo.toml",
            binding=Binding.PyO3,
            py_limited_api=False,  # reads datetimes, sets and dicts through the full C API
            optional=not CODEC_REQUIRED,
            debug=False,
        )
    ],
)
