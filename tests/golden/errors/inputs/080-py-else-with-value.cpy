# py-else takes no value.
CherryClass Root:
mask:
    def index(self, n=1):
        <py-if="n">yes</py-if><py-else="not n">no</py-else>
