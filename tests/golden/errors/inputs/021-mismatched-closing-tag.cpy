# '</py-if>' closes a py-for.
CherryClass Root:
mask:
    def index(self):
        <py-for="x in range(3)">
            <py-eval="x">
        </py-if>
