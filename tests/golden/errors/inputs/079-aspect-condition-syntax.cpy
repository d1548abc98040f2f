# The aspect condition is not a valid expression.
CherryClass Layout:
aspect:
    (method.type == ) start:
        _page.append("<html>")
CherryClass Root(Layout):
mask:
    def index(self):
        Hello
