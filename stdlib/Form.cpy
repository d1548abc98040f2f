# Form: HTML forms that render and validate themselves (CherryPy 0.x standard library,
# spec §26). A CherryClass derived from Form builds self.fieldList in __init__ (FormField
# and FormSeparator objects) and implements the view postForm(self, **kw):
#
#     CherryClass SignUp(Form):
#     function:
#         def __init__(self):
#             self.fieldList = [
#                 FormSeparator('', defaultFormMask.defaultHeader),
#                 FormField('Name', 'name', 'text', mandatory=1),
#                 FormField('', 'go', 'submit', defaultValue='Sign up'),
#                 FormSeparator('', defaultFormMask.defaultFooter)]
#     view:
#         def index(self):
#             return self.formView(0)
#         def postForm(self, **kw):
#             if self.validateForm():
#                 return "Thanks"
#             return self.formView(1)      # the visitor's values, errors beside the fields
#
# Every value and label is escaped (a label that is Markup stays HTML) and every helper
# returns Markup, so forms work the same with and without --autoescape. A password is
# never written back into the page. The fields belong to one shared Form instance, so
# what changes while serving a request (values, error messages, defaults and option
# lists set by a view) belongs to that request only: two visitors never see each
# other's values or errors.

from cherryc.stdlib import _support as _stdlib

_FORM_FIELD_TYPES = ("text", "forced", "password", "select", "textarea", "submit", "hidden",
                     "checkbox", "radio")


def _formRequestValues():
    """The field values set during the current request, or None outside a request."""
    state = vars(request)
    if "method" not in state:  # __init__, initServer, initThread
        return None
    return state.setdefault("_formFieldValues", {})


class _FormFieldState:
    """A FormField attribute whose changes during a request belong to that request.

    Reads see the value the current request set, if any, else the field's own value.
    Writes inside a request are kept with the request (and forgotten with it); writes
    outside a request (the form's __init__, initServer) change the field itself.
    """

    def __init__(self, default):
        self.default = default

    def __set_name__(self, owner, name):
        self.name = name

    def __get__(self, field, owner=None):
        if field is None:
            return self
        values = _formRequestValues()
        if values and (field, self.name) in values:
            return values[field, self.name]
        return vars(field).get(self.name, self.default)

    def __set__(self, field, value):
        values = _formRequestValues()
        if values is None:
            vars(field)[self.name] = value
        else:
            values[field, self.name] = value


def _formText(value):
    """One submitted or default value as text ("" for None; the first of a list)."""
    if isinstance(value, (list, tuple)):
        value = value[0] if value else ""
    if isinstance(value, bytes):  # a file sent in a multipart body
        return value.decode("utf-8", "replace")
    return "" if value is None else value


def _formTextList(value):
    """The chosen values of a checkbox list or multiple select, as strings."""
    if value is None or value == "":
        return []
    values = value if isinstance(value, (list, tuple)) else [value]
    return [str(_formText(item)) for item in values]


def _formOptions(optionList):
    """(value, label) pairs from an optionList of strings and (value, label) tuples."""
    return [option if isinstance(option, tuple) else (option, option) for option in optionList]


def _formFlag(attribute, isSet):
    """A boolean HTML attribute (` selected`, ` checked`, ...), or nothing."""
    return _stdlib.Markup(" " + attribute if isSet else "")


def _formTextareaSize(name, size):
    """(cols, rows) from a textarea size "COLSxROWS"."""
    cols, x, rows = str(size).partition("x")
    if not (x and cols.isdigit() and rows.isdigit()):
        raise ValueError(f"FormField {name!r}: the size of a textarea is 'COLSxROWS' "
                         f"(such as '40x5'), not {size!r}")
    return int(cols), int(rows)


CherryClass FormField abstract:
variable:
    isFormField = 1
    # What the visitor's page shows: set by render() and validateForm() during a request.
    currentValue = _FormFieldState("")
    errorMessage = _FormFieldState("")
    defaultValue = _FormFieldState("")
    optionList = _FormFieldState(())
