# CHTL py-if is an attribute of a <div> only.
CherryClass Root:
mask:
    def index(self, n=1):
        <span py-if="n">yes</span>
