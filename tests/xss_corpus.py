"""The XSS corpus of the standing tests (issue 10 item 9): payloads that, if anything of ours ever
inserted them as markup, attribute, URL, style or template, would run ``__xss(N)`` or
``alert(N)``. ``N`` is each vector's index, so a hit names the vector.

Our own list, by family: script elements, event handlers, ``javascript:``/``data:``/``vbscript:``
URLs (plain, entity-encoded, split by blanks and control characters, in Markdown links, images,
autolinks and reference links), SVG and MathML, attribute and element breakouts, CSS
expressions and ``url()``, template syntaxes (Jinja, Angular/Vue, JS template literals), and
JSON/HTML context breakouts (``</script>``, ``]]>``, comments).
"""

from __future__ import annotations

#: ``(N)`` in a vector becomes ``(index)``; ``TPL`` marks template probes (``TPL-49-`` would
#: mean ``7*7`` was evaluated somewhere).
RAW: tuple[str, ...] = (
    # script elements
    "<script>__xss(N)</script>",
    "<SCRIPT>__xss(N)</SCRIPT>",
    "<script src=data:text/javascript,__xss(N)></script>",
    "<scr<script>ipt>__xss(N)</scr</script>ipt>",
    "</script><script>__xss(N)</script>",
    "<script/x>__xss(N)</script>",
    "<<script>__xss(N)//<</script>",
    # event handlers
    "<img src=x onerror=__xss(N)>",
    "<img src=x onerror='__xss(N)'>",
    '<img src="x" onerror="alert(N)">',
    "<IMG SRC=x OnErRoR=__xss(N)>",
    "<body onload=__xss(N)>",
    "<svg onload=__xss(N)>",
    "<svg/onload=__xss(N)>",
    "<details open ontoggle=__xss(N)>",
    "<input autofocus onfocus=__xss(N)>",
    "<video><source onerror=__xss(N)></video>",
    "<audio src=x onerror=__xss(N)>",
    "<iframe onload=__xss(N)></iframe>",
    "<marquee onstart=__xss(N)>",
    "<div onpointerover=__xss(N) style=position:fixed;inset:0>x</div>",
    "<a onmouseover=__xss(N)>hover</a>",
    "<x contenteditable onfocus=__xss(N) autofocus>",
    "<style onload=__xss(N)></style>",
    # javascript:, data:, vbscript: URLs
    "javascript:__xss(N)",
    "JaVaScRiPt:__xss(N)",
    "  javascript:__xss(N)",
    "java\tscript:__xss(N)",
    "java&#x09;script:__xss(N)",
    "jav&#x61;script:__xss(N)",
    "&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;__xss(N)",
    "[click](javascript:__xss(N))",
    "[click](JAVASCRIPT:__xss(N))",
    "[click](jav&#x61;script:__xss(N))",
    "[click]( javascript:__xss(N) )",
    "[click](java\nscript:__xss(N))",
    "[click][r]\n\n[r]: javascript:__xss(N)",
    "<javascript:__xss(N)>",
    "![x](javascript:__xss(N))",
    '![x](x"onerror="__xss(N))',
    "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[click](vbscript:msgbox(N))",
    '<a href="javascript:__xss(N)">x</a>',
    '<iframe src="javascript:__xss(N)"></iframe>',
    '<iframe srcdoc="<script>parent.__xss(N)</script>"></iframe>',
    '<object data="javascript:__xss(N)"></object>',
    '<embed src="javascript:__xss(N)">',
    '<form action="javascript:__xss(N)"><button>go</button></form>',
    '<button formaction="javascript:__xss(N)">go</button>',
    '<meta http-equiv="refresh" content="0;url=javascript:__xss(N)">',
    '<base href="javascript:__xss(N)//">',
    # SVG and MathML
    "<svg><script>__xss(N)</script></svg>",
    '<svg><a xlink:href="javascript:__xss(N)"><text y="20">x</text></a></svg>',
    "<svg><animate onbegin=__xss(N) attributeName=x dur=1s>",
    '<svg><set attributeName="onmouseover" to="__xss(N)"/></svg>',
    "<math><mtext><table><mglyph><style><img src=x onerror=__xss(N)>",
    '<math href="javascript:__xss(N)">x</math>',
    "<svg><foreignObject><img src=x onerror=__xss(N)></foreignObject></svg>",
    # attribute and element breakouts
    '"><img src=x onerror=__xss(N)>',
    "'><img src=x onerror=__xss(N)>",
    '" onmouseover="__xss(N)" x="',
    "' onfocus='__xss(N)' autofocus x='",
    "</title><img src=x onerror=__xss(N)>",
    "</textarea><img src=x onerror=__xss(N)>",
    "</style><img src=x onerror=__xss(N)>",
    "<!--><img src=x onerror=__xss(N)>-->",
    "]]><img src=x onerror=__xss(N)>",
    "</script><img src=x onerror=__xss(N)>",
    "\\u003cimg src=x onerror=__xss(N)\\u003e",
    "`<img src=x onerror=__xss(N)>`",
    '<noscript><p title="</noscript><img src=x onerror=__xss(N)>">',
    "<template><img src=x onerror=__xss(N)></template>",
    # CSS
    '<div style="background:url(javascript:__xss(N))">x</div>',
    '<div style="width:expression(__xss(N))">x</div>',
    "<style>@import 'javascript:__xss(N)';</style>",
    '<link rel=stylesheet href="javascript:__xss(N)">',
    # template injection (an evaluated 7*7 shows as TPL-49-)
    "TPL-{{7*7}}-",
    "TPL-${7*7}-",
    "TPL-{% print(7*7) %}-",
    "TPL-{{constructor.constructor('__xss(N)')()}}-",
    "TPL-#{7*7}-",
    "TPL-<%= 7*7 %>-",
    # unicode tricks
    "\u202e<img src=x onerror=__xss(N)>",
    "<img src=x onerror=\u0061lert(N)>",
)

VECTORS: tuple[str, ...] = tuple(v.replace("(N)", f"({i})") for i, v in enumerate(RAW))
