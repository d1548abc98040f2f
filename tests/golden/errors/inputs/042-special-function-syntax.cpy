# A special function body with invalid syntax.
def initServer():
    global counter
    counter = 0 +
CherryClass Root:
mask:
    def index(self):
        Hello
