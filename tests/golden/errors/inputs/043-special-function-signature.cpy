# initThread takes exactly (threadIndex).
def initThread(i):
    pass
CherryClass Root:
mask:
    def index(self):
        Hello
