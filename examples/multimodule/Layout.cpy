# Layout: the look shared by every page of the site, as a module other modules `use`.
#
# CherryClass Layout is abstract (no instance, no URLs of its own). Its aspect wraps
# every visible mask of the classes derived from it: the header mask's HTML is added
# before the page's own and the footer's after it, at compile time. An aspect applies
# to derived classes only, so header and footer themselves are not wrapped; they are
# hidden, so no URL reaches them.

SITE_NAME = "Three modules"


def initRequest():
    # Layout's part of initRequest: every page's trail of links starts at home. Blog
    # adds its own part; the server runs the parts in `use` order, Layout's first.
    request.breadcrumbs = [("Home", "/")]

def initNonStaticResponse():
    # Layout's part: security headers for every page.
    response.headerMap["x-content-type-options"] = "nosniff"
    response.headerMap["referrer-policy"] = "same-origin"

CherryClass Layout abstract:
variable:
    title = ""  # each page class names itself
aspect:
    (method.type == 'mask' and not method.isHidden) start:
        _page.append(self.header())
    (method.type == 'mask' and not method.isHidden) end:
        _page.append(self.footer())
mask:
    def header(self) hidden:
        <!DOCTYPE html>
        <html>
        <head><meta charset="utf-8"><title><py-eval="self.title"> - <py-eval="SITE_NAME"></title></head>
        <body>
        <nav><py-for="label, url in request.breadcrumbs"><py-if="_index"> &gt; </py-if><a py-attr="url" href="" py-eval="label">label</a></py-for></nav>
    def footer(self) hidden:
        <footer><small py-eval="SITE_NAME + ', made of Layout.cpy, Blog.cpy and site.cpy'">footer</small></footer>
        </body>
        </html>
