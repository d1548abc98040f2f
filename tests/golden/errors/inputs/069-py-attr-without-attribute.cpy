# py-attr must be followed by the attribute it fills.
CherryClass Root:
mask:
    def index(self):
        <td py-attr="'red'">cell</td>
