# A CherryClass name may only hold letters, digits and underscores.
CherryClass My-Root:
mask:
    def index(self):
        Hello
