# A second aspect: section in one class (0.10 kept only the last one).
CherryClass Layout:
aspect:
    (method.type == 'mask') start:
        _page.append("<html>")
aspect:
    (method.type == 'mask') end:
        _page.append("</html>")
CherryClass Root(Layout):
mask:
    def index(self):
        Hello
