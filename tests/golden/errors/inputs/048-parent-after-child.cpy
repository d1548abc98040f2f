# Root inherits from Layout, which is defined later in the file.
CherryClass Root(Layout):
mask:
    def index(self):
        Hello
CherryClass Layout:
function:
    def header(self):
        return "<h1>Site</h1>"
