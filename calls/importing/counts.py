"""The counts of an import, one type for a batch, a file, a live feed and a command's total.
Pure: no Django (the live feed's module imports it before Django is set up)."""

from dataclasses import dataclass


@dataclass(kw_only=True)
class ImportCounts:
    """Where the lines read went: one batch's, one file's (ImportSummary), a live feed's
    (ImporterTotals) or a command's total. The names are ImportRun's columns."""

    lines_read: int = 0
    imported: int = 0
    duplicates: int = 0
    rejected: int = 0

    @classmethod
    def of_batch(cls, *, calls: int, inserted: int, rejects: int) -> "ImportCounts":
        """A batch of ``calls`` and ``rejects`` lines, ``inserted`` of its calls new."""
        return cls(
            lines_read=calls + rejects,
            imported=inserted,
            duplicates=calls - inserted,
            rejected=rejects,
        )

    def add(self, other: "ImportCounts") -> None:
        self.lines_read += other.lines_read
        self.imported += other.imported
        self.duplicates += other.duplicates
        self.rejected += other.rejected
