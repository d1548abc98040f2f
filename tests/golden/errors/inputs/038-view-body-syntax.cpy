# A view body with an unclosed '('.
CherryClass Root:
view:
    def index(self):
        words = ["a", "b"]
        text = ", ".join(words
        return text
