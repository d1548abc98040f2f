# A visit counter kept in the session: every browser has its own count, and a
# button starts it again.
#
# Compile with: cherryc compile --autoescape site.cpy   (writes siteServer.py)
# Serve with:   python siteServer.py                    (http://127.0.0.1:8015/)
#
# Sessions are switched on by the [session] section of siteServer.cfg. The server
# then gives each browser a session cookie (HttpOnly, SameSite=Lax) and hands its
# data to every mask and view as the dict request.sessionMap, saved after the page
# is built. The session id in it (request.sessionMap['_sessionId']) is as secret as
# a password, so no page ever shows it.

CherryClass Root:
function:
    def countVisit(self):
        """Count this visit in the session; return the number of visits so far."""
        visits = request.sessionMap.get("visits", 0) + 1
        request.sessionMap["visits"] = visits
        return visits
mask:
    def index(self):
        <!DOCTYPE html>
        <html>
        <head><meta charset="utf-8"><title>Visit counter</title></head>
        <body>
        <h1>Visit counter</h1>
        <py-exec="visits = self.countVisit()">
        <p>You have seen this page <strong py-eval="visits">1</strong> <py-eval="'time' if visits == 1 else 'times'">.</p>
        <p>Reload to count again, or try another browser: it has a count of its own.</p>
        <form action="reset" method="post"><button type="submit">Start again</button></form>
        </body>
        </html>
view:
    def reset(self):
        # It changes the session, so only the form's POST may do it (a link, a
        # prefetch or a crawler sends GET).
        if request.method != "POST":
            response.headerMap["status"] = 405
            response.headerMap["allow"] = "POST"
            response.headerMap["content-type"] = "text/plain; charset=utf-8"
            return "Use the Start again button of the home page.\n"
        request.sessionMap.pop("visits", None)
        # 303 See Other: the browser follows with a GET of the home page.
        response.headerMap["status"] = 303
        response.headerMap["location"] = request.base + "/"
        return ""
