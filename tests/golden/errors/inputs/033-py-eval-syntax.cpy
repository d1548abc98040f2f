# Unbalanced parenthesis inside py-eval.
CherryClass Root:
mask:
    def index(self, name="x"):
        <p>Hello <py-eval="name.upper(">!</p>
