"""The learning section: guides in the portal's four languages, and search exercises whose answers
are known documents in the catalogue. A learner's result set is checked against the answer: what
they found, what they missed, and what they found beside it.

An exercise is offered only when every one of its answers is in the catalogue, so a library that
has not loaded those documents does not show exercises nobody can solve.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .errors import NotFound

LANGS = ("en", "zh-Hans", "zh-Hant", "pt")

GUIDES: dict[str, dict[str, str]] = {
    "how-to-search": {"en": "How to search", "zh-Hans": "如何检索", "zh-Hant": "如何檢索",
                      "pt": "Como pesquisar"},
    "reading-claims": {"en": "How to read a claim", "zh-Hans": "如何阅读权利要求", "zh-Hant": "如何閱讀申請專利範圍",
                       "pt": "Como ler uma reivindicação"},
    "ipc-basics": {"en": "IPC basics", "zh-Hans": "国际专利分类入门", "zh-Hant": "國際專利分類入門",
                   "pt": "Noções básicas da CIP"},
}


@dataclass(frozen=True)
class Exercise:
    id: str
    title: dict[str, str]
    task: dict[str, str]
    hint: str  # a query that solves it, shown on request
    answers: frozenset[str] = field(default_factory=frozenset)

    def public(self, lang: str | None = None) -> dict[str, Any]:
        """What a learner sees: never the answers."""
        if lang:
            return {"id": self.id, "title": self.title[lang], "task": self.task[lang], "answers": len(self.answers)}
        return {"id": self.id, "title": self.title, "task": self.task, "answers": len(self.answers)}


# Answers checked against the USPTO weekly slices shipped as the demo corpus (data/demo/uspto):
# IPC H01M in ipg060103 (06982130), ipg080101 (07314687), ipg120103 (08088512); titles with shoe or
# footwear in ipg050104 (06836979 "Shoe structure") and ipg070102 (D0534340 "Footwear upper").
EXERCISES: tuple[Exercise, ...] = (
    Exercise(
        "batteries-by-class",
        {"en": "Batteries and fuel cells by class", "zh-Hans": "按分类检索电池和燃料电池",
         "zh-Hant": "按分類檢索電池和燃料電池", "pt": "Baterias e células de combustível pela classificação"},
        {"en": "Find every patent classified in IPC subclass H01M (batteries, fuel cells).",
         "zh-Hans": "找出所有分类在 IPC 小类 H01M（电池、燃料电池）中的专利。",
         "zh-Hant": "找出所有分類在 IPC 次類 H01M（電池、燃料電池）中的專利。",
         "pt": "Encontre todas as patentes classificadas na subclasse H01M da CIP (baterias, células de combustível)."},
        "ipc=H01M",
        frozenset({"US6982130B2", "US7314687B2", "US8088512B2"}),
    ),
    Exercise(
        "footwear-titles",
        {"en": "Footwear in titles", "zh-Hans": "标题中的鞋类", "zh-Hant": "標題中的鞋類", "pt": "Calçados nos títulos"},
        {"en": "Find the patents whose title speaks of a shoe or of footwear (designs included).",
         "zh-Hans": "找出标题中提到鞋（shoe 或 footwear）的专利，包括外观设计。",
         "zh-Hant": "找出標題中提到鞋（shoe 或 footwear）的專利，包括設計專利。",
         "pt": "Encontre as patentes cujo título fala de sapato ou de calçado (desenhos incluídos)."},
        "ti=(shoe or footwear)",
        frozenset({"US6836979B2", "USD534340S1"}),
    ),
)


@dataclass(frozen=True)
class Grade:
    exercise: str
    found: list[str]
    missed: list[str]
    extra: list[str]

    @property
    def solved(self) -> bool:
        return not self.missed and not self.extra

    def to_dict(self) -> dict[str, Any]:
        return {"exercise": self.exercise, "solved": self.solved, "found": self.found, "missed": self.missed,
                "extra": self.extra}


def available(catalogue: Any) -> list[Exercise]:
    """The exercises whose answers are all in this catalogue."""
    held = set(catalogue.get_many(sorted({n for e in EXERCISES for n in e.answers})))
    return [e for e in EXERCISES if e.answers <= held]


def get(catalogue: Any, exercise_id: str) -> Exercise:
    for e in available(catalogue):
        if e.id == exercise_id:
            return e
    raise NotFound(f"no exercise {exercise_id!r}")


def grade(exercise: Exercise, result: list[str]) -> Grade:
    got = set(result)
    return Grade(exercise.id, sorted(got & exercise.answers), sorted(exercise.answers - got),
                 sorted(got - exercise.answers))
