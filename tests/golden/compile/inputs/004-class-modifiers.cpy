# render: [name for name in INSTANCE_NAMES if name in globals()]
# render: plain.index()
# render: remote.index()
# render: secret.index() + secret.secretOnly()
# render: kid.secretOnly()
# render: remoteSecret.index()
# render: kid.index() + kid.own()
# render: remoteKid.index() + remoteKid.own()
# render: secretKid.index() + secretKid.own()
# render: remoteSecretKid.index() + remoteSecretKid.own()
# render: grandkid.index() + grandkid.own()
# render: store.getPath() + ' ' + str(isinstance(store, UserDict))
#
# Spec §6, §14: `CherryClass Name(Parents) xmlrpc hidden abstract:` with every
# combination of the three keywords, without and with parents. Abstract classes get no
# instance; hidden and xmlrpc classes do. The URL tables in the .py output: hidden
# classes have none and pass none on to children, abstract parents pass theirs on,
# xmlrpc classes are in xmlrpc_urls only. A plain Python class may be a parent.
from collections import UserDict

INSTANCE_NAMES = (
    'plain', 'remote', 'secret', 'base', 'remoteSecret', 'remoteBase', 'secretBase',
    'remoteSecretBase', 'kid', 'remoteKid', 'secretKid', 'baseKid', 'remoteSecretKid',
    'remoteBaseKid', 'secretBaseKid', 'remoteSecretBaseKid', 'grandkid', 'store',
)

CherryClass Plain:
mask:
    def index(self):
        Plain.index
view:
    def info(self):
        return 'Plain.info'

CherryClass Remote xmlrpc:
mask:
    def index(self):
        Remote.index
view:
    def info(self):
        return 'Remote.info'

CherryClass Secret hidden:
mask:
    def index(self):
        Secret.index
view:
    def info(self):
        return 'Secret.info'
    def secretOnly(self):
        return 'Secret.secretOnly'

CherryClass Base abstract:
mask:
    def index(self):
        Base.index on <py-eval="type(self).__name__">
view:
    def info(self):
        return 'Base.info'

CherryClass RemoteSecret xmlrpc hidden:
mask:
    def index(self):
        RemoteSecret.index
view:
    def info(self):
        return 'RemoteSecret.info'

CherryClass RemoteBase xmlrpc abstract:
mask:
    def index(self):
        RemoteBase.index on <py-eval="type(self).__name__">
view:
    def info(self):
        return 'RemoteBase.info'

CherryClass SecretBase hidden abstract:
mask:
    def index(self):
        SecretBase.index on <py-eval="type(self).__name__">
view:
    def secretInfo(self):
        return 'SecretBase.secretInfo'

CherryClass RemoteSecretBase xmlrpc hidden abstract:
view:
    def remoteSecretInfo(self):
        return 'RemoteSecretBase.remoteSecretInfo'

CherryClass Kid(Plain, Secret):
view:
    def own(self):
        return 'Kid.own'

CherryClass RemoteKid(RemoteBase) xmlrpc:
view:
    def own(self):
        return 'RemoteKid.own'

CherryClass SecretKid(Plain) hidden:
view:
    def own(self):
        return 'SecretKid.own'

CherryClass BaseKid(Base, SecretBase) abstract:
view:
    def own(self):
        return 'BaseKid.own'

CherryClass RemoteSecretKid(Remote) xmlrpc hidden:
view:
    def own(self):
        return 'RemoteSecretKid.own'

CherryClass RemoteBaseKid(RemoteBase) xmlrpc abstract:
view:
    def own(self):
        return 'RemoteBaseKid.own'

CherryClass SecretBaseKid(Base) hidden abstract:
view:
    def own(self):
        return 'SecretBaseKid.own'

CherryClass RemoteSecretBaseKid(RemoteBase, RemoteSecretBase) xmlrpc hidden abstract:
view:
    def own(self):
        return 'RemoteSecretBaseKid.own'

CherryClass Grandkid(BaseKid, SecretBaseKid):
view:
    def extra(self):
        return 'Grandkid.extra'

CherryClass Store(UserDict):
function:
    def size(self):
        return len(self)
