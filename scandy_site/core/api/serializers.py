"""Serializer building blocks shared by the apps."""

import copy


class BuiltFieldsCacheMixin:
    """For a ModelSerializer: build its fields from the model once per class, not once per instance.

    DRF introspects the model on every instantiation (0.2-0.4 ms for a tool, several times per scan-station
    request). Model and Meta do not change at run time, so each serializer gets a deep copy of the fields built
    the first time, exactly as DRF already does with declared fields."""

    def get_fields(self):
        cls = type(self)
        built = cls.__dict__.get("_built_fields")  # the class's own cache, never a parent's
        if built is None:
            built = super().get_fields()
            cls._built_fields = built
        return copy.deepcopy(built)
