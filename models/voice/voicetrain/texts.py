"""Seeded sentences for the TTS engines: finance-call phrasing, digits, and everyday speech."""

from __future__ import annotations

import random

_NAMES = ["Alex", "Maria", "David", "Chen", "Priya", "Tom", "Sarah", "James", "Olivia", "Wei", "Fatima",
          "Lucas", "Emma", "Raj", "Sophie", "Daniel", "Grace", "Omar", "Hannah", "Peter"]
_COMPANIES = ["Northwind", "Contoso", "Fabrikam", "Globex", "Initech", "Umbrella Logistics", "Blue Harbor",
              "Summit Partners", "Redwood Capital", "Apex Holdings"]
_TEMPLATES = [
    "Hi {name}, it's {other} from {company}, do you have a minute?",
    "I need you to process a transfer of {amount} dollars before {time} today.",
    "The account number is {digits}, and the sort code is {short}.",
    "Please keep this confidential until the acquisition is announced.",
    "Can you confirm the new bank details for {company}?",
    "We are closing the deal with {company} this afternoon.",
    "The invoice number is {digits}, due on the {day} of {month}.",
    "I'm in a meeting, so just send it and I will approve it later.",
    "Our supplier changed banks last week, the details are in the email.",
    "Let me read the reference back to you: {digits}.",
    "{name}, could you call me back on my mobile after lunch?",
    "The board signed off on {amount} for the first instalment.",
    "I can't talk long, the auditors are here until {time}.",
    "We need the payment to clear before the markets close in {city}.",
    "Thanks {name}, I appreciate you sorting this out so quickly.",
    "The weather in {city} has been {adj} all week.",
    "I think the {noun} is on the {adj} shelf next to the window.",
    "Did you see the game last night? It was {adj} from start to finish.",
    "My train to {city} leaves at {time}, so I'll be a little late.",
    "Could you send me the {noun} report by the end of the day?",
    "We moved the meeting to {day_name} at {time} in room {short}.",
    "She said the {noun} was {adj}, but I haven't checked it myself.",
    "{number} {number} {number} {number} {number}.",
    "The total comes to {amount} dollars and {cents} cents.",
    "Remember to lock the office when you leave tonight, {name}.",
    "I've been working with {company} for almost {small} years now.",
    "Honestly, the {noun} was much more {adj} than I expected.",
    "Please hold while I transfer you to the {noun} department.",
]
_CITIES = ["London", "Hong Kong", "Singapore", "New York", "Chicago", "Frankfurt", "Sydney", "Toronto", "Dubai"]
_ADJ = ["quiet", "busy", "strange", "wonderful", "cold", "expensive", "late", "difficult", "simple", "bright"]
_NOUNS = ["quarterly", "budget", "contract", "printer", "package", "schedule", "travel", "payroll", "laptop"]
_MONTHS = ["January", "March", "April", "June", "August", "October", "November", "December"]
_DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]
_ORD = ["first", "third", "fifth", "tenth", "twelfth", "fifteenth", "twentieth", "twenty eighth"]
_NUMBERS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]


def sentence(rng: random.Random) -> str:
    template = rng.choice(_TEMPLATES)
    name, other = rng.sample(_NAMES, 2)
    return template.format(
        name=name, other=other, company=rng.choice(_COMPANIES), city=rng.choice(_CITIES),
        amount=f"{rng.randint(2, 950) * 1000:,}", cents=rng.randint(1, 99),
        time=f"{rng.randint(1, 12)} {rng.choice(['o clock', 'thirty', 'fifteen'])}",
        digits=" ".join(str(rng.randint(0, 9)) for _ in range(rng.randint(6, 9))),
        short=" ".join(str(rng.randint(0, 9)) for _ in range(3)), small=rng.randint(2, 15),
        day=rng.choice(_ORD), month=rng.choice(_MONTHS), day_name=rng.choice(_DAYS),
        adj=rng.choice(_ADJ), noun=rng.choice(_NOUNS), number=rng.choice(_NUMBERS),
    )


def sentences(count: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    out: list[str] = []
    while len(out) < count:
        # Two sentences per utterance half the time: long enough for several 2 s windows.
        text = sentence(rng) if rng.random() < 0.5 else f"{sentence(rng)} {sentence(rng)}"
        out.append(text)
    return out
