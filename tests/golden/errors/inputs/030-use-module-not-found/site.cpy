# Helpers.cpy exists beside site.cpy; Helper (singular) is a typo found nowhere.
use Helpers, Helper
CherryClass Root(Tools):
mask:
    def index(self):
        Hello
