# render: root.index()
# render: root.view()
#
# Spec §10.8: without -D, <py-debug="expr"> and <div py-debug="expr">...</div> are
# removed (debug() does nothing); the text around them stays.
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
