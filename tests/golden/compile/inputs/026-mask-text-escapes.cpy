# render: root.index()
#
# Spec §10: static mask text is emitted literally: backslashes, escape-like sequences,
# triple quotes of both kinds, a trailing backslash, quotes next to tags, non-ASCII.
CherryClass Root:
mask:
    def index(self):
        C:\path\to\file \n is not a newline \t nor a tab
        '''single''' and """double""" and \"""mixed\'''
        """"four quotes"""" and ''''' five
        ends with a backslash \
        ends with a quote "
        "<py-eval="'q'">" ''<py-eval="1">'' \<py-eval="2">\
        unicode: café € ✓
        \\double backslash\\ and \x41 and \u0041 and {braces} and %s
