"""kubeset.codegen: turns a Kubernetes OpenAPI spec into kubeset's generated packages.

Pipeline: load (file, directory, URL, release) -> normalize (one ApiDescription)
-> emit (datamodel-code-generator for models, Jinja2 for clients and scheme).
"""
