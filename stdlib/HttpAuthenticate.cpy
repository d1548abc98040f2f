# HttpAuthenticate: HTTP Basic authentication (CherryPy 0.x standard library, spec §26).
#
#     use HttpAuthenticate
#     CherryClass Admin(HttpAuthenticate):
#     function:
#         def getPasswordListForLogin(self, login):
#             return PASSWORDS.get(login, [])
#     mask:
#         def index(self):
#             Hello <py-eval="request.login">
#
# Every mask and view of a derived class (but hidden ones) first checks the request's
# Authorization header. Without a right login and password the page is replaced by
# `401 Unauthorized` with `WWW-Authenticate: Basic realm="<realm>"`, and the browser asks
# for them. Passwords are compared in constant time; a malformed header is a 401 too.
# The logged-in name is request.login (self.login reads the same, per request).
# Basic sends the password with every request: serve such pages over HTTPS.

from cherryc.stdlib import _auth
from cherryc.stdlib import _support as _stdlib

CherryClass HttpAuthenticate abstract:
variable:
    login = _auth.request_login
    # The name the browser shows when it asks for a password; None: the class name.
    realm = None
    unauthorizedMessage = _stdlib.Markup("This page needs a login and password.")
aspect:
    (method.type in ('mask', 'view') and not method.isHidden and method.name != 'unauthorizedScreen') start:
        _unauthorizedScreen = self.checkHttpAuthorization()
        if _unauthorizedScreen is not None:
            return _unauthorizedScreen
function:
    def __init__(self):
        _auth.warn_if_demo_login(self, HttpAuthenticate, "getPasswordListForLogin", logMessage)
    def getPasswordListForLogin(self, login):
        """The passwords accepted for `login` ([] refuses it). Override this: the
        default accepts only the demo login `login` with the password `password`."""
        return ["password"] if login == "login" else []
    def checkHttpAuthorization(self):
        """None if the request carries a right login and password (request.login is then
        set); otherwise the 401 page to send instead of the page."""
        credentials = _auth.basic_credentials(request.headerMap.get("authorization"))
        if credentials is not None:
            login, password = credentials
            if _auth.password_matches(password, self.getPasswordListForLogin(login)):
                request.login = login
                return None
        response.headerMap["status"] = "401 Unauthorized"
        realm = self.realm or type(self).__name__
        response.headerMap["www-authenticate"] = _auth.basic_challenge(realm)
        return self.unauthorizedScreen()
mask:
    def unauthorizedScreen(self) hidden:
        <!DOCTYPE html>
        <html>
        <head><meta charset="utf-8"><title>401 Unauthorized</title></head>
        <body>
        <h1>401 Unauthorized</h1>
        <p py-eval="_stdlib.escape(self.unauthorizedMessage)">message</p>
        </body>
        </html>
