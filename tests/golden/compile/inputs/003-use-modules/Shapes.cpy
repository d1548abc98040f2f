use Base
from os.path import join as pathJoin

def initServer():
    events.append('Shapes')

def initRequest():
    request.trail.append('Shapes')

CherryClass Square(Shape):
function:
    def name(self):
        return 'square'
