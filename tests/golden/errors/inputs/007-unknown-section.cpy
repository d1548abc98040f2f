# 'views:' is not a section name (view:, mask:, function:, variable:, aspect:).
CherryClass Root:
views:
    def index(self):
        return "Hello"
