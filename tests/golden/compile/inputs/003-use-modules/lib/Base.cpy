# The bottom of the dependency graph: used as `Base` by Shapes and as `Base.cpy` by Colors.
import string

def initServer():
    global events
    events = ['Base']

def initRequest():
    request.trail = ['Base']

CherryClass Shape abstract:
function:
    def letters(self):
        return string.ascii_lowercase[:3]
