"""The CherryPy 0.x standard modules as .cpy files (`use Tools`, `use Form`, ...)."""
