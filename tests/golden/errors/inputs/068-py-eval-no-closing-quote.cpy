# The py-eval value is never closed with '"'.
CherryClass Root:
mask:
    def index(self, name="x"):
        <p>Hello <py-eval="name></p>
