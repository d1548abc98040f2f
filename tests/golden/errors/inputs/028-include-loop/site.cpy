# a.html includes b.html, which includes a.html again.
CherryClass Root:
mask:
    def index(self):
        <py-include="a.html">
