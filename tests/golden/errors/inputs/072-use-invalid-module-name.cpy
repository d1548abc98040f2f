use Helpers Tools
CherryClass Root:
mask:
    def index(self):
        Hello
