CherryClass Root(Root):
mask:
    def index(self):
        Hello
