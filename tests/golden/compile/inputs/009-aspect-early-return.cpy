# render: root.page()
# render: root.data()
# render: root.loginScreen()
# render: root.unlock()
# render: root.page()
# render: root.data()
# render: ended
#
# Spec §9: start code may return early (the authentication modules show a login screen
# this way): here while `locked` is true every mask and view except loginScreen and
# unlock answers with the login screen. The end code of a view comes after the body's
# return, so it never runs (`ended` stays empty); a mask's end code runs.
ended = []

CherryClass Guard abstract:
variable:
    locked = True
aspect:
    (method.type in ('mask', 'view') and method.name not in ('loginScreen', 'unlock')) start:
        if self.locked:
            return self.loginScreen()
    (method.type == 'view') end:
        ended.append('view end')
    (method.type == 'mask') end:
        _page.append('<!-- mask end -->')
mask:
    def loginScreen(self):
        <form>please log in</form>

CherryClass Root(Guard):
view:
    def unlock(self):
        self.locked = False
        return 'unlocked'
    def data(self):
        return 'secret data'
mask:
    def page(self):
        <h1>secret page</h1>
    def loginScreen(self):
        <form>please log in to <py-eval="self.getPath(0)"></form>
