"""PDF files written by hand for the tests that need one no generator makes (bombs, odd content streams)."""

from __future__ import annotations


def pdf_file(objs: list[bytes], root: int) -> bytes:
    """A PDF 1.4 file of the objects `objs` (numbered from 1, in order) with the catalog `root`: header,
    objects, cross-reference table and trailer, with the byte offsets a reader checks."""
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, obj in enumerate(objs, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (i, obj)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1) + b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, root, xref)
    return bytes(out)
