"""The LeanEngine guide's classic cloud code, written exactly as for the official `leancloud` SDK.

The only change from code written for the official SDK is the import: `import leancloud`
becomes `from cherryc.runtime import leancloud`. Objects, queries and users then live in
the site's own object store (siteServer.db by default), and its hooks run in-process.

As in LeanCloud, a query of a class that has no object yet raises LeanCloudError 101
("Class or object doesn't exists."); the functions below take it as "none".

The site merges this engine with `engine.register(guide_engine.engine)` (see site.cpy).
"""

from cherryc.runtime import leancloud

engine = leancloud.Engine()

Review = leancloud.Object.extend('Review')
Post = leancloud.Object.extend('Post')
Album = leancloud.Object.extend('Album')
Photo = leancloud.Object.extend('Photo')


# ---- a cloud function reading data ------------------------------------------------------

@engine.define
def averageStars(movie):
    """The average of the `stars` of a movie's reviews: `{"movie": "Inception"}` -> 4.5."""
    query = leancloud.Query(Review)
    query.equal_to('movie', movie)
    query.limit(1000)
    try:
        reviews = query.find()
    except leancloud.LeanCloudError as error:
        if error.code != 101:  # 101: no Review was ever saved, so there is none
            raise
        reviews = []
    if not reviews:
        raise leancloud.LeanEngineError(4004, 'no review of %s yet' % movie)
    total = sum(review.get('stars') for review in reviews)
    return total / len(reviews)


# ---- hooks --------------------------------------------------------------------------------

@engine.after_save('Comment')
def after_comment_save(comment):
    """Count the comments of a post: each new Comment adds one to its post's commentCount.

    `comment.get('post')` is the Post it points to (only its id is known); `increment`
    sends an Increment, so comments saved at the same time all count.
    """
    post = comment.get('post')
    if post is None:
        return
    post.increment('commentCount', 1)
    try:
        post.save()
    except leancloud.LeanCloudError:
        raise leancloud.LeanEngineError(message='An error occurred while trying to save the post.')


@engine.before_delete('Album')
def before_album_delete(album):
    """An album that still has photos cannot be deleted (the client gets code 142)."""
    query = leancloud.Query(Photo)
    query.equal_to('album', album)
    try:
        matched_count = query.count()
    except leancloud.LeanCloudError as error:
        if error.code == 101:  # no Photo was ever saved: no photo is left
            return
        raise leancloud.LeanEngineError(message='cloud code error')
    if matched_count > 0:
        raise leancloud.LeanEngineError(message="Can't delete album if it still has photos.")


@engine.after_delete('Album')
def after_album_delete(album):
    """Once an album is deleted, delete its photos too."""
    query = leancloud.Query(Photo)
    query.equal_to('album', album)
    query.limit(1000)
    try:
        query.destroy_all()
    except leancloud.LeanCloudError as error:
        if error.code == 101:  # no Photo was ever saved: nothing to delete
            return
        raise leancloud.LeanEngineError(message='cloud code error')


@engine.define
def deleteAlbumWithPhotos(albumId):
    """Delete an album even if it has photos: skip the beforeDelete check above, so the
    afterDelete hook deletes the photos. `ignore_hook` needs the master or hook key,
    which cloud code has."""
    album = Album.create_without_data(albumId)
    album.ignore_hook('beforeDelete')
    album.destroy()
    return 'deleted'


@engine.on_login
def on_login(user):
    """A user whose `blocked` field is true cannot log in (the client gets 401)."""
    if user.get('blocked'):
        raise leancloud.LeanEngineError(message='This account is blocked.')


@engine.after_update('Post')
def after_post_update(post):
    """Count the updates of a post in `updateCount`, saving the post from its own hook.

    Saving the object handed to the hook does not run afterUpdate again, so this does
    not loop. An object fetched or built anew would need `post.disable_after_hook()`.
    """
    post.increment('updateCount', 1)
    post.save()
