"""``realist simulate``: replaying prioritised screening on a labelled file."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from realist.cli import cli
from realist.errors import InvalidInput
from realist.services import simulation

RELEVANT = "Nurse-led clinic for type 2 diabetes: glycaemic control in primary care"
OTHER = "Hip fracture surgery timing and mortality in older people"


def labelled_csv(path: Path, rows: int = 60) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["title", "abstract", "label_included"])
        for i in range(rows):
            relevant = i % 6 == 0
            title = f"{RELEVANT if relevant else OTHER} (study {i})"
            writer.writerow([title, "Trial in adults." if i % 5 else "", "1" if relevant else "0"])
    return path


def run(*args: str) -> str:
    result = CliRunner().invoke(cli, ["simulate", *args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def test_simulate_prints_the_figures_and_writes_order_and_plot(tmp_path: Path) -> None:
    data = labelled_csv(tmp_path / "labelled.csv")
    order_file, plot = tmp_path / "order.txt", tmp_path / "recall.png"
    out = run(str(data), "--seed", "4", "--order-out", str(order_file), "--plot", str(plot))
    assert "WSS@95" in out and "recall after 10%" in out and "stopping rule" in out
    order = [int(line) for line in order_file.read_text().splitlines()]
    assert sorted(order) == list(range(60))
    # Priors first, the include then the exclude; then every relevant row before the rest.
    assert order[0] % 6 == 0 and order[1] % 6 != 0
    assert all(row % 6 == 0 for row in order[2:11])
    assert plot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_simulate_json_is_the_documented_shape(tmp_path: Path) -> None:
    data = labelled_csv(tmp_path / "labelled.csv")
    found = json.loads(run(str(data), "--seed", "2", "--json"))
    assert list(found) == [
        "records", "relevant", "seed", "prior_included", "prior_excluded", "wss_95",
        "recall_10", "recall_25", "erf_10", "stop", "refits", "median_step_ms", "model",
    ]  # fmt: skip
    assert found["records"] == 60 and found["relevant"] == 10
    assert found["recall_25"] == 1.0  # 10 relevant rows, found in the first 11 screened
    assert found["stop"]["recall"] == 1.0 and 0 < found["stop"]["share_screened"] <= 1
    assert found["model"]["regularisation_c"] > 0
    again = json.loads(run(str(data), "--seed", "2", "--json"))
    assert again["prior_included"] == found["prior_included"]


def test_a_missing_label_column_is_named(tmp_path: Path) -> None:
    data = tmp_path / "nolabel.csv"
    data.write_text("title,abstract\nA study,Text\nAnother,More\n", encoding="utf-8")
    with pytest.raises(InvalidInput, match=r"nolabel\.csv:2: .*'label_included'"):
        simulation.read_labelled(data)
    result = CliRunner().invoke(cli, ["simulate", str(data), "--label-column", "decision"])
    assert result.exit_code != 0 and "'decision'" in str(result.exception)


def test_a_label_that_is_not_one_or_zero_is_named_with_its_line(tmp_path: Path) -> None:
    data = tmp_path / "odd.csv"
    data.write_text(
        "title,abstract,label_included\nFirst,a,1\nSecond,b,0\nThird,c,maybe\n", encoding="utf-8"
    )
    with pytest.raises(InvalidInput, match=r"odd\.csv:4: 'label_included' is 'maybe'"):
        simulation.read_labelled(data)


def test_ris_with_a_label_tag_and_asreview_notes(tmp_path: Path) -> None:
    entries = []
    for i in range(30):
        relevant = i % 5 == 0
        label = (
            f"LB  - {1 if relevant else 0}"
            if i % 2
            else (f"N1  - ASReview_{'relevant' if relevant else 'irrelevant'}")
        )
        title = RELEVANT if relevant else OTHER
        entries.append(f"TY  - JOUR\nTI  - {title} {i}\n{label}\nER  - \n")
    data = tmp_path / "labelled.ris"
    data.write_text("\n".join(entries), encoding="utf-8")
    labelled = simulation.read_labelled(data, "LB")
    assert labelled.labels.tolist() == [1 if i % 5 == 0 else 0 for i in range(30)]
    assert "WSS@95" in run(str(data), "--label-column", "LB")


def test_only_one_kind_of_label_is_refused(tmp_path: Path) -> None:
    data = tmp_path / "all.csv"
    data.write_text("title,abstract,label_included\nA,a,1\nB,b,1\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["simulate", str(data)])
    assert result.exit_code != 0
    assert "every record is labelled relevant" in str(result.exception)
