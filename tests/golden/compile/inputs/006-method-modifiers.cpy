# render: root.shown()
# render: root.secretView()
# render: root.remoteView(2, 3)
# render: root.remoteView()
# render: root.page()
# render: root.remoteMask('rpc')
# render: root.helper()
#
# Spec §8, §14: `hidden` and `xmlrpc` after the parameter list of a view or a mask.
# All of them stay callable from code; in the URL tables of the .py output `root` has
# only shown and page, and xmlrpc_urls has remoteView and remoteMask (never helper).
CherryClass Root:
view:
    def shown(self):
        return 'shown view'
    def secretView(self) hidden:
        return 'hidden view'
    def remoteView(self, a=1, b=2) xmlrpc:
        return a + b
mask:
    def page(self):
        page mask, calling <py-eval="self.secretMask()">
    def secretMask(self) hidden:
        hidden mask
    def remoteMask(self, name) xmlrpc:
        Hello <py-eval="name">
function:
    def helper(self):
        return 'function ' + self.secretView()
