"""Small hand-made PDFs for the tests: a clean one-page PDF, and the same with active content planted."""

from __future__ import annotations


def pdf(catalog: bytes = b"", *objects: bytes) -> bytes:
    """A one-page PDF with a cross-reference table; ``catalog`` is added to the catalogue dictionary and
    ``objects`` (numbered from 4) after the page."""
    body = [
        b"1 0 obj<</Type/Catalog/Pages 2 0 R" + catalog + b">>endobj",
        b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj",
        b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj",
        *objects,
    ]
    out, offsets = b"%PDF-1.4\n", []
    for obj in body:
        offsets.append(len(out))
        out += obj + b"\n"
    xref = len(out)
    out += f"xref\n0 {len(body) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    return out + f"trailer<</Size {len(body) + 1}/Root 1 0 R>>\nstartxref\n{xref}\n%%EOF\n".encode()


CLEAN = pdf()
ACTIVE = {
    "javascript": pdf(b"/OpenAction 4 0 R", b"4 0 obj<</S/JavaScript/JS(app.alert(1))>>endobj"),
    "javascript_hex_escaped": pdf(b"/OpenAction 4 0 R", b"4 0 obj<</S/J#61vaScript/J#53(app.alert(1))>>endobj"),
    "javascript_names": pdf(
        b"/Names<</JavaScript 4 0 R>>", b"4 0 obj<</Names[(a) 5 0 R]>>endobj", b"5 0 obj<</S/JavaScript/JS(x)>>endobj"
    ),
    "launch": pdf(b"/OpenAction<</S/Launch/F(calc.exe)>>"),
    "embedded_file": pdf(
        b"/Names<</EmbeddedFiles 4 0 R>>",
        b"4 0 obj<</Names[(a.exe) 5 0 R]>>endobj",
        b"5 0 obj<</Type/Filespec/F(a.exe)>>endobj",
    ),
    "html_polyglot": b"%PDF-1.4\n<html><body><script>alert(document.cookie)</script></body></html>\n%%EOF\n",
    "no_structure": b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n",
}
