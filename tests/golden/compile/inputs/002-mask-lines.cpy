# render: root.index()
# render: root.page(name='you')
# Spec §3, §10: every mask line ends with a newline, deeper indentation is kept,
# blank lines and '#' lines inside the mask are dropped, trailing whitespace too.
CherryClass Root:
mask:
    def index(self):
        <html>
            <body>

        # this line disappears
            #<b>and this one</b>
                deep   
            </body>
        </html>
    def page(self, name="world"):
        a\b '''quotes''' """too""" \n
        <py-eval="name">
