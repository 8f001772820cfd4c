"""Hash-set importers (VICS 1.3/2.0, NCMEC-style, CSV, plain) and the VICS export round trip."""

from __future__ import annotations

import base64
import json

import pytest

from vigil.errors import ParseError, UserError
from vigil.media.categories import registry
from vigil.media.hashsets import (
    HashRecord,
    HashValue,
    export_vics,
    read_csv_list,
    read_ncmec,
    read_plain,
    read_vics,
)

MD5 = "0123456789abcdef0123456789abcdef"
SHA1 = "00112233445566778899aabbccddeeff00112233"
PDQ = "f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22"
PHOTODNA = base64.b64encode(bytes(range(144))).decode()

VICS_13 = {
    "odata.metadata": "http://github.com/ICMEC/ProjectVic/DataModels/1.3.xml#Media",
    "value": [
        {
            "odata.id": "Media(1)",
            "MediaID": 1,
            "Category": 1,
            "MD5": MD5.upper(),
            "SHA1": SHA1,
            "PhotoDNA": PHOTODNA,
            "Series": "S-1",
            "VictimIdentified": False,
        },
        {
            "MediaID": 2,
            "Category": 0,
            "MD5": "ff" * 16,
            "AlternativeHashes": [{"HashName": "PDQ", "HashValue": PDQ}],
        },
        {"MediaID": 3, "Category": 2, "MD5": "not-a-hash"},
        {"MediaID": 4, "Category": 3, "SHA1": "ab" * 20, "IsDeleted": True},
    ],
}
VICS_20 = {
    "@odata.context": "http://github.com/ICMEC/ProjectVic/DataModels/2.0.xml/US/$metadata#Cases",
    "value": [
        {
            "CaseNumber": "C-7",
            "Media": [
                {
                    "MediaID": 10,
                    "Category": 4,
                    "SHA1": SHA1.upper(),
                    "AlternativeHashes": [
                        {"HashName": "PDQ", "HashValue": PDQ},
                        {"HashName": "Mystery", "HashValue": "x"},
                    ],
                },
                {"MediaID": 11, "Category": 9, "MD5": MD5},
            ],
        },
    ],
}


def _bytes(doc: object) -> bytes:
    return json.dumps(doc).encode()


def test_vics_13_reads_records_issues_and_deletions() -> None:
    hl = read_vics(_bytes(VICS_13), "sample13.json")
    assert hl.version == "1.3" and hl.format == "vics"
    first = hl.entries[0]
    assert first.key == "1" and first.get("md5") == MD5 and first.get("sha1") == SHA1
    assert first.get("photodna") == PHOTODNA
    assert first.category is not None and (first.category.scheme, first.category.code) == (
        "projectvic-us",
        "1",
    )
    assert ("Series", "S-1") in first.attributes
    assert hl.entries[1].get("pdq") == PDQ
    assert [r.key for r in hl.entries] == ["1", "2"]  # record 3 has no usable hash
    assert [r.key for r in hl.deletions] == ["4"]
    assert any("value[2]" in i.location for i in hl.issues)


def test_vics_20_reads_media_inside_cases() -> None:
    hl = read_vics(_bytes(VICS_20), "sample20.json")
    assert hl.version == "2.0"
    assert [r.key for r in hl.entries] == ["10", "11"]
    assert hl.entries[0].get("sha1") == SHA1 and hl.entries[0].get("pdq") == PDQ
    assert ("CaseNumber", "C-7") in hl.entries[0].attributes
    assert hl.entries[1].category is None  # code 9 is not in the scheme: reported, kept
    messages = " ".join(i.message for i in hl.issues)
    assert "Mystery" in messages and "no category '9'" in messages.replace('"', "'")


@pytest.mark.parametrize("doc", [VICS_13, VICS_20])
@pytest.mark.parametrize("version", ["1.3", "2.0"])
def test_vics_round_trip(doc: dict[str, object], version: str) -> None:
    first = read_vics(_bytes(doc), "in.json")
    written = export_vics(first.entries, version=version)
    header = json.loads(written)
    assert ("@odata.context" in header) == (version == "2.0")
    again = read_vics(written, "out.json")
    assert again.version == version

    def essence(rec: HashRecord) -> tuple[object, ...]:
        return (rec.key, rec.category, sorted((h.algorithm, h.value) for h in rec.hashes))

    assert [essence(r) for r in again.entries] == [essence(r) for r in first.entries]


