# A '</py-if>' that closes nothing.
CherryClass Root:
mask:
    def index(self):
        <p>Hello</p>
        </py-if>
