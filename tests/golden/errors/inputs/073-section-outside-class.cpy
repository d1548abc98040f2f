# A section header before any CherryClass line.
mask:
    def index(self):
        Hello
