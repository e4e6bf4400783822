"""Choosing the import engine, and the byte scan that sends files both engines would misread down the row path."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from wholefamily.ingest import columnar
from wholefamily.ingest.models import ImportRun
from wholefamily.ingest.services import ImportError_, import_file, ingest_engine


@pytest.mark.parametrize(
    ("text", "delimiter", "is_spaced"),
    [
        (b'a,b\n1,"x, y"  ,2\n', ",", True),  # DuckDB and Spark drop the spaces; Python's csv refuses the file
        (b'a,b\n1,"x, y" \n', ",", True),
        (b'a,b\n1,"x, y"\t,2\n', ",", True),
        (b'a|b\n1|"x, y" |2\n', "|", True),
        (b'a,b\n1,"x, y" ', ",", True),  # at the very end of the file
        (b'a,b\n1," x, y",2\n', ",", False),  # an opening quote followed by a space is a value's first character
        (b'a,b\n1,"x, y",2\n', ",", False),
        (b'a,b\n1,"x, y"', ",", False),  # a closing quote ends the file
        (b'a,b\n1,"say ""hi"" there",2\n', ",", False),
        (b'a\tb\n"x"\t\ty\n', "\t", False),  # a tab after a quote is the delimiter, an empty field follows
        (b'a\tb\n"x" \ty\n', "\t", True),
        (b'a\tb\n"x"\t', "\t", False),
    ],
)
@pytest.mark.parametrize("chunk", [3, columnar.SCAN_CHUNK])
def test_the_byte_scan_finds_spaces_after_a_closing_quote_across_chunks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: bytes, delimiter: str, is_spaced: bool, chunk: int
) -> None:
    monkeypatch.setattr(columnar, "SCAN_CHUNK", chunk)
    path = tmp_path / "a.csv"
    path.write_bytes(text)
    assert columnar.scan_bytes(path).is_plain_text(delimiter) is not is_spaced


def test_the_engine_is_the_settings_unless_one_is_given(settings: object) -> None:
    assert ingest_engine() == "duckdb"
    assert ingest_engine("spark") == "spark"
    settings.INGEST_ENGINE = "spark"  # type: ignore[attr-defined]
    assert ingest_engine() == "spark"
    assert ingest_engine("duckdb") == "duckdb"
    with pytest.raises(ImportError_, match="unknown import engine 'sqlite'"):
        ingest_engine("sqlite")


@pytest.mark.django_db
def test_an_unknown_engine_is_refused_before_a_run_is_recorded(tmp_path: Path) -> None:
    path = tmp_path / "school_attendance.csv"
    path.write_text("source_record_id\nR1\n", encoding="utf-8")
    with pytest.raises(ImportError_):
        import_file(path=path, kind="school_attendance", profile="synthetic-county", by=None, engine="' OR 1=1")
    with pytest.raises(CommandError, match="invalid choice"):
        call_command("import", str(path), "--profile", "synthetic-county", "--engine", "postgres")
    assert not ImportRun.objects.exists()
