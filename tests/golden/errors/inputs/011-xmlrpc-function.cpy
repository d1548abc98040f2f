# Only views and masks can be xmlrpc.
CherryClass Root:
function:
    def add(self, a, b) xmlrpc:
        return a + b
mask:
    def index(self):
        Hello
