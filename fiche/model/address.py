"""Web and e-mail addresses a user writes: checked, then filled in without evaluation.

Input: an address from a school profile or fiche.yaml, possibly a template with the
placeholders {sheet} and {lang}. Output: the address, or a `ValueError` saying what is
wrong and what is allowed (models turn it into a located problem). Templates are never
given to `str.format`: placeholders are replaced as plain text, and the expanded address
must fit the QR code it is printed as.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Annotated
from urllib.parse import urlsplit

from pydantic import AfterValidator, WithJsonSchema

from fiche.model.templates import check_template, fill_template

PLACEHOLDERS = ("{sheet}", "{lang}")
# A bound checked when a file is read, before any layout is known: 500 characters need a
# version-17 QR symbol (85 modules + the quiet zone), 36 mm wide at 0.4 mm a module, more
# than an imprint on a sheet gives it. The exact limit, for the size the sheet's layout
# prints the code at, is checked per sheet by `check_qr_address`.
MAX_ADDRESS_CHARS = 500
# Smallest QR module (dot) that phone cameras read reliably from paper at arm's length.
MIN_QR_MODULE_MM = 0.4
QR_BORDER_MODULES = 2  # the quiet zone render draws around the symbol, on each side
# Bytes a QR symbol holds at error correction level M in byte mode (what render draws
# a URL with), by version 1..40 (ISO/IEC 18004, table 7).
QR_BYTES_M = (
    14, 26, 42, 62, 84, 106, 122, 152, 180, 213, 251, 287, 331, 362, 412, 450, 504, 560,
    624, 666, 711, 779, 857, 911, 997, 1059, 1125, 1190, 1264, 1370, 1452, 1538, 1628,
    1722, 1809, 1911, 1989, 2099, 2213, 2331,
)  # fmt: skip
_HOST = re.compile(
    r"(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*",
    re.IGNORECASE,
)
_MAILBOX = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`|~-]{1,64}@(?P<host>[^@]+)")


def _plain_text(value: str, what: str) -> None:
    if len(value) > MAX_ADDRESS_CHARS:
        raise ValueError(
            f"{what} is {len(value)} characters; at most {MAX_ADDRESS_CHARS} characters"
        )
    for i, c in enumerate(value):
        if c.isspace() or unicodedata.category(c)[0] in "CZ":
            raise ValueError(
                f"{what} holds a space or control character (U+{ord(c):04X}) at position "
                f"{i + 1}; write a space as %20"
            )
        if not c.isascii():
            raise ValueError(
                f"{what} may hold only ASCII characters: write {c!r} percent-encoded "
                f"(e.g. {''.join(f'%{b:02X}' for b in c.encode())}) and a host in punycode"
            )


def _check_placeholders(template: str, allowed: tuple[str, ...]) -> str:
    """`template` with its placeholders filled with sample text, for the checks of the
    address; `ValueError` for any other brace."""
    check_template(template, [p.strip("{}") for p in allowed])
    return fill_template(template, {p.strip("{}"): "xx" for p in allowed})


def check_address(value: str, placeholders: tuple[str, ...] = ()) -> str:
    """`value` if it is an https, http or mailto address (with only the given
    placeholders), else `ValueError` saying what is wrong and what is allowed."""
    _plain_text(value, "the address")
    sample = _check_placeholders(value, placeholders)
    scheme, sep, rest = sample.partition(":")
    if not sep or not re.fullmatch(r"[A-Za-z][A-Za-z0-9+.-]*", scheme) or "." in scheme:
        raise ValueError("an address starts with https://, http:// or mailto:")
    if scheme.lower() not in ("https", "http", "mailto"):
        raise ValueError(
            f"'{scheme[:20]}:' addresses are not allowed: use https://, http:// or mailto:"
        )
    if scheme.lower() == "mailto":
        _check_mailbox(rest.split("?", 1)[0])
        return value
    if not rest.startswith("//"):
        raise ValueError(f"write {scheme}:// before the host name")
    parts = urlsplit(sample)
    if "@" in parts.netloc:
        raise ValueError("the address must not hold a user name or password")
    try:
        host = parts.hostname or ""
        port = parts.port
    except ValueError:
        raise ValueError(
            f"'{parts.netloc[:60]}' has a port that is not a number from 1 to 65535"
        ) from None
    if port == 0:
        raise ValueError(f"'{parts.netloc[:60]}' has port 0; a port is a number from 1 to 65535")
    if not host:
        raise ValueError("the address has no host name (https://host/...)")
    _check_host(host)
    return value


def _check_host(host: str) -> None:
    if not _HOST.fullmatch(host) or host.replace(".", "").isdigit() and not _is_ipv4(host):
        raise ValueError(f"'{host[:60]}' is not a valid host name")


def _is_ipv4(host: str) -> bool:
    parts = host.split(".")
    return len(parts) == 4 and all(p.isdigit() and int(p) < 256 for p in parts)


def _check_mailbox(value: str) -> None:
    m = _MAILBOX.fullmatch(value)
    if not m or "." not in m.group("host") or not _HOST.fullmatch(m.group("host")):
        raise ValueError(f"'{value[:60]}' is not an e-mail address (name@school.be)")


def _email(value: str) -> str:
    _plain_text(value, "an e-mail address")
    _check_mailbox(value)
    return value


# Addresses printed as text or in a QR code; they are never put through `str.format`.
Url = Annotated[
    str,
    AfterValidator(check_address),
    WithJsonSchema({"type": "string", "pattern": r"^(https?://|mailto:)\S+$"}),
]
UrlTemplate = Annotated[
    str,
    AfterValidator(lambda v: check_address(v, PLACEHOLDERS)),
    WithJsonSchema({"type": "string", "pattern": r"^(https?://|mailto:)\S+$"}),
]
Email = Annotated[
    str,
    AfterValidator(_email),
    WithJsonSchema({"type": "string", "pattern": r"^[^@\s]+@[^@\s]+\.[^@\s]+$"}),
]


def qr_target(template: str | None, sheet: str, lang: str) -> str | None:
    """The address of one sheet: the placeholders replaced literally, nothing evaluated.

    Templates were checked on loading (`check_address`) to hold no other braces; the
    sheet name and language are plain names, so the result needs no escaping.
    """
    if not template:
        return None
    return fill_template(template, {"sheet": sheet, "lang": lang})


def qr_capacity(side_mm: float) -> int:
    """Characters a URL may have for its QR code, drawn `side_mm` wide, to keep dots
    of at least `MIN_QR_MODULE_MM`; 0 when even the smallest symbol is too small.

    A version-v symbol is 17 + 4v modules wide, plus the quiet zone on both sides; the
    largest version whose modules still measure 0.4 mm at this size sets the limit.
    E.g. 17.5 mm (the shipped `original` layout: a 22.5 mm imprint less 2 × 2.5 mm
    padding) gives 43 modules: version 5 (37 + 4), which holds 84 characters.
    """
    modules = int(side_mm / MIN_QR_MODULE_MM + 1e-9) - 2 * QR_BORDER_MODULES
    version = min((modules - 17) // 4, len(QR_BYTES_M))
    return QR_BYTES_M[version - 1] if version >= 1 else 0


def check_qr_address(address: str, side_mm: float) -> str | None:
    """Why `address` cannot be printed as a QR code `side_mm` wide, or None."""
    limit = qr_capacity(side_mm)
    if len(address.encode()) <= limit:
        return None
    if limit == 0:
        return (
            f"needs a QR code, but this layout's imprint leaves {side_mm:g} mm for it: "
            f"at least {(21 + 2 * QR_BORDER_MODULES) * MIN_QR_MODULE_MM:g} mm are needed"
        )
    return (
        f"is {len(address.encode())} characters; a QR code {side_mm:g} mm wide (this "
        f"layout's imprint) stays readable with at most {limit}: shorten the address"
    )
