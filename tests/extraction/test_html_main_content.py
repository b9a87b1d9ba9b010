# ruff: noqa: E501  (the pages are markup as publishers write it, long lines and all)
"""HTML full texts keep the article and drop the page around it (navigation, header,
breadcrumbs, cookie banner, share buttons, reference link rows, related links, footer)."""

from __future__ import annotations

from realist.extraction import extract

ARTICLE_TEXT = (
    "Mothers who received telephone peer support described feeling less alone in the first "
    "weeks after birth, and several said the volunteer was the only person who asked how "
    "they were."
)
RESULTS_TEXT = (
    "Volunteers built trust through repeated contact. Where visits were cancelled, mothers "
    "disengaged; see Table 1 and Figure 2 for the programmes compared."
)

# A publisher's article page, as journals serve them (landmarks, ARIA roles, class names).
JOURNAL_PAGE = f"""<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>Peer support for mothers | BMC Public Health | Full Text</title>
  <script>window.dataLayer = [{{"page": "article"}}];</script>
  <style>.c-header {{ display: flex }}</style>
</head>
<body class="shared-article-renderer">
  <a class="c-skip-link" href="#main-content">Skip to main content</a>
  <div class="cc-banner" role="dialog" aria-label="Cookie settings">
    <p>We use cookies to make sure that our website works properly.</p>
    <button>Accept all cookies</button> <a href="/cookies">Cookie settings</a>
  </div>
  <header class="c-header">
    <a href="/">Home</a> | <a href="/journals">Journals</a> | <a href="/login">Login</a>
    <form role="search" action="/search"><label>Search all articles</label>
      <input name="query"><button type="submit">Search</button></form>
  </header>
  <nav class="c-breadcrumbs" aria-label="breadcrumbs">
    <ol><li><a href="/">Home</a></li><li><a href="/bmc">BMC Public Health</a></li>
    <li>Article</li></ol>
  </nav>
  <main id="main-content">
    <article>
      <header>
        <h1>Peer support for mothers: a realist review</h1>
        <p class="c-article-author-list">Ann Smith &amp; Bob Jones</p>
      </header>
      <div class="c-article-share"><a href="#">Share</a> <a href="#">Tweet</a>
        <a href="#">Email</a></div>
      <section aria-labelledby="abstract"><h2 id="abstract">Abstract</h2>
        <p>{ARTICLE_TEXT}</p></section>
      <section><h2>Results</h2><p>{RESULTS_TEXT.replace("Table 1", '<a href="#t1">Table 1</a>').replace("Figure 2", '<a href="#f2">Figure 2</a>')}</p>
        <table><tr><th>Programme</th><th>Format</th></tr><tr><td>Home-Start</td><td>home visits</td></tr></table>
      </section>
      <section><h2>References</h2>
        <ol class="c-article-references">
          <li><p>Dennis CL. Peer support within a health care context. Int J Nurs Stud. 2003;40:321-32.</p>
            <p class="c-article-references__links"><a href="#">Article</a>
            <a href="#">Google Scholar</a> <a href="#">PubMed</a></p></li>
          <li><p>McLeish J, Redshaw M. Mothers' accounts of volunteer support. BMC Pregnancy Childbirth. 2017;17:28.</p>
            <p class="c-article-references__links"><a href="#">Article</a>
            <a href="#">Google Scholar</a></p></li>
        </ol>
      </section>
      <footer><p>Received 3 March 2023. Accepted 9 June 2023.</p></footer>
    </article>
    <aside class="c-related"><h2>Related articles</h2>
      <ul><li><a href="/a">Volunteer doulas and birth outcomes</a></li>
      <li><a href="/b">Group antenatal care</a></li></ul></aside>
  </main>
  <footer class="c-footer">
    <p>© 2023 BioMed Central Ltd unless otherwise stated. Part of Springer Nature.</p>
    <a href="/privacy">Privacy statement</a> <a href="/cookies">Cookie settings</a>
    <a href="/a11y">Accessibility statement</a>
  </footer>
</body>
</html>
"""

