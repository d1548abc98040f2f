# render: root.getPath()
# render: root.getPath(0)
# render: myClass.getPath()
# render: xml_rpc.getPath()
# render: xml_rpc.getPath(includeRequestBase=0)
# render: httpProtected.getPath(0)
# render: dir1_dir2.getPath(0)
# render: level2.getPath(0) + ' ' + level2.index()
# render: aBC.getPath(0)
#
# Spec §6: one instance per non-abstract CherryClass, named with the first letter in
# lower case (MyClass -> myClass, Xml_rpc -> xml_rpc, ABC -> aBC); getPath() is
# request.base + "/" + the instance name with "_" turned into "/" (Xml_rpc -> /xml/rpc),
# only the path when its argument is false; each class has its own (Level2 -> /level2).
CherryClass Root:
mask:
    def index(self):
        at <py-eval="self.getPath()">

CherryClass MyClass:
view:
    def index(self):
        return 'myClass'

CherryClass Xml_rpc xmlrpc:
view:
    def reverse(self, s):
        return s[::-1]

CherryClass HttpProtected:
view:
    def index(self):
        return 'protected'

CherryClass Dir1_dir2:
view:
    def page(self):
        return 'page'

CherryClass Level2(Root):
view:
    def other(self):
        return 'other'

CherryClass ABC:
view:
    def index(self):
        return 'abc'
