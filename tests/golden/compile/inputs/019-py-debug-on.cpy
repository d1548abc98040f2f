# options: -D
# render: (os.path.exists('out.dbg') and os.remove('out.dbg')) or 'no stale out.dbg'
# render: root.index()
# render: root.view()
# render: (__import__('pathlib').Path('out.dbg').read_text(), os.remove('out.dbg'))[0]
#
# Spec §2, §10.8, §24: with -D, py-debug compiles to debug(expr), which appends
# str(expr) to <base>.dbg (here out.dbg in the working directory, read back and
# removed by the last render line); the page text is the same as without -D (018).
CherryClass Root:
view:
    def view(self):
        debug('from a view')
        return 'view'
mask:
    def index(self):
        a<py-debug="'note'">b
        <div py-debug="'in a div'">shown only in a WYSIWYG editor</div>c
        <py-debug="'alone ' + str(1)">
        end
