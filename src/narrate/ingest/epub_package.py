"""An EPUB's package, read straight from its ZIP: only what narration needs, each part bounded.

An EPUB is a file someone sent, and a ZIP member of a few kilobytes can inflate
to gigabytes. So the archive is opened once, and only the container, the package
(OPF), the navigation (nav or NCX), the spine's pages and the cover are read, each
at most ``MAX_MEMBER_BYTES`` once inflated and all of them together at most
``MAX_TOTAL_BYTES``; style sheets, fonts and images the narration does not need
are never inflated. The XML is parsed with the standard library's expat, which
refuses entity expansion bombs and never fetches external entities.
"""

from __future__ import annotations

import functools
import posixpath
import xml.etree.ElementTree as ET
import zipfile
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote

from narrate.errors import InputError
from narrate.ingest.decode import check_readable

MAX_MEMBER_BYTES = 64 * 2**20  # one page, the package or the navigation, inflated
MAX_TOTAL_BYTES = 512 * 2**20  # everything read from one EPUB, inflated

_CONTAINER = "META-INF/container.xml"
_PAGES = (".xhtml", ".html", ".htm", ".xml")


def _local(tag: object) -> str:
    """An element's name without its namespace ("{...opf}item" -> "item")."""
    return str(tag).rpartition("}")[2]


def _children(element: ET.Element | None, name: str) -> list[ET.Element]:
    return [e for e in (element if element is not None else ()) if _local(e.tag) == name]


def _child(element: ET.Element | None, name: str) -> ET.Element | None:
    found = _children(element, name)
    return found[0] if found else None


@dataclass(frozen=True)
class Item:
    """One manifest entry; ``path`` is its member name in the ZIP."""

    id: str
    path: str
    media_type: str
    properties: frozenset[str]


@dataclass
class Package:
    """What the narration reads of one EPUB, and its members, read on demand."""

    name: str  # the file's name, for messages
    archive: zipfile.ZipFile
    metadata: dict[str, list[tuple[str, dict[str, str]]]] = field(default_factory=dict)
    metas: list[dict[str, str]] = field(default_factory=list)  # <meta> attributes
    manifest: dict[str, Item] = field(default_factory=dict)
    spine: list[tuple[str, str]] = field(default_factory=list)  # (idref, linear)
    guide: dict[str, str] = field(default_factory=dict)  # member path -> type
    toc: list[tuple[str, str]] = field(default_factory=list)  # (member path#fragment, title)
    inflated: int = 0

    def info(self, path: str) -> zipfile.ZipInfo | None:
        """The archive's entry for member ``path``, if it has one."""
        try:
            return self.archive.getinfo(path)
        except KeyError:
            return None

    def read(self, path: str, cap: int | None = None) -> bytes:
        """The member ``path`` inflated; InputError past its cap or the EPUB's total."""
        cap = MAX_MEMBER_BYTES if cap is None else cap
        info = self.info(path)
        if info is None:
            raise InputError(
                f"{self.name} is not a readable EPUB ({path} is missing): re-export it"
            )
        budget = min(cap, MAX_TOTAL_BYTES - self.inflated)
        if info.file_size > budget:
            self._refuse(path, info.file_size, cap)
        try:
            with self.archive.open(info) as member:
                data = member.read(budget + 1)  # a size the archive understates is no excuse
        except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError) as exc:
            raise InputError(
                f"{self.name} is a damaged EPUB ({path}: {exc}): re-download or re-export it"
            ) from None
        if len(data) > budget:
            self._refuse(path, len(data), cap)
        self.inflated += len(data)
        return data

    def _refuse(self, path: str, size: int, cap: int) -> None:
        whole = size <= cap
        limit = MAX_TOTAL_BYTES if whole else cap
        what = "the parts narration reads" if whole else path
        raise InputError(
            f"{self.name}: {what} would inflate past {limit / 2**20:.0f} MB (a ZIP bomb?); "
            "narrate refuses it: re-export the EPUB or convert it to text"
        )

    def xml(self, path: str) -> ET.Element:
        try:
            return ET.fromstring(self.read(path))
        except ET.ParseError as exc:
            raise InputError(
                f"{self.name} is not a readable EPUB ({path}: {exc}): re-export it or "
                "convert it to text"
            ) from None

    def pages(self) -> list[tuple[Item, str]]:
        """The spine's pages in reading order, with their 'linear' value."""
        return [
            (item, linear)
            for idref, linear in self.spine
            if (item := self.manifest.get(idref)) is not None and item.path.lower().endswith(_PAGES)
        ]