def test_export_maps_uk_grades_and_refuses_unmapped() -> None:
    cats = registry()
    rec = HashRecord("7", (HashValue("md5", MD5),), cats.category("uk-sentencing", "B"))
    doc = json.loads(export_vics([rec]))
    assert doc["value"][0]["Category"] == 1
    legacy = HashRecord("8", (HashValue("md5", MD5),), cats.category("projectvic-us", "0"))
    assert (
        json.loads(export_vics([legacy], scheme="projectvic-legacy"))["value"][0]["Category"] == 5
    )
    with pytest.raises(UserError, match="no category mapping"):
        export_vics([rec], scheme="projectvic-legacy")
    with pytest.raises(UserError, match="not numeric"):
        export_vics([legacy], scheme="uk-sentencing")
    with pytest.raises(UserError):
        export_vics([rec], version="3.1")


def test_vics_structural_errors_are_parse_errors() -> None:
    with pytest.raises(ParseError, match="OData"):
        read_vics(b'{"value": []}', "x.json")
    with pytest.raises(ParseError, match="line 1"):
        read_vics(b"{not json", "x.json")
    with pytest.raises(ParseError, match="value"):
        read_vics(b'{"@odata.context": "x"}', "x.json")


def test_ncmec_csv_and_json() -> None:
    csv_text = (
        "ID,MD5,SHA1,PDQ,Classification,Status\n"
        f"n1,{MD5},{SHA1},{PDQ},1,\n"
        f"n2,{'aa' * 16},,,,deleted\n"
        "n3,zz,,,1,\n"
    )
    hl = read_ncmec(csv_text.encode(), "ncmec.csv")
    assert [r.key for r in hl.entries] == ["n1"]
    assert {h.algorithm for h in hl.entries[0].hashes} == {"md5", "sha1", "pdq"}
    assert [r.key for r in hl.deletions] == ["n2"]
    assert hl.issues and "line" in hl.issues[0].location
    js = json.dumps({"hashes": [{"id": "j1", "md5": MD5, "pdq": PDQ, "deleted": False}]})
    hj = read_ncmec(js.encode(), "ncmec.json")
    assert hj.entries[0].get("pdq") == PDQ and hj.metadata[0] == ("shape", "json")
    with pytest.raises(ParseError, match="no hash column"):
        read_ncmec(b"name,size\nx,1\n", "bad.csv")


def test_csv_list_hash_category_source() -> None:
    text = f"{MD5},1,partner A\n{SHA1},uk-sentencing:C,partner B\n{PDQ},1,partner C\n# comment\n"
    hl = read_csv_list(text.encode(), "list.csv")
    assert [r.get("md5") or r.get("sha1") for r in hl.entries] == [MD5, SHA1]
    assert hl.entries[1].category == registry().category("uk-sentencing", "C")
    assert ("source", "partner A") in hl.entries[0].attributes
    assert "ambiguous" not in hl.issues[0].message and hl.issues[0].location == "line 3"
    as_pdq = read_csv_list(text.encode(), "list.csv", algorithm_64="pdq")
    assert as_pdq.entries[2].get("pdq") == PDQ
    headed = f"algorithm,hash,category,deleted\nsha256,{'cd' * 32},2,yes\n"
    assert read_csv_list(headed.encode(), "h.csv").deletions[0].get("sha256") == "cd" * 32


def test_plain_list() -> None:
    text = f"# md5 list\n{MD5.upper()}  photo.jpg\n{SHA1}\n-{'ee' * 16}\nxyz\n\n"
    cat = registry().category("projectvic-us", "1")
    hl = read_plain(text.encode(), "plain.txt", category=cat)
    assert [r.hashes[0] for r in hl.entries] == [HashValue("md5", MD5), HashValue("sha1", SHA1)]
    assert hl.entries[0].attributes == (("name", "photo.jpg"),)
    assert hl.entries[0].category == cat
    assert hl.deletions[0].get("md5") == "ee" * 16
    assert hl.issues[0].location == "line 5"
