# Two modifiers on one method.
CherryClass Root:
view:
    def add(self, a, b) hidden xmlrpc:
        return str(a + b)
