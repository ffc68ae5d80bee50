"""What `cdp evaluate` prints."""

from __future__ import annotations

from ..evaluation.identity import IdentityQuality, PairCounts
from .terminal import console


def print_identity_quality(quality: IdentityQuality, *, as_json: bool = False) -> None:
    if as_json:
        console.print_json(data=quality.as_dict())
        return
    console.print(
        f"pairwise precision {quality.precision:.5f}  recall {quality.recall:.5f}  F1 {quality.f1:.5f}\n"
        f"records: {quality.records_in_truth:,} in truth, {quality.records_evaluated:,} in the record map, "
        f"{quality.records_missing_from_map:,} missing (quarantined or unresolved)\n"
        f"true persons {quality.true_persons:,}; profiles {quality.profiles:,}; "
        f"persons split over several profiles {quality.persons_split:,}; "
        f"profiles merging several persons {quality.profiles_merging_persons:,}"
    )
    if quality.deterministic is not None:
        deterministic = quality.deterministic
        console.print(
            f"by link kind:\n"
            f"  {'deterministic links only':<28}{_scores(deterministic)}\n"
            f"  {'with statistical links':<28}{_scores(quality)}\n"
            f"  pairs only statistical links joined: {quality.statistical_pairs:,}, of which correct "
            f"{quality.statistical_correct_pairs:,} (precision {quality.statistical_precision:.5f})\n"
            f"  gain over deterministic links: recall {quality.recall - deterministic.recall:+.5f}, "
            f"F1 {quality.f1 - deterministic.f1:+.5f}"
        )
    if quality.recall_ceiling is not None:
        console.print(
            f"recall ceiling (an oracle joining every pair of one person's records that some evidence ties): "
            f"{quality.recall_ceiling:.5f}"
        )


def _scores(figures: PairCounts | IdentityQuality) -> str:
    return f"precision {figures.precision:.5f}  recall {figures.recall:.5f}  F1 {figures.f1:.5f}"
