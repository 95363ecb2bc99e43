"""The static archive and the editors' review page: structure, landmarks, content, safety."""

from __future__ import annotations

import itertools
from pathlib import Path

import lxml.html
import pytest
from factories import SITE, sample_archive

from crpsdigest.render import write_outputs


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("site")
    write_outputs(SITE, sample_archive(), out)
    return out


def pages(out: Path) -> list[Path]:
    return sorted(p for p in out.rglob("*.html") if p.name != "email.html")


def test_every_page_is_accessible_and_script_free(out: Path) -> None:
    found = pages(out)
    assert len(found) == 12  # index, 3 weeks x (page + review), 5 treatment pages
    for path in found:
        doc = lxml.html.fromstring(path.read_bytes())
        assert doc.get("lang") == "en", path
        assert not doc.xpath("//script | //*[@onclick] | //*[@onerror]"), path
        assert len(doc.xpath("//main[@id='main']")) == 1, path
        assert doc.xpath("//header") and doc.xpath("//nav[@aria-label]") and doc.xpath("//footer")
        skip = doc.xpath("//body/*[1]")[0]
        assert skip.tag == "a" and skip.get("href") == "#main", path
        assert "focus-visible" in doc.xpath("string(//style)"), path
        levels = [int(h.tag[1]) for h in doc.xpath("//main//*[self::h1 or self::h2 or self::h3 "
                                                    "or self::h4 or self::h5 or self::h6]")]
        assert levels[0] == 1 and levels.count(1) == 1, path
        assert all(b - a <= 1 for a, b in itertools.pairwise(levels)), (path, levels)
        for href in doc.xpath("//a/@href"):
            assert not href.lower().startswith(("javascript:", "data:")), href


def test_index_lists_weeks_with_counts_and_treatments(out: Path) -> None:
    doc = lxml.html.fromstring((out / "index.html").read_bytes())
    weeks = [" ".join(li.text_content().split()) for li in doc.xpath("//ul[@class='weeks']/li")]
    assert weeks[0].startswith("Week 2026-W48: 23–29 November 2026 · 5 items")
    assert weeks[2].startswith("Week 2026-W46: 9–15 November 2026 · 1 item")
    assert "Ketamine: 2" in weeks[0]
    assert doc.xpath("//a[text()='Week 2026-W47']/@href") == ["2026-W47/index.html"]
    treatments = [li.text_content().split(" · ")[0]
                  for li in doc.xpath("//ul[@class='plain-list']/li")]
    assert treatments == ["Bisphosphonates: 1 item", "Ketamine: 4 items",
                          "Low-dose naltrexone (LDN): 3 items", "Neridronate: 1 item",
                          "Spinal cord stimulation: 1 item"]


def test_week_page_shows_sections_items_marks_and_sanitised_summary(out: Path) -> None:
    html = (out / "2026-W48" / "index.html").read_text()
    doc = lxml.html.fromstring(html)
    assert [s.get("id") for s in doc.xpath("//main/section")][1:] == [
        "low-dose-naltrexone", "ketamine", "spinal-cord-stimulation", "other"]
    assert "Updated" in doc.xpath("string(//section[@id='spinal-cord-stimulation'])")
    assert "Late" in doc.xpath("string(//section[@id='other'])")
    nasty = doc.xpath("//section[@id='ketamine']/article[2]")[0]
    assert nasty.xpath("string(h3)") == (
        'Ketamine <script>alert("t")</script> & "quotes" ]]> <b>bold</b>')
    assert nasty.xpath(".//div[@class='summary']//a/@href") == ["https://ok.example.com/"]
    assert nasty.xpath(".//p[@class='tags']/a/@href") == ["../treatments/ketamine.html"]


def test_treatment_page_lists_every_past_item(out: Path) -> None:
    doc = lxml.html.fromstring((out / "treatments" / "low-dose-naltrexone.html").read_bytes())
    assert doc.xpath("string(//h1)") == "Low-dose naltrexone (LDN)"
    assert [h.text_content() for h in doc.xpath("//h2")] == ["Week 2026-W48", "Week 2026-W47"]
    titles = [h.text_content() for h in doc.xpath("//h3")]
    # week 48: item 1; week 47: item 1 and item 3 (tagged ketamine + LDN)
    assert titles == ["Study 1 of low-dose-naltrexone in CRPS",
                      "Study 1 of low-dose-naltrexone in CRPS",
                      "Study 3 of ketamine, low-dose-naltrexone in CRPS"]


def test_review_page_shows_every_candidate_with_status_tags_and_evidence(out: Path) -> None:
    doc = lxml.html.fromstring((out / "2026-W48" / "review.html").read_bytes())
    assert [s.get("id") for s in doc.xpath("//main/section")][1:] == [
        "shown", "shown-earlier", "duplicate", "excluded", "not-relevant"]
    assert len(doc.xpath("//article")) == 9  # 5 shown + 4 others
    dup = doc.xpath("//section[@id='duplicate']/article")[0]
    assert "duplicate of Study 2 (same DOI)" in dup.text_content()
    assert dup.xpath("string(.//dt)") == "ketamine"
    assert dup.xpath("string(.//dd)") == "“ketamine infusion”"
    assert "Tags: Ketamine (ketamine)" in dup.text_content()
    assert doc.xpath("//meta[@name='robots']/@content") == ["noindex"]
