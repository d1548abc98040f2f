# CookieAuthenticate: a login form, then a signed cookie (CherryPy 0.x standard library, spec §26).
#
#     use CookieAuthenticate
#     CherryClass Private(CookieAuthenticate):
#     function:
#         def getPasswordListForLogin(self, login):
#             return PASSWORDS.get(login, [])
#     mask:
#         def index(self):
#             Hello <py-eval="request.login">
#
# Every mask and view of a derived class (but hidden ones and the login pages themselves)
# first checks the cookie CherryLogin; without a valid one the page is replaced by the
# login screen, which posts to doLogin. The server keeps no state: the cookie holds the
# login, the time it was issued and an HMAC-SHA256 (key derived from [server] siteKey)
# over them and the password used, so it cannot be forged and dies when that password
# changes. It expires `timeout` minutes after the last request, each request renewing it.
# Logging out deletes it from the browser, but a copy kept elsewhere works until it
# expires: when that matters, use CookieSessionAuthenticate, which keeps logins on the server.
# The logged-in name is request.login (self.login reads the same, per request).

from cherryc.stdlib import _auth
from cherryc.stdlib import _support as _stdlib

CherryClass CookieAuthenticate abstract:
variable:
    login = _auth.request_login
    cookieName = "CherryLogin"
    # Minutes without a request after which the login expires.
    timeout = 60
    timeoutMessage = _stdlib.Markup("Your login has expired: please log in again.")
    wrongLoginPasswordMessage = _stdlib.Markup("Wrong login or password.")
    noCookieMessage = _stdlib.Markup("Please log in.")
    logoutMessage = _stdlib.Markup("You have been logged out.")
aspect:
    (method.type in ('mask', 'view') and not method.isHidden and method.name not in ('loginScreen', 'logoutScreen', 'doLogin', 'doLogout')) start:
        _loginScreen = self.checkLoginCookie()
        if _loginScreen is not None:
            return _loginScreen
function:
    def __init__(self):
        _auth.warn_if_demo_login(self, CookieAuthenticate, "getPasswordListForLogin", logMessage)
    def getPasswordListForLogin(self, login):
        """The passwords accepted for `login` ([] refuses it). Override this: the
        default accepts only the demo login `login` with the password `password`."""
        return ["password"] if login == "login" else []
    def checkLoginCookie(self):
        """None if the request's login cookie is valid (request.login is then set and the
        cookie renewed); otherwise the login screen to show instead of the page."""
        token = _auth.get_cookie(self.cookieName)
        if not token:
            return self.loginScreen(self.noCookieMessage, _auth.current_page())
        login, issued = _auth.read_login_token(token) or ("", 0)
        passwords = self.getPasswordListForLogin(login)
        password = _auth.login_token_password(self.cookieName, token, passwords)
        if password is None:
            _auth.delete_cookie(self.cookieName)
            return self.loginScreen(self.wrongLoginPasswordMessage, _auth.current_page())
        if time.time() > issued + self.timeout * 60:
            _auth.delete_cookie(self.cookieName)
            return self.loginScreen(self.timeoutMessage, _auth.current_page(), login)
        request.login = login
        self.setLoginCookie(login, password)
        return None
    def setLoginCookie(self, login, password):
        """Send a login cookie issued now."""
        token = _auth.make_login_token(self.cookieName, login, password, time.time())
        _auth.set_cookie(self.cookieName, token, self.timeout * 60)
view:
    def doLogin(self, login="", password="", fromPage=""):
        """The login form's target: on success set the cookie and go back to `fromPage`
        (a path on this site only); else the login screen again with a message."""
        login, password = _auth.text_field(login), _auth.text_field(password)
        if request.method != "POST":  # a password never travels in a URL
            return self.loginScreen(self.noCookieMessage, fromPage, login)
        if not _auth.password_matches(password, self.getPasswordListForLogin(login)):
            return self.loginScreen(self.wrongLoginPasswordMessage, fromPage, login)
        request.login = login
        self.setLoginCookie(login, password)
        return _auth.redirect(_auth.local_path(fromPage, self.getPath(0)))
    def doLogout(self):
        """Forget the login cookie and go to the logout screen."""
        _auth.delete_cookie(self.cookieName)
        return _auth.redirect(self.getPath(0) + "/logoutScreen")
    def logoutScreen(self):
        """The login screen, saying the user has logged out."""
        return self.loginScreen(self.logoutMessage, self.getPath(0))
mask:
    def loginScreen(self, message, fromPage, login=''):
        <!DOCTYPE html>
        <html>
        <head><meta charset="utf-8"><title>Log in</title></head>
        <body>
        <h1>Log in</h1>
        <py-if="message"><p class="message" role="alert" py-eval="_stdlib.escape(message)">message</p></py-if>
        <form method="post" py-attr="_stdlib.escape(self.getPath(0) + '/doLogin')" action="">
        <input type="hidden" name="fromPage" py-attr="_stdlib.escape(fromPage)" value="">
        <p><label>Login <input type="text" name="login" py-attr="_stdlib.escape(login)" value="" autocomplete="username" required></label></p>
        <p><label>Password <input type="password" name="password" autocomplete="current-password" required></label></p>
        <p><button type="submit">Log in</button></p>
        </form>
        </body>
        </html>
