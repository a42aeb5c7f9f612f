import pytest


@pytest.fixture
def supplier(factory):
    org = factory.org("parts_supplier", name="华域配件", region="上海")
    return org, factory.user(org, roles=("partner_admin",))


@pytest.fixture
def pricing(factory):
    return factory.user(factory.insurer(), roles=("pricing",))
