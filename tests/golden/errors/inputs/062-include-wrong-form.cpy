# py-include is '<py-include="...">' or '<div py-include="...">...</div>' only.
CherryClass Root:
mask:
    def index(self):
        <span py-include="header.html">header</span>
