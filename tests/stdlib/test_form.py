"""The Form standard module (spec §26, DESIGN.md §5) over real HTTP.

A site with `use Form` is compiled with and without --autoescape and served on a free
port. Checked: the HTML of every field type, fresh (default values and messages) and
re-rendered with the visitor's values (`leaveValues`); hostile values and labels are
escaped exactly once, in masks of both builds; a password is never written into a page;
select, multiple select, checkbox and radio keep the chosen values; labels that are
Markup stay HTML; validateForm ("Missing", validate functions, validateFields, the 1/0
result); the helper methods; custom masks, the GET method and enctype; field state that
belongs to one request (checked with two requests served at the same time); clear
errors for a bad field type or textarea size.
"""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest

from servers import (BUILDS, Reply, ServerProcess, ThreadServer, compile_site, replace_fields,
                     site_server)

SITE = '''\
use Form

import json

from markupsafe import Markup

# The concurrency test holds one request here while another one is served.
HELD = threading.Event()
RELEASE = threading.Event()


def initServer():
    # Outside a request: a lasting change of the field.
    kitchen.setFieldDefaultValue("city", "Paris")


def shortName(value):
    return "Too long" if len(value) > 8 else None

CherryClass Kitchen(Form):
function:
    def __init__(self):
        self.fieldList = [
            FormSeparator("", defaultFormMask.defaultHeader),
            FormField("Name <i>", "name", "text", mandatory=1, size=20, validate=shortName),
            FormField("City", "city", "forced"),
            FormField("Secret", "secret", "password", defaultValue="hunter2"),
            FormField("Colour", "colour", "select", optionList=["red", ('g"reen', "<Green>")],
                      defaultValue="red"),
            FormField("Sizes", "sizes", "select", multiple=1, optionList=["S", "M", "L"],
                      defaultValue=["S", "L"]),
            FormField(Markup("Notes <small>(optional)</small>"), "notes", "textarea", size="30x4",
                      defaultValue="<p>notes</p>"),
            FormField("Tags", "tags", "checkbox", optionList=["a", ("b", "Bee & co"), "c"]),
            FormField("Pick", "pick", "radio", optionList=["x", "y"], defaultValue="y",
                      mandatory=1, defaultMessage="Pick one"),
            FormField("", "token", "hidden", defaultValue="t0"),
            FormField("", "go", "submit", defaultValue="Send"),
            FormSeparator("<b>Fine print</b>", defaultFormMask.echoMask),
            FormSeparator("", defaultFormMask.defaultFooter)]
    def validateFields(self):
        if self.getField("tags").getSubmittedValue() == ["c"]:
            self.setFieldErrorMessage("tags", "c needs a friend")
mask:
    def index(self, leave="0", **kw):
        <div id="page"><py-eval="self.formView(int(leave))"></div>
    def postForm(self, **kw):
        <p id="result" py-eval="self.validateForm() and 'valid' or 'invalid'">result</p>
        <py-eval="self.formView(1)">
view:
    def helpers(self):
        response.headerMap["content-type"] = "application/json"
        return json.dumps({
            "names": self.getFieldNameList(),
            "namesExcept": self.getFieldNameList(["go", "token", "secret"]),
            "options": self.getFieldOptionList("colour"),
            "city": self.getFieldDefaultValue("city"),
        })
    def setCity(self, city):
        self.setFieldDefaultValue("city", city)
        return self.formView(0)
    def unknownField(self):
        return self.getFieldDefaultValue("nope")
    def lateField(self):
        # A field made while serving a request keeps its own values afterwards.
        if not hasattr(self, "late"):
            self.late = FormField("Late", "late", "text", defaultValue="kept")
        return self.late.render(0)
    def hold(self):
        self.setFieldErrorMessage("name", "held error")
        self.setFieldDefaultValue("city", "Held City")
        HELD.set()
        RELEASE.wait(10)
        return self.formView(1) + self.formView(0)

CherryClass Search(Form):
variable:
    method = "get"
    enctype = "multipart/form-data"
function:
    def __init__(self):
        self.fieldList = [
            FormField("Query", "q", "text", mask=self.rowMask, mandatory=1, size=0),
            FormField("", "page", "hidden", mask=defaultFormMask.hiddenMask, defaultValue="1")]
mask:
    def rowMask(self, field) hidden:
        <p class="row"><py-eval="field.label">: <py-eval="field.renderInput()"><py-if="field.errorMessage"> <em py-eval="field.errorMessage">error</em></py-if></p>
    def index(self):
        <py-eval="self.formView()">
    def postForm(self, **kw):
        <p id="result" py-eval="self.validateForm() and 'valid' or 'invalid'">result</p>
        <py-eval="self.formView(1)">
'''

