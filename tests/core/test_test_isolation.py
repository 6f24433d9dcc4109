"""The test run's own isolation: what one committing test leaves in the shared cache, the next does not see.

pytest-django runs the committing (transactional) tests after all others, in their modules' order: these two run
one after the other, and the second fails if the first's cache entry outlives it."""

import pytest
from django.core.cache import cache

PROBE = "test-isolation-probe"


@pytest.mark.django_db(transaction=True)
def test_a_committing_test_writes_to_the_shared_cache():
    cache.set(PROBE, "left behind", 600)
    assert cache.get(PROBE) == "left behind"


@pytest.mark.django_db(transaction=True)
def test_the_next_committing_test_does_not_find_it():
    assert cache.get(PROBE) is None
