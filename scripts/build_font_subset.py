"""Build the CJK font subset that crmkit ships in crmkit/fonts/.

The course must render Chinese in charts on machines without any CJK system font, so crmkit
bundles a subset of Noto Sans CJK SC (SIL Open Font License 1.1). This script makes that subset:

    python scripts/build_font_subset.py            # rebuild crmkit/fonts/ from the source font
    python scripts/build_font_subset.py --check    # fail if course text needs a missing glyph

Re-run it (and commit the result) whenever the course gains characters: new names, review
texts, notebook titles. `--check` needs only the committed files and is run by the tests.

Source font: Debian's `fonts-noto-cjk` (`apt-get install -y fonts-noto-cjk`), which installs
/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc; face 2 of that collection is the
Simplified Chinese one. Any Noto Sans SC / Source Han Sans SC file works with --source.

Character set: every character of GB2312, ASCII and Latin-1, general and CJK punctuation,
full-width forms, common symbols, plus every character found in crmkit/**/*.py, Faker's zh_CN
person and address word lists, and the course notebooks and datasets.

Format: the source is CFF-based OpenType. The subset is converted to TrueType (quadratic
`glyf` outlines via fontTools.cu2qu) because matplotlib handles TrueType everywhere: Agg and SVG
also render CFF, but the PDF and PS backends can embed only TrueType as Type 42 fonts
(`pdf.fonttype: 42`). The conversion error is kept within 2/1000 em, invisible at chart sizes.
"""

from __future__ import annotations

import argparse
import json
import sys
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FONT_DIR = ROOT / "crmkit" / "fonts"
FONT_FILE = FONT_DIR / "NotoSansSC-crmkit-subset.ttf"
MANIFEST_FILE = FONT_DIR / "subset.json"
DEFAULT_SOURCE = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
DEFAULT_FACE = 2  # Noto Sans CJK SC inside the Debian/upstream collection

# The subset's own names. The OFL lets a modified font keep the name "Noto" (no Reserved Font
# Name), but a distinct family name keeps it apart from an installed full Noto Sans CJK SC.
FAMILY = "Noto Sans SC crmkit"
POSTSCRIPT = "NotoSansSC-crmkit-Regular"

# Unicode ranges kept in full (inclusive).
RANGES = [
    (0x0020, 0x007E),  # ASCII
    (0x00A0, 0x00FF),  # Latin-1 punctuation, ¥, ×, ÷, accented letters
    (0x2010, 0x205E),  # general punctuation: dashes, quotes, …, ‰, ※
    (0x2100, 0x214F),  # letterlike symbols: ℃, №, ™
    (0x2150, 0x218F),  # number forms: Ⅰ Ⅱ Ⅲ
    (0x2190, 0x21FF),  # arrows
    (0x2200, 0x22FF),  # math operators: ≤ ≥ ≈ ≠
    (0x2460, 0x24FF),  # enclosed numbers: ① ②
    (0x2500, 0x257F),  # box drawing
    (0x25A0, 0x25FF),  # geometric shapes: ■ □ ▲ ● ○
    (0x2600, 0x26FF),  # misc symbols: ★ ☆
    (0x2700, 0x27BF),  # dingbats: ✓ (✅ ❌ are not in Noto Sans CJK; DejaVu covers ✔ ✗)
    (0x3000, 0x303F),  # CJK symbols and punctuation: 、。《》【】
    (0xFF01, 0xFF5E),  # full-width ASCII forms: ，：；！？（）
    (0xFFE0, 0xFFE6),  # full-width ￥ ￠ ￡
]
EXTRA = "€£¢•·…—–“”‘’"

# Course files whose characters must all be renderable.
TEXT_GLOBS = [
    "crmkit/**/*.py",
    "notebooks/**/*.ipynb",
    "solutions/**/*.ipynb",
    "exercises/**/*.ipynb",
    "datasets/**/*.csv",
    "datasets/**/*.json",
    "datasets/**/*.md",
]


def gb2312_chars() -> set[str]:
    """Every character that has a GB2312 code (rows 0xA1-0xF7, cells 0xA1-0xFE)."""
    chars = set()
    for hi in range(0xA1, 0xFF):
        for lo in range(0xA1, 0xFF):
            try:
                chars.add(bytes([hi, lo]).decode("gb2312"))
            except UnicodeDecodeError:
                continue
    return chars


