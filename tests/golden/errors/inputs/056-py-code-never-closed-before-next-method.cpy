# The py-code block is not closed before the next method of the section.
CherryClass Root:
mask:
    def index(self):
        <py-code="
            x = 1
        <p>after</p>
    def other(self):
        <p class="x">Other</p>
