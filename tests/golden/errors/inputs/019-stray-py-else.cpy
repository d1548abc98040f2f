# A py-else with no py-if before it.
CherryClass Root:
mask:
    def index(self):
        <p>Hello</p>
        <py-else>no</py-else>