HOSTILE = '"><script>alert(1)</script>'
HOSTILE_ESCAPED = "&#34;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"
#: A valid post: every mandatory field filled, every value acceptable.
VALID = [("name", "Ann"), ("secret", "s3cret!"), ("colour", "red"), ("sizes", "M"),
         ("notes", "hi"), ("tags", "a"), ("pick", "x"), ("token", "t1"), ("go", "Send")]


@pytest.fixture(scope="module", params=list(BUILDS))
def site(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    """The site compiled with --autoescape, then without, served by its own process."""
    with site_server(tmp_path_factory.mktemp("form_site"), SITE, request.param) as server:
        yield server


def post(site: ServerProcess, pairs: list[tuple[str, str]], path: str = "/kitchen/postForm") -> str:
    reply = site.post(path, pairs)
    assert reply.status == 200, reply.text
    return reply.text


def with_values(**changes: str | list[str]) -> list[tuple[str, str]]:
    """VALID with some fields replaced (a list gives a repeated field, [] leaves it out)."""
    return replace_fields(VALID, **changes)


def error(message: str) -> str:
    return f' <span class="formError" style="color: red">{message}</span>'


# ---- rendering a fresh form --------------------------------------------------------------

def test_fresh_form_renders_every_field_type(site: ServerProcess) -> None:
    page = site.get("/kitchen").text
    assert page.startswith(f'<div id="page"><form method="post" action="{site.url}/kitchen/postForm">\n'
                           "<table>\n")
    assert ('<tr><td><label for="name">Name &lt;i&gt;</label></td><td><input type="text" '
            'name="name" id="name" value="" size="20"></td></tr>\n') in page
    # forced: shown and sent back unchanged; its default was set by initServer.
    assert ('<tr><td>City</td><td><input type="hidden" name="city" value="Paris">'
            '<b>Paris</b></td></tr>\n') in page
    assert ('<select name="colour" id="colour"><option value="red" selected>red</option>'
            '<option value="g&#34;reen">&lt;Green&gt;</option></select>') in page
    assert ('<select name="sizes" id="sizes" multiple><option value="S" selected>S</option>'
            '<option value="M">M</option><option value="L" selected>L</option></select>') in page
    # A label that is Markup stays HTML.
    assert ('<tr><td><label for="notes">Notes <small>(optional)</small></label></td><td>'
            '<textarea name="notes" id="notes" cols="30" rows="4">\n'
            '&lt;p&gt;notes&lt;/p&gt;</textarea></td></tr>\n') in page
    assert ('<tr><td>Tags</td><td><label><input type="checkbox" name="tags" value="a"> a</label><br>\n'
            '<label><input type="checkbox" name="tags" value="b"> Bee &amp; co</label><br>\n'
            '<label><input type="checkbox" name="tags" value="c"> c</label></td></tr>\n') in page
    # The default message shows until the form is validated.
    assert ('<label><input type="radio" name="pick" value="x"> x</label><br>\n'
            '<label><input type="radio" name="pick" value="y" checked> y</label>'
            + error("Pick one") + "</td></tr>\n") in page
    # A hidden field is only its input, not a table row.
    assert '\n<input type="hidden" name="token" value="t0">\n' in page
    assert '<tr><td></td><td><input type="submit" name="go" value="Send"></td></tr>\n' in page
    # echoMask escapes its label (pass Markup for HTML).
    assert page.endswith("&lt;b&gt;Fine print&lt;/b&gt;</table>\n</form>\n</div>\n")


def test_a_password_default_is_never_written(site: ServerProcess) -> None:
    page = site.get("/kitchen").text
    assert '<input type="password" name="secret" id="secret" value="" size="15">' in page
    assert "hunter2" not in page


def test_fresh_form_ignores_the_query(site: ServerProcess) -> None:
    """leaveValues=0 shows the defaults whatever the request carries."""
    page = site.get("/kitchen?leave=0&name=Bob&colour=g%22reen").text
    assert 'name="name" id="name" value=""' in page
    assert '<option value="red" selected>' in page and "Bob" not in page


# ---- re-rendering with the visitor's values ----------------------------------------------

def test_leave_values_keeps_every_choice(site: ServerProcess) -> None:
    page = post(site, with_values(colour='g"reen', sizes=["M", "L"], tags=["a", "c"], pick="x",
                                  notes="line 1\nline 2", token="t9", city="Lyon"))
    assert '<p id="result">valid</p>' in page
    assert ('<option value="red">red</option>'
            '<option value="g&#34;reen" selected>&lt;Green&gt;</option>') in page
    assert ('<option value="S">S</option><option value="M" selected>M</option>'
            '<option value="L" selected>L</option>') in page
    assert '<input type="checkbox" name="tags" value="a" checked> a' in page
    assert '<input type="checkbox" name="tags" value="b"> Bee &amp; co' in page
    assert '<input type="checkbox" name="tags" value="c" checked> c' in page
    assert '<input type="radio" name="pick" value="x" checked> x' in page
    assert '<input type="radio" name="pick" value="y"> y' in page
    assert '<textarea name="notes" id="notes" cols="30" rows="4">\nline 1\nline 2</textarea>' in page
    assert '<input type="hidden" name="token" value="t9">' in page
    assert '<input type="hidden" name="city" value="Lyon"><b>Lyon</b>' in page
    assert "formError" not in page


def test_leave_values_escapes_hostile_values(site: ServerProcess) -> None:
    page = post(site, with_values(name=HOSTILE, notes=HOSTILE, token=HOSTILE, city=HOSTILE,
                                  colour=HOSTILE, tags=[HOSTILE, "a"]))
    assert "<script>" not in page
    assert f'name="name" id="name" value="{HOSTILE_ESCAPED}" size="20">' in page
    assert f'<textarea name="notes" id="notes" cols="30" rows="4">\n{HOSTILE_ESCAPED}</textarea>' in page
    assert f'<input type="hidden" name="token" value="{HOSTILE_ESCAPED}">' in page
    assert f'<input type="hidden" name="city" value="{HOSTILE_ESCAPED}"><b>{HOSTILE_ESCAPED}</b>' in page
    # Forged choices select nothing and are not written into the page: the five
    # copies are those of name, notes, token and city (shown and sent back).
    assert "selected" not in page.split('name="colour"')[1].split("</select>")[0]
    assert "checked" not in page.split('name="tags" value="b"')[1].split("</td>")[0]
    assert page.count("alert(1)") == 5


def test_values_are_escaped_exactly_once(site: ServerProcess) -> None:
    page = post(site, with_values(name="&amp;", notes="a < b & c"))
    assert 'value="&amp;amp;" size="20"' in page
    assert "&amp;amp;amp;" not in page
    assert '\na &lt; b &amp; c</textarea>' in page


def test_a_sent_password_is_never_written_back(site: ServerProcess) -> None:
    page = post(site, with_values(secret="topsecret", name=""))
    assert '<p id="result">invalid</p>' in page
    assert '<input type="password" name="secret" id="secret" value="" size="15">' in page
    assert "topsecret" not in page


def test_the_submit_button_keeps_its_own_label(site: ServerProcess) -> None:
    page = post(site, with_values(go="Forged"))
    assert '<input type="submit" name="go" value="Send">' in page
    assert "Forged" not in page


def test_a_repeated_single_value_shows_the_first(site: ServerProcess) -> None:
    page = post(site, with_values(name=["Ann", "Bob"]))
    assert 'name="name" id="name" value="Ann"' in page and "Bob" not in page


# ---- validateForm ----------------------------------------------------------------------

def test_a_valid_form(site: ServerProcess) -> None:
    page = post(site, VALID)
    assert '<p id="result">valid</p>' in page
    assert "formError" not in page and "Pick one" not in page


@pytest.mark.parametrize("name", ["", "   "])
def test_an_empty_mandatory_field_is_missing(site: ServerProcess, name: str) -> None:
    page = post(site, with_values(name=name))
    assert '<p id="result">invalid</p>' in page
    assert f'value="{name}" size="20">{error("Missing")}</td></tr>' in page
    assert page.count("formError") == 1


def test_an_absent_mandatory_choice_is_missing(site: ServerProcess) -> None:
    page = post(site, with_values(pick=[]))
    assert '<p id="result">invalid</p>' in page
    assert ('<input type="radio" name="pick" value="y"> y</label>' + error("Missing")) in page
    assert "Pick one" not in page


def test_a_validate_function_sets_its_message(site: ServerProcess) -> None:
    page = post(site, with_values(name="Annabelle Lee"))
    assert '<p id="result">invalid</p>' in page
    assert f'value="Annabelle Lee" size="20">{error("Too long")}' in page


def test_validate_fields_sees_multiple_values_as_a_list(site: ServerProcess) -> None:
    page = post(site, with_values(tags="c"))
    assert '<p id="result">invalid</p>' in page
    assert ('<input type="checkbox" name="tags" value="c" checked> c</label>'
            + error("c needs a friend")) in page
    assert '<p id="result">valid</p>' in post(site, with_values(tags=["a", "c"]))


def test_errors_are_escaped(site: ServerProcess) -> None:
    """A validate function may put the value in its message."""
    page = post(site, with_values(name=HOSTILE))
    assert error("Too long") in page and "<script>" not in page


# ---- helpers ---------------------------------------------------------------------------

def test_helper_methods(site: ServerProcess) -> None:
    reply = site.get("/kitchen/helpers")
    assert json.loads(reply.text) == {
        "names": ["name", "city", "secret", "colour", "sizes", "notes", "tags", "pick",
                  "token", "go"],
        "namesExcept": ["name", "city", "colour", "sizes", "notes", "tags", "pick"],
        "options": ["red", ['g"reen', "<Green>"]],
        "city": "Paris",
    }


def test_a_default_set_in_a_request_stays_in_that_request(site: ServerProcess) -> None:
    page = site.get("/kitchen/setCity?city=L%3Cyon").text
    assert '<input type="hidden" name="city" value="L&lt;yon"><b>L&lt;yon</b>' in page
    assert '<input type="hidden" name="city" value="Paris">' in site.get("/kitchen").text
    assert json.loads(site.get("/kitchen/helpers").text)["city"] == "Paris"


def test_a_field_made_in_a_request_keeps_its_values(site: ServerProcess) -> None:
    for _ in range(2):
        assert 'name="late" id="late" value="kept"' in site.get("/kitchen/lateField").text


def test_an_unknown_field_name_is_a_clear_error(site: ServerProcess) -> None:
    assert site.get("/kitchen/unknownField").status == 500
    assert "LookupError: Kitchen has no field named 'nope'" in site.log()


# ---- custom masks, method and enctype ---------------------------------------------------

def test_custom_mask_get_method_and_enctype(site: ServerProcess) -> None:
    page = site.get("/search").text
    assert page == (f'<form method="get" action="{site.url}/search/postForm" '
                    'enctype="multipart/form-data">\n'
                    '<p class="row">Query: <input type="text" name="q" id="q" value=""></p>\n'
                    '<input type="hidden" name="page" value="1">\n'
                    "</form>\n\n")
    page = site.get("/search/postForm?q=&page=2").text
    assert '<p id="result">invalid</p>' in page
    assert '<input type="text" name="q" id="q" value=""> <em>Missing</em></p>' in page
    assert '<input type="hidden" name="page" value="2">' in page


def test_a_multipart_post(site: ServerProcess) -> None:
    boundary = "form-test-boundary"
    body = "".join(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
                   for name, value in [("q", "cherry <pie>"), ("page", "3")]) + f"--{boundary}--\r\n"
    reply = site.request("POST", "/search/postForm", body=body.encode(),
                         headers={"Content-Type": f"multipart/form-data; boundary={boundary}"})
    assert '<p id="result">valid</p>' in reply.text
    assert 'value="cherry &lt;pie&gt;"' in reply.text


# ---- state that belongs to one request ---------------------------------------------------

def test_two_requests_at_once_keep_their_own_field_state(tmp_path: Path) -> None:
    """One request sets an error and a default, then waits; another one, served
    meanwhile, sees neither; the first still has both when it finishes."""
    compile_site(tmp_path, SITE)
    with ThreadServer(tmp_path, server={"threadPool": 2}) as server:
        site = server.module
        held: list[Reply] = []
        thread = threading.Thread(target=lambda: held.append(server.get("/kitchen/hold")))
        thread.start()
        try:
            assert site.HELD.wait(10)
            fresh = server.get("/kitchen").text
            again = server.get("/kitchen?leave=1").text
        finally:
            site.RELEASE.set()
            thread.join(10)
    assert "Held City" not in fresh and "held error" not in again
    assert error("held error") in held[0].text
    assert '<input type="hidden" name="city" value="Held City">' in held[0].text


# ---- mistakes in a form's definition ----------------------------------------------------

@pytest.mark.parametrize("field, message", [
    ('FormField("Age", "age", "number")',
     "ValueError: FormField 'age': unknown type 'number' (use one of text, forced, password, "
     "select, textarea, submit, hidden, checkbox, radio)"),
    ('FormField("Notes", "notes", "textarea")',
     "ValueError: FormField 'notes': the size of a textarea is 'COLSxROWS' (such as '40x5'), "
     "not 15"),
])
def test_a_bad_field_stops_the_server_with_a_clear_message(tmp_path: Path, field: str,
                                                           message: str) -> None:
    source = f"use Form\n\nCherryClass Root(Form):\nfunction:\n    def __init__(self):\n" \
             f"        self.fieldList = [{field}]\n"
    server = site_server(tmp_path, source)
    with pytest.raises(AssertionError, match="exited at start-up") as failure:
        server.start()
    assert message in str(failure.value)
