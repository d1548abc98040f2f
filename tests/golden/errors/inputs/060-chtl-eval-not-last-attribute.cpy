# CHTL py-eval must be the last attribute of its element.
CherryClass Root:
mask:
    def index(self, name="x"):
        <td py-eval="name" class="cell">dummy</td>
