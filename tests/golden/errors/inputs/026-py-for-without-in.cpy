# A py-for string without ' in '.
CherryClass Root:
mask:
    def index(self):
        <py-for="x range(3)">
            <py-eval="x">
        </py-for>
