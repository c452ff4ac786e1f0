"""Importing CDRs, one module per step: reading files and detecting their format
(``files``), the import service and its ImportRuns (``services``), the database writers
(``writers``), the live 3CX feed (``live_feed``) and rejection messages in the user's
language (``messages``). The pure parsers are in ``calls.cdr``, the record → call rules in
``calls.matching``."""
