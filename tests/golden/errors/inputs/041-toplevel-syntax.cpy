# Top-level Python with an unclosed bracket.
LIMITS = {"users": 10,
          "posts": 20
CherryClass Root:
mask:
    def index(self):
        Hello
