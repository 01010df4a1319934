import pytest


@pytest.fixture
def agent(django_user_model):
    """A signed-up customer-care agent."""
    return django_user_model.objects.create_user(username="agent-an", password="correct horse 42")


@pytest.fixture
def agent_client(client, agent):
    client.force_login(agent)
    return client
