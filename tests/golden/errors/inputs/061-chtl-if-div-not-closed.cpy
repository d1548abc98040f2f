# <div py-if> without its '</div>'.
CherryClass Root:
mask:
    def index(self, n=1):
        <div py-if="n">
            <p>one</p>
