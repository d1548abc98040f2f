use A
CherryClass Beta abstract:
function:
    def b(self):
        return "b"
