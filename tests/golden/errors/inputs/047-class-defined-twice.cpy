CherryClass Root:
mask:
    def index(self):
        Hello
CherryClass Page:
mask:
    def index(self):
        Page
CherryClass Root:
mask:
    def other(self):
        Again
