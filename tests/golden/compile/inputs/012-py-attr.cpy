# render: root.index()
#
# Spec §10.2: py-attr computes the value of the attribute that follows it (written
# ="..." or ='...', whichever comes first); that attribute's value in the source is
# dropped, and so is the space before py-attr. A CGTL py-eval inside an attribute
# value does the same.
CherryClass Root:
mask:
    def index(self, color='red', url='/a?b=1&c=2'):
        <td py-attr="color" bgColor="">cell</td>
        <td py-attr="color" bgColor="blue" width="3">cell</td>
        <a class="x" py-attr="url" href='#'>link</a>
        <img py-attr="url" alt='a="b"' src="">
        <td py-attr="color" bgColor="" py-attr="len(color) * 10" width="">cell</td>
        <input py-attr="'v' + str(1)" value=""/>
        <td bgColor="<py-eval="color">">cell</td>
