"""A problem's tags normalised through the repository's tag list, and the collection's order of
levels, sources and topics (what the outputs list problems by)."""

from __future__ import annotations

from qadeck.model import ProblemMeta, ProblemTerms
from qadeck.parser.problem import ProblemDraft
from qadeck.parser.taginfo import DEFAULT_LEVELS, NOT_TOPICS, TagInfo

_UNLISTED = 1 << 20  # ranks after every listed tag

Rank = tuple[int, int, str]


def problem_meta(draft: ProblemDraft, info: TagInfo | None) -> ProblemMeta:
    name = info.name if info else str.strip
    level, source = name(draft.level), name(draft.source)
    tags = list(dict.fromkeys(name(t) for t in draft.tags))
    if info is not None:
        written = {t: (_UNLISTED, index) for index, t in enumerate(tags)}
        tags.sort(key=lambda t: info.rank(t) or written[t])
    topics = [t for t in tags if t not in (level, source)
              and (info is None or (info.kind(t) or "") not in NOT_TOPICS)]
    return ProblemMeta(draft.name, level, source, draft.number, tuple(tags), tuple(topics),
                       tuple(draft.companies), draft.url, tuple(draft.related))


class Terms:
    """Collects the levels, sources and topics of the collection's problems with their ranks."""

    def __init__(self) -> None:
        self.levels: dict[str, Rank] = {}
        self.sources: dict[str, Rank] = {}
        self.topics: dict[str, Rank] = {}

    def add(self, meta: ProblemMeta, info: TagInfo | None) -> None:
        if meta.level:
            default = DEFAULT_LEVELS.index(meta.level) if meta.level in DEFAULT_LEVELS else _UNLISTED
            self._keep(self.levels, meta.level, info, (_UNLISTED, default, meta.level))
        if meta.source:
            self._keep(self.sources, meta.source, info, (_UNLISTED, _UNLISTED, meta.source))
        for topic in meta.topics:
            self._keep(self.topics, topic, info, (_UNLISTED, _UNLISTED, topic))

    @staticmethod
    def _keep(into: dict[str, Rank], term: str, info: TagInfo | None, unlisted: Rank) -> None:
        listed = info.rank(term) if info else None
        rank = (*listed, term) if listed else unlisted
        if term not in into or rank < into[term]:
            into[term] = rank

    def terms(self) -> ProblemTerms:
        def order(found: dict[str, Rank]) -> tuple[str, ...]:
            return tuple(sorted(found, key=found.__getitem__))

        return ProblemTerms(order(self.levels), order(self.sources), order(self.topics))
