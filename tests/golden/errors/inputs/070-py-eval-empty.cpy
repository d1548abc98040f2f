CherryClass Root:
mask:
    def index(self):
        <p><py-eval=""></p>
