"""How far one file may expand while it is read: the per-file limits (issue 14).

The warehouse refuses files over 64 MB, but that counts the bytes on disk: a 2.9 MB Word package can
inflate to gigabytes of XML, a 28 KB HTML page with `rowspan=1000 colspan=1000` to a billion grid
cells, a 5 KB PDF to millions of characters or to gigabyte pages. So every reader checks
what a file would expand to *before* expanding it, and refuses a file beyond these limits with the code
`too_complex` and a reason in plain words. Each limit lies far above any report (the figures in the
comments), so no real report is refused, and far below what would exhaust a worker.

The worker's memory is bounded as well, as a last resort for whatever the limits miss:
`pipeline.worker_pool` gives each parse worker an address-space limit (`WORKER_MEMORY`), so that a file that
still explodes raises MemoryError in its own worker and becomes `memory_limit` for that file only.
"""

from __future__ import annotations

from pipeline.model import ParseError

MIB = 1 << 20

# Word packages (a zip): checked from the zip's directory before python-docx reads a part. Python's zipfile
# never inflates a member past the size its directory declares, so the declared sizes bound what is read.
MAX_PART_BYTES = 32 * MIB  # one part, uncompressed (word/document.xml of a 40-page report: 1-5 MB)
MAX_PACKAGE_BYTES = 256 * MIB  # all parts together (images included)
MAX_PARTS = 10_000  # entries of the zip (a report: 10-50)
MAX_RATIO = 200  # uncompressed / compressed size of a part over 1 MiB (Word XML: 5-20; a zip bomb: ~1,000)
RATIO_FLOOR = 1 * MIB  # parts smaller than this are never judged by their ratio

# HTML: lxml needs about 280 bytes per element, and expanded merged cells about 250 bytes each.
MAX_HTML_TAGS = 1_000_000  # `<` in the page (a portal page: 2,000-50,000), checked before parsing
MAX_SPAN = 1000  # a rowspan or colspan counts for at most this many rows or columns
MAX_TABLE_CELLS = 250_000  # cells of one table once its merged cells are expanded (a report's table: < 1,000)
MAX_HTML_CELLS = 1_000_000  # the same, over all the tables of a page
MAX_DEPTH = 2047  # element nesting lxml can read at all (with huge_tree; 255 without it)

# PDF: checked before PDFium interprets a page: the page tree and the raw streams first, each page's characters
# as it is loaded (a laid-out page costs memory in proportion to its size and characters).
MAX_PDF_PAGES = 500  # a report: 5-60 pages
MAX_PAGE_SIDE = 14_400  # points: 200 inches, the largest page PDF 1.x allows (A4 is 595 × 842)
# A content stream once inflated, and all of them per page on average (a page of text and tables: 20-300 KB).
MAX_PAGE_CONTENT = 8 * MIB
MAX_PAGE_CHARS = 50_000  # characters on one page (a page of 6-point text: about 15,000)
MAX_PDF_CHARS = 300_000  # characters in the whole document (a 60-page report: about 150,000)

# Text, and the grid every format becomes.
MAX_LINES = 500_000  # lines of a text file (a crawled page with its site chrome: < 20,000)
MAX_GRID_CELLS = 1_000_000  # cells of the grid of any document

WORKER_MEMORY = 3 << 30  # bytes of address space a parse worker may add to what it inherited (3 GiB)


def too_complex(what: str) -> ParseError:
    """The refusal of a file that would expand past a limit: `what` says how, in plain words."""
    return ParseError("too_complex", f"{what}; no report comes near this, and reading it could exhaust the memory")
