# A _cpy_ name used inside a mask expression.
CherryClass Root:
mask:
    def index(self):
        <p><py-eval="len(_cpy_out)"></p>
