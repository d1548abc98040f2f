# Blog: a few posts, shown in the shared layout. It uses Layout, so Layout's classes
# and special-function parts come before its own in the generated module.

use Layout

POSTS = [
    {"id": 1, "date": "2004-03-01", "title": "Modules",
     "paragraphs": ["A site can be split into .cpy modules joined by `use` lines.",
                    "Each module brings its classes and its part of the special functions."]},
    {"id": 2, "date": "2004-03-08", "title": "Aspects",
     "paragraphs": ["Layout's aspect puts the header and footer around every page.",
                    "It is applied when the site is compiled, not at each request."]},
    {"id": 3, "date": "2004-03-15", "title": "Templates & <py-include>",
     "paragraphs": ["templates/post.html is pasted into two masks at compile time.",
                    "The blog lists the first paragraph of each post; a post's page shows all."]},
]


def initRequest():
    # Blog's part of initRequest, run after Layout's: blog pages add themselves to the
    # trail Layout started. No `return` here: it would skip the parts that follow.
    if request.path.partition("/")[0] == "blog":
        request.breadcrumbs.append(("Blog", "/blog"))

def initNonStaticResponse():
    # Blog's part: browsers may keep its pages (not its 404s) for a minute.
    if request.path.partition("/")[0] == "blog" and str(response.headerMap["status"]).startswith("200"):
        response.headerMap["cache-control"] = "max-age=60"

CherryClass Blog(Layout):
variable:
    title = "Blog"
function:
    def findPost(self, id):
        """The post with this id (a string from the URL), or None."""
        for post in POSTS:
            if str(post["id"]) == id:
                return post
        return None
    def latest(self):
        return POSTS[-1]
mask:
    def index(self):
        <h1>Blog</h1>
        <py-for="post in reversed(POSTS)">
        <py-exec="full = False">
        <py-include="templates/post.html">
        </py-for>
    def post(self, id=""):
        <py-exec="post = self.findPost(id)">
        <py-if="post">
        <py-exec="full = True">
        <py-include="templates/post.html">
        </py-if><py-else>
        <py-exec="response.headerMap['status'] = 404">
        <h1>No such post</h1>
        </py-else>
