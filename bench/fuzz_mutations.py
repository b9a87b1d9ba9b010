"""Random mutations and hand-written hostile inputs for the importer fuzzer (see
bench/fuzz_importers.py); the seeds, one-line damage and judging live in fuzz_inputs.py."""

from __future__ import annotations

import codecs
import functools
import random
import re
from collections.abc import Callable

from fuzz_inputs import (
    CONTROLS,
    ENCODINGS,
    FORMATS,
    FuzzFormat,
    Seed,
    encode,
    load_seed,
    seeds_of,
    valid_export,
)

# -- mutations ------------------------------------------------------------------------------

_INTERESTING = b"\x00\xff\x7f\x80\xc0\xed\xef\xfe\x0b\x1a\x22\x7b\x7d\x3c\x26\x0d\x0a\x09"
_INSERTS = (
    b"\xef\xbb\xbf",
    b"\xff\xfe",
    b"\xfe\xff",
    b"\xe2\x80\xa8",
    b"\xc2\x85",
    b"\xed\xa0\x80",
    b"\xf4\x90\x80\x80",
    b"\xc0\xaf",
    b"\r",
    b"\r\r\n",
    b"\\",
    b"&#0;",
    b"&#x1;",
    b"&#xD800;",
    b"&amp;lt;i&amp;gt;",
    b"\\ud800",
    b"\\u0000",
    b"<i>",
    b"</b>",
    b"<![CDATA[",
    b"]]>",
    b"<!--",
    b"%",
    b"#",
    b"@",
    b" and others",
    b"10.1234/((()))",
    b"\t",
    b'""',
    b"\\\\",
)
_FILLERS = (
    b"a",
    b" ",
    b")",
    b"(",
    b"{",
    b"}",
    b'"',
    b"<i>",
    b"&amp;",
    b"0",
    b"\\",
    b"ab ",
    b"AU  - x\n",
    b"x\n",
    b"\t",
    b",",
    b"\xc3\xa9",
    b"[",
    b"\n",
)


def _lines(data: bytes) -> list[bytes]:
    return data.split(b"\n")


def _pos(rng: random.Random, data: bytes) -> int:
    return rng.randrange(len(data) + 1)


def _line_start(rng: random.Random, data: bytes) -> int:
    starts = [0, *(m.end() for m in re.finditer(rb"\n", data))]
    return rng.choice(starts)


def _size(rng: random.Random, low: int, high: int) -> int:
    """Log-uniform in [low, high]: most sizes small, a few large."""
    return int(low * (high / low) ** rng.random())


def m_flip(rng: random.Random, data: bytes, fmt: FuzzFormat) -> bytes:
    out = bytearray(data)
    for _ in range(rng.randint(1, 8)):
        if out:
            out[rng.randrange(len(out))] ^= 1 << rng.randrange(8)
    return bytes(out)


def m_set(rng: random.Random, data: bytes, fmt: FuzzFormat) -> bytes:
    out = bytearray(data)
    for _ in range(rng.randint(1, 4)):
        if out:
            out[rng.randrange(len(out))] = rng.choice(_INTERESTING)
    return bytes(out)


def m_truncate(rng: random.Random, data: bytes, fmt: FuzzFormat) -> bytes:
    cut = _pos(rng, data)
    return data[:cut] if rng.random() < 0.8 else data[cut:]


def m_delete_range(rng: random.Random, data: bytes, fmt: FuzzFormat) -> bytes:
    at = _pos(rng, data)
    return data[:at] + data[at + _size(rng, 1, 400) :]


