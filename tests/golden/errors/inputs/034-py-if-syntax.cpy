# A py-if condition that is not an expression.
CherryClass Root:
mask:
    def index(self, n=1):
        <p>
        <py-if="n = 1">one</py-if>
        </p>
