# The py-for target is not an assignable name.
CherryClass Root:
mask:
    def index(self):
        <py-for="x + 1 in range(3)">
            <py-eval="x">
        </py-for>
