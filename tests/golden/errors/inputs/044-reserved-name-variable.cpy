# Names starting with _cpy_ are reserved for the compiler.
CherryClass Root:
variable:
    _cpy_cache = {}
mask:
    def index(self):
        Hello
