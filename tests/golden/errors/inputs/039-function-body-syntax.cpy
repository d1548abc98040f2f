# A function body with invalid syntax.
CherryClass Root:
function:
    def double(self, x):
        return x * * 2
mask:
    def index(self):
        <py-eval="self.double(2)">
