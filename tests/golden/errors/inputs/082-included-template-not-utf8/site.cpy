# footer.html is saved in Latin-1 (0xA9 for the copyright sign, line 2).
CherryClass Root:
mask:
    def index(self):
        <p>body</p>
        <py-include="footer.html">
