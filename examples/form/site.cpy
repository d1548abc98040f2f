# A sign-up form built with the Form standard module: text, password, select, checkbox,
# radio, textarea, hidden and submit fields; mandatory fields; validate functions per
# field and validateFields() for the two passwords; errors shown in red beside the
# fields with the visitor's values kept (never the passwords); then a page that echoes
# what was sent, escaped.
#
# Compile with: cherryc compile --autoescape site.cpy   (writes siteServer.py)
# Serve with:   python siteServer.py                    (http://127.0.0.1:8011/)

use Tools, Form

COUNTRIES = [("", "(choose one)"), ("de", "Germany"), ("fr", "France"),
             ("uk", "United Kingdom"), ("us", "United States"), ("other", "Elsewhere")]
TALKS = [("masks", "Masks and views"), ("aspects", "Aspects"), ("forms", "Forms"),
         ("cloud", "Cloud functions")]
SHIRT_SIZES = ["S", "M", "L", "XL"]
MIN_PASSWORD = 8
MAX_NAME = 40
MAX_COMMENTS = 500


def oneOf(optionList):
    """A validate function that refuses any value not offered in `optionList`.

    A browser only sends the values of the page's options; anything else was forged,
    so it must never reach the data the site keeps.
    """
    allowed = {option[0] if isinstance(option, tuple) else option for option in optionList}

    def validate(value):
        if not set(value if isinstance(value, list) else [value]) <= allowed:
            return "Not one of the choices"
        return None
    return validate


def atMost(limit):
    """A validate function for text of at most `limit` characters."""
    def validate(value):
        return "At most %d characters" % limit if len(value) > limit else None
    return validate

CherryClass Root(Form):
function:
    def __init__(self):
        self.fieldList = [
            FormSeparator("", defaultFormMask.defaultHeader),
            FormField("Your name *", "name", "text", mandatory=1, size=30,
                      validate=atMost(MAX_NAME)),
            FormField("E-mail *", "email", "text", mandatory=1, size=30,
                      validate=tools.validateEmail),
            FormField("Password *", "password", "password", mandatory=1,
                      validate=self.checkPassword),
            FormField("Password again *", "password2", "password", mandatory=1),
            FormField("Country *", "country", "select", mandatory=1,
                      optionList=COUNTRIES, validate=oneOf(COUNTRIES)),
            FormField("Talks you want to hear", "talks", "checkbox",
                      optionList=TALKS, validate=oneOf(TALKS)),
            FormField("T-shirt size", "shirt", "radio", optionList=SHIRT_SIZES,
                      defaultValue="M", mandatory=1, validate=oneOf(SHIRT_SIZES)),
            FormField("Anything else?", "comments", "textarea", size="40x4",
                      validate=atMost(MAX_COMMENTS)),
            # Which event the visitor signs up for: carried by the form, not shown.
            FormField("", "event", "hidden", defaultValue="Spring meetup"),
            FormField("", "signUp", "submit", defaultValue="Sign up"),
            FormSeparator("", defaultFormMask.defaultFooter)]
    def checkPassword(self, value):
        """Error message for a password that is too short, else None."""
        if len(value) < MIN_PASSWORD:
            return "At least %d characters" % MIN_PASSWORD
        return None
    def validateFields(self):
        # Called by validateForm() once every field was checked on its own.
        password, again = self.getField("password"), self.getField("password2")
        if password.errorMessage or again.errorMessage:
            return
        if password.getSubmittedValue() != again.getSubmittedValue():
            self.setFieldErrorMessage("password2", "The passwords do not match")
    def summary(self):
        """(label, text) of every value sent, choices by their labels, passwords left out."""
        lines = []
        for name in self.getFieldNameList(["password", "password2", "signUp"]):
            field = self.getField(name)
            value = field.getSubmittedValue()
            labels = dict(option if isinstance(option, tuple) else (option, option)
                          for option in field.optionList)
            chosen = value if isinstance(value, list) else [value]
            text = ", ".join(labels.get(item, item) for item in chosen)
            lines.append((field.label.rstrip(" *") or name.capitalize(), text or "-"))
        return lines
view:
    def postForm(self, **kw):
        if self.validateForm():
            return self.thanks()
        return self.page("Sign up for the meetup", self.formView(1),
                         "Please correct the fields marked in red.")
mask:
    def index(self):
        <py-eval="self.page('Sign up for the meetup', self.formView(0), 'Fields marked * are required.')">
    def thanks(self):
        <py-exec="title = 'Thanks for signing up'">
        <py-eval="self.header(title)">
        <p>We have registered:</p>
        <dl id="summary">
        <py-for="label, text in self.summary()">
            <dt py-eval="label">label</dt><dd py-eval="tools.escapeHtml(text)">text</dd>
        </py-for>
        </dl>
        <p><a py-attr="self.getPath()" href="">Sign up someone else</a></p>
        <py-eval="self.footer()">
    def page(self, title, form, message) hidden:
        <py-eval="self.header(title)">
        <p class="message" py-eval="message">message</p>
        <py-eval="form">
        <py-eval="self.footer()">
    def header(self, title) hidden:
        <!DOCTYPE html>
        <html>
        <head><meta charset="utf-8"><title py-eval="title">title</title></head>
        <body>
        <h1 py-eval="title">title</h1>
    def footer(self) hidden:
        </body>
        </html>
