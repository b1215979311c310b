"""Lossless tokenizer: every character of the input belongs to exactly one token.

``"".join(t.text for t in tokenize(s)) == s`` holds for every ``str`` ``s`` (a property test checks
it over arbitrary Unicode), and each token carries its offsets into ``s``.

Token kinds, tried in this order (the first alternative that matches at a position wins):

1. ``protected``: text that despin must never change, because a synonym swap inside it would
   break it: fenced and inline Markdown code (and BBCode and org-mode blocks), HTML tags, TeX
   math and keys, MediaWiki link targets, one-line JSON objects, URLs (with or without a scheme),
   DOIs, e-mail addresses, @handles and #hashtags, and code-like identifiers (``snake_case``,
   ``camelCase``, ``a.b.c``, ``f()``, ``a.b(x=1)``, paths). Lexicon matching never looks inside
   these. Lines of code without fences or indentation (``CODE_LINE_RE``) are recognised by the
   matcher, at each hit, not here.
2. ``word``: letters, possibly with digits and inner apostrophes ("didn't", "rock'n'roll"),
   known abbreviations with their dot ("sq.", "e.g.", "U.S."). A possessive or clitic ``'s`` is
   its own word token so that "chief’s" can become "leader’s".
3. ``number``: digits with inner separators and a unit suffix ("12", "3.6", "1,000", "5mn").
4. ``space``: a run of white space.
5. ``punct``: any other single character (hyphens split "Gained-sik" into three tokens).

No pattern here can backtrack catastrophically: every repetition is over a character class that
cannot also match the token that follows it, and URLs and code blocks are bounded in length.
"""

from __future__ import annotations

import re

from .types import Token

# Abbreviations that keep their dot as part of the word, so that "sq." can be a lexicon key
# (the news spinner writes "sq." for *square*) and "Mr." does not end a sentence.
ABBREVIATIONS = (
    "sq|st|mr|mrs|ms|dr|prof|gen|col|lt|sgt|capt|gov|sen|rep|rev|jr|sr|vs|etc|approx|dept|"
    "fig|figs|vol|vols|inc|ltd|corp|jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec|"
    "mt|ft|km|cm|mm|kg|lb|lbs|oz|pp"
)

# Protected text that may contain white space; each alternative starts with a literal character,
# so scanning a whole document for them is cheap.
_BLOCK = r"""
    ```[^`]{0,20000}?```                              # 1a. fenced Markdown code (bounded)
  | `[^`\n]{1,500}`                                   # 1b. inline code
  | <!--(?:(?!<!--).){0,5000}?-->                     # 1c. HTML comment (a scan stops at the next
                                                    #     "<!--": each character is scanned once)
  | <(?i:code|pre|kbd|samp|tt|var|script|style|math)\b[^<>]{0,1000}>   # 1c'. an HTML element whose
    (?:[^<]|<(?!(?i:code|pre|kbd|samp|tt|var|script|style|math)\b)){0,20000}?  # content is code,
    </(?i:code|pre|kbd|samp|tt|var|script|style|math)\s*>  # whole to its closing tag (bounded; a
                                                    #     scan stops at the next opening tag, so
                                                    #     each character is scanned once): its
                                                    #     words are not prose
  | </?[A-Za-z][\w:-]{0,30}(?:\s[^<>]{0,1000})?/?>     # 1d. HTML / XML tag
  | (?:\A|\n)(?:[ ]{4}|\t)[ \t]*                        # 1e. an indented line of code (Markdown's
    (?=(?:\#|//|/\*|(?:def|class|return|import|elif|except|raise|yield|var|let|const|function|
           public|private|static|void|print)\b)        #     code blocks lose their fences in
       |[^\n]{0,2000}?(?:[={}]|[^\W\d]\(|[;:][ \t]*(?:\n|\Z)))  # scraped text): a comment,
    [^\n]{0,2000}                                     #     a keyword, = { } f( or a final ; or :
  | \$\$[^$]{1,5000}\$\$                               # 1f. TeX display math: $$…$$, \[…\], \(…\)
  | \\\[(?:[^\\]|\\(?![\[\]])){1,5000}\\\]             #     (a scan stops at the next opener or
  | \\\((?:[^\\]|\\(?![()])){1,2000}\\\)               #     closer: each character is scanned once)
  | \\begin\{(?P<tex_env>equation|eqnarray|alignat|align|flalign|gather|multline|displaymath|math
                        |verbatim|lstlisting|minted)\*?\}  # 1f'. a TeX math or code environment,
    (?:[^\\]|\\(?!end\{(?P=tex_env)\*?\}|begin\{(?:equation|eqnarray|align|flalign|gather|multline  # to
        |displaymath|math|verbatim|lstlisting|minted)\b)){0,20000}  # its own end (environments
    \\end\{(?P=tex_env)\*?\}                          #     nested in it, as cases, are inside it)
  | \$(?![\s$\d])[^$\n]{0,300}?(?<![\s\\])\$(?!\d)    # 1f''. TeX inline math $…$ on one line,
  | \$\d[^$\n]{0,300}?[\\^_{}=][^$\n]{0,300}?(?<![\s\\])\$(?!\d)  # not opened or closed by a space
                                                    #     and not followed by a digit, and where it
                                                    #     starts with a digit, with a TeX sign
                                                    #     (\ ^ _ { } =): prices ("$5 and $10")
                                                    #     and cashtags ("$AAPL and $TSLA") stay prose
  | \\(?:cite[a-zA-Z]*|[cC]?ref|eqref|autoref|pageref|label|url|href|input|include|includegraphics
       |bibliography|bibliographystyle|usepackage|documentclass)\*?(?:\[[^\]\n]{0,200}\]){0,2}
    \{[^{}\n]{0,500}\}                                # 1f'''. a TeX key, label, file or address
                                                    #     argument (\textbf{…} and the like are prose)
  | \[\[[^\[\]|\n]{1,200}(?=\||\]\])                      # 1g. a MediaWiki link's target,
                                                    #     [[Metropolis (1927 film)|…]] (its label is
                                                    #     prose)
  | \{[ \t]*"[^"\n]{1,100}"[ \t]*:[^\n{}]{0,2000}\}      # 1h. a JSON object on one line (the
                                                    #     innermost, where objects nest)
  | ~~~[^~]{0,20000}~~~                               # 1i. other fences of code: Markdown's ~~~,
  | \[(?i:code)(?:=[^\]\n]{0,30})?\]                  #     BBCode's [code]…[/code] (forums) and
    (?:[^\[]|\[(?!/?(?i:code)\b)){0,20000}\[/(?i:code)\]  #     org-mode's #+BEGIN_SRC…#+END_SRC (each
  | \#\+(?i:begin_(?:src|example))\b                  #     scan stops at the next opener)
    (?:[^#]|\#(?!\+(?i:begin|end)_)){0,20000}\#\+(?i:end_(?:src|example))
"""

