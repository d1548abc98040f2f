# py-exec with an invalid statement.
CherryClass Root:
mask:
    def index(self):
        <py-exec="total = = 1">
        <py-eval="total">
