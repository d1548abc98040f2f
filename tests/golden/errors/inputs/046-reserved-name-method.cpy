# A method whose name starts with _cpy_.
CherryClass Root:
function:
    def _cpy_helper(self):
        return 1
mask:
    def index(self):
        Hello
