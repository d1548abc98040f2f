# options: -W 2
# Two-space indentation with tabs in it: the caret must sit under the
# unclosed "(" of the raw line (a tab and two spaces before "words").
CherryClass Root:
view:
  def index(self):
	  words = ["a", "b"]
	  return ", ".join(words