function:
    def __init__(self, label, name, typ, mask=None, mandatory=0, size=15, optionList=[],
                 defaultValue='', defaultMessage='', validate=None, multiple=0):
        """One field of a form.

        `typ` is text, forced (shown, not editable), password, select, textarea (`size`
        "COLSxROWS"), submit, hidden, checkbox or radio; `optionList` holds the choices of
        select, checkbox and radio, strings or (value, label) pairs. `mask(field)` renders
        the field (default: defaultFormMask.defaultMask). `validate(value)` returns an
        error message or None. `multiple=1` lets a select take several values.
        """
        if typ not in _FORM_FIELD_TYPES:
            raise ValueError(f"FormField {name!r}: unknown type {typ!r} "
                             f"(use one of {', '.join(_FORM_FIELD_TYPES)})")
        if typ == "textarea":
            _formTextareaSize(name, size)
        self.label = label
        self.name = name
        self.typ = typ
        self.mask = mask or defaultFormMask.defaultMask
        self.mandatory = mandatory
        self.size = size
        self.defaultMessage = defaultMessage
        self.validate = validate
        self.multiple = multiple
        # The field's own values, even when the field is made while serving a request.
        vars(self).update(optionList=optionList, defaultValue=defaultValue,
                          currentValue=defaultValue, errorMessage="")
    def isMultiValued(self):
        """True for fields that send a list of values (checkboxes, a multiple select)."""
        return self.typ == "checkbox" or (self.typ == "select" and bool(self.multiple))
    def getSubmittedValue(self):
        """The value sent for this field in the current request: a list of strings for a
        multi-valued field, else a string ("" when the field was not sent)."""
        value = request.paramMap.get(self.name)
        if self.isMultiValued():
            return _formTextList(value)
        return _formText(value)
    def render(self, leaveValues=0):
        """The field through its mask: with the visitor's values and the errors found by
        validateForm() if `leaveValues`, else with the default value and message."""
        if self.typ == "password":
            self.currentValue = ""  # never written back into a page
        elif leaveValues and self.typ != "submit":
            self.currentValue = self.getSubmittedValue()
        else:
            self.currentValue = self.defaultValue
        if not leaveValues:
            self.errorMessage = self.defaultMessage
        return _stdlib.Markup(self.mask(self))
    def renderInput(self):
        """The input element(s) of the field, showing its current value (Markup).
        Custom masks call it and lay out the label and error message as they like."""
        html, typ, name = _stdlib.Markup, self.typ, self.name
        value = _formText(self.currentValue)
        if typ in ("text", "password"):
            return html('<input type="%s" name="%s" id="%s" value="%s"%s>') % (
                typ, name, name, value, _stdlib.attribute("size", self.size or None))
        if typ == "hidden":
            return html('<input type="hidden" name="%s" value="%s">') % (name, value)
        if typ == "forced":
            return html('<input type="hidden" name="%s" value="%s"><b>%s</b>') % (name, value, value)
        if typ == "submit":
            return html('<input type="submit"%s%s>') % (
                _stdlib.attribute("name", name), _stdlib.attribute("value", value))
        if typ == "textarea":
            # The newline after the tag keeps a value that starts with one (HTML drops it).
            cols, rows = _formTextareaSize(name, self.size)
            return html('<textarea name="%s" id="%s" cols="%s" rows="%s">\n%s</textarea>') % (
                name, name, cols, rows, value)
        chosen = _formTextList(self.currentValue)
        choices = [(optionValue, optionLabel, str(optionValue) in chosen)
                   for optionValue, optionLabel in _formOptions(self.optionList)]
        if typ == "select":
            options = _stdlib.join(html('<option value="%s"%s>%s</option>') % (
                optionValue, _formFlag("selected", isChosen), optionLabel)
                for optionValue, optionLabel, isChosen in choices)
            return html('<select name="%s" id="%s"%s>%s</select>') % (
                name, name, _formFlag("multiple", self.multiple), options)
        # checkbox and radio: one labelled input per option
        return _stdlib.join((html('<label><input type="%s" name="%s" value="%s"%s> %s</label>') % (
            typ, name, optionValue, _formFlag("checked", isChosen), optionLabel)
            for optionValue, optionLabel, isChosen in choices), "<br>\n")

