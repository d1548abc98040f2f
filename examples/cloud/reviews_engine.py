"""Cloud functions about reviews, kept in a plain Python module.

A plain module builds its own `Engine` and registers functions on it exactly as a
.cpy file does on its `engine`; the site then merges it with
`engine.register(reviews_engine.engine)` (see site.cpy). Keeping cloud code in plain
modules lets you import and unit-test it without compiling the site.

The module must be importable when the server starts: `python siteServer.py` puts the
folder of siteServer.py on `sys.path`, so a module next to it is found.
"""

from cherryc.runtime.leanengine import Engine, LeanEngineError

engine = Engine()

#: The longest comment a Review may keep; the hooks in site.cpy use it too.
MAX_COMMENT_LENGTH = 140
#: The valid star ratings.
STARS = (1, 2, 3, 4, 5)


def shorten(comment):
    """A comment cut to MAX_COMMENT_LENGTH characters, ending with '...' when cut."""
    if len(comment) <= MAX_COMMENT_LENGTH:
        return comment
    return comment[:MAX_COMMENT_LENGTH - 3] + '...'


@engine.define
def reviewRules():
    """What a client needs to check a review form before sending it.

    Call it with `POST /1.1/functions/reviewRules` (empty body).
    """
    return {'maxCommentLength': MAX_COMMENT_LENGTH, 'stars': list(STARS)}


@engine.define('checkStars')
def check_stars(stars):
    """Validate one rating; the name the clients call differs from the Python name.

    A bad rating is answered with our own error code 4001 and HTTP status 400:
    `{"code": 4001, "error": "..."}`.
    """
    if isinstance(stars, bool) or stars not in STARS:
        raise LeanEngineError(4001, 'stars must be one of 1, 2, 3, 4, 5, not %r' % (stars,))
    return {'stars': stars, 'ok': True}


@engine.define
def whoAmI():
    """Who called: `engine.current` holds the caller's user and address.

    `engine.current.user` is the logged-in user (a session token came with the
    request), else None; `engine.current.meta['remote_address']` is the client's IP.
    """
    user = engine.current.user
    return {
        'user': user.get('username') if user is not None else None,
        'remoteAddress': engine.current.meta.get('remote_address'),
    }