# Protected text without white space. Each alternative may only start where a token can start
# (after white space, an opening bracket or quote, or a backtick: "```https://…" where fences and
# a URL run together), which keeps the scan near word starts.
_INLINE = r"""
    (?:^|(?<=[\s(\[{"'“‘<>*`]))
    (?:
      (?:[a-zA-Z][a-zA-Z0-9+.-]{1,15}://|www\.)[^\s<>"“”`]*[^\s<>"“”`.,;:!?)\]}'’]  # 1e. URL (a
                                                          #     backtick is no URL character)
    | [\w.+-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63})+                       # 1f. e-mail address
    | [@#][^\W_]\w{0,50}                                               # 1g. @handle, #hashtag
    | [A-Za-z_][\w.]{0,100}\(\)                                        # 1h. call: f(), a.b()
    | [A-Za-z_]\w{0,50}(?:\.[A-Za-z_]\w{0,50})+\([^()\n]{0,200}\)       # 1h'. method call: a.b(x=1)
    | \w{0,100}_\w{1,100}                                              # 1i. snake_case
    | [A-Za-z]\w{0,50}(?:\.[A-Za-z_]\w{0,50}){2,}                      # 1j. dotted.name.three
    | (?:/[\w-]{1,100}(?:\.[\w-]{1,20}){0,5}){2,}/?                      # 1k. /a/path.ext
    | [a-z]{1,30}[A-Z][a-z0-9]{1,30}[A-Z][A-Za-z0-9]{0,30}             # 1l. camelCaseName
    | `{1,3}[^`\s]{1,200}`{1,3}                                       # 1m. `code` in backticks,
                                                                       #     whatever fences pair
    | (?:[A-Za-z0-9-]{1,63}\.){1,10}[a-z]{2,12}/[^\s<>"“”`]*            # 1n. an address without
                                                                       #     a scheme: host/path
    | (?:[A-Za-z0-9-]{1,63}\.){1,10}(?:com|org|net|edu|gov|io|info|biz|uk|de|fr|eu|nl|ru|jp|cn|ca|au
         |ch|se|nz|ie|za|br|mx|es)(?![\w.-]*\w)                            #     or a bare domain
                                                                       #     (no TLD that is a word:
                                                                       #     "area.in" is prose)
    | (?:doi:)?10\.\d{4,9}/[^\s<>"“”]+                                 # 1o. DOI
    | [A-Za-z]:\\[^\s<>"“”|]*                                          # 1p. Windows path
    )
"""

