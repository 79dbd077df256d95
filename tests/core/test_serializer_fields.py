"""Model serializers build their fields once per class; every serializer still gets its own fields."""

import pytest

from inventory.serializers import ConsumableSerializer, ToolSerializer
from tests.factories import ConsumableFactory, DepartmentFactory, ToolFactory

pytestmark = pytest.mark.django_db


def test_each_serializer_gets_its_own_bound_fields():
    first, second = ToolSerializer(), ToolSerializer()
    assert first.fields["name"] is not second.fields["name"]
    assert first.fields["name"].parent is first
    assert second.fields["category"].parent is second


def test_a_subclass_never_gets_its_parents_fields():
    ToolSerializer().fields  # noqa: B018 - builds and caches the tool's fields first
    assert "current_stock" in ConsumableSerializer().fields
    assert "current_stock" not in ToolSerializer().fields


def test_serializing_different_records_gives_each_its_own_values():
    red, blue = DepartmentFactory(code="red"), DepartmentFactory(code="blue")
    hammer = ToolFactory(department=red, name="Hammer")
    drill = ToolFactory(department=blue, name="Drill")
    screws = ConsumableFactory(department=blue, name="Screws")
    assert (ToolSerializer(hammer).data["name"], ToolSerializer(hammer).data["department"]) == ("Hammer", "red")
    assert (ToolSerializer(drill).data["name"], ToolSerializer(drill).data["department"]) == ("Drill", "blue")
    assert ConsumableSerializer(screws).data["name"] == "Screws"
