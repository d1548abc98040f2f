CherryClass Tools abstract:
function:
    def name(self):
        return "tools"
