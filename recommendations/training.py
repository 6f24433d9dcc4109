"""What the role model learns from: generated holders of each role, measured as the product measures people."""

from __future__ import annotations

import random
from collections.abc import Sequence

import numpy as np

from assessment.bank import item_spec, items_with_options
from assessment.measurement import ItemSpec, score_profile, simulate_answers
from recommendations.recommender import Measure


def measured_like_the_product(competencies: Sequence[str], items: Sequence[ItemSpec] | None = None) -> Measure:
    """A `measure` for `recommender.train`: each generated person answers the active question bank
    (`simulate_answers`) and is scored by the product's measurement, so the model learns what measured
    profiles of a role's holders look like (shrunk towards the person's mean, blurred), not the
    generator's clean levels."""
    bank = list(items) if items is not None else [item_spec(item) for item in items_with_options()]
    competencies = list(competencies)

    def measure(levels: np.ndarray, styles: np.ndarray, seed: int) -> tuple[np.ndarray, np.ndarray]:
        rng = random.Random(seed)
        measured_levels = np.empty_like(levels, dtype=float)
        measured_styles = np.empty_like(styles, dtype=float)
        for row, (true_levels, style) in enumerate(zip(levels, styles)):
            answers = simulate_answers(bank, dict(zip(competencies, map(float, true_levels))), float(style), rng)
            profile = score_profile(competencies, bank, answers)
            measured_levels[row] = [profile.competencies[c].expected for c in competencies]
            measured_styles[row] = profile.work_style
        return measured_levels, measured_styles

    return measure
