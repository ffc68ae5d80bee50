"""What `cdp evaluate` prints."""

from __future__ import annotations

from ..evaluation.identity import IdentityQuality
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
