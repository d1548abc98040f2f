# The mistake (an unclosed py-if) is in the template, line 3.
CherryClass Root:
mask:
    def index(self, user=None):
        <html>
        <py-include="header.html">
        <p>body</p>
        </html>