FURNITURE = (
    "Skip to main content", "We use cookies", "Accept all", "Cookie settings", "Home\n",
    "Journals", "Login", "Search all articles", "BMC Public Health\n", "Share", "Tweet",
    "Google Scholar", "PubMed", "Related articles", "Volunteer doulas", "Springer Nature",
    "Privacy", "Accessibility", "window.dataLayer", "Full Text",
)  # fmt: skip


def test_a_journal_page_keeps_the_article_and_nothing_around_it() -> None:
    result = extract(JOURNAL_PAGE.encode(), "article.html")
    text = result.text
    assert text.startswith("Peer support for mothers: a realist review\n\nAnn Smith & Bob Jones")
    assert ARTICLE_TEXT in text
    assert RESULTS_TEXT in text  # a sentence with two links is text, not a menu
    assert "Programme\tFormat\nHome-Start\thome visits" in text
    assert "Dennis CL. Peer support within a health care context." in text
    assert "McLeish J, Redshaw M." in text
    assert text.endswith("Received 3 March 2023. Accepted 9 June 2023.")  # the article's own
    for furniture in FURNITURE:
        assert furniture not in text, furniture
    assert result.warnings == ()


# An older page without landmarks: the furniture is only named by ids and classes, or is
# recognisable as a row of links.
DIV_PAGE = f"""<html><body>
<div id="header"><img src="logo.png" alt="Journal logo"><div class="topmenu">
  <a href="/">Home</a> | <a href="/j">Journals</a> | <a href="/l">Login</a></div></div>
<div id="page">
  <div class="breadcrumb"><a href="/">Home</a> &gt; <a href="/archive">Archive</a> &gt; 2019</div>
  <div class="content">
    <h1>Telephone support for new parents</h1>
    <p>{ARTICLE_TEXT}</p>
    <div><a href="/prev">Previous article</a> | <a href="/next">Next article</a></div>
  </div>
</div>
<div id="footer">Copyright 2019 The Publisher. <a href="/terms">Terms</a></div>
</body></html>"""


def test_a_page_without_landmarks_drops_menus_by_name_and_link_rows() -> None:
    result = extract(DIV_PAGE.encode(), "old.html")
    assert result.text == f"Telephone support for new parents\n\n{ARTICLE_TEXT}"
    assert result.warnings == ()


def test_an_article_element_is_the_text_when_there_is_no_main() -> None:
    page = (
        "<body><nav><a href='/'>Home</a> <a href='/x'>Topics</a></nav>"
        "<div class='promo'>Subscribe today for full access to every issue</div>"
        f"<article><h1>Title</h1><p>{ARTICLE_TEXT}</p></article>"
        "<footer>Contact us</footer></body>"
    )
    assert extract(page.encode(), "a.html").text == f"Title\n\n{ARTICLE_TEXT}"


def test_a_small_main_does_not_hide_the_article() -> None:
    # <main> holding only a search box, the article beside it: take the article.
    page = (
        "<body><main><p>Find a journal</p></main>"
        f"<article><h1>Title</h1><p>{ARTICLE_TEXT}</p></article></body>"
    )
    assert extract(page.encode(), "a.html").text == f"Title\n\n{ARTICLE_TEXT}"


def test_a_page_that_is_all_furniture_keeps_its_text_with_a_warning() -> None:
    page = "<body><nav><p>Only this page's text, inside a nav.</p></nav></body>"
    result = extract(page.encode(), "odd.html")
    assert result.text == "Only this page's text, inside a nav."
    assert result.warnings == (
        "could not tell the article from the page around it: kept all the page's text",
    )


def test_hidden_elements_are_dropped() -> None:
    page = (
        "<body><p>Shown.</p><p hidden>Hidden attribute.</p>"
        "<div style='display: none'>Display none.</div>"
        "<span aria-hidden='true'>Icon text.</span></body>"
    )
    assert extract(page.encode(), "h.html").text == "Shown."
