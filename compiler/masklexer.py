"""Turns mask text into tokens: CGTL tags (`<py-eval="...">`) and CHTL attributes.

Two passes, as in CherryPy 0.10 (spec §10): first every `py-include` is replaced by the
text of its file (repeatedly, so included files may include others), then the text is
scanned left to right for the other tags.  The literal strings `py-eval`, `py-if`, ...
can therefore never appear as plain text in a mask.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from typing import Callable

from .errors import CpyError, CpyWarning, MaskSyntaxError, Position
from .masktext import MaskText
from .reader import SourceFile

TAG = re.compile(r"py-(eval|attr|exec|code|if|else|for|include|debug)")
_INCLUDE = re.compile(r"py-include")
_CLOSE_TAG = re.compile(r"[ \t]*/?>")
_CLOSE_DIV_TAG = re.compile(r"[ \t]*>")
_CODE_START = re.compile(r"[ \t]*\n")
_CODE_END = re.compile(r'"( ?/)?>')
_DIV_EDGE = re.compile(r"<div(?=[\s>/])|</div\s*>")
_ELSE_AHEAD = re.compile(r"\s*(?=<py-else>|<div\s+py-else\s*>)")
_NEXT_ATTRIBUTE = re.compile(r"=([\"'])")
_ANOTHER_ATTRIBUTE = re.compile(r"\s+([\w:-]+(?:=(?:\"[^\"]*\"|'[^']*'|[^\s>]*))?)")
_UNKNOWN_TAG = re.compile(r"(?:<|\s)(py-[A-Za-z][\w-]*)(?==|>|\s)")
KNOWN_TAGS = ("py-eval", "py-attr", "py-exec", "py-code", "py-if", "py-else", "py-for",
              "py-include", "py-debug")

#: Blocks that have a closing tag.
BLOCKS = ("if", "else", "for")

TEXT, EVAL, ATTR, EXEC, CODE, IF, ELSE, FOR, END, DEBUG = (
    "TEXT", "EVAL", "ATTR", "EXEC", "CODE", "IF", "ELSE", "FOR", "END", "DEBUG",
)  # fmt: skip


@dataclass(frozen=True)
class MaskToken:
    """One token of a mask.

    `value` is the text (TEXT), the Python source (EVAL, ATTR, EXEC, IF, FOR, DEBUG) or
    the block name (END). `pos` is where the tag starts, `value_pos` where its Python
    starts. CODE carries its lines as (text, position) pairs with the common indentation
    removed. `source` is how the tag was written, for messages.
    """

    kind: str
    value: str
    pos: Position
    value_pos: Position | None = None
    lines: tuple[tuple[str, Position], ...] = ()
    source: str = ""
    notes: tuple[tuple[str, Position], ...] = field(default=(), compare=False)

    def __str__(self) -> str:
        value = self.value if self.kind != CODE else "\n".join(t for t, _ in self.lines)
        return f"{self.pos}: {self.kind} {value!r}"


#: Finds a template named in `py-include`: (name, position, path of the including file).
IncludeResolver = Callable[[str, Position, str], SourceFile]


class MaskLexer:
    """Tokenizes one mask. Call `tokens()` once."""

    def __init__(self, mask: MaskText, resolve_include: IncludeResolver) -> None:
        self.mask = mask
        self.resolve_include = resolve_include
        self.out: list[MaskToken] = []
        self.warnings: list[CpyWarning] = []
        self.cursor = 0
        # Offsets of `</div>` tags that close a CHTL block: offset -> (end offset, block).
        self.closers: dict[int, tuple[int, str]] = {}

    # ---- errors and positions --------------------------------------------------------

    def error(self, message: str, offset: int) -> MaskSyntaxError:
        return MaskSyntaxError(message, self.mask.pos(offset), self.mask.notes(offset))

    def add(self, kind: str, value: str, offset: int, value_offset: int | None = None,
            source: str = "", lines: tuple[tuple[str, Position], ...] = ()) -> None:
        value_pos = self.mask.pos(value_offset) if value_offset is not None else None
        self.out.append(MaskToken(kind, value, self.mask.pos(offset), value_pos, lines,
                                  source, self.mask.notes(offset)))

    # ---- pass 1: includes --------------------------------------------------------------

    def expand_includes(self) -> None:
        """Replace every `py-include` by the text of its file."""
        search_from = 0
        while True:
            found = _INCLUDE.search(self.mask.text, search_from)
            if not found:
                return
            start, end, name, value_offset = self.include_tag(found.start())
            chain = self.mask.chain(found.start())
            where = self.mask.pos(start)
            including = chain[-1][0] if chain else ""
            try:
                source = self.resolve_include(name, self.mask.pos(value_offset), including)
            except CpyError as exc:
                if exc.pos is not None and exc.pos.file != self.mask.pos(start).file:
                    exc.with_note("included from here", where)
                raise
            seen = [path for path, _ in chain]
            if source.path in seen:
                names = [p.rsplit("/", 1)[-1] for p in seen[seen.index(source.path):]]
                loop = " -> ".join(names + [source.display.rsplit("/", 1)[-1]])
                raise self.error(f"Infinite loop in 'py-include': {loop}", start)
            self.mask.splice(start, end, MaskText.from_file(source, chain + ((source.path, where),)))
            search_from = start

    def include_tag(self, k: int) -> tuple[int, int, str, int]:
        """Parse the include tag whose `py-include` is at `k`: (start, end, file, value)."""
        text = self.mask.text
        e = k + len("py-include")
        if text[k - 1 : k] == "<" and text[k - 2 : k] != "</":
            start, is_div = k - 1, False
        elif k > 0 and text[k - 1].isspace() and self.element_at(k) == "div":
            start, is_div = text.rfind("<", 0, k), True
        else:
            raise self.error(
                "'py-include' tag can be used either as '<py-include=\"...\">' "
                "or '<div py-include=\"...\">...</div>'", k)
        if not text.startswith('="', e):
            raise self.error("Tag 'py-include' should be followed by '=\"'", k)
        value, after = self.read_value(e + 2, "py-include")
        if not value.strip():
            raise self.error("py-include needs a file name: <py-include=\"file.html\">", e + 2)
        if not is_div:
            return start, self.close_tag(after, "py-include", value, _CLOSE_TAG), value.strip(), e + 2
        content = self.close_tag(after, "py-include", value, _CLOSE_DIV_TAG)
        _, end = self.matching_div(content, start)
        return start, end, value.strip(), e + 2

    # ---- helpers shared by both passes ---------------------------------------------------

    def read_value(self, i: int, tag: str) -> tuple[str, int]:
        """Read a one-line tag value from `i` to its closing quote: (value, after quote).

        A backslash escapes the next character; `\\"` stays in the value, so it reaches
        the generated Python unchanged (spec §10).
        """
        text = self.mask.text
        j = i
        while j < len(text):
            c = text[j]
            if c == "\\" and j + 1 < len(text) and text[j + 1] != "\n":
                j += 2
                continue
            if c == '"':
                return text[i:j], j + 1
            if c == "\n":
                break
            j += 1
        raise self.error(
            f"No closing '\"' for string '{tag}=\"{text[i:j][:40]}' before the end of the line",
            i - 2 - len(tag))

    def close_tag(self, i: int, tag: str, value: str, closing: re.Pattern[str]) -> int:
        """Check that a tag ends at `i` (`>`, `/>` or ` />`); return the offset after it."""
        found = closing.match(self.mask.text, i)
        if not found:
            raise self.error(f"No closing '\">' for string '{tag}=\"{value[:40]}'", i - 1)
        return found.end()

    def element_at(self, k: int) -> str | None:
        """Name of the HTML element whose start tag contains offset `k`, if any."""
        text = self.mask.text
        lt = text.rfind("<", 0, k)
        if lt < 0 or text.rfind(">", 0, k) > lt:
            return None
        found = re.match(r"<([A-Za-z][\w:-]*)", text[lt : lt + 64])
        return found.group(1) if found else None

    def matching_div(self, i: int, opened_at: int) -> tuple[int, int]:
        """Find the `</div>` that closes a div whose content starts at `i` (nesting counted)."""
        text = self.mask.text
        depth = 1
        for found in _DIV_EDGE.finditer(text, i):
            if found.group().startswith("</"):
                depth -= 1
                if depth == 0:
                    return found.start(), found.end()
            else:
                gt = text.find(">", found.end())
                if gt < 0 or text[gt - 1] != "/":  # <div .../> opens nothing
                    depth += 1
        raise self.error("No matching '</div>' tag for this '<div'", opened_at)

    # ---- pass 2: the other tags ----------------------------------------------------------

    def tokens(self) -> list[MaskToken]:
        """Expand includes, then tokenize the whole mask."""
        self.expand_includes()
        text = self.mask.text
        while True:
            found = TAG.search(text, self.cursor)
            limit = found.start() if found else len(text)
            closer = min((o for o in self.closers if self.cursor <= o < limit), default=None)
            if closer is not None:
                self.emit_text(closer)
                end, block = self.closers.pop(closer)
                self.add(END, block, closer, source="</div>")
                self.cursor = end
                if block == "if":
                    self.swallow_before_else()
                continue
            if not found:
                self.emit_text(len(text))
                break
            self.tag(found.start(), found.group(1), found.end())
        if self.closers:  # a closer skipped inside discarded text
            raise self.error("this '</div>' closes a py- block but lies inside discarded text",
                             min(self.closers))
        self.warn_unknown_tags()
        return self.out

    def warn_unknown_tags(self) -> None:
        """Things that look like tags but are not (`<py-evl="x">`) stay text: say so."""
        for found in _UNKNOWN_TAG.finditer(self.mask.text):
            name = found.group(1)
            if TAG.match(name):
                continue
            guess = difflib.get_close_matches(name, KNOWN_TAGS, n=1)
            hint = f" (did you mean {guess[0]}?)" if guess else ""
            self.warnings.append(CpyWarning(
                f"'{name}' is not a cherryc tag, so it stays as text{hint}",
                self.mask.pos(found.start(1))))

    def emit_text(self, upto: int) -> None:
        """Emit the text from the cursor to `upto` and move the cursor there."""
        if upto > self.cursor:
            self.add(TEXT, self.mask.text[self.cursor : upto], self.cursor)
        self.cursor = max(self.cursor, upto)

    def discard_to(self, upto: int) -> None:
        """Skip text (CHTL element content), which must not hold a pending block closer."""
        inside = [o for o in self.closers if self.cursor <= o < upto]
        if inside:
            raise self.error("this '</div>' closes a py- block but lies inside the content "
                             "that a py-eval replaces", inside[0])
        self.cursor = max(self.cursor, upto)

    def swallow_before_else(self) -> None:
        """Drop the whitespace between the end of a py-if and a following py-else."""
        ahead = _ELSE_AHEAD.match(self.mask.text, self.cursor)
        if ahead:
            self.cursor = ahead.end()

    def tag(self, k: int, name: str, e: int) -> None:
        """Handle the tag name `py-<name>` found at offset `k` (ending at `e`)."""
        text = self.mask.text
        if text[k - 2 : k] == "</" and k >= 2:
            self.closing_tag(k, name, e)
        elif k >= 1 and text[k - 1] == "<":
            self.cgtl_tag(k, name, e)
        elif k >= 1 and text[k - 1].isspace() and self.element_at(k):
            self.chtl_attribute(k, name, e)
        elif name != "else" and text.startswith('="', e):
            raise self.error(
                f"'py-{name}' must start a tag (<py-{name}=\"...\">) or be an attribute "
                "inside an HTML element, after a space", k)
        else:
            raise self.error(
                f"Tag 'py-{name}' should be followed by '=\"' (to show the text "
                f"'py-{name}' on a page, write <py-eval=\"'py-' + '{name}'\">)", k)

    def closing_tag(self, k: int, name: str, e: int) -> None:
        text = self.mask.text
        if name not in BLOCKS:
            raise self.error(f"'</py-{name}>' is not a closing tag: only py-if, py-else and "
                             "py-for enclose text", k - 2)
        if not text.startswith(">", e):
            raise self.error(f"expected '>' to end '</py-{name}'", e)
        self.emit_text(k - 2)
        self.add(END, name, k - 2, source=f"</py-{name}>")
        self.cursor = e + 1
        if name == "if":
            self.swallow_before_else()

    def cgtl_tag(self, k: int, name: str, e: int) -> None:
        """A tag of its own: `<py-eval="...">`, `<py-if="...">`, `<py-else>`, ..."""
        text = self.mask.text
        lt = k - 1
        self.emit_text(lt)
        if name == "else":
            if not text.startswith(">", e):
                raise self.error("write '<py-else>': py-else takes no value", k)
            self.add(ELSE, "", lt, source="<py-else>")
            self.cursor = e + 1
            return
        if name == "attr":
            raise self.error(
                "py-attr is an attribute: put it inside an element, just before the "
                "attribute it fills, as in <td py-attr=\"color\" bgcolor=\"\">", k)
        if not text.startswith('="', e):
            raise self.error(f"Tag 'py-{name}' should be followed by '=\"'", k)
        if name == "code":
            self.cursor = self.code_block(lt, e + 2, f"<py-{name}")
            return
        value, after = self.read_value(e + 2, f"py-{name}")
        end = self.close_tag(after, f"py-{name}", value, _CLOSE_TAG)
        kind = {"eval": EVAL, "exec": EXEC, "if": IF, "for": FOR, "debug": DEBUG}[name]
        self.add(kind, value, lt, e + 2, source=text[lt:end])
        self.cursor = end

    def chtl_attribute(self, k: int, name: str, e: int) -> None:
        """An attribute of an HTML element: `<td py-eval="...">`, `<div py-if="...">`."""
        text = self.mask.text
        element = self.element_at(k)
        lt = text.rfind("<", 0, k)
        if name == "attr":
            self.attr_attribute(k, e)
        elif name == "eval" and element != "div":
            self.eval_attribute(k, e)
        elif element != "div":
            raise self.error(
                f"'py-{name}' can be used as '<py-{name}=...>' or as an attribute of a "
                f"div ('<div py-{name}=...>...</div>'), not of a <{element}>", k)
        elif name == "else":
            found = _CLOSE_DIV_TAG.match(text, e)
            if not found:
                raise self.error("write '<div py-else>': py-else takes no value", k)
            self.emit_text(lt)
            self.add(ELSE, "", lt, source=text[lt : found.end()])
            self.open_div_block(found.end(), lt, "else")
        else:
            self.div_attribute(k, name, e, lt)

    def attr_attribute(self, k: int, e: int) -> None:
        """`py-attr="expr"`: the value goes into the quotes of the attribute that follows."""
        text = self.mask.text
        if not text.startswith('="', e):
            raise self.error("Tag 'py-attr' should be followed by '=\"'", k)
        value, after = self.read_value(e + 2, "py-attr")
        target = _NEXT_ATTRIBUTE.search(text, after)
        gt = text.find(">", after)
        if not target or (gt >= 0 and target.start() > gt):
            raise self.error("py-attr must be followed by the attribute it fills, "
                             "as in <td py-attr=\"color\" bgcolor=\"\">", k)
        quote = target.group(1)
        closing = text.find(quote, target.end())
        if closing < 0:
            raise self.error(f"No closing {quote} for the attribute after py-attr", target.end())
        self.emit_text(k - 1)
        self.add(TEXT, text[after : target.end()], after)
        self.add(ATTR, value, k, e + 2, source=f'py-attr="{value}"')
        self.cursor = closing

    def eval_attribute(self, k: int, e: int) -> None:
        """`<td py-eval="expr">dummy</td>`: `<td>`, the value, then from the next `<` on."""
        text = self.mask.text
        if not text.startswith('="', e):
            raise self.error("Tag 'py-eval' should be followed by '=\"'", k)
        value, after = self.read_value(e + 2, "py-eval")
        following = _ANOTHER_ATTRIBUTE.match(text, after)
        if following:
            element = self.element_at(k)
            raise self.error(
                f"py-eval must be the last attribute of <{element}>: move "
                f"{following.group(1)} before py-eval", following.start(1))
        end = self.close_tag(after, "py-eval", value, _CLOSE_TAG)
        self.emit_text(k - 1)
        self.add(TEXT, ">", k)
        self.add(EVAL, value, k, e + 2, source=f'py-eval="{value}"')
        following = text.find("<", end)
        self.discard_to(following if following >= 0 else len(text))

    def div_attribute(self, k: int, name: str, e: int, lt: int) -> None:
        """`<div py-if|py-for|py-exec|py-code|py-eval|py-debug="...">`: the div disappears."""
        text = self.mask.text
        if not text.startswith('="', e):
            raise self.error(f"Tag 'py-{name}' should be followed by '=\"'", k)
        self.emit_text(lt)
        if name == "code":
            end = self.code_block(lt, e + 2, f"<div py-{name}")
            self.cursor = self.closed_by_div(end, lt, "py-code")
            return
        value, after = self.read_value(e + 2, f"py-{name}")
        end = self.close_tag(after, f"py-{name}", value, _CLOSE_DIV_TAG if name != "eval" else _CLOSE_TAG)
        source = text[lt:end]
        if name == "exec":
            self.add(EXEC, value, lt, e + 2, source=source)
            self.cursor = self.closed_by_div(end, lt, "py-exec")
        elif name in ("if", "for"):
            self.add(IF if name == "if" else FOR, value, lt, e + 2, source=source)
            self.open_div_block(end, lt, name)
        else:  # eval, debug: the value replaces the whole div
            self.add(EVAL if name == "eval" else DEBUG, value, lt, e + 2, source=source)
            if text[end - 2 : end] == "/>":
                self.cursor = end
                return
            _, close_end = self.matching_div(end, lt)
            self.discard_to(close_end)

    def open_div_block(self, content: int, lt: int, block: str) -> None:
        """Remember which `</div>` closes the block opened at `lt`."""
        close_start, close_end = self.matching_div(content, lt)
        self.closers[close_start] = (close_end, block)
        self.cursor = content

    def closed_by_div(self, i: int, lt: int, tag: str) -> int:
        """`<div py-exec=...>` and `<div py-code=...>` must be followed by `</div>` at once."""
        text = self.mask.text
        if not text.startswith("</div>", i):
            opener = text[lt:i] if "\n" not in text[lt:i] else f"<div {tag}=...>"
            found = text[i : i + 20].split("\n")[0] or "the end of the line"
            raise self.error(f"'{opener}' must be followed immediately by '</div>' "
                             f"(found '{found}')", i)
        return i + len("</div>")

    def code_block(self, lt: int, i: int, opener: str) -> int:
        """Read a `py-code` block starting after its `="`; return the offset after `">`."""
        text = self.mask.text
        start = _CODE_START.match(text, i)
        if not start:
            raise self.error(f"'{opener[1:]}=\"' must be followed by a newline", i)
        end = _CODE_END.search(text, start.end())
        if not end:
            raise self.error(f"No closing '\">' for the '{opener[1:]}' block", lt)
        raw: list[tuple[str, int]] = []
        offset = start.end()
        for piece in text[start.end() : end.start()].split("\n"):
            if piece.strip():
                raw.append((piece, offset))
            offset += len(piece) + 1
        common = min((len(p) - len(p.lstrip()) for p, _ in raw), default=0)
        lines = tuple((p[common:], self.mask.pos(o + common)) for p, o in raw)
        self.add(CODE, "", lt, source=opener + '="...">', lines=lines)
        return end.end()


def tokenize_mask(mask: MaskText, resolve_include: IncludeResolver) -> list[MaskToken]:
    """All tokens of a mask, includes expanded."""
    return MaskLexer(mask, resolve_include).tokens()
