use Tools
# MaskTools: HTML building blocks for masks (CherryPy 0.x standard library, spec §26).
# `use MaskTools` gives the global instance `maskTools`: a spacer image (x), tables that lay
# out a list by columns or by lines, a text in a coloured box, a pretty-printed dictionary.
# Everything inserted is escaped; the results are Markup.

import base64

from cherryc.stdlib import _support as _stdlib

CherryClass MaskTools:
variable:
    # A 1x1 transparent GIF.
    _gif = base64.b64decode(b"R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7")
view:
    def xData(self):
        """The 1x1 transparent GIF behind x() (URL /maskTools/xData)."""
        response.headerMap["content-type"] = "image/gif"
        return self._gif
function:
    def x(self, width=1, height=1):
        """An <img> of the transparent GIF: a spacer `width` x `height` pixels."""
        return _stdlib.Markup('<img src="%s/xData" width="%s" height="%s" alt="">') % (
            self.getPath(), width, height)
    def sortedKeys(self, map):
        """The keys of a dictionary, sorted."""
        return sorted(map)
    def displayByColumn(self, dataList, numberOfColumns=2, columnWidth=0, gapWidth=50, tdClass=''):
        """A table of `dataList` in `numberOfColumns` columns, filled column by column."""
        items = list(dataList)
        perColumn = max(1, -(-len(items) // max(1, numberOfColumns)))
        columns = [items[i:i + perColumn] for i in range(0, len(items), perColumn)]
        width = _stdlib.attribute("width", columnWidth or None)
        cells = []
        for n, column in enumerate(columns):
            if n:
                cells.append(_stdlib.Markup('<td width="%s">%s</td>') % (gapWidth, self.x(gapWidth, 1)))
            inner = _stdlib.join(column, "<br>")
            attributes = _stdlib.attribute("class", tdClass)
            cells.append(_stdlib.Markup('<td%s%s valign="top">%s</td>') % (width, attributes, inner))
        return _stdlib.Markup('<table border="0" cellspacing="0" cellpadding="0"><tr>%s</tr></table>') % _stdlib.join(cells)
    def displayByLine(self, dataList, numberOfLines=2, lineHeight=0, gapHeight=50, tdClass=''):
        """A table of `dataList` in `numberOfLines` lines, filled line by line."""
        items = list(dataList)
        perLine = max(1, -(-len(items) // max(1, numberOfLines)))
        lines = [items[i:i + perLine] for i in range(0, len(items), perLine)]
        height = _stdlib.attribute("height", lineHeight or None)
        attributes = _stdlib.attribute("class", tdClass)
        rows = []
        for n, line in enumerate(lines):
            if n:
                rows.append(_stdlib.Markup('<tr><td height="%s">%s</td></tr>') % (gapHeight, self.x(1, gapHeight)))
            cells = _stdlib.join(_stdlib.Markup("<td%s%s>%s</td>") % (height, attributes, item) for item in line)
            rows.append(_stdlib.Markup("<tr>%s</tr>") % cells)
        return _stdlib.Markup('<table border="0" cellspacing="0" cellpadding="0">%s</table>') % _stdlib.join(rows)
mask:
    def textInBox(self, text, boxColor="black", insideColor="white"):
        <table border="0" cellspacing="0" cellpadding="1" py-attr="_stdlib.escape(boxColor)" bgcolor=""><tr><td>
        <table border="0" cellspacing="0" cellpadding="5" py-attr="_stdlib.escape(insideColor)" bgcolor="" width="100%"><tr><td py-eval="_stdlib.escape(text)">text</td></tr></table>
        </td></tr></table>
    def prettyMap(self, aMap, label=None, isRecursiveCall=0):
        <table border="1" cellspacing="0" cellpadding="3">
        <py-if="label is not None"><tr><th colspan="2" py-eval="_stdlib.escape(label)">label</th></tr></py-if>
        <py-for="key in self.sortedKeys(aMap)">
        <tr><td valign="top"><b py-eval="_stdlib.escape(key)">key</b></td><td><py-if="isinstance(aMap[key], dict)"><py-eval="self.prettyMap(aMap[key], None, 1)"></py-if><py-else><py-eval="_stdlib.escape(aMap[key])"></py-else></td></tr>
        </py-for>
        </table>
