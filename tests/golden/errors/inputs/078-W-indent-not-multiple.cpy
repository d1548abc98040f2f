# options: -W 3
# With -W 3, a body indented by 4 spaces is one level plus a stray space.
CherryClass Root:
view:
   def index(self):
       return "Hello"
