"""The shipped admission requirements, set on courses an admin has edited too.

`load_content` leaves every course an admin has changed as the admin left it, so the marks that came with the new
field (0016) reached only courses nobody had touched: a course merely marked as checked kept leaving out the ITIL
Foundation or RHCSA. Nobody can have decided anything about a field that did not exist, so this sets the shipped
pairs wherever the prerequisite itself is still there, and undoes no one's work.
"""

from django.db import migrations

PAIRS = [
    ("itil5-managing-professional", "itil5-foundation"),
    ("itil5-strategic-leader", "itil5-foundation"),
    ("itil4-cds", "itil4-foundation"),
    ("itil4-dsv", "itil4-foundation"),
    ("itil4-hvit", "itil4-foundation"),
    ("itil4-dpi", "itil4-foundation"),
    ("itil4-dits", "itil4-foundation"),
    ("rhce", "rhcsa"),
    ("bsi-grundschutz-berater", "bsi-grundschutz-praktiker"),
]


def mark_shipped_pairs(apps, schema_editor):
    Course = apps.get_model("recommendations", "Course")
    courses = {c.slug: c for c in Course.objects.filter(slug__in={slug for pair in PAIRS for slug in pair})}
    for course_slug, required_slug in PAIRS:
        course, required = courses.get(course_slug), courses.get(required_slug)
        if course is not None and required is not None and course.prerequisites.filter(pk=required.pk).exists():
            course.admission_prerequisites.add(required)


class Migration(migrations.Migration):
    dependencies = [("recommendations", "0016_course_admission_prerequisites")]

    operations = [migrations.RunPython(mark_shipped_pairs, migrations.RunPython.noop)]