_WORD = rf"""
    \d+(?:[.,:]\d+)+[^\W_]*                            # 2.  number with separators: 3.6, 1,000, 10:30
  |     (?:[^\W\d_]\.){{2,}}                               # 2a. dotted initialisms: U.S., e.g.
  | (?i:(?:{ABBREVIATIONS}))\.(?!\w)                   # 2b. abbreviations that keep their dot
  | (?<=[^\W_])['’][sS](?![^\W_])                     # 2c. clitic 's: chief’s → chief + ’s
  | [^\W_]+(?:['’](?![sS](?![^\W_]))[^\W_]+)*          # 2d. word (letters and digits), inner apostrophes
"""

# A rough word: letters and digits joined by inner . , : and apostrophes, with one trailing dot.
# It is fast to scan (no alternation) and covers every fine word; the few rough words that are not
# plain alphanumerics ("said.", "chief’s", "area.On") are split by _WORD (``split_word``).
_ROUGH = r"[^\W_]+(?:[.,:'’][^\W_]+)*\.?"

_PATTERN = rf"""
  (?P<protected> {_BLOCK} | {_INLINE} )
| (?P<word> {_ROUGH} )
| (?P<space> (?:[^\S\n]|\n(?![ ]{{4}}|\t))+ | \n )    # a line break before an indented line stands
                                                  # alone: that line may be code (1e)
| (?P<punct> . )
"""

TOKEN_RE = re.compile(_PATTERN, re.VERBOSE | re.DOTALL)
BLOCK_RE = re.compile(_BLOCK, re.VERBOSE | re.DOTALL)
INLINE_RE = re.compile(_INLINE, re.VERBOSE | re.DOTALL)
WORD_RE = re.compile(_WORD, re.VERBOSE)
ROUGH_RE = re.compile(_ROUGH)


def split_word(rough: str) -> list[tuple[str, int, int]]:
    """The fine words inside a rough word, with offsets relative to it.

    >>> split_word("said.") , split_word("chief’s"), split_word("sq.")
    ([('said', 0, 4)], [('chief', 0, 5), ('’s', 5, 7)], [('sq.', 0, 3)])
    """
    return [(m.group(), m.start(), m.end()) for m in WORD_RE.finditer(rough)]


def tokenize(text: str) -> list[Token]:
    """Split ``text`` into tokens that join back to it exactly.

    >>> [t.text for t in tokenize("He mentioned “army ties”.")]
    ['He', ' ', 'mentioned', ' ', '“', 'army', ' ', 'ties', '”', '.']
    >>> [t.kind for t in tokenize("see https://example.com/a_b in 12 months")]
    ['word', 'space', 'protected', 'space', 'word', 'space', 'number', 'space', 'word']
    """
    if not isinstance(text, str):
        raise TypeError(f"tokenize() takes str, not {type(text).__name__}")
    out = []
    for m in TOKEN_RE.finditer(text):
        kind = m.lastgroup or "punct"
        tok = m.group()
        if kind == "word" and not tok.isalnum():
            pos = m.start()
            for sub, s, e in split_word(tok):
                if m.start() + s > pos:
                    out.append(Token(text[pos : m.start() + s], pos, m.start() + s, "punct"))
                out.append(Token(sub, m.start() + s, m.start() + e, "number" if sub[0].isdigit() else "word"))
                pos = m.start() + e
            if pos < m.end():
                out.extend(Token(c, k, k + 1, "punct") for k, c in enumerate(text[pos : m.end()], pos))
            continue
        if kind == "word" and tok[0].isdigit():
            kind = "number"
        out.append(Token(tok, m.start(), m.end(), kind))
    return out


# Every alternative of _BLOCK starts with one of these (or an indented first line).
_BLOCK_SIGNS = ("`", "<", "$", "\\", "[[", "{", "~~~", "[code", "[CODE", "[Code", "#+", "\n    ", "\n\t")


def block_spans(text: str) -> list[tuple[int, int]]:
    """Spans of protected text that may contain white space (code blocks, HTML tags)."""
    if not any(sign in text for sign in _BLOCK_SIGNS) and not text.startswith(("    ", "\t")):
        return []
    return [m.span() for m in BLOCK_RE.finditer(text)]


# A run of this many characters without white space around a lexicon hit is no prose (a long URL,
# path, identifier or data line): it is protected whole, which keeps the cost per hit bounded.
MAX_CHUNK = 300


