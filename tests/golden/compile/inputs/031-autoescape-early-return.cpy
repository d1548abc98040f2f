# options: --autoescape
# render: root.outer()
# render: type(root.inner()).__name__
#
# DESIGN.md §2 (--autoescape: masks return Markup, so one mask can embed another
# without double escaping) with spec §10.4 (py-code may return early from the mask with
# return "".join(_page)): the early return is a mask's return too, so the inner mask's
# HTML must not be escaped by the outer one: "[<b>bold</b>\n]\n", type Markup.
CherryClass Root:
mask:
    def inner(self, stop=1):
        <b>bold</b>
        <py-code="
            if stop:
                return ''.join(_page)
        ">
        never
    def outer(self):
        [<py-eval="self.inner()">]
