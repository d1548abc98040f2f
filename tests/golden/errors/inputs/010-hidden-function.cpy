# Only views and masks can be hidden.
CherryClass Root:
function:
    def helper(self) hidden:
        return 1
mask:
    def index(self):
        Hello
