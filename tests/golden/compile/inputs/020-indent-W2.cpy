# options: -W 2
# render: root.index()
# render: root.view('x')
#
# Spec §3: with -W 2 every run of 2 leading spaces becomes 4 (left to right), so 4 and 6
# spaces are levels 2 and 3; an odd space is kept (9 spaces -> 17, 9 left in the mask).
# The same applies inside py-code blocks and to Python bodies.
CherryClass Root:
variable:
  title = 'two'
function:
  def shout(self, s):
    if s:
      return s.upper()
    return ''
view:
  def view(self, s):
    return self.shout(s) + '!'
mask:
  def index(self):
    <h1><py-eval="self.shout(self.title)"></h1>
      two deeper
        four deeper
         odd nine
    <py-code="
      for i in range(2):
        _page.append(str(i))
    ">
