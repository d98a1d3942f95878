"""The open path without heavy imports (issue #16): each stand-in equals what it replaces.

Opening a reader and answering a first query must not import typing, pathlib, re, inspect,
dataclasses, importlib.resources, urllib.parse or numpy. Where ``_core`` used one of them on
that path it now has a small stand-in; these tests hold every stand-in to the original on
adversarial inputs, and check that errors still carry ``Path`` objects.
"""

from __future__ import annotations

import copy
import dataclasses
import pickle
import random
import re
import subprocess
import sys
import urllib.parse
from pathlib import Path, PurePosixPath

import pytest
from nasbench_lite._core import schema as schema_module
from nasbench_lite._core.database import Database, posix_path_text, uri_quote
from nasbench_lite._core.schema import Schema, load_schema, parse_schema
from nasbench_lite.errors import DatabaseError, InternalError


def _regex_fields(head: str) -> dict[str, str]:
    return dict(re.findall(schema_module._HEADER_PATTERN, head, re.MULTILINE))


@pytest.mark.parametrize("seed", range(3))
def test_schema_header_parser_equals_the_regex(seed: int) -> None:
    rng = random.Random(seed)
    pieces = [
        "-",
        "--",
        " ",
        "\t",
        "\n",
        "\r",
        "\x0c",
        "\u00a0",
        "kind",
        "schema_version",
        "build",
        ":",
        "x",
        "7",
        "é",
        "-- kind: nb101\n",
        "--build: a b \n",
        "-- schema_version:\t3\t\n",
        "--\n",
        "-- \t\n",
    ]
    for _ in range(20_000):
        head = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 24)))
        assert schema_module._header_fields(head) == _regex_fields(head), repr(head)


def test_every_packaged_schema_parses_as_with_the_regex() -> None:
    folder = Path(schema_module.__file__).parent.parent / "sql"
    for path in sorted(folder.glob("*.sql")):
        text = path.read_text(encoding="utf-8")
        assert schema_module._header_fields(text[:2000]) == _regex_fields(text[:2000])
        assert load_schema(path.stem) == parse_schema(text, f"sql/{path.name}")


def test_packaged_schemas_load_without_re() -> None:
    folder = Path(schema_module.__file__).parent.parent / "sql"
    kinds = sorted(path.stem for path in folder.glob("*.sql"))
    code = (
        "import sys\n"
        "from nasbench_lite._core.schema import load_schema\n"
        f"for kind in {kinds!r}:\n"
        "    load_schema(kind)\n"
        "print('re' in sys.modules, 'importlib.resources' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]


def test_missing_packaged_schema_is_an_internal_error() -> None:
    with pytest.raises(InternalError, match=r"no schema file sql/no_such_kind\.sql"):
        load_schema("no_such_kind")


def test_schema_is_an_immutable_value() -> None:
    one = Schema("k", 3, "build k", "-- sql")
    two = Schema(kind="k", version=3, build_command="build k", sql="-- sql")
    assert one == two and hash(one) == hash(two) and one != Schema("k", 4, "build k", "-- sql")
    assert one != ("k", 3, "build k", "-- sql")
    with pytest.raises(dataclasses.FrozenInstanceError, match="cannot assign to field 'version'"):
        one.version = 4  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError, match="cannot delete field 'kind'"):
        del one.kind  # type: ignore[misc]
    for twin in (copy.copy(one), copy.deepcopy(one), pickle.loads(pickle.dumps(one))):
        assert twin == one and type(twin) is Schema
    match one:
        case Schema(kind, version):
            assert (kind, version) == ("k", 3)


posix_only = pytest.mark.skipif(sys.platform == "win32", reason="POSIX path rules")


@posix_only
def test_path_text_and_uri_quote_equal_pathlib_and_urllib() -> None:
    rng = random.Random(0)
    parts = ["/", "//", "///", ".", "..", "a", "b c", "", "x.sqlite", "é", "%", "?", "#", "\udc80"]
    for _ in range(20_000):
        text = "".join(rng.choice(parts) for _ in range(rng.randint(0, 8)))
        assert posix_path_text(text) == str(PurePosixPath(text)), repr(text)
        try:
            expected = urllib.parse.quote(text)
        except UnicodeEncodeError:
            with pytest.raises(UnicodeEncodeError):
                uri_quote(text)
            continue
        assert uri_quote(text) == expected, repr(text)
    every = "".join(map(chr, range(1, 0x250)))
    assert uri_quote(every) == urllib.parse.quote(every)


@posix_only
def test_database_path_and_errors_still_carry_paths(tmp_path: Path) -> None:
    missing = str(tmp_path) + "//sub/./missing.sqlite/"
    with pytest.raises(DatabaseError) as caught:
        Database(missing)
    assert caught.value.path == Path(missing)
    assert str(caught.value) == f"{Path(missing)}: no such database file"
    source = tmp_path / "file.txt"
    source.write_text("not sqlite")
    with pytest.raises(DatabaseError) as caught:
        Database(str(source) + "/")  # Path drops the slash: the file itself is opened
    assert caught.value.path == source
    assert "not a nasbench_lite database" in str(caught.value)


@posix_only
def test_opening_and_querying_skips_the_heavy_modules(tmp_path: Path) -> None:
    """A reader opens without typing/pathlib/re/inspect/dataclasses/urllib.parse (the toy kind
    of ``tests/kind_dbs.py`` is not needed: any database with a ``meta`` table opens)."""
    import apsw

    path = tmp_path / "plain.sqlite"
    connection = apsw.Connection(str(path))
    connection.execute("CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT)")
    connection.execute("INSERT INTO meta VALUES ('note', 'plain')")
    connection.close()
    code = (
        "import sys\n"
        "from nasbench_lite._core.database import Database\n"
        f"db = Database({str(path)!r})\n"
        "assert db.query('SELECT value FROM meta') == [('plain',)]\n"
        "heavy = ('numpy', 'typing', 'pathlib', 're', 'inspect', 'dataclasses',\n"
        "         'urllib.parse', 'importlib.resources', 'threading')\n"
        "print([name for name in heavy if name in sys.modules])\n"
        "print(type(db.path).__name__)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split("\n")[:2] == ["[]", "PosixPath"]
