"""`core.markdown`: one renderer, three flavours, nothing a writer types becomes markup."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from markdown_it import MarkdownIt
from tests import xss_corpus

from socialdesk.core.markdown import LINK_CLASSES, heading_id, render, to_plain_text
from socialdesk.goals import markdown as goals_markdown


def test_it_keeps_the_basic_flavour_as_goals_had_it():
    html = render("# Titel\n\n```python\nx = 1\n```\n\n[Hilfe](https://example.com)")
    assert "<h1>Titel</h1>" in html
    assert "<code>x = 1" in html  # no language class in basic
    assert 'rel="noopener noreferrer nofollow"' in html
    assert goals_markdown.render is render


def test_it_never_lets_raw_html_or_script_links_through():
    text = "<script>alert(1)</script> <img src=x onerror=alert(1)> [x](javascript:alert(1))"
    for flavour in ("basic", "room", "wiki"):
        html = render(text, flavour=flavour)
        assert "<script" not in html and "<img" not in html and 'href="javascript' not in html
        assert "&lt;script&gt;" in html


def test_it_marks_code_languages_in_rooms_and_the_wiki_only_when_well_formed():
    assert '<code class="language-python">' in render("```python\nx\n```", flavour="room")
    html = render('```x" onclick="alert(1)\nx\n```', flavour="room")
    assert "onclick" not in html and "class=" not in html


def _mention(md: MarkdownIt) -> None:
    def rule(renderer, tokens, idx, options, env):
        return '<a class="mention" href="/people/1/">@Anna</a><a class="evil" href="/x">x</a>'

    md.add_render_rule("hr", rule)


def test_it_keeps_only_the_link_classes_a_plugin_may_write():
    html = render("---", flavour="room", plugins=[_mention])
    assert '<a class="mention" href="/people/1/"' in html
    assert "evil" not in html
    assert "class=" not in render("---", plugins=[_mention])  # basic: no classes at all


def test_it_writes_task_lists_and_heading_anchors_in_the_wiki():
    html = render("## Über uns\n\n## Über uns\n\n- [x] erledigt\n- [ ] offen", flavour="wiki")
    assert '<h2 id="h-uber-uns">' in html and '<h2 id="h-uber-uns-1">' in html
    assert '<input checked="checked" disabled="disabled" type="checkbox">' in html
    assert html.count('type="checkbox"') == 2
    assert "<input" not in render("- [x] erledigt", flavour="room")
    assert "id=" not in render("## Über uns", flavour="room")


def test_it_names_a_heading_anchor_in_ascii():
    assert heading_id("Rückerstattung bei Zugausfall!") == "h-ruckerstattung-bei-zugausfall"
    assert heading_id("😀") == "h-abschnitt"
    assert len(heading_id("x" * 500)) <= 82


def test_it_drops_nul_bytes():
    assert "\x00" not in render("a\x00b", flavour="wiki")
    assert to_plain_text("a\x00b") == "ab"


def test_it_gives_the_plain_words_of_a_text():
    text = "# Rückerstattung\n\nBitte **schnell** & <b>gern</b>\n\n- eins\n- zwei"
    assert to_plain_text(text) == "Rückerstattung\nBitte schnell & <b>gern</b>\neins\nzwei"


HOSTILE = [
    "# <script>alert(1)</script>",
    '## x" onmouseover="alert(1)',
    '```js" onclick="alert(1)\nx\n```',
    "- [x] <img src=x onerror=alert(1)>",
    "[a](javascript:alert(1)) [b](JAVASCRIPT:alert(1)) [c](data:text/html,<b>x</b>)",
    "<javascript:alert(1)> <a href='javascript:alert(1)'>x</a>",
    '[x](https://example.com "t\\" onclick=\\"alert(1)")',
    "![x](https://example.com/x.png)",
    '<input type="text" autofocus onfocus=alert(1)>',
    "<h1 id=\"x\" class=\"mention\">x</h1> <a class='mention' href='/x'>x</a>",
]


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


@pytest.mark.parametrize("text", [*HOSTILE, *xss_corpus.MARKDOWN, *xss_corpus.PAYLOADS])
@pytest.mark.parametrize("flavour", ["basic", "room", "wiki"])
def test_it_turns_hostile_markdown_into_harmless_text(text, flavour):
    parser = _Tags()
    parser.feed(render(text, flavour=flavour))
    for tag, attrs in parser.tags:
        assert tag not in ("script", "img", "iframe", "style")
        assert not any(name.startswith("on") for name in attrs), (tag, attrs)
        assert re.match(r"(https?:|mailto:|/)", attrs.get("href") or "/"), attrs
        assert attrs.get("class") in (None, *LINK_CLASSES) or str(attrs["class"]).startswith(
            "language-"
        )
        assert (attrs.get("id") or "h-").startswith("h-")
        if tag == "input":
            rest = {k: v for k, v in attrs.items() if k != "checked"}
            assert rest == {"disabled": "disabled", "type": "checkbox"}
