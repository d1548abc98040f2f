# Static content: a stylesheet and an image served from a folder, next to a page.
#
# Compile with: cherryc compile --autoescape site.cpy   (writes siteServer.py)
# Serve with:   python siteServer.py                    (http://127.0.0.1:8017/)
#
# The [staticContent] section of siteServer.cfg maps the URL prefix /static to the
# folder static/, so no mask or view is needed for /static/style.css: the server sends
# the file itself, with its type (text/css, image/png) and a Last-Modified date, and
# answers 304 Not Modified, without the file, to a browser whose copy is still fresh
# (If-Modified-Since). Paths never leave the folder; a missing file is a 404. Static
# requests run initRequest and initResponse, but no session, initNonStaticRequest or
# initNonStaticResponse.

CherryClass Root:
mask:
    def index(self):
        <!DOCTYPE html>
        <html>
        <head>
        <meta charset="utf-8">
        <title>Static content</title>
        <link rel="stylesheet" href="/static/style.css">
        </head>
        <body>
        <h1><img class="logo" src="/static/cherry.png" width="32" height="32" alt=""> Static content</h1>
        <p>This page is a mask; its stylesheet <code>/static/style.css</code> and the cherry
        <code>/static/cherry.png</code> are files of the <code>static</code> folder, sent by
        the server as they are.</p>
        </body>
        </html>
