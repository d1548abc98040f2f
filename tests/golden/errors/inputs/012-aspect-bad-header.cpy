# An aspect header ends with 'start:' or 'end:'.
CherryClass Layout:
aspect:
    (method.type == 'mask') begin:
        _page.append("<html>")
CherryClass Root(Layout):
mask:
    def index(self):
        Hello
