# py-evl is a typo for py-eval.
CherryClass Root:
mask:
    def index(self, name="x"):
        <p>Hello <py-evl="name"></p>
