# Menu.cpy is saved in Latin-1: the e-acute on its line 5 is the byte 0xE9.
# (The main file itself cannot be the Latin-1 one: the golden harness reads it as UTF-8.)
use Menu
CherryClass Root(Menu):
mask:
    def index(self):
        <py-eval="self.dish()">
