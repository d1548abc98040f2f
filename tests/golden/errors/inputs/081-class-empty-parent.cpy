# An empty name in the parent list (a doubled comma).
CherryClass Base abstract:
function:
    def a(self):
        return "a"
CherryClass Layout abstract:
function:
    def b(self):
        return "b"
CherryClass Root(Base, , Layout):
mask:
    def index(self):
        Hello
