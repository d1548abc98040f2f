# A method with no parameter at all.
CherryClass Root:
function:
    def helper():
        return 1
mask:
    def index(self):
        Hello
