"""Reading the NAR cell-information JSON files: bounded, checked, one record at a time.

The NB101 file (717 MB) is a JSON list of records, the NB201 file (68 MB) a JSON object keyed by
architecture index; neither is loaded whole: :class:`NarFile` decodes records one at a time
from the sliding buffer of :func:`~nasbench_lite._core.formats.json_stream.iter_json_records`
(bounded record size) while fingerprinting the bytes. Both files start at key ``"0"``; the
first record's layout tells them apart (an NB101 record has ``unique_hash``).

Every record's costs are compared with :func:`nasbench_lite.nb101.cell_costs` /
:func:`nasbench_lite.nats.cell_costs` (and NB101 hashes with ours); the differences travel with
the record as :class:`Mismatch` values, never silently accepted. A record that does not fit the
layout raises :class:`~nasbench_lite.errors.CorruptSourceError` naming the file and the record.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from nasbench_lite._core.formats.json_stream import HashingReader, iter_json_records
from nasbench_lite.errors import CorruptSourceError, NasbenchLiteError

__all__ = ["REQUIRED_FIELDS", "Dataset", "Mismatch", "NarFile", "NarRecord"]

Dataset = Literal["nar101", "nar201"]

#: Fields a record must have beyond those the cost check reads (the ones stored NOT NULL).
REQUIRED_FIELDS: dict[Dataset, tuple[str, ...]] = {
    "nar101": ("unique_hash", "trainable_parameters", "flops"),
    "nar201": ("arch_str",),
}

#: NB101 fields compared with our cost model (``unique_hash`` with our hash).
_CHECKED_101 = ("unique_hash", "trainable_parameters", "flops", "vertex_flops", "vertex_params")


@dataclass(frozen=True)
class Mismatch:
    """A field whose file value differs from the value nasbench_lite computes.

    Attributes:
        field: The record's field name.
        file_value: The value in the file (decoded JSON).
        computed_value: Our value.
    """

    field: str
    file_value: Any
    computed_value: Any


@dataclass(frozen=True)
class NarRecord:
    """One checked record of a NAR file.

    Attributes:
        dataset: ``'nar101'`` or ``'nar201'``.
        index: Position in the NB101 list, or the NB201 architecture index (the JSON key).
        name: What its mismatches are filed under: the module hash (NB101) or the JSON key.
        fields: The record as decoded; the :data:`REQUIRED_FIELDS` of its dataset are present.
        mismatches: The differences from our cost model (empty when it matches).
    """

    dataset: Dataset
    index: int
    name: str
    fields: dict[str, Any]
    mismatches: tuple[Mismatch, ...]


def _check101(record: dict[str, Any]) -> list[Mismatch]:
    from nasbench_lite import nb101

    spec = nb101.ModelSpec(record["module_adjacency"], record["module_operations"])
    computed = nb101.cell_costs(spec)
    computed["unique_hash"] = spec.hash_spec()
    return [
        Mismatch(field, record.get(field), computed[field])
        for field in _CHECKED_101
        if record.get(field) != computed[field]
    ]


def _check201(record: dict[str, Any]) -> list[Mismatch]:
    from nasbench_lite import nats

    computed = nats.cell_costs(record["arch_str"])
    return [Mismatch(k, record.get(k), v) for k, v in computed.items() if record.get(k) != v]


class NarFile:
    """One NAR JSON file, read record by record and fingerprinted in the same pass.

    Args:
        path: The NB101 list file or the NB201 object file (told apart by content).

    Attributes:
        path: The file.
        dataset: ``'nar101'`` / ``'nar201'`` once the first record is read, else None.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self.dataset: Dataset | None = None
        self._reader: HashingReader | None = None

    @property
    def bytes_read(self) -> int:
        """Bytes of the file read so far."""
        return 0 if self._reader is None else self._reader.bytes_read

    def provenance(self) -> dict[str, Any]:
        """The file's ``meta.sources`` entry (call after :meth:`records` is exhausted).

        Returns:
            ``name``, ``size``, ``sha256`` (of the bytes read: the whole file) and ``dataset``.
        """
        return {
            "name": self.path.name,
            "size": self.path.stat().st_size,
            "sha256": None if self._reader is None else self._reader.sha256.hexdigest(),
            "dataset": self.dataset,
        }

    def records(self) -> Iterator[NarRecord]:
        """Yields every record, checked against our cost model, in file order.

        Yields:
            :class:`NarRecord` values.

        Raises:
            CorruptSourceError: Malformed JSON, or a record missing required fields or not
                fitting the NAR layout (record index attached when the key is a number).
            OSError: The file cannot be opened.
        """
        with open(self.path, "rb") as handle:
            self._reader = HashingReader(handle)
            for key, record in iter_json_records(self._reader, self.path):
                yield self._checked(key, record)

    def _checked(self, key: str, record: Any) -> NarRecord:
        try:
            if self.dataset is None:
                self.dataset = "nar101" if "unique_hash" in record else "nar201"
            if self.dataset == "nar101":
                mismatches = _check101(record)
                name = str(record["unique_hash"])
            else:
                mismatches = _check201(record)
                name = key
            index = int(key)
            for field in REQUIRED_FIELDS[self.dataset]:
                record[field]  # noqa: B018 (a KeyError names the missing field)
        except (KeyError, TypeError, ValueError, NasbenchLiteError) as exc:
            raise CorruptSourceError(
                f"{self.path}: record {key} does not fit the NAR layout ({exc})",
                self.path,
                record_index=int(key) if key.isdigit() else None,
            ) from exc
        return NarRecord(self.dataset, index, name, record, tuple(mismatches))
