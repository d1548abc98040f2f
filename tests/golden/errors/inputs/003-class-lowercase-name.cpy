# A CherryClass name must start with an upper-case letter.
CherryClass root:
mask:
    def index(self):
        Hello
