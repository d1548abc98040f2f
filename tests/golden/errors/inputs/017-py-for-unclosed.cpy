# A py-for never closed.
CherryClass Root:
mask:
    def index(self):
        <ul>
        <py-for="item in ['a', 'b']">
            <li><py-eval="item"></li>
        </ul>
