# Aspect code with no '(condition) start:' header above it.
CherryClass Layout:
aspect:
        _page.append("<html>")
CherryClass Root(Layout):
mask:
    def index(self):
        Hello
