"""The package's public surface is deliberate: changing it should be a visible decision."""

import realist
from realist.errors import RealistError


def test_public_names() -> None:
    assert sorted(realist.__all__) == [
        "InvalidInput", "NoReview", "NotAReview", "NotFound", "RealistError", "ReviewExists",
        "SchemaTooNew", "Store", "StoreBusy", "StoreError", "UnsupportedDatabase", "__version__",
        "create_store", "open_store",
    ]  # fmt: skip
    for name in realist.__all__:
        assert hasattr(realist, name)


def test_every_error_is_a_realist_error() -> None:
    errors = [getattr(realist, n) for n in realist.__all__ if n[0].isupper() and n != "Store"]
    assert all(issubclass(e, RealistError) for e in errors)
