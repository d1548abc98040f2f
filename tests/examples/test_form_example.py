"""examples/form over real HTTP: the sign-up form, its errors, and the thanks page.

The example is copied to a temporary folder, compiled with --autoescape and served with
its own siteServer.cfg on a free port. Checked: the fresh form has every input the
README lists; an empty form reports each mandatory field as Missing; each validate
function and validateFields() put their message beside the right field while the
visitor's values stay (escaped; passwords never); forged choices are refused; a valid
form gives the thanks page, which echoes the values escaped, choices by their labels,
and never the password.
"""

from __future__ import annotations

import re

import pytest

from servers import ServerProcess, example_config, example_server, replace_fields

VALID = [("name", "Ann <b>Lee</b>"), ("email", "ann@example.org"), ("password", "correct horse"),
         ("password2", "correct horse"), ("country", "fr"), ("talks", "forms"),
         ("talks", "cloud"), ("shirt", "L"), ("comments", "Vegetarian\n<please>"),
         ("event", "Spring meetup"), ("signUp", "Sign up")]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory):
    """The example compiled in a temporary copy, served with its own configuration
    (on a free loopback port instead of 8011)."""
    assert example_config("form")["server"]["socketPort"] == "8011"
    with example_server("form", tmp_path_factory.mktemp("form") / "site") as running:
        yield running


def sign_up(site: ServerProcess, **changes: str | list[str]) -> str:
    """POST the valid form with some fields replaced ([] leaves a field out)."""
    reply = site.post("/root/postForm", replace_fields(VALID, **changes))
    assert reply.status == 200, reply.text
    return reply.text


def errors(page: str) -> dict[str, str]:
    """{field name: error message} from the table rows of a form page."""
    found = {}
    for row in page.split("<tr>")[1:]:
        message = re.search(r'<span class="formError"[^>]*>(.*?)</span>', row)
        if message:
            found[re.search(r'name="(\w+)"', row).group(1)] = message.group(1)
    return found


def summary(page: str) -> dict[str, str]:
    """{label: value} from the thanks page."""
    return dict(re.findall(r"<dt>(.*?)</dt><dd>(.*?)</dd>", page, re.DOTALL))


def test_the_form(site: ServerProcess) -> None:
    page = site.get("/").text
    assert "<h1>Sign up for the meetup</h1>" in page
    assert f'<form method="post" action="{site.url}/root/postForm">' in page
    for name in ("name", "email", "password", "password2", "country", "comments"):
        assert f'<label for="{name}">' in page and f'name="{name}" id="{name}"' in page
    assert page.count('type="checkbox" name="talks"') == 4
    assert '<input type="radio" name="shirt" value="M" checked> M' in page
    assert '<option value="">(choose one)</option>' in page
    assert '<input type="hidden" name="event" value="Spring meetup">' in page
    assert '<input type="submit" name="signUp" value="Sign up">' in page
    assert errors(page) == {}


def test_an_empty_form_lists_what_is_missing(site: ServerProcess) -> None:
    page = sign_up(site, name="", email=" ", password=[], password2=[], country="", talks=[],
                   shirt=[], comments="")
    assert '<p class="message">Please correct the fields marked in red.</p>' in page
    assert errors(page) == {name: "Missing" for name in
                            ("name", "email", "password", "password2", "country", "shirt")}


def test_each_rule_reports_beside_its_field(site: ServerProcess) -> None:
    page = sign_up(site, name="N" * 41, email="ann@", password="short", password2="short",
                   comments="x" * 501)
    assert errors(page) == {"name": "At most 40 characters", "email": "Wrong email",
                            "password": "At least 8 characters",
                            "comments": "At most 500 characters"}
    page = sign_up(site, password2="correct horse!")
    assert errors(page) == {"password2": "The passwords do not match"}


def test_values_stay_escaped_and_passwords_do_not(site: ServerProcess) -> None:
    page = sign_up(site, email="not an address", password2="something else")
    assert errors(page) == {"email": "Wrong email", "password2": "The passwords do not match"}
    assert 'name="name" id="name" value="Ann &lt;b&gt;Lee&lt;/b&gt;"' in page
    assert 'name="email" id="email" value="not an address"' in page
    assert '<option value="fr" selected>France</option>' in page
    assert '<input type="checkbox" name="talks" value="forms" checked> Forms' in page
    assert '<input type="checkbox" name="talks" value="cloud" checked> Cloud functions' in page
    assert '<input type="checkbox" name="talks" value="masks"> Masks and views' in page
    assert '<input type="radio" name="shirt" value="L" checked> L' in page
    assert '<input type="radio" name="shirt" value="M"> M' in page
    assert "\nVegetarian\n&lt;please&gt;</textarea>" in page
    assert "correct horse" not in page and "something else" not in page
    assert "<b>Lee</b>" not in page and "<please>" not in page


def test_forged_choices_are_refused(site: ServerProcess) -> None:
    page = sign_up(site, country="xx", talks=["forms", "<script>"], shirt="XXXL")
    assert errors(page) == {"country": "Not one of the choices",
                            "talks": "Not one of the choices",
                            "shirt": "Not one of the choices"}
    assert "<script>" not in page and "XXXL" not in page


def test_a_valid_form_gives_the_thanks_page(site: ServerProcess) -> None:
    page = sign_up(site)
    assert "<h1>Thanks for signing up</h1>" in page
    assert summary(page) == {
        "Your name": "Ann &lt;b&gt;Lee&lt;/b&gt;",
        "E-mail": "ann@example.org",
        "Country": "France",
        "Talks you want to hear": "Forms, Cloud functions",
        "T-shirt size": "L",
        "Anything else?": "Vegetarian<br>\n&lt;please&gt;",
        "Event": "Spring meetup",
    }
    assert "correct horse" not in page
    assert f'<a href="{site.url}/root">Sign up someone else</a>' in page


def test_optional_fields_may_stay_empty(site: ServerProcess) -> None:
    page = sign_up(site, talks=[], comments="")
    assert "<h1>Thanks for signing up</h1>" in page
    assert summary(page)["Talks you want to hear"] == "-"
    assert summary(page)["Anything else?"] == "-"
