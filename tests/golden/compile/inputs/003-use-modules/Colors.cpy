use Shapes, Base.cpy

def initServer():
    events.append('Colors')

def initRequest():
    request.trail.append('Colors')

CherryClass Painted(Square) abstract:
function:
    def paint(self, thing):
        return '%s painted on a %s, %s' % (thing, self.name(), self.letters())
