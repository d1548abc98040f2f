# The mistake is in Lib.cpy, line 5; the error must name Lib.cpy.
use Lib
CherryClass Root(Base):
mask:
    def index(self):
        <py-eval="self.greet()">
