# render: root.index()
#
# Spec §10.6: the iterable expression of a py-for (the text after the first ' in ') is
# evaluated twice in 0.10, once for len() (_end) and once for the loop, so a method
# called there runs twice: 0.10 renders "abc calls=2".
CherryClass Root:
variable:
    calls = 0
function:
    def fetch(self):
        self.calls += 1
        return ['a', 'b', 'c']
mask:
    def index(self):
        <py-for="x in self.fetch()"><py-eval="x"></py-for> calls=<py-eval="self.calls">
