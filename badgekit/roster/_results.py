"""How a row's ``score`` is read: as the badge class's resultDescription it fills expects (a number
for Percent, RawScore …; text for a LetterGrade, one of its ``allowedValue`` when it lists them)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from badgekit.roster._values import clean_value

#: resultTypes whose Result.value is a number (``credential._results`` writes the score as one).
NUMERIC_RESULT_TYPES = frozenset({"Percent", "RawScore", "GradePointAverage", "ext:Points"})
#: Longest letter grade a cell may give ("Pass with distinction" fits; a sentence does not).
MAX_GRADE_CHARS = 64
_SHOWN = 20  # allowed values named in a reason


@dataclass(frozen=True)
class ScoreReading:
    """What a score fills: a number, or (``letter``) a LetterGrade's text, one of ``allowed``
    (its ``allowedValue``; empty: any) when it lists them; ``name`` names it in reasons."""

    letter: bool = False
    allowed: tuple[str, ...] = ()
    name: str = ""

    def grade(self, value: str) -> tuple[str | None, str | None]:
        """(the grade, trimmed, as the badge class spells it; None) or (None, the reason it is refused)."""
        value = clean_value(value)
        if len(value) > MAX_GRADE_CHARS:
            return None, f"{value[:40]!r}… is longer than {MAX_GRADE_CHARS} characters: not a letter grade"
        if not self.allowed:
            return value, None
        wanted = value.casefold()
        for allowed in self.allowed:
            if allowed.casefold() == wanted:
                return allowed, None
        shown = ", ".join(self.allowed[:_SHOWN]) + (", …" if len(self.allowed) > _SHOWN else "")
        of = f" of {self.name!r}" if self.name else ""
        return None, f"{value!r} is not an allowed grade{of} ({shown})"


_NUMBER = ScoreReading()


@dataclass(frozen=True)
class ResultExpectation:
    """What a badge class's resultDescriptions make of a row's score, in ``credential._results``'s
    order: ``with_level`` for a row that gives a ``level``, else ``without_level`` (a
    RubricCriterionLevel first reads the score as points then). A number when no
    resultDescription takes the score."""

    without_level: ScoreReading = _NUMBER
    with_level: ScoreReading = _NUMBER
    #: The names of the RubricCriterionLevels a row's ``level`` may name (by id, name or level, any
    #: case: as ``credential._pick_level`` finds it); empty when no resultDescription has any.
    levels: tuple[str, ...] = ()
    level_keys: frozenset[str] = frozenset()

    @classmethod
    def of(cls, achievement: Mapping[str, Any]) -> ResultExpectation:
        """The expectation of an OB 3.0 Achievement (its ``resultDescription``)."""
        found = achievement.get("resultDescription")
        descriptions = [d for d in found if isinstance(d, Mapping) and d.get("id")] if isinstance(found, list) else []
        levels = [lv for rd in descriptions if rd.get("resultType") == "RubricCriterionLevel"
                  and isinstance(rd.get("rubricCriterionLevel"), list) for lv in rd["rubricCriterionLevel"]
                  if isinstance(lv, Mapping)]
        return cls(_reading(descriptions, level=False), _reading(descriptions, level=True),
                   tuple(str(shown) for lv in levels if (shown := lv.get("name") or lv.get("id") or lv.get("level"))),
                   frozenset(str(lv.get(k, "")).lower() for lv in levels for k in ("id", "name", "level") if lv.get(k)))

    def reading(self, level: bool) -> ScoreReading:
        """How the score of a row with (``level``) or without a level is read."""
        return self.with_level if level else self.without_level

    def level_problem(self, value: str) -> str | None:
        """None when ``value`` names a rubric level of the badge class (or it has none), else why not."""
        if not self.level_keys or value.strip().lower() in self.level_keys:
            return None
        shown = ", ".join(self.levels[:_SHOWN]) + (", …" if len(self.levels) > _SHOWN else "")
        return f"{value[:80]!r} is not a rubric level of this badge class ({shown})"


def _reading(descriptions: list[Mapping[str, Any]], *, level: bool) -> ScoreReading:
    for rd in descriptions:
        kind = rd.get("resultType")
        if (kind == "RubricCriterionLevel" and not level) or kind in NUMERIC_RESULT_TYPES:
            return _NUMBER
        if kind == "LetterGrade":
            allowed = rd.get("allowedValue")
            values = tuple(v for v in allowed if isinstance(v, str)) if isinstance(allowed, list) else ()
            name = rd.get("name")
            return ScoreReading(True, values, name if isinstance(name, str) else str(rd.get("id")))
    return _NUMBER
