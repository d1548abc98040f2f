# Tools: small helpers every site needs (CherryPy 0.x standard library, spec §26).
# `use Tools` gives the global instance `tools`: tools.escapeHtml(text), tools.getNow(), ...
# Helpers that build HTML escape what they insert and return Markup, so they work the same
# in masks compiled with or without --autoescape, and are never escaped twice.

import re
import time

from cherryc.stdlib import _support as _stdlib

CherryClass Tools:
variable:
    quote = "'"
    doubleQuote = '"'
function:
    def compressHtml(self, body):
        """Collapse runs of white space into one space, except inside <script> and
        <textarea> elements (whose white space matters)."""
        pieces = re.split(r"(?is)(<script\b.*?</script\s*>|<textarea\b.*?</textarea\s*>)", str(body))
        for i in range(0, len(pieces), 2):
            pieces[i] = re.sub(r"\s+", " ", pieces[i])
        compressed = "".join(pieces)
        return _stdlib.Markup(compressed) if hasattr(body, "__html__") else compressed
    def getAttribute(self, name, value):
        """`name="value"` (value escaped), or nothing when value is None or empty."""
        return _stdlib.attribute(name, value).lstrip()
    def validateEmail(self, email):
        """None for a plausible e-mail address, else "Wrong email"."""
        if re.match(r"^[^@\s<>\"']+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$", email or ""):
            return None
        return "Wrong email"
    def getLabelWithCount(self, count, label, plural):
        """"1 item", "3 items", "0 items"."""
        return "%s %s" % (count, label if count == 1 else plural)
    def getNow(self):
        """The current GMT time as YYYY-MM-DD HH:MM:SS."""
        return time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime())
    def escapeHtml(self, data, newlineToBr=1, whitespaceToNbsp=1, tabTo4ws=1):
        """Escape & < > " (and '), then optionally turn tabs into 4 spaces, runs of
        spaces into non-breaking ones and line breaks into <br>; returns Markup."""
        text = str(_stdlib.escape(data))
        if tabTo4ws:
            text = text.replace("\t", "    ")
        if whitespaceToNbsp:
            text = text.replace("  ", "&nbsp; ")
            text = re.sub(r"(?m)^ ", "&nbsp;", text)
        if newlineToBr:
            text = text.replace("\r\n", "\n").replace("\n", "<br>\n")
        return _stdlib.Markup(text)
