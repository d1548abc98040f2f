# render: root.index()
# render: root.chtl(x='X')
#
# Spec §10.1: py-eval outputs str(expression). CGTL <py-eval="x">, also self-closing
# <py-eval="x"/> and <py-eval="x" />. CHTL <td py-eval="x">dummy</td>: the text up to
# the attribute (minus the space before it), '>', the value, then the text from the
# next '<' on (so a nested element of the content is kept). A <div py-eval> disappears
# with its content up to the matching </div>, nesting counted.
CherryClass Root:
mask:
    def index(self, x='<X>'):
        a<py-eval="1+1">b
        <py-eval="x"/>|<py-eval="x" />|<py-eval="'%s!' % x">
        <py-eval="len([1, 2, 3])"> <py-eval="None"> <py-eval="[x]">
    def chtl(self, x):
        <td py-eval="x">dummy</td>
        <td class="c" align="left" py-eval="x">dummy</td>
        <u py-eval="x"></u>
        <p py-eval="x"><b>kept</b></p>
        <p py-eval="x">dropped
            also dropped
        </p>
        <span py-eval="x" />dropped</span>
        <div py-eval="x">anything <div>nested <div>deeper</div></div> too</div>after
        <div py-eval="x">
            placeholder
            <div>nested</div>
        </div>
        next