def open_epub(path: Path) -> Package:
    """The package of the EPUB at ``path``, opened once and kept while the file is unchanged."""
    check_readable(path)
    stat = path.stat()
    return _open(str(path.resolve()), stat.st_mtime_ns, stat.st_size, path.name)


@functools.lru_cache(maxsize=2)
def _open(path: str, mtime: int, size: int, name: str) -> Package:
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError):
        with open(path, "rb") as handle:
            zipped = handle.read(4) == b"PK\x03\x04"
        raise InputError(
            f"{name} is a damaged EPUB (bad ZIP archive): re-download or re-export it"
            if zipped
            else f"{name} is not a valid EPUB (not an EPUB ZIP archive): check the file"
        ) from None
    try:
        return _package(Package(name, archive))
    except BaseException:
        archive.close()
        raise


def _package(package: Package) -> Package:
    name, names = package.name, set(package.archive.namelist())
    if "mimetype" not in names or package.read("mimetype", 64).strip() != b"application/epub+zip":
        raise InputError(f"{name} is not a valid EPUB (not an EPUB ZIP archive): check the file")
    if "META-INF/rights.xml" in names:
        raise InputError(f"{name} is DRM-protected: use a DRM-free copy of the book")
    if "META-INF/encryption.xml" in names and _encrypts_text(package):
        raise InputError(
            f"{name} is DRM-protected (its pages are encrypted): use a DRM-free copy of the book"
        )
    if _CONTAINER not in names:
        raise InputError(f"{name} is not a readable EPUB (no {_CONTAINER}): re-export it")
    rootfiles = package.xml(_CONTAINER).iter()
    opf = next(
        (
            e.get("full-path", "")
            for e in rootfiles
            if _local(e.tag) == "rootfile"
            and e.get("media-type", "application/oebps-package+xml")
            == "application/oebps-package+xml"
        ),
        "",
    )
    if not opf:
        raise InputError(f"{name} is not a readable EPUB (no package file): re-export it")
    _read_opf(package, posixpath.normpath(unquote(opf)))
    return package


def is_epub_archive(path: Path) -> bool:
    """A ZIP whose 'mimetype' member says application/epub+zip (read from the central index)."""
    try:
        with zipfile.ZipFile(path) as archive, archive.open("mimetype") as member:
            return member.read(64).strip() == b"application/epub+zip"
    except (zipfile.BadZipFile, KeyError, OSError, EOFError, ValueError, NotImplementedError):
        return False


def _encrypts_text(package: Package) -> bool:
    """Does encryption.xml encrypt anything but fonts (which publishers obfuscate)?"""
    root = package.xml("META-INF/encryption.xml")
    for reference in root.iter():
        if _local(reference.tag) == "CipherReference":
            uri = posixpath.normpath(unquote(reference.get("URI", "")))
            if not uri.lower().endswith((".otf", ".ttf", ".woff", ".woff2")):
                return True
    return False


