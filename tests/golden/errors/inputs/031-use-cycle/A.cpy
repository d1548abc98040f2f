use B
CherryClass Alpha(Beta) abstract:
function:
    def a(self):
        return "a"
