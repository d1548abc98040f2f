# render: b.index()
# render: a.index()
# render: child.index()
# render: child.view()
# render: parent1.index()
# render: diamond.index()
#
# Spec §9 and DESIGN.md §3: the aspects of class C are, for each parent P left to
# right, first those P inherited (recursively) and then P's own; start code in that
# order, end code in the reverse order. With B(A, Aspect_B) and A(Aspect_A) the output
# is A-start B-start body B-end A-end. Parent1 gets only its parent's aspects, not its
# own. Diamond(Parent1, Parent3) reaches Grand twice, so Grand's aspect runs twice (the
# rule taken literally).
CherryClass Aspect_A abstract:
aspect:
    (method.type == 'mask') start:
        _page.append('A-start ')
    (method.type == 'mask') end:
        _page.append(' A-end')

CherryClass Aspect_B abstract:
aspect:
    (method.type == 'mask') start:
        _page.append('B-start ')
    (method.type == 'mask') end:
        _page.append(' B-end')

CherryClass A(Aspect_A):
mask:
    def index(self):
        A body

CherryClass B(A, Aspect_B):
mask:
    def index(self):
        B body

CherryClass Grand abstract:
aspect:
    * start:
        _log = ['grand-start']
    (method.type == 'mask') start:
        _page.append('grand-start ')
    (method.type == 'mask') end:
        _page.append(' grand-end')
    (method.type == 'view') end:
        _log.append('grand-end (unreachable after the return of a view)')

CherryClass Parent1(Grand):
aspect:
    (method.type == 'mask') start:
        _page.append('p1-start ')
    (method.type == 'mask') end:
        _page.append(' p1-end')
mask:
    def index(self):
        Parent1 body

CherryClass Parent2 abstract:
aspect:
    (method.type == 'mask') start:
        _page.append('p2-start ')
    (method.type == 'mask') end:
        _page.append(' p2-end')
    (method.type == 'view') start:
        _log.append('p2-start')

CherryClass Child(Parent1, Parent2):
view:
    def view(self):
        return ' '.join(_log)
mask:
    def index(self):
        Child body

CherryClass Parent3(Grand) abstract:
aspect:
    (method.type == 'mask') start:
        _page.append('p3-start ')
    (method.type == 'mask') end:
        _page.append(' p3-end')

CherryClass Diamond(Parent1, Parent3):
mask:
    def index(self):
        Diamond body
