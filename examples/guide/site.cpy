# The LeanEngine guide's classic examples on the site's own object store, and a page
# that lists the data. The cloud code is in guide_engine.py, written as for the official
# `leancloud` SDK (only its import differs); this file merges it and shows the data.
#
# Compile with: cherryc compile --autoescape site.cpy   (writes siteServer.py)
# Serve with:   python siteServer.py                    (from this folder; reads siteServer.cfg)
#
# The objects live in siteServer.db (SQLite, in the working directory), or in the
# database of `[storage] url` in siteServer.cfg. Clients reach them over REST
# (`/1.1/classes/...`, the official SDKs), cloud code and pages through
# `leancloud.Object` and `leancloud.Query`; either way the hooks run.

from cherryc.runtime import leancloud
import guide_engine

engine.register(guide_engine.engine)


def found(query, count=False):
    """What a query finds (or counts); none while its class has no object at all."""
    try:
        return query.count() if count else query.find()
    except leancloud.LeanCloudError as error:
        if error.code != 101:  # 101: "Class or object doesn't exists."
            raise
        return 0 if count else []


CherryClass Root:
function:
    def movies(self):
        # (movie, number of reviews, average stars), the average from the cloud
        # function itself, called in this process.
        counts = {}
        for review in found(leancloud.Query('Review').limit(1000)):
            movie = review.get('movie')
            counts[movie] = counts.get(movie, 0) + 1
        return [(movie, counts[movie], cloudfunc.run.local('averageStars', movie=movie))
                for movie in sorted(counts)]

    def posts(self):
        return found(leancloud.Query('Post').ascending('title').limit(1000))

    def albums(self):
        # (album, number of photos): one count query per album.
        albums = found(leancloud.Query('Album').ascending('title').limit(1000))
        return [(album, found(leancloud.Query('Photo').equal_to('album', album), count=True))
                for album in albums]
mask:
    def index(self):
        <html>
        <head><title>LeanEngine guide</title></head>
        <body>
            <h1>The LeanEngine guide's examples</h1>
            <h2>Movies</h2>
            <table id="movies">
                <tr><th>Movie</th><th>Reviews</th><th>Average stars</th></tr>
                <py-for="movie, count, average in self.movies()">
                <tr><td py-eval="movie">movie</td><td py-eval="count">0</td><td py-eval="'%.2f' % average">0</td></tr>
                </py-for>
            </table>
            <h2>Posts</h2>
            <table id="posts">
                <tr><th>Post</th><th>Comments</th><th>Updates</th></tr>
                <py-for="post in self.posts()">
                <tr><td py-eval="post.get('title')">title</td><td py-eval="post.get('commentCount', 0)">0</td><td py-eval="post.get('updateCount', 0)">0</td></tr>
                </py-for>
            </table>
            <h2>Albums</h2>
            <table id="albums">
                <tr><th>Album</th><th>Photos</th></tr>
                <py-for="album, photos in self.albums()">
                <tr><td py-eval="album.get('title')">title</td><td py-eval="photos">0</td></tr>
                </py-for>
            </table>
        </body>
        </html>
