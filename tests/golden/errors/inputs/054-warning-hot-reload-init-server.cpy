# hotReloadInitServer belonged to the HOTRELOAD method, which cherryc does not have.
def hotReloadInitServer():
    pass
CherryClass Root:
mask:
    def index(self):
        Hello
