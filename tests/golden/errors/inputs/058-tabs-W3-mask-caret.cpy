# options: -W 3
# Three-space units plus tabs: the caret must sit under the "+" of the raw line
# (two tabs and one space before "<p>"), not of the re-indented one.
CherryClass Root:
mask:
   def index(self, n=1):
		 <p><py-eval="n +"></p>
