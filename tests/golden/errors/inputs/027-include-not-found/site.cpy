# py-include of a file that exists nowhere on the include path.
CherryClass Root:
mask:
    def index(self):
        <py-include="header.html">
        <p>body</p>
