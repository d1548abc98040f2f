# <py-eval 2> : the tag name must be followed by '="'.
CherryClass Root:
mask:
    def index(self):
        <p>Two: <py-eval 2></p>
