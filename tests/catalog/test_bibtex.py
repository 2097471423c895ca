"""BibTeX parsing: author names decoded from LaTeX to Unicode for display, the BibTeX itself kept valid."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from pathlib import Path

import bibtexparser
import pytest
import yaml

from catalog.bibtex import latex_to_unicode, parse_entry
from catalog.build import build_database
from catalog.export import papers_to_bibtex, papers_to_csv, papers_to_json
from catalog.read import papers as read_papers

# names as they are written in the catalog's BibTeX, and as a reader must see them
NAMES = {
    r"Vuli{\'c}, Ivan": "Ivan Vulić",
    r"Engl{\"a}nder, Leon": "Leon Engländer",
    r"Lesort, Timoth{\'e}e": "Timothée Lesort",
    r"W{\'o}jcik, Mateusz": "Mateusz Wójcik",
    r"Sedoc, Jo{\~a}o": "João Sedoc",
    r"P{\'o}czos, Barnab{\'a}s": "Barnabás Póczos",
    r"Twardowski, Bart{\l}omiej": "Bartłomiej Twardowski",
    r"Ko{\'s}ciukiewicz, Witold": "Witold Kościukiewicz",
    r"De Lange, Matthias": "Matthias De Lange",
    r"{Costa-juss{\`a}}, Marta R.": "Marta R. Costa-jussà",
}
BIB = (
    "@inproceedings{vulic2023names,\n  title = {Names With Accents},\n  author = {"
    + " and ".join(NAMES)
    + "},\n  booktitle = {Proceedings},\n  year = {2023},\n}"
)


def test_names_are_decoded_to_unicode() -> None:
    assert parse_entry(BIB).authors == list(NAMES.values())


def test_braces_still_protect_an_and() -> None:
    entry = parse_entry('@misc{k, title = {T}, author = {{Black and Decker Lab} and M{\\"u}ller, Jo}, year = {2020}}')
    assert entry.authors == ["Black and Decker Lab", "Jo Müller"]


def test_latex_to_unicode() -> None:
    assert latex_to_unicode(r"An {\"U}ber Test \& More") == "An Über Test & More"
    assert latex_to_unicode(r"Le~Scao") == "Le Scao"


@pytest.fixture()
def accented_db(mini_data: Path, tmp_path: Path) -> Path:
    body = dict(
        title="Names With Accents",
        year=2023,
        venue="Proceedings 2023",
        sources=["https://example.org/names"],
        summary="A paper whose authors have accented names.",
        bibtex=BIB + "\n",
    )
    (mini_data / "papers" / "vulic2023names.yaml").write_text(yaml.safe_dump(body, sort_keys=False, allow_unicode=True), encoding="utf-8")
    db = tmp_path / "catalog.sqlite"
    build_database(mini_data, db)
    return db


def test_round_trip_through_the_database_and_every_export(accented_db: Path) -> None:
    con = sqlite3.connect(accented_db)
    try:
        papers = read_papers(con, ["vulic2023names"])
        stored = [
            n
            for (n,) in con.execute(
                "SELECT a.name FROM paper_author pa JOIN author a ON a.id = pa.author_id WHERE pa.paper_key = 'vulic2023names' ORDER BY pa.position"
            )
        ]
    finally:
        con.close()
    unicode_names = list(NAMES.values())
    assert stored == unicode_names and papers[0].authors_list == unicode_names
    assert papers[0].authors.startswith("Ivan Vulić, Leon Engländer, Timothée Lesort")
    assert json.loads(papers_to_json(papers))[0]["authors"] == unicode_names
    assert next(csv.DictReader(io.StringIO(papers_to_csv(papers))))["authors"] == "; ".join(unicode_names)
    # the .bib export keeps the LaTeX as written: valid BibTeX that decodes to the same names again
    bib = papers_to_bibtex(papers)
    assert r"Vuli{\'c}" in bib and "Vulić" not in bib
    assert len(bibtexparser.parse_string(bib).entries) == 1
    assert parse_entry(bib).authors == unicode_names


def test_pages_and_api_show_unicode_names(accented_db: Path) -> None:
    pytest.importorskip("fastapi")
    from fastapi.testclient import TestClient

    from webapp.app import create_app

    with TestClient(create_app(accented_db)) as c:
        assert c.get("/api/papers/vulic2023names").json()["authors"][:2] == ["Ivan Vulić", "Leon Engländer"]
        assert "Ivan Vulić, Leon Engländer" in c.get("/papers/vulic2023names").text
        assert "Ivan <mark>Vulić</mark>" in c.get("/papers?q=vulic").text  # found without the accent, shown with it
