"""The email as a mail client and a subscriber see it: structure, safety, size, text part, MIME."""

from __future__ import annotations

import email
import re
from email import policy
from email.message import EmailMessage
from pathlib import Path

import lxml.html
import pytest
from factories import SITE, make_digest, make_item, sample_archive

from crpsdigest.render import build_message, render_email, write_outputs


@pytest.fixture(scope="module")
def week48_email() -> tuple[str, str]:
    return render_email(SITE, sample_archive()[0])


def test_layout_is_email_safe(week48_email: tuple[str, str]) -> None:
    html, _ = week48_email
    doc = lxml.html.fromstring(html)
    assert doc.get("lang") == "en"
    assert doc.xpath("//meta[@name='color-scheme']/@content") == ["light dark"]
    tables = doc.xpath("//table")
    assert tables and all(t.get("role") == "presentation" for t in tables)
    assert not doc.xpath("//script | //img | //iframe | //form | //link[@rel='stylesheet']")
    assert "max-width: 600px" in doc.xpath("//table[contains(@class,'container')]/@style")[0]
    # Only the media queries stay in <style>; everything else is inlined.
    style = "".join(doc.xpath("//style/text()"))
    assert "@media (prefers-color-scheme: dark)" in style and "@media (max-width: 620px)" in style
    assert re.sub(r"@media[^{]*\{(?:[^{}]*\{[^{}]*\})*\s*\}", "", style).strip() == ""
    # Every block that paints text says both its background and its text colour.
    for td in doc.xpath("//td"):
        st = td.get("style", "")
        assert "background-color" in st and re.search(r"(^|;)\s*color:", st), st
    preheader = doc.xpath("//div[@class='preheader']")[0]
    assert "display: none" in preheader.get("style")
    assert preheader.text_content() == (
        "5 items this week: Low-dose naltrexone (LDN) 1, Ketamine 2, Spinal cord stimulation 1, "
        "Other CRPS news 1.")


def test_every_link_is_absolute_https_and_makes_sense_alone(week48_email: tuple[str, str]) -> None:
    html, _ = week48_email
    doc = lxml.html.fromstring(html)
    links = doc.xpath("//a")
    assert links
    for a in links:
        assert a.get("href", "").startswith("https://"), a.get("href")
        text = a.text_content().strip()
        assert len(text) > 3 and text.lower() not in {"here", "click here", "more", "link"}
    hrefs = {a.get("href") for a in links}
    assert "https://digest.example.org/2026-W48/" in hrefs
    assert "https://digest.example.org/unsubscribe" in hrefs


def test_hostile_item_is_escaped_and_defanged(week48_email: tuple[str, str]) -> None:
    html, text = week48_email
    assert "<script" not in html and "javascript:" not in html and "onerror" not in html
    assert "Ketamine &lt;script&gt;alert" in html
    assert 'href="https://evil.example.com/a?x=1&amp;y=%3C2%3E"' in html
    assert "javascript:" not in text
    # the "also reported by" link with a javascript: URL is shown as text, not linked
    assert "Bad &amp; Co: Copy &lt;i&gt;x&lt;/i&gt;" in html
    assert ">Mirror News: Mirror</a>" in html


def test_chart_counts_and_item_details(week48_email: tuple[str, str]) -> None:
    html, _ = week48_email
    doc = lxml.html.fromstring(html)
    rows = [(r.xpath("string(td[1])"), r.xpath("string(td[3])"))
            for r in doc.xpath("//table[contains(@class,'chart')]/tbody/tr")]
    assert rows == [("Low-dose naltrexone (LDN)", "1"), ("Ketamine", "2"),
                    ("Spinal cord stimulation", "1"), ("Other CRPS news", "1")]
    assert [h.text_content() for h in doc.xpath("//h2")][1:] == [
        "Low-dose naltrexone (LDN)", "Ketamine", "Spinal cord stimulation", "Other CRPS news"]
    body = doc.text_content()
    assert "Source 2 · 23 Nov 2026 · RCT, Clinical trial" in body
    assert "Trial recruiting, Clinical trial · Updated" in body
    assert "Guideline · Late" in body
    assert "Also reported by: Trials Registry: Trial listing" in body


def test_treatment_filter_limits_sections_chart_and_preheader() -> None:
    html, text = render_email(SITE, sample_archive()[0], treatments=["ketamine"])
    doc = lxml.html.fromstring(html)
    assert [h.text_content() for h in doc.xpath("//h2")] == ["This week at a glance", "Ketamine"]
    assert doc.xpath("string(//div[@class='preheader'])") == "2 items this week: Ketamine 2."
    assert "Study 1 of" not in html and "Study 1 of" not in text
    assert "KETAMINE" in text and "LOW-DOSE" not in text


