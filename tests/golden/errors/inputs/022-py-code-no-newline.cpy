# py-code=" must be followed by a newline.
CherryClass Root:
mask:
    def index(self):
        <py-code="x = 1
            y = 2
        ">
        <py-eval="x + y">
