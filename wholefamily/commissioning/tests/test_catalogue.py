"""The catalogue of services and interventions: commissioners and programme managers add and change services; the
rules of catalogue.yaml are kept whatever the door; filters; the demo's examples are marked and load once."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from wholefamily.commissioning.models import Service
from wholefamily.commissioning.tests.conftest import TODAY, service_data
from wholefamily.domain.commissioning import CatalogueError

pytestmark = pytest.mark.django_db


def _form(**overrides: Any) -> dict[str, Any]:
    data = service_data(**overrides)
    form: dict[str, Any] = {k: v for k, v in data.items() if k not in ("starts_on", "ends_on", "hours_per_family")}
    form["unit_cost"] = str(data["unit_cost"])
    form["provides_key_worker"] = "on"
    starts = data["starts_on"]
    form.update({"starts_on_day": starts.day, "starts_on_month": starts.month, "starts_on_year": starts.year})
    form.update({"ends_on_day": "", "ends_on_month": "", "ends_on_year": "", "hours_per_family": ""})
    return form


def test_a_commissioner_adds_a_service_and_finds_it_by_its_filters(client: Any, staff: dict[str, Any]) -> None:
    client.force_login(staff["commissioner"])
    response = client.post("/commissioning/services/new/", _form())
    assert response.status_code == 302, response.content.decode()[:2000]
    service = Service.objects.get()
    assert service.target_needs == ["crime", "education"] and service.districts == ["Northmoor", "Southvale"]
    assert not service.is_example
    page = client.get(response["Location"]).content.decode()
    assert "Family intervention project" in page and "Promising" in page and "£1,150.00 per place" in page
    listed = client.get("/commissioning/services/", {"need": "crime", "district": "Southvale"}).content.decode()
    assert "Family intervention project" in listed
    missed = client.get("/commissioning/services/", {"need": "housing"}).content.decode()
    assert "Family intervention project" not in missed and "No service in the catalogue matches" in missed
    # Hostile or unknown filter values are ignored, never an error page.
    assert client.get("/commissioning/services/", {"need": "<script>", "district": "x" * 500}).status_code == 200


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"name": ""}, "Enter the name of the service"),
        ({"target_needs": ["not_a_problem"]}, "Select the headline problems it targets"),
        ({"min_age": 12, "max_age": 5}, "Oldest age must be the youngest age or more"),
        ({"capacity_unit": "hours"}, "Enter the hours a family receives in a quarter"),
        ({"unit_cost": "-3"}, "Unit cost cannot be negative"),
        ({"capacity": "lots"}, "Capacity a quarter must be a whole number"),
    ],
)
def test_bad_input_is_shown_again_with_its_reason(client: Any, staff: dict[str, Any], overrides: Any, message: str):
    client.force_login(staff["programme"])
    form = _form()
    form.update(overrides)
    response = client.post("/commissioning/services/new/", form)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Service.objects.exists()


def test_a_change_over_someone_elses_is_refused(client: Any, staff: dict[str, Any], make_service: Any) -> None:
    service = make_service()
    client.force_login(staff["commissioner"])
    first = client.post(f"/commissioning/services/{service.pk}/change/", {**_form(capacity=12), "version": 1})
    assert first.status_code == 302
    stale = client.post(f"/commissioning/services/{service.pk}/change/", {**_form(capacity=99), "version": 1})
    assert stale.status_code == 409 and "Someone else changed this service" in stale.content.decode()
    service.refresh_from_db()
    assert (service.capacity, service.version) == (12, 2)


def test_key_workers_read_the_catalogue_but_do_not_change_it(client: Any, staff: dict[str, Any], make_service: Any):
    service = make_service()
    client.force_login(staff["worker"])
    assert client.get("/commissioning/services/").status_code == 200
    assert client.get(f"/commissioning/services/{service.pk}/").status_code == 200
    assert client.get("/commissioning/services/new/").status_code == 403
    assert client.post(f"/commissioning/services/{service.pk}/change/", _form()).status_code == 403
    assert client.get("/commissioning/services/999999/").status_code == 404


def test_the_rules_hold_whatever_the_door(make_service: Any) -> None:
    with pytest.raises(CatalogueError, match="hours a family"):
        make_service(capacity_unit="hours", hours_per_family=None)
    with pytest.raises(CatalogueError, match="tier"):
        make_service(tier="tier_9")
    with pytest.raises(CatalogueError, match="end date"):
        make_service(ends_on=TODAY - dt.timedelta(days=400))
    make_service()
    with pytest.raises(CatalogueError, match="already"):
        make_service()


def test_the_demo_examples_load_once_and_are_marked(north: Any, south: Any) -> None:
    from wholefamily.commissioning.demo import EXAMPLES, load_example_services

    added = load_example_services(["Northmoor", "Southvale"], system_actor="system:test", today=TODAY)
    assert added == len(EXAMPLES) == Service.objects.count()
    assert load_example_services(["Northmoor", "Southvale"], system_actor="system:test", today=TODAY) == 0
    assert all(service.is_example for service in Service.objects.all())
    names = set(Service.objects.values_list("name", flat=True))
    assert {"Family intervention project", "Multi-systemic therapy",
            "Worklessness programme for vulnerable parents"} <= names  # fmt: skip
