# A variable section line that is not a statement.
CherryClass Root:
variable:
    title = "Home"
    count == = 0
mask:
    def index(self):
        <py-eval="self.title">
