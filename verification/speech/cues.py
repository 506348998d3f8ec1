"""Pressure patterns of payment fraud, spotted in what the caller said (a transcript).

Phrase patterns, not a model: each hit quotes the words that matched, so the clerk can judge
it, and the patterns can be read and reviewed. Five kinds, after the usual scripts of CEO fraud
and invoice redirection: urgency, secrecy, a new or changed account, discouraging the
call-back, and a claimed authority. Precision and recall on a labelled set:
models/speech/cues_eval (reproduce with `scripts/eval_speech_cues.py`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from verification.speech.whisper import Segment

CUE_KINDS = ("urgency", "secrecy", "account_change", "skip_callback", "authority")
#: the request checklist item a cue pre-ticks (authority has none of its own)
CHECKLIST_ITEM = {"urgency": "urgency", "secrecy": "secrecy", "account_change": "changed_bank_details",
                  "skip_callback": "callback_refused"}
LABELS = {"urgency": "Urgency", "secrecy": "Secrecy", "account_change": "New or changed account",
          "skip_callback": "Discourages the call-back", "authority": "Claims authority"}

_BOSS = (r"(?:ceo|c\.e\.o\.?|cfo|chief executive|chief financial officer|managing director|finance director|"
         r"director|chairman|chairwoman|president|owner|boss|head of finance|board|senior partner|my manager)")
_CALL = r"(?:call|ring|phone|contact)"
_PATTERNS: dict[str, tuple[str, ...]] = {
    "urgency": (
        r"\burgent(?:ly)?\b", r"\bimmediately\b", r"\bright (?:away|now)\b", r"\bstraight away\b",
        r"\bas soon as possible\b", r"\basap\b", r"\btime[- ]sensitive\b", r"\bno time to\b",
        r"\b(?:before|by) (?:the )?(?:end of (?:the )?(?:day|business)|close of business|noon|lunch|"
        r"(?:\d{1,2}|one|two|three|four|five|six)(?: ?(?:o'clock|pm|am|p\.m\.|a\.m\.))?)\b",
        r"\bwithin the (?:next )?(?:hour|\w+ minutes)\b", r"\b(?:hurry|rush)\b", r"\bdeadline\b",
        r"\b(?:has|needs|must) to (?:go|be paid|be sent|be done|happen) (?:out )?today\b",
        r"\btoday,? (?:not|or) (?:tomorrow|we lose)\b", r"\bcan'?t wait\b",
    ),
    "secrecy": (
        r"\b(?:don'?t|do not|please don'?t|never) (?:tell|mention|discuss|share|say)\b",
        r"\bconfidential(?:ly)?\b", r"\bsecret\b", r"\bbetween (?:you and me|us|ourselves)\b",
        r"\bkeep (?:this|it|that) (?:quiet|to yourself|between us|private|confidential|under wraps)\b",
        r"\bdiscreet(?:ly|ion)?\b", r"\boff the record\b", r"\bno ?one else (?:needs|should|must|can) know\b",
        r"\bnot (?:a )?word to\b", r"\bdon'?t (?:loop|copy|cc) (?:in )?(?:anyone|anybody)\b",
    ),
    "account_change": (
        r"\bnew (?:bank )?(?:account|details|iban|sort code|bank)\b",
        r"\b(?:changed|change|changing|updated|update|updating|switched|moved) (?:our |their |my |the )?"
        r"(?:bank(?:ing)? )?(?:account|details|iban|bank|banks|sort code)\b",
        r"\b(?:different|other|another|alternative) (?:bank )?(?:account|iban)\b",
        r"\baccount (?:has |have )?(?:changed|moved|is (?:frozen|closed|under audit))\b",
        r"\b(?:use|pay (?:it |this )?(?:in)?to) (?:this|the new|a new|the following) account\b",
        r"\binstead of the (?:usual|old|normal) (?:account|details)\b",
    ),
    "skip_callback": (
        rf"\b(?:don'?t|do not|no need to|you don'?t need to|there'?s no need to|please don'?t) {_CALL}\b",
        rf"\b(?:skip|forget|without) (?:the |a )?{_CALL}[- ]?back\b", rf"\bno {_CALL}[- ]?backs?\b",
        r"\b(?:no need to|don'?t|do not) (?:verify|confirm|check|double[- ]check)\b",
        r"\b(?:can'?t|cannot|won'?t) be reached\b", r"\b(?:i'?m|i am|i'll be) unreachable\b",
        r"\b(?:can'?t|cannot) take (?:any )?calls\b", r"\bonly (?:by|over|on) (?:email|e-mail|text|chat)\b",
        r"\bthe (?:number|phone) (?:on file|you have) (?:is|isn'?t) (?:old|wrong|not working|working)\b",
    ),
    "authority": (
        rf"\b(?:the |our |my )?{_BOSS} (?:has |had |is |personally )?(?:asked|wants|told|instructed|needs|"
        r"approved|authori[sz]ed|signed off|said|requested|is asking|has asked|insists)\b",
        rf"\bon behalf of (?:the |our )?{_BOSS}\b", rf"\b(?:i am|i'm|this is) (?:the |your )?{_BOSS}\b",
        rf"\b(?:orders|instructions|request) (?:come |comes )?(?:straight )?from (?:the )?(?:top|{_BOSS})\b",
        r"\bfrom the top\b", rf"\b{_BOSS}'s (?:orders|instructions|request)\b",
    ),
}
_COMPILED = {kind: [re.compile(p, re.IGNORECASE) for p in patterns] for kind, patterns in _PATTERNS.items()}


@dataclass(frozen=True)
class Cue:
    kind: str
    quote: str  # the whole segment that contained the match
    matched: str  # the words that matched
    start_s: float
    end_s: float

    def as_dict(self) -> dict[str, object]:
        return {"kind": self.kind, "label": LABELS[self.kind], "quote": self.quote, "matched": self.matched,
                "start_s": round(self.start_s, 2), "end_s": round(self.end_s, 2)}


def _hits(text: str) -> dict[str, re.Match[str]]:
    found: dict[str, re.Match[str]] = {}
    for kind in CUE_KINDS:
        for pattern in _COMPILED[kind]:
            hit = pattern.search(text)
            if hit:
                found[kind] = hit
                break
    return found


def kinds_in(text: str) -> dict[str, str]:
    """The cue kinds in one piece of text, each with the first words that matched."""
    return {kind: hit.group(0) for kind, hit in _hits(text).items()}


def _sentence_at(text: str, start: int, end: int) -> str:
    """The sentence of `text` around a match: the quote the clerk reads, not the whole chunk."""
    left = max(text.rfind(mark, 0, start) for mark in ".!?")
    rights = [i for i in (text.find(mark, end) for mark in ".!?") if i >= 0]
    return text[left + 1:(min(rights) + 1) if rights else len(text)].strip()


def spot_cues(segments: Iterable[Segment]) -> list[Cue]:
    """One cue per kind per segment, in time order."""
    cues = [Cue(kind, _sentence_at(seg.text, hit.start(), hit.end()), hit.group(0), seg.start_s, seg.end_s)
            for seg in segments for kind, hit in _hits(seg.text).items()]
    return sorted(cues, key=lambda c: (c.start_s, CUE_KINDS.index(c.kind)))
