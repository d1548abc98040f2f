use Helpers, my-module
CherryClass Root:
mask:
    def index(self):
        Hello
