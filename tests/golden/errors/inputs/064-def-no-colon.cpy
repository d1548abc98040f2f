# A def line in a section without its ':'.
CherryClass Root:
view:
    def index(self)
        return "Hello"
