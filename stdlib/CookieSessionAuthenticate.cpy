# CookieSessionAuthenticate: a login form, then a login kept in the session (CherryPy 0.x
# standard library, spec §26). Needs sessions: [session] storageType in the configuration.
#
#     use CookieSessionAuthenticate
#     CherryClass Members(CookieSessionAuthenticate):
#     function:
#         def checkLoginAndPassword(self, login, password):
#             return None if passwordIsRight(login, password) else "Wrong login or password."
#     mask:
#         def index(self):
#             Hello <py-eval="request.login">
#
# Every mask and view of a derived class (but hidden ones and the login pages themselves)
# first looks for the cookie CherrySessionId, a random id that logging in stores in the
# session as request.sessionMap[id] = (login, expiry). Without a known, unexpired id the
# page is replaced by the login screen, which posts to doLogin. The login expires
# `timeout` minutes after the last request, each request pushing the expiry back.
# The logged-in name is request.login (self.login reads the same, per request).

from cherryc.stdlib import _auth
from cherryc.stdlib import _support as _stdlib

CherryClass CookieSessionAuthenticate abstract:
variable:
    login = _auth.request_login
    sessionIdCookieName = "CherrySessionId"
    # Minutes without a request after which the login expires.
    timeout = 60
    timeoutMessage = _stdlib.Markup("Your login has expired: please log in again.")
    wrongLoginPasswordMessage = _stdlib.Markup("Wrong login or password.")
    noCookieMessage = _stdlib.Markup("Please log in.")
    logoutMessage = _stdlib.Markup("You have been logged out.")
aspect:
    (method.type in ('mask', 'view') and not method.isHidden and method.name not in ('loginScreen', 'logoutScreen', 'doLogin', 'doLogout')) start:
        _loginScreen = self.checkLoginSession()
        if _loginScreen is not None:
            return _loginScreen
function:
    def __init__(self):
        _auth.require_sessions(configFile, type(self).__name__)
        _auth.warn_if_demo_login(self, CookieSessionAuthenticate, "checkLoginAndPassword", logMessage)
    def checkLoginAndPassword(self, login, password):
        """None (or '') if `password` is right for `login`, else the message to show.
        Override this: the default accepts only the demo login `login` / `password`."""
        if login == "login" and _auth.password_matches(password, ["password"]):
            return None
        return self.wrongLoginPasswordMessage
    def checkLoginSession(self):
        """None if the request belongs to a logged-in session (request.login is then set and
        the expiry pushed back); otherwise the login screen to show instead of the page."""
        sessionId = _auth.get_cookie(self.sessionIdCookieName)
        if not sessionId:
            return self.loginScreen(self.noCookieMessage, _auth.current_page())
        found = _auth.session_login(request.sessionMap, sessionId)
        if found is None or time.time() > found[1]:  # unknown (logged out, forged) or expired
            self.forgetLoginSession()
            login = found[0] if found is not None else ""
            return self.loginScreen(self.timeoutMessage, _auth.current_page(), login)
        request.login = found[0]
        request.sessionMap[sessionId] = (request.login, time.time() + self.timeout * 60)
        return None
    def forgetLoginSession(self):
        """Remove this browser's login from the session and forget its cookie."""
        sessionId = _auth.get_cookie(self.sessionIdCookieName)
        if _auth.session_login(request.sessionMap, sessionId) is not None:
            del request.sessionMap[sessionId]
        _auth.delete_cookie(self.sessionIdCookieName)
view:
    def doLogin(self, login="", password="", fromPage=""):
        """The login form's target: on success start a login session and go back to
        `fromPage` (a path on this site only); else the login screen with the message."""
        login, password = _auth.text_field(login), _auth.text_field(password)
        if request.method != "POST":  # a password never travels in a URL
            return self.loginScreen(self.noCookieMessage, fromPage, login)
        error = self.checkLoginAndPassword(login, password)
        if error:
            return self.loginScreen(error, fromPage, login)
        self.forgetLoginSession()
        sessionId = _auth.new_session_id()
        request.sessionMap[sessionId] = (login, time.time() + self.timeout * 60)
        request.login = login
        _auth.set_cookie(self.sessionIdCookieName, sessionId)
        return _auth.redirect(_auth.local_path(fromPage, self.getPath(0)))
    def doLogout(self):
        """End the login session and go to the logout screen."""
        self.forgetLoginSession()
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