def _read_opf(package: Package, opf: str) -> None:
    root = package.xml(opf)
    base = posixpath.dirname(opf)

    def member(href: str) -> str:
        path, _, fragment = unquote(href).partition("#")
        joined = posixpath.normpath(posixpath.join(base, path)) if path else ""
        return f"{joined}#{fragment}" if fragment else joined

    metadata = _child(root, "metadata")
    for element in metadata if metadata is not None else ():
        if not isinstance(element.tag, str):
            continue  # a comment
        if _local(element.tag) == "meta":
            package.metas.append(dict(element.attrib))
        elif element.tag.startswith("{http://purl.org/dc/elements/1.1/}"):
            text = "".join(element.itertext()).strip()
            if text:
                package.metadata.setdefault(_local(element.tag), []).append(
                    (text, dict(element.attrib))
                )
    for entry in _children(_child(root, "manifest"), "item"):
        media = entry.get("media-type", "")
        package.manifest[entry.get("id", "")] = Item(
            entry.get("id", ""),
            member(entry.get("href", "")),
            "image/jpeg" if media == "image/jpg" else media,
            frozenset(entry.get("properties", "").split()),
        )
    spine = _child(root, "spine")
    package.spine = [
        (r.get("idref", ""), r.get("linear", "yes")) for r in _children(spine, "itemref")
    ]
    for reference in _children(_child(root, "guide"), "reference"):
        target = member(reference.get("href", "")).partition("#")[0]
        package.guide[target] = (reference.get("type") or "").lower()
    nav = next((i for i in package.manifest.values() if "nav" in i.properties), None)
    ncx = package.manifest.get(spine.get("toc", "") if spine is not None else "")
    if nav is not None:
        package.toc = _nav_toc(package.read(nav.path), posixpath.dirname(nav.path))
    if not package.toc and ncx is not None and package.info(ncx.path) is not None:
        package.toc = _ncx_toc(package, ncx.path)


def _ncx_toc(package: Package, path: str) -> list[tuple[str, str]]:
    """(member path#fragment, title) of an EPUB 2 NCX's navPoints, in reading order."""
    try:
        root = ET.fromstring(package.read(path))
    except ET.ParseError:
        return []  # the pages are still read, in spine order, without navigation titles
    base = posixpath.dirname(path)
    out = []
    for point in root.iter():
        if _local(point.tag) != "navPoint":
            continue
        label = _child(point, "navLabel")
        title = "".join(label.itertext()).strip() if label is not None else ""
        content = _child(point, "content")
        src = unquote(content.get("src", "")) if content is not None else ""
        if src:
            target, _, fragment = src.partition("#")
            joined = posixpath.normpath(posixpath.join(base, target))
            out.append((f"{joined}#{fragment}" if fragment else joined, title))
    return out


class _NavParser(HTMLParser):
    """The links of an EPUB 3 nav document's table of contents, in document order."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.depth = 0  # inside <nav epub:type="toc">, how many navs deep
        self.links: list[tuple[str, str]] = []
        self._href: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "nav":
            kinds = " ".join(v or "" for k, v in attrs if k.endswith("type")).split()
            if self.depth or "toc" in kinds:
                self.depth += 1
        elif tag == "a" and self.depth and values.get("href"):
            self._href, self._text = values["href"], []

    def handle_endtag(self, tag: str) -> None:
        if tag == "nav" and self.depth:
            self.depth -= 1
        elif tag == "a" and self._href is not None:
            self.links.append((self._href, " ".join("".join(self._text).split())))
            self._href = None

    def handle_data(self, data: str) -> None:
        if self._href is not None:
            self._text.append(data)


def _nav_toc(data: bytes, base: str) -> list[tuple[str, str]]:
    parser = _NavParser()
    parser.feed(data.decode("utf-8", errors="replace"))
    parser.close()
    out = []
    for href, title in parser.links:
        target, _, fragment = unquote(href).partition("#")
        joined = posixpath.normpath(posixpath.join(base, target)) if target else ""
        if joined:
            out.append((f"{joined}#{fragment}" if fragment else joined, title))
    return out


def cover_item(package: Package) -> Item | None:
    """EPUB 3 'cover-image', EPUB 2 <meta name="cover">, or an image called cover."""
    images = [i for i in package.manifest.values() if i.media_type.startswith("image/")]
    chosen = next((i for i in images if "cover-image" in i.properties), None)
    for attrs in package.metas if chosen is None else ():
        if attrs.get("name") == "cover":
            item = package.manifest.get(attrs.get("content", ""))
            if item is not None and item in images:
                chosen = item
                break
    if chosen is None:
        chosen = next(
            (i for i in images if "cover" in i.id.lower() or "cover" in i.path.lower()), None
        )
    return chosen
