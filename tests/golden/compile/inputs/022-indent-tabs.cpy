# render: root.index()
# render: root.view()
#
# Spec §3: a leading tab is always one level (4 spaces), whatever -W says, also mixed
# with spaces; a tab after the indentation is text and stays a tab.
CherryClass Root:
mask:
	def index(self):
		a
			b
		    c
		  d
    	e
		in	between
view:
	def view(self):
		if 1:
		    return 'tab'
		return 'never'
