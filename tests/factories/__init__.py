"""factory-boy factories for every model. Objects with barcodes are created through the services,
so the barcode registry and history rows are filled exactly as in production."""

import factory
from django.contrib.auth import get_user_model

from inventory import services as inventory_services
from inventory.models import Category, Consumable, Location, Tool
from lending import services as lending_services
from lending.models import Worker
from scandy_site.accounts.models import Department
from scandy_site.accounts.roles import Role

PASSWORD = "Correct-Horse-42"


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"dept{n}")
    name = factory.Sequence(lambda n: f"Abteilung {n}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.org")
    role = Role.USER
    default_department = factory.SubFactory(DepartmentFactory)
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def allowed(self, create, extracted, **kwargs):
        if not create:
            return
        departments = extracted if extracted is not None else [self.default_department]
        self.departments.add(*[d for d in departments if d])
        self.save()


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category
        django_get_or_create = ("department", "name")

    department = factory.SubFactory(DepartmentFactory)
    name = factory.Sequence(lambda n: f"Kategorie {n}")


class LocationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Location
        django_get_or_create = ("department", "name")

    department = factory.SubFactory(DepartmentFactory)
    name = factory.Sequence(lambda n: f"Regal {n}")


class _ServiceFactory(factory.django.DjangoModelFactory):
    """Creates through a service function instead of Model.objects.create."""

    service = None

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        # factory_boy hands the `service` class attribute over as a field value as well.
        kwargs.pop("service", None)
        user = kwargs.pop("created_by", None)
        department = kwargs.pop("department")
        return cls.service(department=department, user=user, **kwargs)


class ToolFactory(_ServiceFactory):
    class Meta:
        model = Tool

    department = factory.SubFactory(DepartmentFactory)
    barcode = factory.Sequence(lambda n: f"T{n:05d}")
    name = factory.Sequence(lambda n: f"Akkuschrauber {n}")
    service = staticmethod(inventory_services.tool_create)


class ConsumableFactory(_ServiceFactory):
    class Meta:
        model = Consumable

    department = factory.SubFactory(DepartmentFactory)
    barcode = factory.Sequence(lambda n: f"C{n:05d}")
    name = factory.Sequence(lambda n: f"Schrauben {n}")
    unit = "Stk"
    min_stock = 5
    current_stock = 20
    service = staticmethod(inventory_services.consumable_create)


class WorkerFactory(_ServiceFactory):
    class Meta:
        model = Worker

    department = factory.SubFactory(DepartmentFactory)
    barcode = factory.Sequence(lambda n: f"W{n:05d}")
    first_name = factory.Faker("first_name", locale="de_DE")
    last_name = factory.Faker("last_name", locale="de_DE")
    service = staticmethod(lending_services.worker_create)
