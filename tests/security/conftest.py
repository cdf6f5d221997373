# The API's fixtures (a client with the owner's key, another workspace's client) for the attacks on the API.
from api.tests.conftest import api, outsider_api, owner_key  # noqa: F401
