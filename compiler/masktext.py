"""Mask source text with the file, line and column of every character, includes spliced in."""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass

from .errors import Position
from .reader import SourceFile, SourceLine


@dataclass(frozen=True)
class Origin:
    """Where the text from an anchor on comes from.

    `col` is the 0-based column of `line.text` at the anchor; `chain` lists the files
    the text was included through, outermost first, as (real path, include position).
    """

    line: SourceLine
    col: int
    chain: tuple[tuple[str, Position | None], ...]


class MaskText:
    """The text of one mask plus anchors mapping offsets back to source positions.

    There is an anchor at every line start and wherever spliced text begins or ends.
    """

    def __init__(self, text: str, offsets: list[int], origins: list[Origin]) -> None:
        self.text = text
        self._offsets = offsets
        self._origins = origins

    @classmethod
    def from_lines(
        cls, lines: list[SourceLine], strip: int, chain: tuple[tuple[str, Position | None], ...]
    ) -> "MaskText":
        """Join lines (each without its first `strip` columns) with a newline after each."""
        parts: list[str] = []
        offsets: list[int] = []
        origins: list[Origin] = []
        offset = 0
        for line in lines:
            piece = line.text[strip:] + "\n"
            offsets.append(offset)
            origins.append(Origin(line, strip, chain))
            parts.append(piece)
            offset += len(piece)
        return cls("".join(parts), offsets, origins)

    @classmethod
    def from_file(cls, source: SourceFile, chain: tuple[tuple[str, Position | None], ...]) -> "MaskText":
        """An included template: all its lines, blank and `#` lines included."""
        return cls.from_lines(list(source.lines), 0, chain)

    def _anchor(self, offset: int) -> int:
        return max(bisect_right(self._offsets, offset) - 1, 0)

    def pos(self, offset: int) -> Position:
        """The source position of the character at `offset`."""
        if not self._origins:
            return Position("<mask>", 0)
        i = self._anchor(offset)
        origin = self._origins[i]
        return origin.line.pos(origin.col + offset - self._offsets[i])

    def chain(self, offset: int) -> tuple[tuple[str, Position | None], ...]:
        """The include chain of the text at `offset`."""
        if not self._origins:
            return ()
        return self._origins[self._anchor(offset)].chain

    def notes(self, offset: int) -> tuple[tuple[str, Position], ...]:
        """'included from here' notes for an error at `offset`, innermost first."""
        return tuple(
            ("included from here", where)
            for _, where in reversed(self.chain(offset))
            if where is not None
        )

    def splice(self, start: int, end: int, inserted: "MaskText") -> None:
        """Replace text[start:end] by `inserted`, keeping every origin right."""
        after_origin = self._origin_at(end) if end < len(self.text) else None
        delta = len(inserted.text) - (end - start)
        offsets: list[int] = []
        origins: list[Origin] = []
        for offset, origin in zip(self._offsets, self._origins):
            if offset < start:
                offsets.append(offset)
                origins.append(origin)
        for offset, origin in zip(inserted._offsets, inserted._origins):
            offsets.append(start + offset)
            origins.append(origin)
        tail = [(o + delta, origin) for o, origin in zip(self._offsets, self._origins) if o >= end]
        resume = start + len(inserted.text)
        if after_origin is not None and (not tail or tail[0][0] != resume):
            offsets.append(resume)
            origins.append(after_origin)
        for offset, origin in tail:
            offsets.append(offset)
            origins.append(origin)
        self.text = self.text[:start] + inserted.text + self.text[end:]
        self._offsets = offsets
        self._origins = origins

    def _origin_at(self, offset: int) -> Origin:
        i = self._anchor(offset)
        origin = self._origins[i]
        return Origin(origin.line, origin.col + offset - self._offsets[i], origin.chain)
