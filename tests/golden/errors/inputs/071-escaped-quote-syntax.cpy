# \" outside a Python string inside a tag value.
CherryClass Root:
mask:
    def index(self):
        <py-exec="title = \"Home\" +">
        <py-eval="title">
