"""Stored learning paths from before `CourseSpec.in_house` name an in-house step's provider by its German name, so
the English JSON download said "Im eigenen Betrieb". This marks such steps as in-house, from their course's
provider, so that every reader names it in its own language. Steps of courses deleted since keep what they have."""

from django.db import migrations

BATCH = 500


def mark_in_house_steps(apps, schema_editor):
    StoredResult = apps.get_model("recommendations", "StoredResult")
    Course = apps.get_model("recommendations", "Course")
    in_house = set(Course.objects.filter(provider__in_house=True).values_list("slug", flat=True))
    ids = list(StoredResult.objects.order_by("id").values_list("id", flat=True))  # not written while read
    for start in range(0, len(ids), BATCH):
        changed = []
        for row in StoredResult.objects.filter(id__in=ids[start : start + BATCH]).only("id", "document"):
            courses = [step.get("course", {}) for step in row.document.get("path", {}).get("steps", ())]
            unmarked = [course for course in courses if "in_house" not in course]
            for course in unmarked:
                course["in_house"] = course.get("slug") in in_house
            if unmarked:
                changed.append(row)
        StoredResult.objects.bulk_update(changed, ["document"])


class Migration(migrations.Migration):
    dependencies = [
        ("recommendations", "0012_limits_written_for_people"),
    ]

    operations = [migrations.RunPython(mark_in_house_steps, migrations.RunPython.noop, elidable=True)]
