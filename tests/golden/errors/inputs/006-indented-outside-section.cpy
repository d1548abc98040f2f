# An indented line right after the CherryClass line, before any section header.
CherryClass Root:
    def index(self):
        return "Hello"
