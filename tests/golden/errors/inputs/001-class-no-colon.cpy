# The CherryClass line must end with ':'.
CherryClass Root
mask:
    def index(self):
        Hello
