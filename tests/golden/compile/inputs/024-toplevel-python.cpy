# render: root.index()
# render: sorted(engine.functions)
# render: engine.functions['hello'](name='cloud')
# render: engine.functions['shout']()
#
# DESIGN.md §2, §4: any other top-level Python is allowed and emitted at module level
# in source order, after the imports (a column-0 import anywhere is collected with
# them) and before the classes: constants, a helper used by a mask, a plain class,
# cloud functions registered with @engine.define.
import math

GREETING = 'Hello'
LIMITS = {
    'low': 1,
    'high': 3,
}

from string import capwords


def helper(name):
    """Used by a mask."""
    return '%s, %s!' % (GREETING, capwords(name))


@engine.define
def hello(**params):
    return helper(params.get('name', 'nobody'))


@engine.define('shout')
def make_noise(**params):
    return GREETING.upper()


class Point:
    def __init__(self, x, y):
        self.x, self.y = x, y

CherryClass Root:
mask:
    def index(self):
        <py-eval="helper('the mask')"> <py-eval="LIMITS['high']"> <py-eval="math.sqrt(16)">
        <py-eval="Point(1, 2).y">
