"""HTML -> main text, with the payload checks that decide what is a text document."""
from __future__ import annotations

from resiliparse.extract.html2text import extract_plain_text

from .base import DropError
from .charset import decode_page

_HTML_TYPES = ("text/html", "application/xhtml+xml", "application/xml", "text/xml")
_PLAIN_TYPES = ("text/plain",)


def payload_kind(content_type: str | None, payload: bytes) -> str:
    """'html', 'plain', or raise DropError('non_text') for images, PDFs, archives, binaries."""
    ctype = (content_type or "").split(";")[0].strip().lower()
    head = payload[:1024]
    if b"\x00" in head and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
        # NUL bytes: a binary payload, whatever the header claims.
        raise DropError("non_text", f"binary payload declared as {ctype or 'nothing'}")
    if ctype in _PLAIN_TYPES:
        return "plain"
    if ctype in _HTML_TYPES or not ctype or ctype == "unknown":
        return "html"
    raise DropError("non_text", f"content type {ctype}")


def html_to_text(html: str, main_content: bool = True) -> str:
    """Visible main text of an HTML page; scripts, styles, navigation and footers removed."""
    return extract_plain_text(
        html,
        preserve_formatting=True,
        main_content=main_content,
        list_bullets=False,
        alt_texts=False,
        links=False,
        form_fields=False,
        noscript=False,
    )


def page_text(payload: bytes, content_type: str | None, header_charset: str | None,
              main_content: bool = True, max_replacement_ratio: float = 0.001) -> tuple[str, str]:
    """(text, charset) of a WARC response payload; raises DropError with the reason."""
    kind = payload_kind(content_type, payload)
    decoded, charset = decode_page(payload, header_charset, max_replacement_ratio)
    if kind == "plain":
        return decoded, charset
    return html_to_text(decoded, main_content), charset
