# render: root.index()
# render: root.wrapped()
#
# Spec §10, §10.4, §10.9: a mask is a method that appends to the local list `_page` and
# returns "".join(_page); code may use `_page` like any local. When py-code (or aspect
# code) binds `_page` to a new list, the text that follows goes to the new list, so
# 0.10 renders "reset \nafter\n" and "<wrapper>\nbody\n</wrapper>".
CherryClass Wrapper abstract:
aspect:
    (method.name == 'wrapped') end:
        _page = ['<wrapper>\n'] + _page
        _page.append('</wrapper>')

CherryClass Root(Wrapper):
mask:
    def index(self):
        before
        <py-code="
            _page = ['reset ']
        ">
        after
    def wrapped(self):
        <py-exec="_page = []">body
