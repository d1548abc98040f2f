"""The form example in a real browser: submit with mistakes, see the errors beside the
fields (values kept, passwords not), correct them, see the thanks page."""

from __future__ import annotations

from pathlib import Path

from servers import example_server


def test_sign_up_form_shows_errors_then_thanks(tmp_path: Path, page, screenshots) -> None:
    with example_server("form", tmp_path / "form") as server:
        page.goto(server.url + "/")
        assert page.title() == "Sign up for the meetup"
        assert page.input_value("input[name=event]") == "Spring meetup"
        assert page.is_checked("input[name=shirt][value=M]")
        screenshots.take(page, "empty-form")

        # First try: a hostile name, a wrong e-mail, short and different passwords, no country.
        page.fill("input[name=name]", "<b>Ann</b>")
        page.fill("input[name=email]", "ann-at-example")
        page.fill("input[name=password]", "short")
        page.fill("input[name=password2]", "other")
        page.click("input[type=submit][name=signUp]")
        page.wait_for_selector("p.message")
        assert page.inner_text("p.message") == "Please correct the fields marked in red."
        errors = page.locator("span.formError").all_inner_texts()
        assert "Wrong email" in errors
        assert "At least 8 characters" in errors
        assert "Missing" in errors  # the country
        assert page.input_value("input[name=name]") == "<b>Ann</b>"  # kept, as text
        assert page.locator("b", has_text="Ann").count() == 0  # never as markup
        assert page.input_value("input[name=password]") == ""  # passwords never come back
        assert page.input_value("input[name=password2]") == ""
        screenshots.take(page, "errors")

        # Second try: everything right.
        page.fill("input[name=email]", "ann@example.org")
        page.fill("input[name=password]", "correct horse")
        page.fill("input[name=password2]", "correct horse")
        page.select_option("select[name=country]", "fr")
        page.check("input[name=talks][value=aspects]")
        page.check("input[name=talks][value=cloud]")
        page.check("input[name=shirt][value=L]")
        page.fill("textarea[name=comments]", "See you there & thanks!")
        page.click("input[type=submit][name=signUp]")
        page.wait_for_selector("#summary")
        assert page.inner_text("h1") == "Thanks for signing up"
        summary = page.inner_text("#summary")
        for expected in ("<b>Ann</b>", "ann@example.org", "France", "Aspects, Cloud functions",
                         "L", "See you there & thanks!", "Spring meetup"):
            assert expected in summary
        assert "correct horse" not in page.content()
        screenshots.take(page, "thanks")

        page.click("text=Sign up someone else")
        page.wait_for_selector("input[name=name]")
        assert page.input_value("input[name=name]") == ""
    assert len(screenshots.taken) == 3
