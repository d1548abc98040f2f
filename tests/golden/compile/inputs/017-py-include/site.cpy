# options: -I tpl -I tpl2
# render: root.index()
# render: root.inline()
#
# Spec §2, §10.7: py-include pastes a template at compile time, as <py-include="f"> or
# <div py-include="f">placeholder</div>. Search order: '.', then the -I dirs, the last
# given first (header.html comes from tpl2, word.html from '.'). Every template line is
# followed by a newline, blank and '#' lines of a template are kept, its indentation is
# normalised (the tab), tags in it work, and a template may include another one.
CherryClass Root:
mask:
    def index(self, title='Home'):
        <html>
        <py-include="header.html">
        <div py-include="notes.txt">placeholder</div>
        </html>
    def inline(self):
        before<py-include="word.html">after
        [<py-include="nested.html">]
