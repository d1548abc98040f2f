use A
CherryClass Root(Alpha):
mask:
    def index(self):
        Hello
