"""De-duplication fixes found by blind round 1 (tests/fixtures/dedup_blind1.jsonl).

Each test uses its own wording, not the round's, and fails without the fix it names.
"""

from __future__ import annotations

from test_dedupe import make, same

from crpsdigest.dedupe import cluster_entries


def test_companion_papers_with_one_word_swapped_in_a_long_title_stay_apart() -> None:
    """Same authors, same template, upper vs lower extremity: two papers, not two copies."""
    upper = make(
        "pubmed",
        "pubmed:41000001",
        "Transcutaneous auricular vagus nerve stimulation for chronic upper extremity complex "
        "regional pain syndrome: a randomised sham-controlled trial.",
        "https://pubmed.ncbi.nlm.nih.gov/41000001/",
        "Forty adults with CRPS of one arm received active or sham ear stimulation twice daily "
        "for eight weeks. Pain and grip strength improved more with active stimulation, and heart "
        "rate variability rose, suggesting a shift towards parasympathetic tone.",
    )
    lower = make(
        "neuromodulation-journal",
        "nm-2025-311",
        "Transcutaneous auricular vagus nerve stimulation for chronic lower extremity complex "
        "regional pain syndrome: a randomised sham-controlled trial",
        "https://neuromodulation-journal.example/article/nm-2025-311",
        "In thirty-six adults with CRPS of the foot or ankle, ear stimulation did not reduce "
        "walking pain compared with sham over eight weeks, although sleep quality improved. Body "
        "site may matter for this treatment, and larger studies are planned.",
        days=2,
    )
    result = cluster_entries([upper, lower])
    assert not same(result, upper, lower)
