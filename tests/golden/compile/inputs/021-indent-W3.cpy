# options: -W 3
# render: root.index()
# render: root.view()
#
# Spec §3: with -W 3, 3/6/9 leading spaces become 4/8/12; 7 spaces become 4+4+1 = 9;
# a tab is one level too (tab + 3 spaces = 2 levels).
CherryClass Root:
mask:
   def index(self):
      a
         b
            c
       d
	   e
view:
   def view(self):
      x = 1
      if x:
	      return 'three'
      return 'never'