def m_repeat_range(rng: random.Random, data: bytes, fmt: FuzzFormat) -> bytes:
    at = _pos(rng, data)
    chunk = data[at : at + _size(rng, 1, 200)]
    times = _size(rng, 2, max(3, 200_000 // max(1, len(chunk))))
    return data[:at] + chunk * times + data[at:]


def m_insert(rng: random.Random, data: bytes, fmt: FuzzFormat) -> bytes:
    out = data
    for _ in range(rng.randint(1, 3)):
        at = _pos(rng, out) if rng.random() < 0.6 else _line_start(rng, out)
        piece = rng.choice(_INSERTS + fmt.tokens + (bytes([rng.choice(CONTROLS)]),))
        out = out[:at] + piece + out[at:]
    return out


def m_random_bytes(rng: random.Random, data: bytes, fmt: FuzzFormat) -> bytes:
    at = _pos(rng, data)
    return data[:at] + rng.randbytes(rng.randint(1, 64)) + data[at:]


def m_lines(rng: random.Random, data: bytes, fmt: FuzzFormat) -> bytes:
    lines = _lines(data)
    for _ in range(rng.randint(1, 3)):
        i, j = rng.randrange(len(lines)), rng.randrange(len(lines))
        op = rng.randrange(5)
        if op == 0 and len(lines) > 1:
            del lines[i]
        elif op == 1:
            lines.insert(i, lines[j])
        elif op == 2:
            lines[i], lines[j] = lines[j], lines[i]
        elif op == 3:
            lines[i] = rng.choice((b" ", b"   ", b"      ", b"\t")) + lines[i]
        else:
            lines[i] = lines[i].lstrip()
    return b"\n".join(lines)


def m_token(rng: random.Random, data: bytes, fmt: FuzzFormat) -> bytes:
    token = rng.choice(fmt.tokens)
    spots = [m.start() for m in re.finditer(re.escape(token), data)]
    if not spots:
        return data
    at = rng.choice(spots)
    op = rng.randrange(3)
    if op == 0:
        return data[:at] + data[at + len(token) :]
    if op == 1:
        return data[:at] + token * rng.randint(2, 50) + data[at + len(token) :]
    other = rng.choice(fmt.tokens)
    return data[:at] + other + data[at + len(token) :]


def m_bom(rng: random.Random, data: bytes, fmt: FuzzFormat) -> bytes:
    at = _line_start(rng, data) if rng.random() < 0.7 else _pos(rng, data)
    bom = rng.choice(
        (
            codecs.BOM_UTF8,
            codecs.BOM_UTF8 * 2,
            codecs.BOM_UTF16_LE,
            codecs.BOM_UTF32_LE,
            b"\xef\xbb",
        )
    )
    return data[:at] + bom + data[at:]


def m_newlines(rng: random.Random, data: bytes, fmt: FuzzFormat) -> bytes:
    style = rng.choice((b"\r\n", b"\r", b"\r\r\n", b"\n\r"))
    share = rng.random()
    pieces = data.split(b"\n")
    return (
        b"".join(p + (style if rng.random() < share else b"\n") for p in pieces[:-1]) + pieces[-1]
    )


def m_encoding(rng: random.Random, data: bytes, fmt: FuzzFormat) -> bytes:
    try:
        return encode(data, rng.choice(ENCODINGS))
    except UnicodeDecodeError:
        return data


def m_long_line(rng: random.Random, data: bytes, fmt: FuzzFormat) -> bytes:
    filler = rng.choice(_FILLERS)
    size = _size(rng, 1_000, 1_200_000)
    piece = filler * max(1, size // len(filler))
    if rng.random() < 0.5:  # a line of its own
        at = _line_start(rng, data)
        return data[:at] + piece + b"\n" + data[at:]
    lines = _lines(data)  # or the end of an existing line (a title, a DOI, a cell)
    i = rng.randrange(len(lines))
    lines[i] += piece
    return b"\n".join(lines)


def m_nesting(rng: random.Random, data: bytes, fmt: FuzzFormat) -> bytes:
    depth = _size(rng, 10, 60_000)
    opener, closer = rng.choice(
        (
            (b"{", b"}"),
            (b"[", b"]"),
            (b"<i>", b"</i>"),
            (b"(", b")"),
            (b"<a>", b"</a>"),
            (b'{"a":', b"}"),
            (b"\\emph{", b"}"),
        )
    )
    inner = b"x" if rng.random() < 0.7 else b""
    balanced = rng.random() < 0.7
    piece = opener * depth + inner + (closer * depth if balanced else b"")
    at = _pos(rng, data)
    return data[:at] + piece + data[at:]


def m_unbalanced(rng: random.Random, data: bytes, fmt: FuzzFormat) -> bytes:
    out = data
    for _ in range(rng.randint(1, 5)):
        at = _pos(rng, out)
        out = out[:at] + rng.choice((b'"', b"{", b"}", b"[", b"]", b"<", b">", b"'")) + out[at:]
    return out


def m_splice(rng: random.Random, data: bytes, fmt: FuzzFormat) -> bytes:
    other = load_seed(rng.choice([s for f in FORMATS.values() for s in f.seeds])).data
    a = _pos(rng, other)
    piece = other[a : a + _size(rng, 10, 4_000)]
    at = _pos(rng, data)
    return data[:at] + piece + data[at + rng.randint(0, len(piece)) :]


def m_entities(rng: random.Random, data: bytes, fmt: FuzzFormat) -> bytes:
    piece = rng.choice(ENTITY_TRICKS)
    if piece.startswith(b"<!DOCTYPE") and b"?>" in data[:100]:
        at = data.index(b"?>") + 2
    else:
        at = _pos(rng, data)
    return data[:at] + piece + data[at:]


Mutation = Callable[[random.Random, bytes, FuzzFormat], bytes]
MUTATIONS: tuple[tuple[Mutation, int], ...] = (
    (m_flip, 8),
    (m_set, 8),
    (m_truncate, 6),
    (m_delete_range, 6),
    (m_repeat_range, 3),
    (m_insert, 10),
    (m_random_bytes, 4),
    (m_lines, 10),
    (m_token, 10),
    (m_bom, 4),
    (m_newlines, 4),
    (m_encoding, 4),
    (m_long_line, 2),
    (m_nesting, 2),
    (m_unbalanced, 8),
    (m_splice, 3),
    (m_entities, 3),
)
MAX_INPUT = 1_500_000  # bytes: keeps every input well within the hang timeout when linear


def mutate(
    fmt: FuzzFormat, index: int, seed_value: int, limit: int = MAX_INPUT
) -> tuple[bytes, str, list[str]]:
    """The ``index``-th random input of ``fmt``: a seed through 1-4 mutations, cut to
    ``limit`` bytes after each."""
    rng = random.Random(f"{seed_value}:{fmt.name}:{index}")
    seed = rng.choice(seeds_of(fmt))
    data = seed.data
    names = []
    functions, weights = zip(*MUTATIONS, strict=True)
    for _ in range(min(4, 1 + int(rng.expovariate(1.2)))):
        mutation = rng.choices(functions, weights)[0]
        data = mutation(rng, data, fmt)[:limit]
        names.append(mutation.__name__[2:])
    return data, seed.filename, names


# -- hand-written hostile inputs ------------------------------------------------------------

_LOL = b"".join(
    b'<!ENTITY lol%d "%s">' % (i, b"".join(b"&lol%d;" % (i - 1) for _ in range(10)))
    for i in range(1, 10)
)
ENTITY_TRICKS = (
    b'<!DOCTYPE xml [<!ENTITY lol0 "lol">' + _LOL + b"]>",  # billion laughs
    b'<!DOCTYPE xml [<!ENTITY a "' + b"a" * 50_000 + b'">]>',  # quadratic blow-up
    b'<!DOCTYPE xml [<!ENTITY ext SYSTEM "file:///etc/passwd">]>',
    b'<!DOCTYPE xml SYSTEM "http://127.0.0.1:9/evil.dtd">',
    b'<!DOCTYPE xml [<!ENTITY % p SYSTEM "http://127.0.0.1:9/p.dtd"> %p;]>',
    b'<!DOCTYPE xml [<!ATTLIST record injected CDATA "yes">]>',
    b"&lol9;",
    b"&ext;",
    b"&nbsp;",
    b"&#0;",
    b"&#x1;",
    b"&#xD800;",
    b"&#xFFFE;",
    b"&#1114112;",
    b"<![CDATA[<record>]]>",
    b"<!-- <!ENTITY x 'y'> -->",
    b'<?xml-stylesheet href="x"?>',
    b"&a;" * 1000,
)


def _doctype_case(data: bytes, doctype: bytes, reference: bytes, name: str) -> tuple[bytes, str]:
    return _with_doctype(data, doctype, reference), name


def _with_doctype(data: bytes, doctype: bytes, reference: bytes) -> bytes:
    head, rest = data.split(b"?>", 1)
    rest = rest.replace(b"<title>", b"<title>" + reference, 1)
    return head + b"?>\n" + doctype + rest


def specials(fmt_name: str) -> dict[str, Callable[[], tuple[bytes, str]]]:
    """Hand-written hostile inputs for ``fmt_name``, by name."""
    seed = load_seed(FORMATS[fmt_name].seeds[0])
    data, name = seed.data, seed.filename
    out: dict[str, Callable[[], tuple[bytes, str]]] = {
        "nul after 64 KiB": lambda: (valid_export(fmt_name, 70_000)[0] + b"\x00", name),
        "70 KB line first": lambda: (b"x" * 70_000 + b"\n" + data, name),
        "lone surrogate (CESU-8)": lambda: (data.replace(b"a", b"a\xed\xa0\x80", 1), name),
        "1.4 MB line at the end": lambda: (data + b"y" * 1_400_000, name),
    }
    if fmt_name == "endnote-xml":
        references = (b"&lol9;", b"&a;" * 2000, b"&ext;", b"", b"", b"")
        for i, (trick, ref) in enumerate(zip(ENTITY_TRICKS[:6], references, strict=True)):
            out[f"entities {i}"] = functools.partial(_doctype_case, data, trick, ref, name)
        out["bare billion laughs"] = lambda: (
            b'<?xml version="1.0"?>\n<!DOCTYPE xml [<!ENTITY lol0 "lol">' + _LOL + b"]>\n"
            b"<xml><records><record><titles><title>&lol9;</title></titles></record>"
            b"</records></xml>",
            name,
        )
        out["control char record 3"] = lambda: (_in_record(seed, 2, b"\x0b"), name)
        out["nested elements with attributes"] = lambda: (
            data.replace(
                b"<abstract>",
                b"<notes>" + b'<a x="1">' * 5000 + b"</a>" * 5000 + b"</notes><abstract>",
                1,
            ),
            name,
        )
        out["many attributes"] = lambda: (
            data.replace(
                b"<record>",
                b"<record " + b" ".join(b'a%d="x"' % i for i in range(20_000)) + b">",
                1,
            ),
            name,
        )
    if fmt_name == "csl-json":
        out["lone surrogate escape"] = lambda: (b'[{"title":"a\\ud800"},{"title":"b"}]', name)
        out["nul escape"] = lambda: (b'[{"title":"a\\u0000b","DOI":"10.1/x"}]', name)
        out["huge integer"] = lambda: (
            data.replace(b'"volume": "19"', b'"volume": ' + b"9" * 5000, 1),
            name,
        )
        out["deep nesting"] = lambda: (
            data.replace(b'"language": "en"', b'"note": ' + b"[" * 100_000 + b"]" * 100_000, 1),
            name,
        )
        out["odd shapes"] = lambda: (
            b'[{"title":["a"],"author":"x","issued":[[2020]]},{"title":{"a":1},"author":[1,'
            b'null,{"family":["x"]}],"issued":{"date-parts":"x"}},"text",null,{"items":1},'
            b'{"title":"t","issued":{"date-parts":[[]]},"DOI":12}]',
            name,
        )
    if fmt_name == "csv":
        out["issue: unbalanced quote"] = lambda: (
            b'Title,Authors,Year\n"unbalanced,A,2020\nT0,B,2021\nT1,B,2021\n',
            "x.csv",
        )
        out["issue: stray quote"] = lambda: (
            b'Title,Abstract,Year\n"A,"x\ny",2020\nB,z,2021\n',
            "x.csv",
        )
        out["100 KB column name"] = lambda: (
            b"Title,DOI," + b"n" * 100_000 + b"\n" + b"A,10.1/x,v\n" * 1000,
            "x.csv",
        )
        out["5,000 columns"] = lambda: (
            b",".join(b"c%d" % i for i in range(5000))
            + b",Title,DOI\n"
            + b"x," * 5000
            + b"t,10.1/x\n",
            "x.csv",
        )
    if fmt_name == "tsv":
        out["excel unicode text"] = lambda: (
            ('Title\tAbstract\tYear\nA\t"line one\nline two"\t2020\nB\tplain\t2021\n').encode(
                "utf-16"
            ),
            "x.txt",
        )
    if fmt_name == "bibtex":
        out["macros and #"] = lambda: (
            b'@string{j = "Journal"}\n@article{k, title = "Part " # '
            b'"two", journal = j, author = {A, B and others}}\n',
            name,
        )
        out["brace and 300 KB"] = lambda: (
            b"@article{k, title = {{" + b"x" * 300_000 + b"}}}\n",
            name,
        )
        out["1.2 MB field name"] = lambda: (
            b"@article{a, title={A}, " + b"k" * 1_200_000 + b" = {v}}\n",
            name,
        )
        out["5,000 authors"] = lambda: (
            b"@article{k, title={t}, author={"
            + b" and ".join(b"A%d, B" % i for i in range(5000))
            + b"}}\n",
            name,
        )
    if fmt_name in ("ris", "medline", "wos"):
        tag = {"ris": b"AU  - ", "medline": b"FAU - ", "wos": b"   "}[fmt_name]
        out["25,000 tags"] = lambda: (
            _in_record(seed, 0, b"\n".join(tag + b"Name%d, A" % i for i in range(25_000))),
            name,
        )
    return out


def _in_record(seed: Seed, k: int, piece: bytes) -> bytes:
    """``piece`` put on a line of its own in the middle of record ``k`` (its line 2)."""
    lines = _lines(seed.data)
    at = seed.spans[k][0] + 1
    return b"\n".join([*lines[:at], piece, *lines[at:]])
