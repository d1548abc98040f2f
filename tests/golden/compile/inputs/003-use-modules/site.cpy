# options: -I lib
# render: root.index()
# render: loadedBy
# render: ', '.join(events)
# render: (initRequest(), request.trail)[1]
#
# Spec §2, §4, §5, §12, §13 and DESIGN.md §2, §3: `use` lines (cherryc allows comment
# and blank lines before them; spaces around names are ignored), modules found in '.'
# and in -I dirs (lib/Base.cpy), transitive use (site.cpy never names Base), a module
# named several times is loaded once (`Base` and `Base.cpy` in two files, `Colors` and
# `Colors.cpy` in two lines here), dependency order Base, Shapes, Colors, site for the
# classes, the collected imports and the concatenated special functions.

use Shapes, Colors
use  Colors.cpy ,Shapes

import json

def initProgram():
    loadedBy = 'initProgram of site.cpy'

def initServer():
    events.append('site')
    root.greeting = 'set by initServer of site.cpy on the instance ' + root.getPath(0)

def initRequest():
    request.trail.append('site')

CherryClass Root(Painted):
mask:
    def index(self):
        <py-eval="self.greeting">
        <py-eval="json.dumps(events)">
        <py-eval="self.paint('sky')">
        <py-eval="pathJoin('a', 'b')">