def _strings(value):
    """Yield every string nested in a Faker word list (str, list, tuple, dict keys and values)."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from _strings(k)
            yield from _strings(v)
    elif isinstance(value, (list, tuple, set, frozenset)):
        for v in value:
            yield from _strings(v)


def faker_chars() -> set[str]:
    """Characters of Faker's zh_CN person and address word lists."""
    from faker.providers.address.zh_CN import Provider as AddressProvider
    from faker.providers.person.zh_CN import Provider as PersonProvider

    chars = set()
    for provider in (PersonProvider, AddressProvider):
        for name, value in vars(provider).items():
            if not name.startswith("_"):
                for s in _strings(value):
                    chars.update(s)
    return chars


def course_chars(root: Path = ROOT) -> set[str]:
    """Characters used anywhere in the package sources, notebooks and datasets."""
    chars = set()
    for pattern in TEXT_GLOBS:
        for path in root.glob(pattern):
            if ".ipynb_checkpoints" in path.parts or not path.is_file():
                continue
            chars.update(path.read_text(encoding="utf-8-sig", errors="ignore"))
    return chars


def base_chars() -> set[str]:
    chars = set(EXTRA)
    for lo, hi in RANGES:
        chars.update(chr(c) for c in range(lo, hi + 1))
    return chars | gb2312_chars()


def printable(chars: set[str]) -> set[str]:
    """Drop control, format and private-use characters (they never need a glyph)."""
    return {c for c in chars if unicodedata.category(c)[0] != "C" or c == " "}


def wanted_chars(root: Path = ROOT) -> set[str]:
    return printable(base_chars() | faker_chars() | course_chars(root))


def needed_chars(root: Path = ROOT) -> set[str]:
    """What the --check requires: the course's own text (not the whole GB2312 table)."""
    return printable(faker_chars() | course_chars(root)) - set("\n\r\t")


def _to_truetype(font, max_err: float = 2.0) -> None:
    """Replace the CFF outlines of `font` with quadratic TrueType outlines, in place."""
    from fontTools.pens.cu2quPen import Cu2QuPen
    from fontTools.pens.ttGlyphPen import TTGlyphPen
    from fontTools.ttLib import newTable

    order = font.getGlyphOrder()
    glyph_set = font.getGlyphSet()
    glyphs = {}
    for name in order:
        pen = TTGlyphPen(None)
        # CFF contours run counter-clockwise, TrueType clockwise: reverse while converting.
        glyph_set[name].draw(Cu2QuPen(pen, max_err, reverse_direction=True))
        glyphs[name] = pen.glyph()

    glyf = newTable("glyf")
    glyf.glyphOrder = order
    glyf.glyphs = glyphs
    font["glyf"] = glyf
    font["loca"] = newTable("loca")
    for tag in ("CFF ", "VORG"):
        if tag in font:
            del font[tag]

    maxp = font["maxp"]
    maxp.tableVersion = 0x00010000
    for attr in ("maxZones", "maxTwilightPoints", "maxStorage", "maxFunctionDefs",
                 "maxInstructionDefs", "maxStackElements", "maxSizeOfInstructions",
                 "maxComponentElements"):
        setattr(maxp, attr, 0)
    maxp.maxZones = 1
    maxp.maxComponentDepth = 0
    font["head"].glyphDataFormat = 0
    font["head"].indexToLocFormat = 0
    # post format 3 stores no glyph names (saves ~90 kB); matplotlib names glyphs itself.
    font["post"].formatType = 3.0
    font.sfntVersion = "\x00\x01\x00\x00"
    # Recompute bounding boxes, maxp point counts and hmtx side bearings from the new outlines.
    font.recalcBBoxes = True


def _rename(font) -> None:
    """Give the subset its own family name; keep the copyright and licence records."""
    name = font["name"]
    for record in list(name.names):
        if record.nameID in (1, 3, 4, 6, 16, 17, 18, 21, 22):
            name.removeNames(nameID=record.nameID)
    for platform in ((3, 1, 0x409), (1, 0, 0)):
        name.setName(FAMILY, 1, *platform)
        name.setName("Regular", 2, *platform)
        name.setName(f"{POSTSCRIPT};crmkit subset", 3, *platform)
        name.setName(FAMILY, 4, *platform)
        name.setName(POSTSCRIPT, 6, *platform)


