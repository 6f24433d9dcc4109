"""The result of an assessment as a JSON document (the `assess` contract, also offered as a download)."""

from __future__ import annotations

from typing import Any

from assessment.measurement import Profile
from assessment.presentation import reliability_note
from recommendations.services import Recommendation


def result_document(profile: Profile, recommendation: Recommendation, language: str = "de") -> dict[str, Any]:
    path = recommendation.path
    return {
        "model_version": recommendation.model_version,
        "competencies": [
            {
                "slug": slug,
                "score": score.score,
                "level": round(score.level, 2),
                "level_low": score.level_low,
                "level_high": score.level_high,
                "confidence": score.confidence,
            }
            for slug, score in profile.competencies.items()
        ],
        "work_style": profile.work_style,
        "reliable": profile.reliable,
        "reliability_note": reliability_note(profile, language),
        "items_answered": profile.answered,
        "roles": [
            {
                "slug": r.slug,
                "fit": r.fit,
                "match": r.match.value,
                "match_low": r.match.low,
                "match_high": r.match.high,
                "reasons": list(r.reasons),
            }
            for r in recommendation.roles
        ],
        "learning_path": {
            "target_role": path.target_role,
            "steps": [
                {
                    "course": step.course.slug,
                    "title": step.course.title_in(language),
                    "closes": list(step.closes),
                    "requires": list(step.requires),
                    "hours": step.course.hours,
                    "price_eur": step.course.price_eur,
                    "provider": step.course.provider,
                    "url": step.course.url or None,
                }
                for step in path.steps
            ],
            "total_hours": path.total_hours,
            "total_price_eur": path.total_price_eur,
            "courses_price_on_request": path.courses_price_on_request,
            "open_gaps": list(path.open_gaps),
        },
    }
