# render: root.index()
#
# Spec §10, §10.3: py-exec runs one statement and outputs nothing (a line holding only
# a py-exec leaves its newline); CHTL form <div py-exec="..."></div>. Inside a tag
# value a double quote is written \" and the backslash stays in the generated Python
# (so it only works inside a Python string literal).
CherryClass Root:
mask:
    def index(self):
        <py-exec="a = 2">a is <py-eval="a">
        <div py-exec="b = a * 3"></div>b is <py-eval="b">
        <py-exec="s = 'OK1 \"OK2\" OK3'"><py-eval="s">
        <py-eval="'dq: \"' + s + '\"'">
        <py-exec="t = 'it\'s'">[<py-eval="t">]
        <py-exec="z = 0">
        <div py-exec="import math"></div><py-eval="math.floor(2.5)">
