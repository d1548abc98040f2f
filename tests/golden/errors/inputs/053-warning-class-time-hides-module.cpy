# The instance of CherryClass Time is named 'time', hiding the time module.
CherryClass Time:
function:
    def now(self):
        return "now"
CherryClass Root:
mask:
    def index(self):
        <py-eval="time.now()">
