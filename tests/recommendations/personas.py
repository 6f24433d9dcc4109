"""People of our own, written from the role table: their true levels, work style and the roles
that fit them. They answer the questionnaire the way such a person would."""

from __future__ import annotations

from assessment.models import Item

C = (
    "service_management",
    "security_compliance",
    "agile",
    "automation",
    "it_architecture",
    "process_design",
    "project_management",
    "troubleshooting",
    "communication",
    "change_resilience",
)


def levels(*values: int) -> dict[str, int]:
    return dict(zip(C, values))


PERSONAS = [
    # name, story, levels (svc sec agl aut arc prc prj trb com chg), style, self-bias, roles that fit
    (
        "Jana",
        "1st-level agent turned shift lead at a Stadtwerk hotline",
        levels(3, 2, 1, 1, 1, 2, 1, 4, 4, 3),
        -0.7,
        0,
        {"service_desk_lead"},
    ),
    (
        "Mehmet",
        "Windows and VMware admin at a city administration",
        levels(2, 3, 1, 3, 2, 1, 1, 4, 2, 2),
        -0.6,
        0,
        {"it_operations_engineer"},
    ),
    (
        "Claudia",
        "problem and change manager at an insurer",
        levels(4, 3, 2, 2, 2, 4, 2, 2, 3, 3),
        0.3,
        0,
        {"it_service_manager"},
    ),
    (
        "Sven",
        "digitalisation officer in a Sparkasse's organisation department",
        levels(2, 3, 2, 2, 2, 4, 3, 1, 4, 4),
        0.5,
        0,
        {"it_organisator"},
    ),
    (
        "Lea",
        "agile coach for three teams at an IT service provider",
        levels(1, 1, 5, 1, 1, 2, 2, 1, 4, 4),
        0.0,
        0,
        {"agile_coach"},
    ),
    (
        "Dennis",
        "DevOps engineer automating a logistics firm's deployments with Ansible",
        levels(2, 2, 2, 4, 3, 3, 1, 3, 2, 2),
        0.1,
        0,
        {"automation_engineer"},
    ),
    (
        "Petra",
        "project lead for the rollout of e-files in the city administration",
        levels(2, 2, 3, 1, 2, 3, 4, 1, 4, 4),
        0.3,
        0,
        {"it_project_manager"},
    ),
    (
        "Thomas",
        "enterprise architect at an energy supplier",
        levels(3, 3, 2, 3, 5, 3, 2, 2, 4, 2),
        0.9,
        0,
        {"it_architect"},
    ),
    (
        "Aylin",
        "ISMS manager at a KRITIS water supplier",
        levels(3, 4, 1, 1, 3, 3, 2, 2, 4, 3),
        0.4,
        0,
        {"security_officer"},
    ),
    (
        "Ben",
        "trained retail clerk, now key user for the warehouse software",
        levels(1, 1, 0, 1, 0, 2, 1, 2, 3, 3),
        0.0,
        0,
        {"it_coordinator", "service_desk_lead", "it_organisator"},
    ),
    (
        "Uwe",
        "rates himself high, an application supporter in fact",
        levels(2, 2, 1, 1, 1, 2, 2, 2, 3, 3),
        -0.1,
        1,
        {"it_coordinator"},
    ),
    (
        "Sabine",
        "modest admin who knows more than she says",
        levels(2, 3, 1, 3, 2, 1, 1, 4, 2, 2),
        -0.5,
        -1,
        {"it_operations_engineer", "service_desk_lead"},
    ),
]


def answers_of(persona_levels: dict[str, int], style: float, bias: int, items) -> dict[str, str]:
    """What such a person answers: honest self-ratings (plus their bias), right answers up to their level."""
    answers = {}
    for item in items:
        options = list(item.options.all())
        if item.kind == Item.Kind.SELF_RATING:
            said = max(0, min(5, persona_levels[item.competency.slug] + bias))
            chosen = min(options, key=lambda o: abs(o.level - said))
        elif item.kind == Item.Kind.KNOWLEDGE:
            knows = persona_levels[item.competency.slug] >= item.difficulty
            chosen = next(o for o in options if o.correct == knows)
        else:
            chosen = min(options, key=lambda o: abs(o.style - style))
        answers[item.slug] = chosen.value
    return answers
