# The py-code block is never closed with '">'.
CherryClass Root:
mask:
    def index(self):
        <p>before</p>
        <py-code="
            x = 1
        <py-eval="x">