def inline_protected(text: str, start: int, end: int) -> bool:
    """Whether ``text[start:end]`` overlaps protected text without white space (a URL, an
    address, code). Only the white-space-delimited chunk around the span is examined, so the
    cost is per lexicon hit, not per character of the document; a chunk longer than
    ``MAX_CHUNK`` on either side is protected whole (the patterns' bounds could cut it)."""
    lo = start
    floor = max(0, start - MAX_CHUNK)
    while lo > floor and not text[lo - 1].isspace():
        lo -= 1
    hi = end
    ceil = min(len(text), end + MAX_CHUNK)
    while hi < ceil and not text[hi].isspace():
        hi += 1
    if (lo == floor > 0 and not text[lo - 1].isspace()) or (hi == ceil < len(text) and not text[hi].isspace()):
        return True
    chunk_has_trigger = any(c in "@#_/(.:`" for c in text[lo:hi]) or not text[lo:hi].islower()
    if not chunk_has_trigger:
        return False
    for m in INLINE_RE.finditer(text, lo, hi):
        if m.start() < end and m.end() > start:
            return True
    # an identifier longer than the snake_case pattern's bounds: the word run around the span has "_"
    a, b = start, end
    while a > lo and (text[a - 1].isalnum() or text[a - 1] == "_"):
        a -= 1
    while b < hi and (text[b].isalnum() or text[b] == "_"):
        b += 1
    return "_" in text[a:b]


# A line of code without fences or indentation, as scraped Q&A pages and forums keep it: an
# assignment, a call alone on its line, a shell or Python prompt, an SQL statement, a definition
# or an import ("x = 'international locations'" and "print('the metropolis mentioned')" were
# restored inside spun documents). Lines opening with words that also start lower-case prose
# ("let me know", "public transport", "class was fun") need the rest of a statement. Tried only at
# a lexicon hit, on its own line.
CODE_LINE_RE = re.compile(r"""[ \t]*(?:
    [A-Za-z_][\w.]{0,60}(?:\[[^\]\n]{0,60}\])?[ \t]*[-+*/|&]?=[ \t]*[^\s=]        # x = ..., a.b[k] += ...
  | [A-Za-z_][\w.]{0,60}\([^\n]*\)[ \t]*;?[ \t]*$                             # f(...) alone on its line
  | (?:\$|>>>|\.\.\.|[\w.-]{1,32}@[\w.-]{1,64}:[^\s$\#]{0,200}[$\#])[ \t]            # $ ls, >>> f(), user@host:~$
  | (?:SELECT|INSERT[ ]INTO|UPDATE|DELETE[ ]FROM|CREATE[ ]TABLE|ALTER[ ]TABLE|DROP[ ]TABLE)\b
  | (?:const|let|var)[ \t]+[A-Za-z_$][\w$]*[ \t]*=                                  # let x =
  | (?:def|function|class)[ \t]+[A-Za-z_]\w*[ \t]*[(:{]                              # def f(
  | from[ \t]+[\w.]+[ \t]+import\b | import[ \t]+[\w.]+[ \t]*(?:$|as\b|,)          # imports
  | \#(?:include|define|import)\b
)""", re.VERBOSE | re.MULTILINE)


# A line of code is shorter than this; a longer line is prose (and each hit's check stays bounded:
# looking for the ends of a 1 MB line at every hit was quadratic).
MAX_CODE_LINE = 2000


def code_line(text: str, pos: int) -> tuple[int, int, bool]:
    """The line around ``pos`` (start, end; as far as MAX_CODE_LINE reaches) and whether it is a
    line of code (``CODE_LINE_RE``)."""
    lo = max(0, pos - MAX_CODE_LINE)
    start = text.rfind("\n", lo, pos) + 1
    end = text.find("\n", pos, pos + MAX_CODE_LINE)
    if end < 0:
        end = min(len(text), pos + MAX_CODE_LINE)
    if (start == 0 and lo > 0) or (end == pos + MAX_CODE_LINE and end < len(text)):
        return max(start, lo), end, False  # a line this long is prose
    return start, end, CODE_LINE_RE.match(text, start, end) is not None


def in_code_line(text: str, pos: int) -> bool:
    """Whether ``pos`` lies on a line of code."""
    return code_line(text, pos)[2]


def normalize(phrase: str) -> str:
    """The lexicon key form of a phrase: lower case, straight apostrophes, single spaces.

    >>> normalize("  Army\u2019s   TIES ")
    "army's ties"
    """
    return " ".join(phrase.replace("’", "'").replace("‘", "'").lower().split())
