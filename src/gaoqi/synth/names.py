"""Enterprise names and the variants under which IP holders write them (bracket, width, suffix, region,
space, typo), and IP titles."""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from gaoqi.synth import pools


class Name(NamedTuple):
    zh: str  # 字号
    word: str  # industry word
    form: str  # organisation form
    bracket: bool  # registered as 字号（北京）行业有限公司

    def has_width_form(self) -> bool:
        return self.bracket or any(c.isascii() for c in self.zh)

    def render(self) -> str:
        if self.bracket:
            return f"{self.zh}（北京）{self.word}{self.form}"
        return f"北京{self.zh}{self.word}{self.form}"


_FULLWIDTH = str.maketrans({chr(c): chr(c + 0xFEE0) for c in range(0x21, 0x7F)})


def holder_variant(name: Name, kind: str, r: int) -> tuple[str, str]:
    """A holder-name variant of ``name`` of the given kind; ('space' when the kind does not apply)."""
    zh, word, form = name.zh, name.word, name.form
    if kind == "bracket":
        br = "（北京）" if r % 2 else "(北京)"
        if name.bracket:
            return f"{zh}{word}{br}{form}", "bracket"
        return (f"{zh}{word}{br}{form}" if r % 5 < 3 else f"{zh}{br}{word}{form}"), "bracket"
    if kind == "region":
        if name.bracket:
            return f"北京{zh}{word}{form}", "region"
        return (f"北京市{zh}{word}{form}" if r % 2 else f"{zh}{word}{form}"), "region"
    if kind == "width" and name.has_width_form():
        if any(c.isascii() for c in zh):
            return name.render().translate(_FULLWIDTH), "width"  # ＡＩ, ５Ｇ
        return name.render().replace("（", "(").replace("）", ")"), "width"
    if kind == "suffix" and form != "股份有限公司":
        other = "有限责任公司" if form == "有限公司" else "有限公司"
        return Name(zh, word, other, name.bracket).render(), "suffix"
    if kind == "typo":
        return _typo(name, r), "typo"
    # space: inside the name, never at its ends (a loader trims those)
    sp = " " if r % 3 else "\u3000"
    text = name.render()
    cut = (
        (2, 2 + len(zh), len(text) - len(form))[r % 3]
        if not name.bracket
        else (len(zh), len(text) - len(form), 1)[r % 3]
    )
    return text[:cut] + sp + text[cut:], "space"


def _typo(name: Name, r: int) -> str:
    """The name with one character of its industry word swapped for a confusable one (or, where none is
    known, one character of the 字号 doubled): exactly one edit away from the registered name."""
    word = name.word
    spots = [i for i, c in enumerate(word) if c in pools.CONFUSABLE]
    if spots:
        i = spots[r % len(spots)]
        return Name(name.zh, word[:i] + pools.CONFUSABLE[word[i]] + word[i + 1 :], name.form, name.bracket).render()
    i = r % len(name.zh)
    return Name(name.zh[: i + 1] + name.zh[i:], word, name.form, name.bracket).render()


def ip_title(t: int, zh: str, grp: pools.IndustryGroup, r: Sequence[int]) -> str:
    topic = grp.ip_topics[r[0] % len(grp.ip_topics)]
    if t <= 1:
        adj = pools.IP_ADJECTIVES[r[1] % len(pools.IP_ADJECTIVES)]
        return f"一种{adj}{topic}{pools.IP_SUFFIXES[r[2] % len(pools.IP_SUFFIXES)]}"
    if t == 2:
        return f"{pools.DESIGN_OBJECTS[r[1] % len(pools.DESIGN_OBJECTS)]}（{'ABCDEFGH'[r[2] % 8]}{r[2] % 9 + 1}）"
    if t == 3:
        return f"{zh}{pools.SOFTWARE_PRODUCTS[r[1] % len(pools.SOFTWARE_PRODUCTS)]}V{r[2] % 5 + 1}.{r[2] % 10}"
    if t == 4:
        return f"{zh}{topic}控制芯片"
    if t == 5:
        return f"京{zh[:1]}{r[1] % 900 + 100}"
    if t == 6:
        return f"{topic}{('注射液', '片', '胶囊', '颗粒')[r[1] % 4]}"
    return zh
