CherryClass Root:
mask:
    def index(self):
        <p><py-eval="1 +"></p>
