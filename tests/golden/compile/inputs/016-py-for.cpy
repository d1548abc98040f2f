# render: root.index()
# render: root.index(items=['only'])
#
# Spec §10.6: <py-for="target in expr">; inside, _index counts from 0 and _end is
# len(expr) - 1, or -1 when expr has no length (a generator). A nested loop saves and
# restores the outer _index/_end. Tuple targets; CHTL <div py-for="...">...</div>.
CherryClass Root:
mask:
    def index(self, items=('a', 'b', 'c')):
        <py-for="item in items"><py-eval="_index">:<py-eval="item"><py-if="_index != _end">, </py-if></py-for>
        <py-for="row in [[1, 2], [3]]">
            row <py-eval="_index">/<py-eval="_end">: <py-for="cell in row">(<py-eval="_index">/<py-eval="_end"> <py-eval="cell">)</py-for> back to <py-eval="_index">/<py-eval="_end">
        </py-for>
        <py-for="n in (x * x for x in range(3))"><py-eval="n">@<py-eval="_index">/<py-eval="_end"> </py-for>
        <py-for="key, value in sorted({'k2': 2, 'k1': 1}.items())"><py-eval="key">=<py-eval="value">;</py-for>
        <div py-for="c in 'xy'"><py-eval="c"><py-eval="_index"></div>
        <py-for="x in []">never</py-for>empty
        <py-for="i in range(2)"><py-for="j in range(2)"><py-eval="(i, j)"></py-for></py-for>
