"""cherryc: CherryPy 0.x-style .cpy sites, compiled to one readable Python module."""

import os as _os

__version__ = "0.1.0"

# Installed, the subpackages live inside this package (setup.cfg maps the root folders
# compiler/, runtime/ and stdlib/ there). Imported straight from a source checkout (the
# repository root is the working directory), they are this folder's siblings instead.
_root = _os.path.dirname(_os.path.dirname(_os.path.abspath(__file__)))
if _os.path.isfile(_os.path.join(_root, "setup.cfg")) and _os.path.isdir(
    _os.path.join(_root, "compiler")
):
    __path__.append(_root)  # noqa: F821 (package __path__)
