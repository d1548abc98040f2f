# render: root.index()
# render: root.text()
#
# Spec §3: blank lines and lines whose first non-blank character is '#' are dropped
# everywhere in a .cpy file: in mask text (even a CSS '#id' rule), inside py-if and
# py-code blocks, and inside a triple-quoted string of a view. A '#' later in a line is
# text.
CherryClass Root:
view:
    def text(self):
        return """first

        # dropped as well
        last"""
mask:
    def index(self):
        <style>
        #header { color: red }
            #footer { color: blue }
        p { margin: 0 }
        </style>

        <p>#not a comment</p>
        <py-if="1">
        # dropped inside a block
        kept
        </py-if>
        <py-code="
            x = 1
            # a Python comment line
            y = x + 1
        ">
        <py-eval="y">
