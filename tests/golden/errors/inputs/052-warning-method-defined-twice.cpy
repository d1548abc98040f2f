# The second index replaces the first.
CherryClass Root:
mask:
    def index(self):
        First
view:
    def index(self):
        return "Second"