CherryClass FormSeparator abstract:
variable:
    isFormField = 0
function:
    def __init__(self, label, mask):
        """Something between fields (the table's start or end, a heading): `mask(label)`."""
        self.label = label
        self.mask = mask
    def render(self, leaveValues=0):
        """The separator through its mask."""
        return _stdlib.Markup(self.mask(self.label))

CherryClass DefaultFormMask hidden:
view:
    def defaultMask(self, field):
        """A table row: the label, the input and, in red, the error message."""
        if field.typ == "hidden":
            return self.hiddenMask(field)
        label = field.label
        if field.typ in ("text", "password", "select", "textarea"):
            label = _stdlib.Markup('<label for="%s">%s</label>') % (field.name, label)
        error = ""
        if field.errorMessage:
            error = _stdlib.Markup(' <span class="formError" style="color: red">%s</span>') % field.errorMessage
        return _stdlib.Markup('<tr><td>%s</td><td>%s%s</td></tr>\n') % (label, field.renderInput(), error)
    def hiddenMask(self, field):
        """Only the input: for hidden fields, or fields placed by hand."""
        return _stdlib.Markup("%s\n") % field.renderInput()
    def defaultHeader(self, label=""):
        """The start of the table defaultMask rows go in."""
        return _stdlib.Markup("<table>\n")
    def defaultFooter(self, label=""):
        """The end of that table."""
        return _stdlib.Markup("</table>\n")
    def echoMask(self, label):
        """The label itself, escaped (pass Markup to insert HTML)."""
        return _stdlib.escape(label)

CherryClass Form abstract:
variable:
    method = "post"
    enctype = ""
function:
    def formView(self, leaveValues=0):
        """The whole <form>, posting to this instance's postForm view: fresh (default
        values and messages), or if `leaveValues` with the visitor's values and errors."""
        fields = _stdlib.join(field.render(leaveValues) for field in self.fieldList)
        return _stdlib.Markup('<form method="%s" action="%s/postForm"%s>\n%s</form>\n') % (
            self.method, self.getPath(), _stdlib.attribute("enctype", self.enctype), fields)
    def validateForm(self):
        """Check the values of request.paramMap: 1 if the form is valid, else 0 with the
        error messages set. Empty mandatory fields are "Missing"; then each field's
        validate(value) runs; then validateFields() checks fields against each other."""
        fields = [field for field in self.fieldList if field.isFormField]
        for field in fields:
            value = field.getSubmittedValue()
            if field.mandatory and not (value.strip() if isinstance(value, str) else value):
                field.errorMessage = "Missing"
            elif field.validate:
                field.errorMessage = field.validate(value) or ""
            else:
                field.errorMessage = ""
        self.validateFields()
        return 0 if any(field.errorMessage for field in fields) else 1
    def validateFields(self):
        """Override to check fields together (such as two passwords that must match),
        calling setFieldErrorMessage for what is wrong."""
    def getField(self, fieldName):
        """The FormField named `fieldName`."""
        for field in self.fieldList:
            if field.isFormField and field.name == fieldName:
                return field
        raise LookupError(f"{type(self).__name__} has no field named {fieldName!r}")
    def setFieldErrorMessage(self, fieldName, errorMessage):
        """Show `errorMessage` beside a field (and make validateForm() fail)."""
        self.getField(fieldName).errorMessage = errorMessage
    def getFieldOptionList(self, fieldName):
        """The optionList of a field."""
        return self.getField(fieldName).optionList
    def getFieldDefaultValue(self, fieldName):
        """The default value of a field."""
        return self.getField(fieldName).defaultValue
    def setFieldDefaultValue(self, fieldName, defaultValue):
        """Change the default value of a field (for this request only when called while
        serving one, say to fill a form with a record before formView(0))."""
        self.getField(fieldName).defaultValue = defaultValue
    def getFieldNameList(self, exceptList=[]):
        """The names of the fields, in order, except those in `exceptList`."""
        return [field.name for field in self.fieldList
                if field.isFormField and field.name and field.name not in exceptList]
