# The parent list is not closed with ')'.
CherryClass Base:
function:
    def name(self):
        return "base"
CherryClass Root(Base:
mask:
    def index(self):
        Hello
