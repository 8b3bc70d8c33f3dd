"""Hanyu Pinyin syllables, to give a romanized Chinese name its initials per syllable.

GB/T 7714-2015 (8.1.1, after GB/T 28039-2011) abbreviates a pinyin given name to the
first letter of each syllable: "Meng Fanhua" is "MENG F H", not "MENG F". CSL styles
initialise per word, so the given name is split into its syllables before rendering.
The same test tells the other styles that a name is a Chinese one, which MLA and
Chicago write family name first without a comma ("Xi Jinping").
"""

import functools
import re

SYLLABLES = frozenset(
    """
    a ai an ang ao e ei en eng er o ou
    ba bai ban bang bao bei ben beng bi bian biao bie bin bing bo bu
    pa pai pan pang pao pei pen peng pi pian piao pie pin ping po pou pu
    ma mai man mang mao me mei men meng mi mian miao mie min ming miu mo mou mu
    fa fan fang fei fen feng fo fou fu
    da dai dan dang dao de dei den deng di dia dian diao die ding diu dong dou du duan dui
    dun duo
    ta tai tan tang tao te teng ti tian tiao tie ting tong tou tu tuan tui tun tuo
    na nai nan nang nao ne nei nen neng ni nian niang niao nie nin ning niu nong nou nu nuan
    nun nuo nü nüe nv nve
    la lai lan lang lao le lei leng li lia lian liang liao lie lin ling liu lo long lou lu
    luan lun luo lü lüe lv lve
    ga gai gan gang gao ge gei gen geng gong gou gu gua guai guan guang gui gun guo
    ka kai kan kang kao ke kei ken keng kong kou ku kua kuai kuan kuang kui kun kuo
    ha hai han hang hao he hei hen heng hong hou hu hua huai huan huang hui hun huo
    ji jia jian jiang jiao jie jin jing jiong jiu ju juan jue jun
    qi qia qian qiang qiao qie qin qing qiong qiu qu quan que qun
    xi xia xian xiang xiao xie xin xing xiong xiu xu xuan xue xun
    zha zhai zhan zhang zhao zhe zhei zhen zheng zhi zhong zhou zhu zhua zhuai zhuan zhuang
    zhui zhun zhuo
    cha chai chan chang chao che chen cheng chi chong chou chu chua chuai chuan chuang chui
    chun chuo
    sha shai shan shang shao she shei shen sheng shi shou shu shua shuai shuan shuang shui
    shun shuo
    ran rang rao re ren reng ri rong rou ru rua ruan rui run ruo
    za zai zan zang zao ze zei zen zeng zi zong zou zu zuan zui zun zuo
    ca cai can cang cao ce cen ceng ci cong cou cu cuan cui cun cuo
    sa sai san sang sao se sen seng si song sou su suan sui sun suo
    ya yan yang yao ye yi yin ying yo yong you yu yuan yue yun
    wa wai wan wang wei wen weng wo wu
    """.split()
)
LONGEST = max(len(syllable) for syllable in SYLLABLES)
# Pinyin writes an apostrophe before a syllable starting with a, o or e ("Xi'an"), so
# inside a word without one, no syllable after the first starts with these.
VOWEL_INITIAL = ("a", "o", "e")
WORD_SEPARATORS = re.compile(r"[\s'’-]+")


def syllables(word):
    """The pinyin syllables of one word ("Fanhua" → ["Fan", "hua"]), or None if it is not
    pinyin. Longer syllables are tried first and the rest must split too (backtracking)."""
    return _split(word, first=True)


@functools.cache
def _split(word, first):
    if not word:
        return []
    lowered = word.lower()
    for length in range(min(LONGEST, len(word)), 0, -1):
        head = lowered[:length]
        if head not in SYLLABLES or (not first and head.startswith(VOWEL_INITIAL)):
            continue
        rest = _split(word[length:], first=False)
        if rest is not None:
            return [word[:length], *rest]
    return None


def given_syllables(given):
    """All syllables of a given name written in pinyin ("Jinping" → ["Jin", "ping"];
    "Jin-ping" too), or None if any part of it is not pinyin."""
    parts = [part for part in WORD_SEPARATORS.split(given.strip()) if part]
    result = []
    for part in parts:
        split = syllables(part)
        if split is None:
            return None
        result += split
    return result or None


def is_pinyin_name(name):
    """Whether a CSL name reads as a romanized Chinese name: a one-syllable pinyin family
    name and a given name made of pinyin syllables."""
    family, given = name.get("family", ""), name.get("given", "")
    return bool(
        family
        and given
        and " " not in family.strip()
        and syllables(family.strip()) is not None
        and len(syllables(family.strip())) == 1
        and given_syllables(given)
    )
