# The py-code block is still open when the mask (and the file) ends.
CherryClass Root:
mask:
    def index(self):
        <p>before</p>
        <py-code="
            x = 1
            _page.append(str(x))
