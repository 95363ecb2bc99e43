"""Canonical URLs: each folding rule, checked against hand-written expectations."""

from __future__ import annotations

import base64

import pytest

from crpsdigest.urls import canonical_url, decode_google_news


def _gn_token(url: str) -> str:
    raw = url.encode()
    body = b"\x08\x13\x22" + bytes([len(raw)]) + raw + b"\xd2\x01\x00"
    return base64.urlsafe_b64encode(body).decode().rstrip("=")


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        # tracking parameters
        ("https://ex.org/a?utm_source=rss&utm_medium=rss&id=3", "https://ex.org/a?id=3"),
        ("https://ex.org/a?fbclid=XYZ&gclid=1", "https://ex.org/a"),
        ("https://ex.org/a?mc_cid=1&mc_eid=2", "https://ex.org/a"),
        (
            "https://pubmed.ncbi.nlm.nih.gov/38100001/?utm_source=Other&utm_medium=rss"
            "&utm_campaign=pubmed-2&utm_content=1x&fc=20240101&ff=20240102&v=2.18.0.post9",
            "https://pubmed.ncbi.nlm.nih.gov/38100001",
        ),
        ("https://www.youtube.com/watch?v=abc", "https://youtube.com/watch?v=abc"),  # v kept
        (
            "https://onlinelibrary.wiley.com/doi/10.1002/ejp.1?af=R",
            "https://onlinelibrary.wiley.com/doi/10.1002/ejp.1",
        ),
        ("https://journal.org/content/1/2?rss=1", "https://journal.org/content/1/2"),
        (
            "https://medium.com/@u/post-abc123def456?source=rss----b6---4",
            "https://medium.com/@u/post-abc123def456",
        ),
        ("https://ex.org/a?oc=5", "https://ex.org/a"),
        # fragments, ports, scheme, hosts, trailing slash, query order
        ("https://ex.org/a#section-2", "https://ex.org/a"),
        ("http://ex.org:80/a", "https://ex.org/a"),
        ("https://ex.org:443/a", "https://ex.org/a"),
        ("https://ex.org:8080/a", "https://ex.org:8080/a"),
        ("HTTP://WWW.Ex.ORG/Path/", "https://ex.org/Path"),
        ("https://m.ex.org/a/", "https://ex.org/a"),
        ("https://amp.ex.org/a", "https://ex.org/a"),
        ("https://ex.org/news/story/amp/", "https://ex.org/news/story"),
        ("https://ex.org/amp/news/story", "https://ex.org/news/story"),
        ("https://ex.org/news/story.amp.html", "https://ex.org/news/story.html"),
        ("https://ex.org/a?b=2&a=1", "https://ex.org/a?a=1&b=2"),
        ("https://ex.org/", "https://ex.org"),
        # wrappers
        (
            "https://www.google.com/url?rct=j&sa=t&url=https://www.ex.org/a/%3Futm_source%3Dx&ct=ga",
            "https://ex.org/a",
        ),
        (
            "https://www-ex-org.cdn.ampproject.org/c/s/www.ex.org/news/story/amp",
            "https://ex.org/news/story",
        ),
    ],
)
def test_canonical_url_rules(url: str, expected: str) -> None:
    assert canonical_url(url) == expected


@pytest.mark.parametrize("prefix", ["rss/articles", "__i/rss/rd/articles"])
def test_google_news_links_unwrap_to_the_publisher(prefix: str) -> None:
    token = _gn_token("https://www.bbc.co.uk/news/health-1?at_medium=RSS")
    link = f"https://news.google.com/{prefix}/{token}?oc=5"
    assert canonical_url(link) == "https://bbc.co.uk/news/health-1"


def test_opaque_google_news_tokens_stay_google_links_without_oc() -> None:
    token = base64.urlsafe_b64encode(b"\x08\x13\x22\x10AU_yqLopaque0001").decode().rstrip("=")
    assert decode_google_news(token) is None
    url = f"https://news.google.com/rss/articles/{token}?oc=5&hl=en-GB&gl=GB&ceid=GB:en"
    assert canonical_url(url) == f"https://news.google.com/rss/articles/{token}"


@pytest.mark.parametrize(
    "value", ["tag:example.org,2024:post-1", "urn:uuid:1234", "/srv/feeds/a.xml", "NCT01234567"]
)
def test_non_http_values_are_returned_unchanged(value: str) -> None:
    assert canonical_url(value) == value


def test_same_article_spelled_many_ways_has_one_key() -> None:
    spellings = [
        "http://www.painnewsnetwork.org/stories/2024/4/16/va-ketamine",
        "https://m.painnewsnetwork.org/stories/2024/4/16/va-ketamine/",
        "https://amp.painnewsnetwork.org/stories/2024/4/16/va-ketamine/amp/?utm_source=tw",
        "https://painnewsnetwork.org/stories/2024/4/16/va-ketamine#comments",
    ]
    assert len({canonical_url(u) for u in spellings}) == 1
