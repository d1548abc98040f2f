# The second line of the py-code block never closes its '('.
CherryClass Root:
mask:
    def index(self):
        <py-code="
            items = [1, 2, 3]
            total = sum(items
            count = len(items)
        ">
        <py-eval="total">
