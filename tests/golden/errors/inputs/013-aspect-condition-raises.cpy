# Aspect conditions run at compile time; this one raises (no attribute 'kind').
CherryClass Layout:
aspect:
    (method.kind == 'mask') start:
        _page.append("<html>")
CherryClass Root(Layout):
mask:
    def index(self):
        Hello
