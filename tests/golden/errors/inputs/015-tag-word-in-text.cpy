# The literal word py-eval in static text reads as a tag.
CherryClass Root:
mask:
    def index(self):
        <p>Use the py-eval tag to print a value.</p>
