# Hello world: one CherryClass, one mask, one view.
# Compile with: cherryc compile --autoescape site.cpy   (writes siteServer.py)
# Serve with:   python siteServer.py                    (http://127.0.0.1:8000/)

CherryClass Root:
variable:
    title = "Hello from cherryc"
mask:
    def index(self, name="world"):
        <html>
        <head><title py-eval="self.title">title</title></head>
        <body>
            <h1>Hello, <py-eval="name">!</h1>
            <p>Try <a py-attr="self.getPath() + '?name=you'" href="">?name=you</a>,
               or the <a py-attr="self.getPath() + '/time'" href="">time view</a>.</p>
        </body>
        </html>
view:
    def time(self):
        response.headerMap['content-type'] = 'text/plain; charset=utf-8'
        return time.strftime("%H:%M:%S\n")