def test_long_week_is_trimmed_under_gmail_clip_with_link_to_the_web() -> None:
    items = [make_item(n, ["ketamine"], summary_words=60,
                       title=f"A long title about ketamine infusions in CRPS, number {n}")
             for n in range(400)]
    digest = make_digest(sections={"ketamine": items})
    html, text = render_email(SITE, digest)
    assert len(html.encode()) < 102 * 1024
    shown = len(lxml.html.fromstring(html).xpath("//h3"))
    assert 50 < shown < 400
    assert f"This email shows {shown} of 400 items." in html
    assert f"{400 - shown} more Ketamine items on the web" in html
    assert "https://digest.example.org/2026-W48/#ketamine" in html
    assert text.count("\n* ") == shown and "https://digest.example.org/2026-W48/" in text


def test_text_part_wraps_at_72_and_numbers_links(week48_email: tuple[str, str]) -> None:
    _, text = week48_email
    lines = text.splitlines()
    start = lines.index("Links")
    assert all(len(line) <= 72 for line in lines[:start]), [x for x in lines if len(x) > 72]
    link_list = lines[start + 2:]
    assert link_list[0] == "[1] https://news.example.com/2026/11/story-1"
    assert all(re.match(r"^\[\d+\] https?://\S+$", line) for line in link_list)
    numbers = [int(line[1:line.index("]")]) for line in link_list]
    assert numbers == list(range(1, len(numbers) + 1))
    assert "* Study 1 of low-dose-naltrexone in CRPS [1]" in text
    assert "Trial listing [" in text
    assert "<p>" not in text and "&amp;" not in text
    assert "Week 2026-W48: 23–29 November 2026" in text


def _parse(raw: bytes) -> EmailMessage:
    msg = email.message_from_bytes(raw, policy=policy.default)
    assert isinstance(msg, EmailMessage)
    return msg


def test_mime_message_is_deterministic_multipart_alternative() -> None:
    digest = sample_archive()[0]
    raw = build_message(SITE, digest).as_bytes()
    assert raw == build_message(SITE, digest).as_bytes()
    msg = _parse(raw)
    assert msg.get_content_type() == "multipart/alternative"
    assert msg["Subject"] == "CRPS Treatment Digest — week 2026-W48"
    assert msg["From"] == "CRPS Treatment Digest <editors@example.org>"
    assert msg["Date"] == "Mon, 23 Nov 2026 18:00:00 +0000"
    assert msg["Message-ID"] == "<2026-W48.digest@digest.example.org>"
    parts = list(msg.iter_parts())
    assert [p.get_content_type() for p in parts] == ["text/plain", "text/html"]
    assert all(p.get_content_charset() == "utf-8" for p in parts)
    html, text = render_email(SITE, digest)
    assert parts[0].get_content() == text and parts[1].get_content() == html


def test_recipient_and_extra_headers() -> None:
    msg = build_message(SITE, sample_archive()[0], recipient="reader@example.net",
                        extra_headers={"List-Unsubscribe": "<https://digest.example.org/u?x=1>",
                                       "Message-ID": "<custom@example.org>"})
    assert msg["To"] == "reader@example.net"
    assert msg["List-Unsubscribe"] == "<https://digest.example.org/u?x=1>"
    assert msg.get_all("Message-ID") == ["<custom@example.org>"]


def test_eml_and_preview_written_per_week(tmp_path: Path) -> None:
    write_outputs(SITE, sample_archive(), tmp_path)
    msg = _parse((tmp_path / "2026-W47" / "email.eml").read_bytes())
    assert msg["Message-ID"] == "<2026-W47.digest@digest.example.org>"
    assert (tmp_path / "2026-W47" / "email.html").read_text().startswith("<!DOCTYPE html>")


def test_templates_dir_overrides_one_template(tmp_path: Path) -> None:
    (tmp_path / "email.txt").write_text("Custom text for {{ d.week }}\n")
    html, text = render_email(SITE, sample_archive()[0], templates_dir=tmp_path)
    assert text == "Custom text for 2026-W48\n"
    assert "<table" in html  # email.html still comes from the shipped templates


def test_an_item_with_two_treatments_is_shown_in_full_once_and_pointed_to_elsewhere() -> None:
    both = make_item(7, ["ketamine", "low-dose-naltrexone"], title="Ketamine then LDN in CRPS")
    digest = make_digest(sections={"low-dose-naltrexone": [both], "ketamine": [both]})
    html, text = render_email(SITE, digest)
    # In full (with its summary) under ketamine, its most central treatment...
    assert text.count("word1 word2") == 1
    ldn_part, ketamine_part = text.split("KETAMINE\n")
    assert "(in full under Ketamine)" in ldn_part and "word1 word2" in ketamine_part
    # ...and the HTML agrees: one summary paragraph, one pointer.
    doc = lxml.html.fromstring(html)
    assert sum("word1 word2" in (p.text_content()) for p in doc.iter("p")) == 1
    assert "(in full under Ketamine)" in doc.text_content()
    # A reader following only LDN still gets the item in full.
    _, ldn_only = render_email(SITE, digest, treatments=["low-dose-naltrexone"])
    assert "word1 word2" in ldn_only and "in full under" not in ldn_only
