# render: traced(root.page)
# render: traced(root.special)
# render: traced(root.secret)
# render: traced(root.data)
# render: traced(root.remote)
# render: traced(root.helper)
# render: traced(other.page)
# render: traced(rpc.call)
# render: traced(logged.ownMask)
# render: traced(logged.ownView)
#
# Spec §9: aspect conditions are evaluated at compile time for each method of the
# classes derived from the declaring class, with method.name, className, type, isHidden
# (hidden method or hidden class), isXmlrpc (xmlrpc method or xmlrpc class); `*` means always. Aspects apply to
# functions, views and masks, but not to the methods of the declaring class itself.
trace = []


def traced(method):
    """Call a method with an empty trace; show its result and what the aspects did."""
    del trace[:]
    result = method()
    return '%r %s' % (result, trace)

CherryClass Logged:
aspect:
    * start:
        trace.append('*')
    (method.type == 'mask') start:
        _page.append('[mask start]')
    (method.type == 'mask') end:
        _page.append('[mask end]')
    (method.type == 'view') start:
        trace.append('view')
    (method.type == 'function') start:
        trace.append('function')
    (method.name == 'special') start:
        trace.append('name is special')
    (method.className == 'Other') start:
        trace.append('className is Other')
    (method.isHidden) start:
        trace.append('isHidden')
    (method.isXmlrpc == 1) start:
        trace.append('isXmlrpc')
    (method.type == 'mask' and not method.isHidden) end:
        _page.append('[visible mask end]')
view:
    def ownView(self):
        return 'own view of Logged'
mask:
    def ownMask(self):
        own mask of Logged

CherryClass Root(Logged):
function:
    def helper(self):
        return 'function'
view:
    def data(self):
        return 'view'
    def remote(self) xmlrpc:
        return 'xmlrpc view'
mask:
    def page(self):
        page
    def special(self):
        special
    def secret(self) hidden:
        secret

CherryClass Other(Logged) hidden:
mask:
    def page(self):
        other page

CherryClass Rpc(Logged) xmlrpc:
view:
    def call(self):
        return 'view of an xmlrpc class'
