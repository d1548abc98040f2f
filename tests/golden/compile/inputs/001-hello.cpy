# render: root.index()
CherryClass Root:
mask:
    def index(self):
        Hello, world!
