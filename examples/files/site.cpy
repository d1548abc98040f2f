# File upload and download: a multipart form stores files in the folder named in
# siteServer.cfg, the home page lists them, and each one downloads as an attachment,
# streamed from disk in pieces.
#
# Compile with: cherryc compile --autoescape site.cpy   (writes siteServer.py)
# Serve with:   python siteServer.py                    (http://127.0.0.1:8014/)
#
# What keeps it safe: stored names are made from the client's name by safeName()
# (no path, no hidden file) and never replace an existing file; only names of regular
# files in the folder download, anything else is a 404; a body over [server]
# maxRequestBodySize is refused with 413 before it is read; every name shown in a
# page is escaped (--autoescape) and the download header quotes it (RFC 6266/5987).

import itertools
import mimetypes
import stat
import unicodedata
from urllib.parse import quote

#: Size of the pieces in which a download is read and sent.
CHUNK_SIZE = 64 * 1024
#: Longest stored name in UTF-8 bytes: file systems allow 255, and "-N" needs room.
MAX_NAME_BYTES = 200
#: A longer "extension" is taken as part of the name.
MAX_EXTENSION = 16


def initServer():
    # The upload folder exists before the first request.
    os.makedirs(root.folder(), exist_ok=True)


def safeName(filename):
    """A name to store the client's file `filename` under, inside the upload folder.

    Only the last path component is kept (some browsers send 'C:\\Users\\me\\a.txt');
    every character but letters, digits (of any script), '-', '_', '.' and space
    becomes '_' (so no separator, control or bidi character survives); leading and
    trailing dots and spaces go (no '..', no hidden file); long names are cut,
    keeping their extension.
    """
    name = unicodedata.normalize("NFC", filename.replace("\\", "/").rsplit("/", 1)[-1])
    name = "".join(c if c.isalnum() or c in "-_. " else "_" for c in name).strip(". ")
    stem, extension = os.path.splitext(name)
    if len(extension) > MAX_EXTENSION:
        stem, extension = name, ""
    while len((stem + extension).encode("utf-8")) > MAX_NAME_BYTES:
        stem = stem[:-1]
    return stem + extension or "upload"


def contentDisposition(name):
    """`attachment` with the file name quoted as every browser reads it (RFC 6266).

    `filename=` gets an ASCII stand-in ('_' for other characters, and for the quote
    and backslash that would end the quoted string); when that differs from the
    name, `filename*=UTF-8''...` (RFC 5987, percent-encoded) carries the real one.
    """
    fallback = "".join(c if " " <= c <= "~" and c not in '"\\' else "_" for c in name)
    value = 'attachment; filename="%s"' % fallback
    if fallback != name:
        value += "; filename*=UTF-8''" + quote(name, safe="")
    return value


class FileChunks:
    """The content of an open file as an iterable of pieces, for a streamed response.

    The server sends the pieces as it reads them, so a download never sits whole in
    memory, and calls close() when it is done (also for HEAD, or if the client leaves).
    """

    def __init__(self, path):
        self.handle = open(path, "rb")
        self.size = os.fstat(self.handle.fileno()).st_size

    def __iter__(self):
        return iter(lambda: self.handle.read(CHUNK_SIZE), b"")

    def close(self):
        self.handle.close()


def asList(value):
    """One value, a list of them (a repeated form field), or nothing, as a list."""
    if value is None:
        return []
    return value if isinstance(value, list) else [value]

