# onError takes no parameter.
def onError(exc):
    response.body = "error"
CherryClass Root:
mask:
    def index(self):
        Hello
