"""Identifier extraction: own identity versus ids merely named in a text."""

from __future__ import annotations

from crpsdigest.identifiers import extract_ids


def test_pubmed_item_owns_its_pmid_and_doi() -> None:
    ids = extract_ids(
        link="https://pubmed.ncbi.nlm.nih.gov/38100001/?utm_source=Other&fc=1",
        guid="pubmed:38100001",
        raw_ids=["pmid:38100001", "doi:10.1002/EJP.2201"],
        text="Background… PMID:38100001 | DOI:10.1002/ejp.2201",
    )
    assert ids["self_pmid"] == ("38100001",)
    assert ids["self_doi"] == ("10.1002/ejp.2201",)
    assert ids["pmid"] == ("38100001",)


def test_doi_spellings_normalise_to_one_value() -> None:
    for raw in ["doi:10.1/X", "info:doi/10.1/x", "https://doi.org/10.1/X", "DOI: 10.1/x."]:
        assert extract_ids(link="", guid="", raw_ids=[raw])["self_doi"] == ("10.1/x",), raw
    assert extract_ids(link="http://dx.doi.org/10.1097/ABC.1", guid="")["self_doi"] == (
        "10.1097/abc.1",
    )


def test_doi_from_publisher_paths_drops_view_suffixes() -> None:
    ids = extract_ids(
        link="https://www.frontiersin.org/articles/10.3389/fneur.2024.1/full", guid=""
    )
    assert ids["self_doi"] == ("10.3389/fneur.2024.1",)
    wiley = extract_ids(link="https://onlinelibrary.wiley.com/doi/epdf/10.1002/ejp.9?af=R", guid="")
    assert wiley["self_doi"] == ("10.1002/ejp.9",)


def test_text_doi_strips_trailing_punctuation_but_keeps_balanced_parentheses() -> None:
    ids = extract_ids(
        link="", guid="", text="(see doi: 10.1016/S0140-6736(20)30123-4). And DOI: 10.1234/ab;"
    )
    assert ids["doi"] == ("10.1016/s0140-6736(20)30123-4", "10.1234/ab")
    assert "self_doi" not in ids  # named in running text only


def test_pmid_from_europe_pmc_links_and_guid_spellings() -> None:
    assert extract_ids(link="https://europepmc.org/article/MED/123456", guid="")["self_pmid"] == (
        "123456",
    )
    assert extract_ids(link="https://europepmc.org/abstract/MED/77", guid="")["self_pmid"] == (
        "77",
    )
    assert extract_ids(link="", guid="PubMed:555")["self_pmid"] == ("555",)
    assert extract_ids(link="", guid="x", text="PMID: 999 was cited")["pmid"] == ("999",)


def test_pmcid_from_links_and_text() -> None:
    ids = extract_ids(link="https://www.ncbi.nlm.nih.gov/pmc/articles/PMC10900006/", guid="")
    assert ids["self_pmcid"] == ("PMC10900006",)
    epmc = extract_ids(link="https://europepmc.org/article/PMC/PMC10900006", guid="")
    assert epmc["self_pmcid"] == ("PMC10900006",)
    assert extract_ids(link="", guid="", text="PMCID: PMC123456")["pmcid"] == ("PMC123456",)


def test_trial_numbers_own_in_registry_link_but_only_named_in_news_text() -> None:
    record = extract_ids(link="https://clinicaltrials.gov/study/NCT06100001", guid="NCT06100001")
    assert record["self_nct"] == ("NCT06100001",)
    news = extract_ids(
        link="https://news.example.org/ketamine-trial",
        guid="n1",
        text="The study (NCT06100001) follows an earlier one, NCT 05000002, and ISRCTN41000005.",
    )
    assert news["nct"] == ("NCT05000002", "NCT06100001")  # every trial named, for classify
    assert news["isrctn"] == ("ISRCTN41000005",)
    assert "self_nct" not in news and "self_isrctn" not in news


def test_isrctn_registry_page() -> None:
    ids = extract_ids(link="https://www.isrctn.com/ISRCTN41000005", guid="")
    assert ids["self_isrctn"] == ("ISRCTN41000005",)


def test_reference_list_doi_is_not_the_entry_identity() -> None:
    ids = extract_ids(
        link="https://journal.example/article/55",
        guid="journal-55",
        raw_ids=["doi:10.5555/own.1"],
        text="References: 1. Smith J. doi:10.5555/other.2",
    )
    assert ids["self_doi"] == ("10.5555/own.1",)
    assert ids["doi"] == ("10.5555/other.2", "10.5555/own.1")


def test_preprint_link_version_and_view_are_not_part_of_the_doi() -> None:
    """A bioRxiv link to version 3's full text owns the DOI the server's feed gives every version."""
    ids = extract_ids(
        link="https://www.biorxiv.org/content/10.1101/2023.11.07.566012v3.full.pdf", guid=""
    )
    assert ids["self_doi"] == ("10.1101/2023.11.07.566012",)


def test_silverchair_article_number_after_the_doi_is_dropped() -> None:
    """OUP-style links append the site's numeric article id after the DOI."""
    ids = extract_ids(
        link="https://academic.oup.com/brain/article/doi/10.1093/brain/awae301/7765432?rss=1",
        guid="",
    )
    assert ids["self_doi"] == ("10.1093/brain/awae301",)
