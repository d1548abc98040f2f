# options: -W 2
# render: root.index()
#
# Spec §3, §10.7: included templates go through the same reader as .cpy files, so with
# -W 2 their leading runs of 2 spaces become 4 and a leading tab becomes 4 spaces
# (3 spaces -> 4 + 1); their blank and '#' lines stay.
CherryClass Root:
mask:
  def index(self):
    <ul>
      <py-include="items.html">
    </ul>