CherryClass Root:
function:
    def folder(self):
        """The upload folder, from the [files] section of the configuration."""
        return configFile.get("files", "folder", fallback="uploads")
    def bodyLimit(self):
        """The largest request body the server accepts, in bytes (the runtime default: 100 MB)."""
        return configFile.getint("server", "maxRequestBodySize", fallback=100 * 1024 * 1024)
    def storedPath(self, name):
        """The path of the stored file `name`, or None when there is no such file.

        Only a plain name of a regular file qualifies: no separator, no hidden file,
        no symbolic link, so nothing outside the folder is ever sent.
        """
        if not isinstance(name, str) or not name or name.startswith(".") or "/" in name:
            return None
        path = os.path.join(self.folder(), name)
        try:
            return path if stat.S_ISREG(os.lstat(path).st_mode) else None
        except (OSError, ValueError):  # ValueError: a NUL character in the name
            return None
    def storedFiles(self):
        """(name, size in bytes) of every file that can be downloaded, by name."""
        files = []
        for name in os.listdir(self.folder()):
            path = self.storedPath(name)
            if path:
                files.append((name, os.lstat(path).st_size))
        return sorted(files)
    def store(self, content, filename):
        """Write `content` under a new name made from `filename`; return that name.

        An existing file is never replaced: 'a.txt' is followed by 'a-2.txt',
        'a-3.txt', ... Opening with mode 'x' claims a name atomically, so two
        uploads of the same name at the same moment get different files.
        """
        stem, extension = os.path.splitext(safeName(filename))
        for number in itertools.count(1):
            name = stem + extension if number == 1 else "%s-%d%s" % (stem, number, extension)
            path = os.path.join(self.folder(), name)
            try:
                handle = open(path, "xb")
            except FileExistsError:
                continue
            try:
                with handle:
                    handle.write(content)
            except BaseException:
                os.remove(path)  # no half-written file stays behind
                raise
            return name
    def storeUploads(self, upload):
        """Store the files of the `upload` field; a list of (stored name, client name, type, size).

        The field is a list when several files were chosen. A field that holds no file
        (an ordinary value, or the form sent with no file chosen) stores nothing, and
        the answer is then 400.
        """
        names = asList(request.filenameMap.get("upload"))
        types = asList(request.fileTypeMap.get("upload"))
        stored = []
        for content, filename, kind in zip(asList(upload), names, types):
            if isinstance(content, bytes) and filename:
                stored.append((self.store(content, filename), filename, kind, len(content)))
        if not stored:
            response.headerMap["status"] = 400
        return stored
mask:
    def head(self, title) hidden:
        <head>
        <meta charset="utf-8">
        <title py-eval="title">title</title>
        <style>
            body { font-family: sans-serif; max-width: 40em; margin: 2em auto; }
            td { padding: 0.2em 1em 0.2em 0; }
            .size { text-align: right; }
        </style>
        </head>
    def index(self):
        <!DOCTYPE html>
        <html>
        <py-eval="self.head('Files')">
        <body>
        <h1>Files</h1>
        <form action="upload" method="post" enctype="multipart/form-data">
            <input type="file" name="upload" multiple required>
            <button type="submit">Upload</button>
        </form>
        <p>Up to <py-eval="'{:,}'.format(self.bodyLimit())"> bytes per upload.</p>
        <py-exec="files = self.storedFiles()">
        <py-if="files">
            <table>
            <py-for="name, size in files">
                <tr><td><a py-attr="'download?name=' + quote(name, safe='')" href="" py-eval="name">name</a></td><td class="size" py-eval="'{:,} bytes'.format(size)">size</td></tr>
            </py-for>
            </table>
        </py-if>
        <py-else>
            <p>No files yet.</p>
        </py-else>
        </body>
        </html>
    def upload(self, upload=None):
        <!DOCTYPE html>
        <py-exec="stored = self.storeUploads(upload)">
        <html>
        <py-eval="self.head('Upload')">
        <body>
        <h1>Upload</h1>
        <py-if="stored">
            <table>
            <py-for="name, original, kind, size in stored">
                <tr><td><a py-attr="'download?name=' + quote(name, safe='')" href="" py-eval="name">name</a></td><td py-eval="'{:,} bytes'.format(size)">size</td><td>sent as <py-eval="original"> (<py-eval="kind">)</td></tr>
            </py-for>
            </table>
        </py-if>
        <py-else>
            <p>No file was sent: choose one or more files, then press Upload.</p>
        </py-else>
        <p><a href="index">All files</a></p>
        </body>
        </html>
view:
    def download(self, name=""):
        path = self.storedPath(name)
        if path is None:
            response.headerMap["status"] = 404
            response.headerMap["content-type"] = "text/plain; charset=utf-8"
            return "No such file.\n"
        chunks = FileChunks(path)
        headers = response.headerMap
        headers["content-type"] = mimetypes.guess_type(name)[0] or "application/octet-stream"
        headers["content-disposition"] = contentDisposition(name)
        # The browser must save the file, never render it as a page of this site.
        headers["x-content-type-options"] = "nosniff"
        headers["content-length"] = chunks.size
        return chunks
