# Methods take self first.
CherryClass Root:
view:
    def index(name="world"):
        return "Hello " + name
