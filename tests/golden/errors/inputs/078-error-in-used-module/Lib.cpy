CherryClass Base abstract:
function:
    def greet(self):
        names = ["a", "b"]
        return "Hello " + ", ".join(names]
