# A view with no body: the next def follows at once.
CherryClass Root:
view:
    def index(self):
    def other(self):
        return "Other"
