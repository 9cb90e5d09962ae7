"""Maps the top-level folders onto the one import package ``kubeset``.

runtime/               -> kubeset
codegen/               -> kubeset.codegen
generated/kubernetes/  -> kubeset.kubernetes
runtime/_codec/        -> kubeset._codec, a compiled Rust extension (PyO3) that decodes JSON
                          straight into the models and encodes them back; optional: without a Rust toolchain the build
                          goes on and kubeset decodes with pydantic alone (same results, slower)
"""

from pathlib import Path

from setuptools import setup
from setuptools_rust import Binding, RustExtension

ROOTS = {
    "kubeset": "runtime",
    "kubeset.codegen": "codegen",
    "kubeset.kubernetes": "generated/kubernetes",
}
HERE = Path(__file__).parent


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
        "kubeset": ["py.typed", "_codec*.so", "_codec.pyi"],
        "kubeset.codegen": [
            "templates/*.jinja2",
            "templates/**/*.jinja2",
            "releases.json",
            "supplement.json",
        ],
    },
    include_package_data=False,
    rust_extensions=[
        RustExtension(
            "kubeset._codec",
            path="runtime/_codec/Cargo.toml",
            binding=Binding.PyO3,
            py_limited_api=False,  # reads datetimes, sets and dicts through the full C API
            optional=True,
            debug=False,
        )
    ],
)
