# A mask with no body at all.
CherryClass Root:
mask:
    def index(self):
    def other(self):
        Other
