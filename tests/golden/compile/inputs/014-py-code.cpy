# render: root.index()
# render: root.index(n=1)
# render: root.early()
# render: root.early(stop='no')
#
# Spec §10.4: <py-code="(newline) ... "> runs a block of statements; the block ends at
# the first '">'. Blank lines are dropped, the common indentation is removed and the
# block is re-indented to the current level (here inside a py-for). CHTL form
# <div py-code="..."></div>. Code writes with _page.append and may return early.
CherryClass Root:
mask:
    def index(self, n=3):
        start
        <py-code="
            total = 0

            for i in range(n):
                total += i
                _page.append('[%d]' % i)
        ">
        total=<py-eval="total">
        <div py-code="
            if total > 2:
                label = 'big'
            else:
                label = 'small'
        "></div>label=<py-eval="label">
        <py-code="
            _page.append('same line')"> end
        <py-for="word in ('x', 'y')">
            <py-code="
                    if word == 'y':
                        _page.append(word.upper())
                    else:
                        _page.append(word)
            "></py-for>
    def early(self, stop='yes'):
        before
        <py-code="
            if stop == 'yes':
                _page.append('stopped')
                return ''.join(_page)
        ">
        after
