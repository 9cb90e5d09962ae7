"""Maps the top-level folders onto the one import package ``kubeset``.

runtime/               -> kubeset
codegen/               -> kubeset.codegen
generated/kubernetes/  -> kubeset.kubernetes
"""

from pathlib import Path

from setuptools import setup

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
            if any(part.startswith((".", "_")) and part != "__init__.py" for part in rel.parts):
                continue
            found.append(".".join([pkg, *rel.parts]) if rel.parts else pkg)
    return found


setup(
    package_dir=ROOTS,
    packages=_packages(),
    package_data={
        "kubeset": ["py.typed"],
        "kubeset.codegen": ["templates/*.jinja2", "templates/**/*.jinja2", "releases.json", "supplement.json"],
    },
    include_package_data=False,
)
