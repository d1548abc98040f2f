# render: root.cgtl(a=1, b=1)
# render: root.cgtl(a=1, b=0)
# render: root.cgtl(a=0, b=1)
# render: root.cgtl(a=0, b=0)
# render: root.chtl(a=1)
# render: root.chtl(a=0)
#
# Spec §10.5: <py-if="c">...</py-if> optionally followed by <py-else>...</py-else>;
# the spaces and newlines between </py-if> and <py-else> are swallowed, but the
# whitespace after a </py-if> that no py-else follows is kept. Nested ifs; CHTL form
# <div py-if="c">...</div> <div py-else>...</div> (a nested plain div is kept).
CherryClass Root:
mask:
    def cgtl(self, a, b):
        <py-if="a">A</py-if>   <py-else>not A</py-else>|
        <py-if="a">
            A on its line
        </py-if>
        <py-else>
            not A on its line
        </py-else>
        <py-if="b">B</py-if> no else follows
        <py-if="a">
            <py-if="b">a and b</py-if><py-else>a only</py-else>
        </py-if>
        <py-else>
            <py-if="b">b only</py-if>
            <py-else>neither</py-else>
        </py-else>
        end
    def chtl(self, a):
        <div py-if="a">yes</div>
        <div py-else>no</div>
        <div py-if="a == 2">two</div> no else here
        <div py-if="a"><div class="box">boxed <py-eval="a"></div></div>
