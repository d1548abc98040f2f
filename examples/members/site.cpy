# A members area behind a login form, and an admin area behind the browser's own
# password dialog.
#
# Compile with: cherryc compile --autoescape site.cpy   (writes siteServer.py)
# Serve with:   python siteServer.py                    (http://127.0.0.1:8012/)
#
# /members derives from CookieSessionAuthenticate: its pages show a login form until
# the visitor logs in, and the login is kept in the session (switched on by the
# [session] section of siteServer.cfg). /admin derives from HttpAuthenticate: the
# browser asks for a login and password (HTTP Basic) and sends them with every request.
# Both give the logged-in name to their pages as request.login.

use CookieSessionAuthenticate, HttpAuthenticate

import hashlib
import hmac

# scrypt settings: about 50 ms and 16 MB per check, so stolen hashes are slow to crack.
SCRYPT = {"n": 2 ** 14, "r": 8, "p": 1, "dklen": 32}

# The members: login -> (full name, salt, scrypt hash of the password); passwords are
# never stored. The demo passwords are in the README.
MEMBERS = {
    "alice": ("Alice Liddell", "c5318840928aff67914297c5a041b3c3",
              "d847e4336314e799b64c3bbd35c5a348e0356d196fce928ab8e91bd3f771c759"),
    "bob": ("Bob the Builder", "cada078a95153585fc864de08801797f",
            "1861f358e760b44ff03011014a25c625fa087baa4dd1634595abe4d0a077f86b"),
}
# Checked against for unknown logins, so that they take as long as known ones.
NOBODY = ("", "00000000000000000000000000000000", "")


def passwordIsRight(login, password):
    """Whether `password` is the member `login`'s (compared in constant time)."""
    name, salt, stored = MEMBERS.get(login, NOBODY)
    given = hashlib.scrypt(password.encode("utf-8"), salt=bytes.fromhex(salt), **SCRYPT)
    return login in MEMBERS and hmac.compare_digest(given.hex(), stored)

CherryClass Root:
mask:
    def index(self):
        <!DOCTYPE html>
        <html>
        <head><meta charset="utf-8"><title>Members example</title></head>
        <body>
        <h1>Members example</h1>
        <ul>
        <li><a href="/members">Members area</a>: log in with a form (CookieSessionAuthenticate)</li>
        <li><a href="/admin">Admin area</a>: the browser asks for a password (HttpAuthenticate)</li>
        </ul>
        </body>
        </html>

CherryClass Members(CookieSessionAuthenticate):
variable:
    # Log members out after 30 minutes without a request.
    timeout = 30
function:
    def checkLoginAndPassword(self, login, password):
        """None for a member's right password, else the message for the login screen."""
        return None if passwordIsRight(login, password) else self.wrongLoginPasswordMessage
mask:
    def index(self):
        <!DOCTYPE html>
        <html>
        <head><meta charset="utf-8"><title>Members area</title></head>
        <body>
        <h1>Members area</h1>
        <p>Welcome, <strong id="member" py-eval="MEMBERS[request.login][0]">name</strong> (logged in as <code id="login" py-eval="request.login">login</code>).</p>
        <p>Only members see this page. Your login lasts until you log out, or 30 minutes without a visit.</p>
        <form method="post" action="/members/doLogout"><button type="submit">Log out</button></form>
        <p><a href="/">Home</a></p>
        </body>
        </html>

CherryClass Admin(HttpAuthenticate):
function:
    def getPasswordListForLogin(self, login):
        """The administrator's password, from the [admin] section of siteServer.cfg
        (HTTP Basic compares clear passwords: keep that file private)."""
        if login == configFile.get("admin", "login", fallback=None):
            return [configFile.get("admin", "password", fallback="")]
        return []
mask:
    def index(self):
        <!DOCTYPE html>
        <html>
        <head><meta charset="utf-8"><title>Admin area</title></head>
        <body>
        <h1>Admin area</h1>
        <p>Logged in as <code id="login" py-eval="self.login">admin</code>. The browser sends the password with every request: close it to log out.</p>
        <h2>Members</h2>
        <table>
        <tr><th>Login</th><th>Name</th></tr>
        <py-for="member in sorted(MEMBERS)"><tr><td py-eval="member">login</td><td py-eval="MEMBERS[member][0]">name</td></tr>
        </py-for>
        </table>
        <p><a href="/">Home</a></p>
        </body>
        </html>
