# A level-1 line in a view: section that is not a def.
CherryClass Root:
view:
    def index(self):
        return "Hello"
    greeting = "Hi"
