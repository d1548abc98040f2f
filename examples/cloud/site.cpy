# Cloud functions and hooks: the classic examples of the LeanEngine guide that need no
# object storage, served by the same module as a small web page.
#
# Compile with: cherryc compile --autoescape site.cpy   (writes siteServer.py)
# Serve with:   python siteServer.py                    (from this folder; reads siteServer.cfg)
# Then:         curl -X POST -H 'X-LC-Id: cloud-demo' -H 'X-LC-Key: demo-app-key' \
#                    -H 'Content-Type: application/json' -d '{"stars": [4, 5, 3]}' \
#                    http://127.0.0.1:8000/1.1/functions/averageStars
#               -> {"result":4.0}
#
# Cloud code is ordinary top-level Python: `engine` (this site's Engine), `Engine`,
# `LeanEngineError` and `cloudfunc` are already defined. Column-0 imports are moved to
# the top of the generated module.

# Two more engines, each in a plain Python module next to this file. `python
# siteServer.py` puts this folder on sys.path, so they import like any module.
import chat_engine
import reviews_engine
from reviews_engine import MAX_COMMENT_LENGTH, STARS, shorten

# Merge their functions and hooks into the site's engine. A name defined twice is an
# error (RuntimeError), and then nothing of that engine is merged.
engine.register(reviews_engine.engine)
engine.register(chat_engine.engine)


# ---- cloud functions -----------------------------------------------------------------
# A client calls `POST /1.1/functions/<name>` with a JSON object; its keys are the
# function's keyword arguments and the answer is `{"result": <return value>}`.

@engine.define
def hello(name='LeanCloud'):
    """The smallest cloud function: `{"name": "you"}` -> `{"result": "Hello, you!"}`."""
    return 'Hello, %s!' % name


@engine.define('averageStars')
def average_stars(stars):
    """The average of a list of star ratings: `{"stars": [4, 5, 3]}` -> 4.0.

    `define('averageStars')` registers the function under the name the clients call;
    the Python name does not matter.
    """
    if not isinstance(stars, list) or not stars:
        raise LeanEngineError(4002, 'stars must be a non-empty list of ratings')
    for rating in stars:
        if isinstance(rating, bool) or rating not in STARS:
            raise LeanEngineError(4001, 'a rating must be one of 1, 2, 3, 4, 5, not %r' % (rating,))
    return sum(stars) / len(stars)


# ---- custom error codes --------------------------------------------------------------
# Raise LeanEngineError(code, message) to answer `{"code": code, "error": message}`.
# The HTTP status is 400, unless the code is itself an HTTP status or `status=` is given.
# Any other exception is a bug: it is logged with its .cpy line and the client gets
# 500 `{"code": 141, "error": "Cloud Code script had an error."}`.

@engine.define
def customErrorCode():
    """-> 400 `{"code": 123, "error": "custom error message"}`."""
    raise LeanEngineError(123, 'custom error message')


@engine.define
def customErrorStatus():
    """-> 403 `{"code": 5, "error": "only moderators may do this"}`."""
    raise LeanEngineError(code=5, message='only moderators may do this', status=403)


# ---- hooks of the Review class -------------------------------------------------------
# The storage service calls them (with the hook key) around saves of Review objects:
# `POST /1.1/functions/Review/beforeSave` with `{"object": {...}}`. A hook gets the
# object; raising LeanEngineError refuses the operation (the client sees code 142,
# "Cloud Code validation failed").

@engine.before_save('Review')
def before_review_save(review):
    """A new review needs a comment; a long one is cut to 137 characters plus '...'.

    The beforeSave answer is the object's fields, and the storage saves those: so
    what the hook sets (here the shortened comment) is what gets saved.
    """
    comment = review.get('comment')
    if not comment:
        raise LeanEngineError(message='No comment provided!')
    if len(comment) > MAX_COMMENT_LENGTH:
        review.set('comment', shorten(comment))


@engine.before_update('Review')
def before_review_update(review):
    """An update may not make the comment too long.

    `review.updated_keys` lists the fields the update changes; the object shows them
    with their new values. Changes made here are NOT saved: a beforeUpdate hook can
    only accept the update or refuse it.
    """
    if 'comment' in review.updated_keys:
        comment = review.get('comment') or ''
        if len(comment) > MAX_COMMENT_LENGTH:
            raise LeanEngineError(
                message='comment must not be longer than %d characters' % MAX_COMMENT_LENGTH)


# ---- the web page --------------------------------------------------------------------

CherryClass Root:
function:
    def cloudFunctions(self):
        # Functions clients may call; names starting with '_' or '__' are hooks.
        return sorted(name for name in engine.functions if not name.startswith('_'))

    def hooks(self):
        return sorted(name for name in engine.functions if name.startswith('_'))

    def average(self, stars):
        # Call a cloud function in this process, as a client would over HTTP.
        try:
            ratings = [int(rating) for rating in stars.split(',')]
            return cloudfunc.run.local('averageStars', stars=ratings)
        except (ValueError, LeanEngineError) as error:
            return 'no average (%s)' % (getattr(error, 'message', None) or error)
mask:
    def index(self, stars='4,5,3'):
        <html>
        <head><title>Cloud functions</title></head>
        <body>
            <h1>Cloud functions of this site</h1>
            <p>Call them with <code>POST /1.1/functions/&lt;name&gt;</code> and the app's keys.</p>
            <ul>
                <py-for="name in self.cloudFunctions()"><li py-eval="name">name</li></py-for>
            </ul>
            <h2>Hooks</h2>
            <ul>
                <py-for="name in self.hooks()"><li py-eval="name">name</li></py-for>
            </ul>
            <h2>averageStars</h2>
            <form action="" method="get">
                <input name="stars" py-attr="stars" value="">
                <button type="submit">Average</button>
            </form>
            <p>Average of <py-eval="stars">: <b py-eval="self.average(stars)">average</b></p>
        </body>
        </html>
