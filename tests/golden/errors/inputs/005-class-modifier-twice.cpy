# Each modifier may be written once.
CherryClass Root hidden hidden:
mask:
    def index(self):
        Hello
