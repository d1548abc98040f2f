# A py-if never closed.
CherryClass Root:
mask:
    def index(self, n=1):
        <py-if="n > 0">
            positive
        <p>done</p>
