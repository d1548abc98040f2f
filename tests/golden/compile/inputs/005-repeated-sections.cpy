# render: root.index()
# render: root.total()
# render: root.other()
# render: (Root.first, Root.second, Root.third, Root.names)
#
# Spec §6, §7: sections repeat in any order; bodies of one kind are concatenated, so a
# later variable: section uses names of an earlier one (original testMultipleSections).
# The class body holds the variables, then functions, views and masks in source order.
CherryClass Root:
variable:
    first = 1
    names = ['a']
function:
    def double(self, x):
        return 2 * x
mask:
    def index(self):
        <py-eval="self.second">, <py-eval="self.double(self.third)">, <py-eval="self.names">
variable:
    second = first + 1
    names = names + ['b']
view:
    def total(self):
        return str(self.first + self.second + self.third) + ' ' + self.triple('x')
function:
    def triple(self, s):
        return s * 3
variable:
    # a comment line inside a section
    third = second + first
mask:
    def other(self):
        other mask, <py-eval="self.total()">
view:
    def unused(self):
        return 'a second view: section'
