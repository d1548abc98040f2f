# Text between '</py-if>' and '<py-else>': py-else must follow py-if directly.
CherryClass Root:
mask:
    def index(self, n=1):
        <py-if="n">yes</py-if>
        <hr>
        <py-else>no</py-else>
