# Mask text written on the def line itself.
CherryClass Root:
mask:
    def index(self): Hello
