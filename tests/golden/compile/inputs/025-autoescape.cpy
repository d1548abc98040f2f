# options: --autoescape
# render: root.index()
# render: root.page(text='<b>"Tom" & \'Jerry\'</b>')
# render: type(root.inner('x')).__name__
#
# DESIGN.md §2, §3: with --autoescape, py-eval and py-attr values are HTML-escaped
# (markupsafe); masks return Markup, so a mask embedded in another one is not escaped
# twice; a view's plain string is escaped like any other value; Markup passes as is.
from markupsafe import Markup

CherryClass Root:
view:
    def plainView(self):
        return '<i>view</i>'
mask:
    def inner(self, word):
        <em><py-eval="word"></em>
    def index(self):
        <py-eval="'<script>'"> <py-eval="self.inner('a&b')"><py-eval="self.plainView()">
        <a py-attr="'/x?a=1&b=\"2\"'" href="">link</a>
        <td py-eval="'<td-value>'">dummy</td>
        <py-eval="Markup('<b>trusted</b>')"> <py-eval="None"> <py-eval="3 > 2">
        <py-for="s in ['<1>', '<2>']"><py-eval="s"><py-eval="_index"></py-for>
    def page(self, text):
        <p><py-eval="text"></p>
