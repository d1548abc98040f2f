# CHTL <div py-exec="..."> must be followed by '</div>'.
CherryClass Root:
mask:
    def index(self):
        <div py-exec="x = 1">oops</div>
        <py-eval="x">
