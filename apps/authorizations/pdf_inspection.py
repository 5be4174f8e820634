"""What a PDF could make a reader do by itself, found by parsing it (pypdf), not by matching its bytes."""
from __future__ import annotations

import re
import zlib
from io import BytesIO

# Actions that run script, start a program, or open or send to somewhere outside the document.
ACTIVE_ACTIONS = {"/JavaScript", "/Launch", "/URI", "/SubmitForm", "/GoToR", "/GoToE", "/ImportData",
                  "/RichMediaExecute", "/Rendition", "/Sound", "/Movie"}
# Keys whose presence alone means script, an embedded file or an XML form (XFA).
ACTIVE_KEYS = {"/JS", "/JavaScript", "/EmbeddedFiles", "/EmbeddedFile", "/EF", "/XFA", "/RichMedia", "/Launch"}
# The same names as bytes once #xx name escapes are undone: for objects a lenient reader would recover
# that the cross-reference table does not list, and for the decompressed content of object streams.
ACTIVE_BYTES = re.compile(
    rb"/(JavaScript|JS|Launch|EmbeddedFiles?|EF|RichMedia|XFA|URI|SubmitForm|GoToR|GoToE|ImportData)(?![A-Za-z0-9])")
NAME_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
OBJECT_HEADER = re.compile(rb"(?<![0-9])(\d{1,9})\s+(\d{1,5})\s+obj(?![A-Za-z0-9])")
MAX_OBJECTS = 200_000  # a supporting document has far fewer; more is a parser bomb


class ActivePDF(Exception):
    """The document carries something a reader may run or open by itself; args[0] names it."""


class DamagedPDF(Exception):
    """The parser could not read the document as a PDF."""


def unescape_names(data: bytes) -> bytes:
    return NAME_ESCAPE.sub(lambda match: bytes([int(match[1], 16)]), data)


def _check_bytes(data: bytes) -> None:
    found = ACTIVE_BYTES.search(unescape_names(data))
    if found:
        raise ActivePDF(found[0].decode("latin-1"))


def _walk(value, seen: set[int]) -> None:
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, StreamObject

    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, IndirectObject):
            continue  # every indirect object is visited on its own
        if id(item) in seen:
            continue
        seen.add(id(item))
        if isinstance(item, DictionaryObject):
            for key, child in item.items():
                if key in ACTIVE_KEYS:
                    raise ActivePDF(str(key))
                if key == "/S" and str(child) in ACTIVE_ACTIONS:
                    raise ActivePDF(str(child))
                stack.append(child)
            if isinstance(item, StreamObject) and item.get("/Type") == "/ObjStm":
                try:
                    _check_bytes(item.get_data())
                except ActivePDF:
                    raise
                except Exception:
                    raise DamagedPDF() from None
        elif isinstance(item, ArrayObject):
            stack.extend(item)


STREAM_START = re.compile(rb"stream\r?\n")


def _check_raw(data: bytes) -> None:
    """The bytes outside stream data, plus every object stream decoded straight from the file, so an
    object the cross-reference table does not list is read too (image data is skipped: random bytes match)."""
    position = 0
    while True:
        match = STREAM_START.search(data, position)
        if match is None:
            _check_bytes(data[position:])
            return
        header = data[position:match.start()]
        _check_bytes(header)
        end = data.find(b"endstream", match.end())
        if end < 0:
            return
        if b"/ObjStm" in unescape_names(header[-1024:]):
            try:
                _check_bytes(zlib.decompressobj().decompress(data[match.end():end], 50 * 1024 * 1024))
            except zlib.error:
                _check_bytes(data[match.end():end])
        position = end + len(b"endstream")


def inspect_pdf(data: bytes) -> None:
    """Raise ActivePDF when any object (listed, in an object stream, or only recoverable) carries an
    active action, script, embedded file or XFA form, DamagedPDF when the parser cannot read it."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    _check_raw(data)
    try:
        reader = PdfReader(BytesIO(data), strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            raise DamagedPDF()
        numbers = {number for table in reader.xref.values() for number in table}
        numbers.update(reader.xref_objStm)
        numbers.update(int(match[1]) for match in OBJECT_HEADER.finditer(data))
        if len(numbers) > MAX_OBJECTS:
            raise DamagedPDF()
        seen: set[int] = set()
        _walk(reader.trailer, seen)
        if "/Root" not in reader.trailer:
            raise DamagedPDF()
        for number in sorted(numbers):
            try:
                item = reader.get_object(number)
            except (PdfReadError, ValueError, KeyError, TypeError):
                continue
            _walk(item, seen)
    except (ActivePDF, DamagedPDF):
        raise
    except Exception:
        raise DamagedPDF() from None
