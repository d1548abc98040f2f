# A site made of three modules: Layout.cpy (the shared header and footer, through an
# aspect), Blog.cpy (posts, rendered with the template templates/post.html) and this
# main file.
#
# Compile with: cherryc compile --autoescape site.cpy   (writes siteServer.py)
# Serve with:   python siteServer.py                    (http://127.0.0.1:8018/)
#
# `use` loads the modules (each once, whatever uses it): their classes, imports and
# top-level code come first in the generated module, in dependency order (Layout, then
# Blog, then this file). A special function defined in several modules becomes one
# function running each module's body in that order: here initRequest and
# initNonStaticResponse each have a part in Layout and in Blog.

use Layout, Blog

CherryClass Root(Layout):
variable:
    title = "Home"
mask:
    def index(self):
        <h1>Welcome</h1>
        <p>This page comes from site.cpy, its header and footer from Layout.cpy.</p>
        <py-exec="post = blog.latest()">
        <p>Latest post: <a py-attr="'/blog/post?id=%d' % post['id']" href="" py-eval="post['title']">title</a>,
        or read <a href="/blog">the blog</a>.</p>