def build(source: Path, face: int, out: Path) -> dict:
    from fontTools import subset
    from fontTools.ttLib import TTFont

    wanted = wanted_chars()
    # Keep the source's head.modified so that re-running gives the same bytes.
    font = TTFont(str(source), fontNumber=face, lazy=False, recalcTimestamp=False)
    source_name = font["name"].getDebugName(4)
    source_version = font["name"].getDebugName(5)
    cmap = font.getBestCmap()
    kept = sorted(c for c in wanted if ord(c) in cmap)
    absent = sorted(c for c in needed_chars() if ord(c) not in cmap)

    options = subset.Options()
    options.layout_features = []  # matplotlib does no OpenType shaping
    options.name_IDs = ["*"]
    options.name_languages = ["*"]
    options.notdef_outline = True
    options.hinting = False  # matplotlib auto-hints with FreeType anyway
    options.drop_tables += ["vhea", "vmtx", "VORG", "BASE", "DSIG", "GSUB", "GPOS"]
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=[ord(c) for c in kept])
    subsetter.subset(font)

    _to_truetype(font)
    _rename(font)
    out.parent.mkdir(parents=True, exist_ok=True)
    font.save(str(out))

    manifest = {
        "font_file": out.name,
        "family": FAMILY,
        "source": f"{source_name} {source_version}".strip(),
        "characters": len(kept),
        "cjk_ideographs": sum(1 for c in kept if unicodedata.name(c, "").startswith("CJK UNI")),
        # Requested characters the source font lacks (emoji such as ✅ ❌ ⏳): they need
        # another font (DejaVu Sans covers ✔ ✗), so --check does not ask for them.
        "not_in_source": "".join(absent),
    }
    MANIFEST_FILE.write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n",
                             encoding="utf-8")
    return manifest


def _latin_cmap() -> set[int]:
    """Code points of DejaVu Sans, the Latin font that comes first in crmkit's font chain."""
    from fontTools.ttLib import TTFont
    from matplotlib import font_manager

    path = font_manager.findfont("DejaVu Sans", fallback_to_default=True)
    return set(TTFont(path, lazy=True).getBestCmap())


def missing_chars(root: Path = ROOT) -> list[str]:
    """Course characters that neither the bundled subset nor DejaVu Sans can draw."""
    from fontTools.ttLib import TTFont

    covered = set(TTFont(str(FONT_FILE), lazy=True).getBestCmap()) | _latin_cmap()
    known_absent = set(json.loads(MANIFEST_FILE.read_text(encoding="utf-8"))["not_in_source"])
    return sorted(c for c in needed_chars(root) - known_absent if ord(c) not in covered)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=DEFAULT_SOURCE,
                        help="source font (.otf/.ttf/.ttc), default: Debian fonts-noto-cjk")
    parser.add_argument("--face", type=int, default=DEFAULT_FACE,
                        help="face index inside a .ttc collection (2 = SC)")
    parser.add_argument("--check", action="store_true",
                        help="only check that the committed subset covers the course text")
    args = parser.parse_args(argv)

    if args.check:
        missing = missing_chars()
        if missing:
            print(f"{len(missing)} course characters are missing from {FONT_FILE.name}: "
                  f"{''.join(missing)}\nRe-run: python scripts/build_font_subset.py")
            return 1
        print(f"{FONT_FILE.name} covers every character of the course text.")
        return 0

    if not args.source.exists():
        print(f"Source font not found: {args.source}\n"
              "Install it with: apt-get install -y fonts-noto-cjk (or pass --source).")
        return 2
    manifest = build(args.source, args.face if args.source.suffix == ".ttc" else 0, FONT_FILE)
    size = FONT_FILE.stat().st_size
    print(f"wrote {FONT_FILE.relative_to(ROOT)}: {size / 1e6:.2f} MB, "
          f"{manifest['characters']} characters ({manifest['cjk_ideographs']} hanzi)")
    if manifest["not_in_source"]:
        print(f"not in the source font (left to fallback fonts): {manifest['not_in_source']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
