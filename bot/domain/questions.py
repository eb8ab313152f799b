"""A flow of questions as data: the order they are asked in, and which ones a flow still needs.

Registration (bot/domain/registration.py) and storefronts (bot/domain/storefront_form.py) are
each a tuple of field names plus a rule for which fields the answers so far require.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

Answers = dict[str, Any]


def question_at(path: str, prefixes: Iterable[tuple[str, str]]) -> str | None:
    """The question a gateway's refused field path belongs to: the first (prefix, question)
    whose prefix is the path or a parent of it ("pickup_details" for "pickup_details.email")."""
    for prefix, field in prefixes:
        if path == prefix or path.startswith(prefix + "."):
            return field
    return None


@dataclass(frozen=True)
class Questions:
    """Fields in the order they are asked; `required` says if the answers so far need one."""

    fields: Sequence[str]
    required: Callable[[str, Answers], bool]

    def next_field(self, answers: Answers) -> str | None:
        """The first question still unanswered, or None when everything is answered."""
        for field in self.fields:
            if field not in answers and self.required(field, answers):
                return field
        return None

    def previous_field(self, field: str, answers: Answers) -> str | None:
        """The question asked before `field` (skipping those not required); None for the first."""
        if field not in self.fields:
            return None
        earlier = [
            f for f in self.fields[: list(self.fields).index(field)] if self.required(f, answers)
        ]
        return earlier[-1] if earlier else None

    def answered_count(self, answers: Answers) -> int:
        return sum(1 for field in self.fields if field in answers)
