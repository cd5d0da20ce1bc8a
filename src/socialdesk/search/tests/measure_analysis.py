"""Analysis throughput on 100k words of our own text (not a test; run by hand).

    PYTHONPATH=src python -m socialdesk.search.tests.measure_analysis [WORDS]

Prints words/s for German service texts whose words repeat (the caches help), with one long
word in ten new (names, typos), and with every long word new (each stemmed and split anew).
"""

from __future__ import annotations

import random
import string
import sys
import time

from socialdesk.search import analysis, compounds

_SENTENCES = [
    "Der Ticketkauf in der App klappt seit gestern nicht mehr, bitte um Rückmeldung.",
    "Am Fahrkartenautomat in Hamburg-Altona wurde meine Karte zweimal belastet.",
    "Der Kundenservice hat freundlich geantwortet, aber die Erstattung fehlt noch.",
    "Zug verspätet, schon wieder 20 Minuten Verspätung wegen einer Störungsmeldung.",
    "Die Kündigungsfrist für das Abonnement steht nirgends auf der Straße oder im Café.",
    "The train was running late again and my QR code was not accepted at the gate.",
    "Danke @NordlichtBahn für die schnelle Hilfe! #Bahnstreik #Rückerstattung",
]


def _texts(words: int, *, unique: float) -> list[str]:
    rng = random.Random(14)
    texts: list[str] = []
    count = 0
    while count < words:
        sentence = rng.choice(_SENTENCES)
        # a share of the long words made new (letters only, so they are split too)
        sentence = " ".join(
            w + "".join(rng.choices(string.ascii_lowercase, k=5))
            if len(w) > 3 and rng.random() < unique
            else w
            for w in sentence.split()
        )
        texts.append(sentence)
        count += len(sentence.split())
    return texts


def _clear() -> None:
    for cached in (analysis.stem, analysis.parts, analysis.query_stems, compounds.spans):
        cached.cache_clear()


def main() -> None:
    words = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    started = time.perf_counter()
    compounds.spans("Fahrkartenautomat")  # loads the hyphenation dictionary once per process
    print(f"loading the hyphenation dictionary: {time.perf_counter() - started:.2f} s")
    scenarios = (
        ("repeating words", 0.0),
        ("one long word in ten new", 0.1),
        ("all long words new", 1.0),
    )
    for label, unique in scenarios:
        texts = _texts(words, unique=unique)
        total = sum(len(analysis.tokens(t)) for t in texts)
        _clear()
        started = time.perf_counter()
        for text in texts:
            analysis.analyse(text, "de")
        elapsed = time.perf_counter() - started
        print(f"{label}: {total:,} words in {elapsed:.2f} s = {total / elapsed:,.0f} words/s")


if __name__ == "__main__":
    main()
