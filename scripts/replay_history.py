"""Replay a real notes history into one Anki collection, as its owner would live it; prints figures.

`python scripts/replay_history.py [BUNDLE] [--sync] [--keep DIR]` (`make bench` runs it when
../shared is there). The bundle (default ../shared/corpus/sspace-history.bundle) is cloned to a
temporary folder; each commit, oldest first, is checked out and built with `qadeck build --only
anki,json` into ONE output folder, and its package is imported into ONE Anki collection with the
official `anki` library and Anki's default import options (with --sync: applied by `qadeck sync`
instead), every new card studied at once so that it has review history. Then it measures:

- review history lost: live questions (the last build's) whose card was first studied after the
  step where their words first appeared in the deck (in any note), or never, over all live ones;
- live questions with a removed copy: a note tagged qadeck::removed holds their words;
- orphans (notes of no live question) without the qadeck::removed tag;
- live cards outside their package's deck, and how many of them lack qadeck::moved;
- steps where qadeck's report (new; changed + removed + moved) differs from Anki's import log
  (new; updated). With --sync the plan qadeck printed is compared with what it did.

Figures are printed, never asserted (tests/test_replay_history.py asserts the ones the issue
promised). The words are compared normalised (NFKC, case, spacing) independently of qadeck's ids.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BUNDLE = REPO.parent / "shared" / "corpus" / "sspace-history.bundle"
REMOVED, MOVED = "qadeck::removed", "qadeck::moved"


@dataclass
class Figures:
    steps: int = 0
    live: int = 0
    history_lost: list[str] = field(default_factory=list)  # the words of each live question
    removed_copies: list[str] = field(default_factory=list)
    orphans: int = 0
    orphans_untagged: int = 0
    outside: int = 0  # live cards outside the deck their package names
    outside_untagged: int = 0
    mismatches: list[str] = field(default_factory=list)  # "step commit: qadeck ... anki ..."
    decks: int = 0
    empty_decks: int = 0
    rewordings: list[tuple[str, str]] = field(default_factory=list)  # carried in place: (was, now)
    pins: int = 0  # pasted (with --pins)
    born_removed: int = 0  # notes that entered the collection already tagged qadeck::removed

    def lines(self) -> list[str]:
        share = len(self.history_lost) / self.live if self.live else 0.0
        return [
            f"steps: {self.steps}, live questions: {self.live}, decks: {self.decks} "
            f"({self.empty_decks} empty)",
            f"review history lost: {len(self.history_lost)} of {self.live} ({share:.0%})",
            f"live questions with a removed copy: {len(self.removed_copies)}",
            f"orphans: {self.orphans}, not tagged {REMOVED}: {self.orphans_untagged}",
            f"live cards outside their package deck: {self.outside}, without {MOVED}: "
            f"{self.outside_untagged}",
            f"steps where the report differs from Anki: {len(self.mismatches)}",
            f"questions that kept their card through a rewording: {len(self.rewordings)}",
            f"pins pasted: {self.pins}, notes born tagged {REMOVED}: {self.born_removed}",
            *(f"  {m}" for m in self.mismatches[:12]),
            *(f"  lost: {t}" for t in self.history_lost[:8]),
        ]


def words(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).casefold().split())


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True,
                          text=True).stdout


def qadeck(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"}
    return subprocess.run([sys.executable, "-m", "qadeck", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, check=False)


def replay(bundle: Path, work: Path, sync: bool = False, progress=None, pins: bool = False) -> Figures:
    """The whole history of `bundle`, built and imported (or synced) step by step, measured. With
    `pins`, an owner who pastes every pin a build suggests and builds again before importing."""
    from anki.collection import Collection as AnkiCollection

    repo, out = work / "repo", work / "build"
    subprocess.run(["git", "clone", "-q", str(bundle), str(repo)], check=True, capture_output=True)
    commits = git(repo, "log", "--reverse", "--format=%h").split()
    col_path = work / "anki" / "collection.anki2"
    col_path.parent.mkdir(parents=True)
    col = AnkiCollection(str(col_path))
    figures, first_seen, studied = Figures(steps=len(commits)), {}, {}
    last: dict = {}
    try:
        for step, commit in enumerate(commits, start=1):
            git(repo, "checkout", "-f", "-q", commit)  # -f: the pins pasted at the last step go
            report, package = _build(repo, out)
            if package is None:
                continue
            if pins and report and report["reworded"]:
                figures.pins += _paste_pins(repo / "notes", out)
                report, package = _build(repo, out)
                if package is None:
                    continue
            earlier = last.get("questions", {})
            last = json.loads(package.with_name(package.stem + ".manifest.json").read_text("utf-8"))
            carried = (report or {}).get("carried", {}).get("reworded", [])
            figures.rewordings += [(earlier[r["id"]]["text"], r["text"]) for r in carried
                                   if r["id"] in earlier]
            for entry in last["questions"].values():
                first_seen.setdefault(words(entry["text"]), step)
            if sync:
                col.close()
                new, updated = _sync(repo, out, col_path)
                col = AnkiCollection(str(col_path))
            else:
                new, updated = _import(col, package)
            figures.born_removed += sum(col.get_note(nid).has_tag(REMOVED) for nid in new)
            for nid in new:
                for cid in col.card_ids_of_note(nid):
                    card = col.get_card(cid)
                    card.start_timer()
                    col.sched.answerCard(card, 3)
                    studied.setdefault(cid, step)
            said = _said(report, sync)
            if said != (len(new), len(updated)):
                figures.mismatches.append(f"{step} {commit}: qadeck {said[0]} new, {said[1]} updated; "
                                          f"anki {len(new)} new, {len(updated)} updated")
            if progress is not None:
                progress(step, commit, report["summary"] if report else "no deck", len(new), len(updated))
        _measure(col, last.get("questions", {}), first_seen, studied, figures)
    finally:
        col.close()
    return figures


def _build(repo: Path, out: Path) -> tuple[dict | None, Path | None]:
    done = qadeck("build", "notes", "--out", str(out), "--only", "anki,json", "--json", cwd=repo)
    try:
        result = json.loads(done.stdout)
    except ValueError:
        raise RuntimeError(f"qadeck build failed: {done.stderr[-2000:]}") from None
    (out / ".last-build.json").write_text(done.stdout, "utf-8")
    deck = next((o for o in result["outputs"] if o["name"] == "anki"), None)
    if deck is None or deck["error"] or not deck["path"]:
        return None, None
    return result["deck"], Path(deck["path"]) if Path(deck["path"]).is_absolute() else repo / deck["path"]


def _paste_pins(notes: Path, out: Path) -> int:
    """Each pin the last build suggested, put under its heading as the report says."""
    last = json.loads((out / ".last-build.json").read_text("utf-8"))
    pasted = 0
    for hint in (d for d in last["diagnostics"] if d["code"] == "question.reworded"):
        path = notes / hint["path"]
        lines = path.read_text("utf-8").split("\n")
        lines.insert(hint["line"], hint["message"].rsplit("heading: ", 1)[1])
        path.write_text("\n".join(lines), "utf-8")
        pasted += 1
    return pasted


def _said(report: dict | None, sync: bool = False) -> tuple[int, int]:
    """What qadeck's report says Anki will do: new notes, and notes it will update (an import
    updates the removed and moved ones for their tags; a sync tags and moves them instead)."""
    if report is None:
        return 0, 0
    ids = lambda rows: {row["id"] for row in rows}  # noqa: E731
    updated = ids(report["changed"])
    if not sync:
        updated |= ids(report["removed"]) | ids(report["moved"])
    return len(report["added"]), len(updated - ids(report["added"]))


def _import(col, package: Path) -> tuple[list[int], list[int]]:
    from anki.collection import ImportAnkiPackageOptions, ImportAnkiPackageRequest

    request = ImportAnkiPackageRequest(package_path=str(package), options=ImportAnkiPackageOptions())
    log = col.import_anki_package(request).log
    col.models._clear_cache()
    return [n.id.nid for n in log.new], [n.id.nid for n in log.updated]


def _sync(repo: Path, out: Path, col_path: Path) -> tuple[list[int], list[int]]:
    done = qadeck("sync", "notes", "--out", str(out), "--collection", str(col_path), "--json", cwd=repo)
    try:
        result = json.loads(done.stdout)
    except ValueError:
        raise RuntimeError(f"qadeck sync failed: {done.stderr[-2000:]}") from None
    return result["added_nids"], result["updated_nids"]


def _measure(col, live: dict, first_seen: dict[str, int], studied: dict[int, int], figures: Figures) -> None:
    by_guid = {}
    for nid in col.find_notes(""):
        note = col.get_note(nid)
        by_guid[note.guid] = note
    removed_words = {words(_plain(n.fields[0])) for n in by_guid.values() if n.has_tag(REMOVED)}
    figures.live = len(live)
    for qid, entry in sorted(live.items()):
        note = by_guid.get(qid)
        text = words(entry["text"])
        cards = col.card_ids_of_note(note.id) if note is not None else []
        first = min((studied[c] for c in cards if c in studied), default=None)
        if first is None or first > first_seen[text]:
            figures.history_lost.append(entry["text"])
        if text in removed_words:
            figures.removed_copies.append(entry["text"])
        for cid in cards:
            deck = col.decks.name(col.get_card(cid).did)
            if deck != entry["deck"]:
                figures.outside += 1
                figures.outside_untagged += not note.has_tag(MOVED)
    orphans = [n for guid, n in by_guid.items() if guid not in live]
    figures.orphans = len(orphans)
    figures.orphans_untagged = sum(not n.has_tag(REMOVED) for n in orphans)
    names = [d for d in col.decks.all_names_and_ids() if d.name != "Default"]  # Anki's own, always there
    figures.decks = len(names)
    figures.empty_decks = sum(not col.decks.card_count(d.id, include_subdecks=True) for d in names)


def _plain(html_text: str) -> str:
    import html
    import re

    return html.unescape(re.sub(r"<[^>]+>", "", html_text))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("bundle", nargs="?", type=Path, default=BUNDLE)
    parser.add_argument("--sync", action="store_true", help="apply each build with `qadeck sync`")
    parser.add_argument("--pins", action="store_true",
                        help="paste every pin a build suggests and build again before importing")
    parser.add_argument("--keep", type=Path, help="work in this (new) folder and keep it")
    parser.add_argument("-v", "--verbose", action="store_true", help="one line per step, each rewording")
    args = parser.parse_args()
    if not args.bundle.is_file():
        print(f"replay_history: {args.bundle} not found; nothing to replay")
        return
    def show(step: int, commit: str, summary: str, new: int, updated: int) -> None:
        print(f"  step {step} {commit}: {summary} | anki +{new} new, {updated} updated")
    if args.keep:
        args.keep.mkdir(parents=True)
        figures = replay(args.bundle, args.keep, args.sync, show if args.verbose else None, args.pins)
    else:
        with tempfile.TemporaryDirectory(prefix="qadeck-replay-") as folder:
            figures = replay(args.bundle, Path(folder), args.sync, show if args.verbose else None,
                             args.pins)
    how = "qadeck sync" if args.sync else "build + Anki import"
    print(f"replay of {args.bundle.name} ({how}{', every pin pasted' if args.pins else ''}):")
    for line in figures.lines():
        print("  " + line)
    for was, now in figures.rewordings if args.verbose else ():
        print(f"    {was}  ->  {now}")


if __name__ == "__main__":
    main()
