# A tour of the special functions: the hooks the server calls around masks and views.
#
# Compile with: cherryc compile --autoescape site.cpy   (writes siteServer.py)
# Serve with:   python siteServer.py                    (http://127.0.0.1:8013/)
#
# When each one runs (spec §13):
#   start-up      initServer()              once, after the instances exist, before listening
#                 initThread(threadIndex)   in each worker thread, before its first request
#   every request initRequest()             static files too, before the URL is looked at
#                 initNonStaticRequest()    pages only, after the session is loaded
#                 ... the mask or view ...
#                 initResponse()            every response, static and cached ones too
#                 initNonStaticResponse()   pages only, after initResponse
#   on failure    onError()                 an exception, or no page for the URL
#   any time      logMessage(message, level=0)   every line the server logs
# A module may define each of them once; with `use`, the bodies of all the modules are
# joined into one function (see examples/multimodule).

import sys

# The articles of the site; /article/<id> and the aliases below show them.
ARTICLES = {
    "1": ("Welcome", "This site shows where each special function comes in."),
    "2": ("Friendly URLs", "initNonStaticRequest turned /article/2 into article?id=2."),
    "3": ("Footers", "initNonStaticResponse added the timing line below this text."),
}
ALIASES = {"about": "1"}  # /about shows article 1


def initServer():
    # Module-level state lives in globals made here (top-level code also works).
    global startedAt, requestCount, countLock
    startedAt = time.time()
    requestCount = 0
    countLock = threading.Lock()  # worker threads count at the same time
    logMessage("tour: initServer ran; the server starts listening next")

def initThread(threadIndex):
    # What this puts on `request` stays there for every request the thread serves;
    # 0.x sites kept one database connection per thread this way.
    request.threadIndex = threadIndex

def initRequest():
    global requestCount
    with countLock:
        requestCount += 1
        request.number = requestCount
    request.startTime = time.perf_counter()

def initNonStaticRequest():
    # URL rewriting: request.path and request.paramMap may be changed before the URL is
    # mapped. /article/42 becomes article(id="42"); /about becomes article(id="1").
    section, _, rest = request.path.partition("/")
    if section == "article" and rest.isdigit():
        request.path = "article"
        request.paramMap["id"] = rest
    elif request.path in ALIASES:
        request.paramMap["id"] = ALIASES[request.path]
        request.path = "article"

def initResponse():
    response.headerMap["x-request-number"] = str(request.number)

def initNonStaticResponse():
    # A footer with the time spent, added to HTML pages only (not to /plain).
    if not response.headerMap["content-type"].startswith("text/html"):
        return
    spent = (time.perf_counter() - request.startTime) * 1000
    footer = ('<footer><small>Request %d, served by thread %d in %.2f ms.</small></footer>\n'
              % (request.number, request.threadIndex, spent))
    response.body = str(response.body).replace("</body>", footer + "</body>", 1)

def onError():
    # The status is already set: 404 (no page for the URL) or 500 (an exception). The
    # server has logged a 500's traceback; the visitor gets a friendly page instead, and
    # the status stays as it is.
    status = response.headerMap["status"]
    logMessage("tour: onError answered %s for %r" % (status, "/" + getattr(request, "path", "")))
    response.headerMap["content-type"] = "text/html; charset=utf-8"
    response.body = str(root.errorPage(status))

def logMessage(message, level=0):
    # Replaces the server's logging: access lines, start-up, tracebacks and our own
    # lines all come here. This one writes level-0 messages to stderr, marked; the
    # [server] options logToScreen and logFile belonged to the default, so they go too.
    if level == 0:
        print("[tour] " + message, file=sys.stderr, flush=True)

CherryClass Root:
function:
    def findArticle(self, id):
        """(title, text) of article `id`; an unknown one is a 404 page."""
        if id in ARTICLES:
            return ARTICLES[id]
        response.headerMap["status"] = 404
        return "No such article", "There is no article %s." % id
mask:
    def index(self):
        <!DOCTYPE html>
        <html>
        <head><meta charset="utf-8"><title>Special functions tour</title></head>
        <body>
        <h1>Special functions tour</h1>
        <ul>
        <py-for="key, (title, text) in ARTICLES.items()">
        <li><a py-attr="'/article/' + key" href="" py-eval="title">title</a></li>
        </py-for>
        <li><a href="/about">/about</a>: an alias of article 1</li>
        <li><a href="/stats">Statistics</a>: what initServer, initThread and initRequest keep</li>
        <li><a href="/plain">A plain-text view</a>: no footer there</li>
        <li><a href="/broken">A view that fails</a> and <a href="/nowhere">a missing page</a>: onError</li>
        </ul>
        </body>
        </html>
    def article(self, id):
        <!DOCTYPE html>
        <html><py-exec="title, text = self.findArticle(id)">
        <head><meta charset="utf-8"><title py-eval="title">title</title></head>
        <body>
        <h1 py-eval="title">title</h1>
        <p py-eval="text">text</p>
        <p><a href="/">Back to the tour</a></p>
        </body>
        </html>
    def stats(self):
        <!DOCTYPE html>
        <html>
        <head><meta charset="utf-8"><title>Statistics</title></head>
        <body>
        <h1>Statistics</h1>
        <p>Requests since the server started: <strong id="requests" py-eval="requestCount">0</strong>
        (started <py-eval="time.strftime('%Y-%m-%d %H:%M:%S', time.localtime(startedAt))">).</p>
        <p>This is request <span id="number" py-eval="request.number">1</span>, served by
        worker thread <span id="thread" py-eval="request.threadIndex">0</span>.</p>
        <p><a href="/">Back to the tour</a></p>
        </body>
        </html>
    def errorPage(self, status) hidden:
        <!DOCTYPE html>
        <html>
        <head><meta charset="utf-8"><title>Sorry</title></head>
        <body>
        <h1>Sorry!</h1>
        <py-if="status.startswith('404')">
        <p>There is no page at this address.</p>
        </py-if><py-else>
        <p>Something went wrong on our side; it has been logged. Please try again later.</p>
        </py-else>
        <p><a href="/">Back to the tour</a></p>
        </body>
        </html>
view:
    def plain(self):
        response.headerMap["content-type"] = "text/plain; charset=utf-8"
        return "Plain text: initNonStaticResponse leaves it alone.\n"
    def broken(self):
        raise RuntimeError("this view fails on purpose")
