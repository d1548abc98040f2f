# A parameter whose name starts with _cpy_.
CherryClass Root:
mask:
    def index(self, _cpy_name="x"):
        Hello
