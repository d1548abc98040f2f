# render: root.index()
#
# Spec §5, §13: special-function bodies from several modules are concatenated into one
# function. Each module's initServer declares the globals it uses, as a standalone 0.x
# module would; 0.10 (Python 2) accepted the repeated `global events` (a warning at
# most) and ran both bodies: the page is "['Counter', 'site']".
use Counter

def initServer():
    global events
    events.append('site')

CherryClass Root:
mask:
    def index(self):
        <py-eval="events">
