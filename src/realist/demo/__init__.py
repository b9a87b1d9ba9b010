"""The bundled demo review: McLeish, Ayers and McCourt (2023), CC BY 4.0.

The data files in ``data/`` were transcribed from the paper's text once (see
docs/ARCHITECTURE.md); nothing parses the paper at run time. ``load_demo_files`` returns
them as plain dictionaries for :mod:`realist.services.demo` to turn into a review;
``load_demo_phrasings`` the wording of the demo's intervention summary, which
:mod:`realist.services.reporting` uses while the demo has none of its own.
"""

from __future__ import annotations

from typing import Any

DEFAULT_DEMO_DB = "demo.realist"  # never ./review.realist, so a demo cannot touch a review

CREDIT = (
    "Demo review: McLeish J, Ayers S, McCourt C. Community-based perinatal mental health peer "
    "support: a realist review. BMC Pregnancy and Childbirth 2023;23:570. "
    "doi:10.1186/s12884-023-05843-8. Licensed CC BY 4.0 "
    "(http://creativecommons.org/licenses/by/4.0/); transcribed into Realist's data model."
)

FILES = ("review", "documents", "interventions", "theories", "excerpts")


def _read(name: str) -> str:
    from importlib import resources  # the demo's files are read only to build the demo

    return resources.files(__package__).joinpath("data", name).read_text(encoding="utf-8")


def load_demo_files() -> dict[str, Any]:
    """Every demo data file, parsed, by name; ``paper`` is the paper's exact text."""
    import yaml  # only building the demo reads YAML; every other command starts faster

    loaded: dict[str, Any] = {name: yaml.safe_load(_read(f"{name}.yaml")) for name in FILES}
    from importlib import resources

    # newline="" semantics: excerpt offsets count characters of the file exactly as stored.
    data = resources.files(__package__).joinpath("data", "paper.txt").read_bytes()
    loaded["paper"] = data.decode("utf-8")
    return loaded


def load_demo_phrasings() -> list[dict[str, Any]]:
    """The demo's intervention-summary wording (``data/phrasings.yaml``), attribute by
    attribute, in the stored shape of :class:`realist.reports.summary.Phrasing`."""
    import yaml

    loaded: list[dict[str, Any]] = yaml.safe_load(_read("phrasings.yaml"))
    return loaded
