"""The course's fields, named once for everything that reads or writes a course as a record: the admin form,
the spreadsheet import/export (resources.py) and the shipped-content loader (content.py)."""

from __future__ import annotations

# Every column of a course in a spreadsheet, in the order an export writes them.
COURSE_COLUMNS = (
    "slug",
    "title_de",
    "title_en",
    "provider",
    "format",
    "language",
    "location",
    "hours",
    "price_eur",
    "certificate",
    "awarding_body",
    "fundable",
    "bildungsurlaub",
    "url",
    "active",
    "last_checked",
    "source",
    "verified",
    "exam_retired_on",
    "competencies",
    "prerequisites",
    "admission_prerequisites",
    "description_de",
    "description_en",
    "note_de",
    "note_en",
)
# The columns that are not a plain value of the course row: the key, and relations given by slug.
COURSE_KEY = "slug"
COURSE_RELATIONS = ("provider", "competencies", "prerequisites", "admission_prerequisites")
# The plain values of a course (what the shipped catalogue sets besides slug and relations).
COURSE_FIELDS = tuple(name for name in COURSE_COLUMNS if name != COURSE_KEY and name not in COURSE_RELATIONS)
# What the admin's course form edits: everything but the competencies, which have their own inline.
COURSE_FORM_FIELDS = tuple(name for name in COURSE_COLUMNS if name != "competencies")
