"""Text search for the board and the duty log, and the SQLite query-plan hints they need.

Matching is a case-blind substring test with ``%`` and ``_`` taken literally: plain ``LIKE`` on
SQLite (already case-blind for ASCII; its ``lower()`` folds nothing more) and ``ILIKE`` on
PostgreSQL. On SQLite an FTS5 bigram index (``console.db.models.search_terms``) finds the
candidate rows of needles with a run of 2+ letters/digits; the LIKE still confirms each one.
The index is used to drive the query only when it is selective (fewer than ``FTS_FEW``
candidates): for a common word, walking the table newest first and testing LIKE finds a page
sooner than collecting every candidate and sorting them. PostgreSQL has no such index (ILIKE
scans; its planner decides).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Integer, column, func, select, table, text
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.selectable import Alias, FromClause, TextualSelect

from console.db import models as m

FTS_FEW = 5000  # below this many index candidates the page is driven from the index

ESCAPE = "/"


def like_pattern(needle: str) -> str:
    """``%needle%`` with the needle's own ``%``, ``_`` and escape character taken literally."""
    escaped = (
        needle.replace(ESCAPE, ESCAPE * 2).replace("%", ESCAPE + "%").replace("_", ESCAPE + "_")
    )
    return f"%{escaped}%"


def contains(col: Any, needle: str, dialect: str) -> ColumnElement[bool]:
    """Case-blind substring test: LIKE on SQLite, ILIKE on PostgreSQL."""
    pattern = like_pattern(needle)
    if dialect == "sqlite":
        result: ColumnElement[bool] = col.like(pattern, escape=ESCAPE)
    else:
        result = col.ilike(pattern, escape=ESCAPE)
    return result


def match_query(needle: str) -> str | None:
    """The FTS5 query for a needle: each run of 2+ letters/digits as a phrase of its bigrams.

    None when the needle has no such run (a single character, punctuation): search with LIKE.
    """
    runs = [run for run in m.WORD_RUN.findall(needle) if len(run) >= 2]
    if not runs:
        return None
    return " AND ".join(f'"{m.search_terms(run)}"' for run in runs)


def candidate_ids(fts_table: str, query: str, also: int | None = None) -> TextualSelect:
    """``SELECT rowid FROM fts WHERE fts MATCH query`` as a subquery for ``id IN (...)``.

    ``also`` adds one more id (a number typed as the needle also finds the incident by id).
    """
    sql = f"SELECT rowid FROM {fts_table} WHERE {fts_table} MATCH :fts_query"
    params: dict[str, Any] = {"fts_query": query}
    if also is not None:
        sql += " UNION ALL SELECT :fts_also"
        params["fts_also"] = also
    return text(sql).bindparams(**params).columns(column("rowid", Integer))


def selective(s: Session, fts_table: str, query: str) -> bool:
    """True when the index names fewer than ``FTS_FEW`` candidate rows (counted up to that)."""
    few = FTS_FEW
    hits = table(fts_table, column("rowid"))
    probe = select(func.count()).select_from(
        select(hits.c.rowid)
        .where(text(f"{fts_table} MATCH :fts_query").bindparams(fts_query=query))
        .limit(few)
        .subquery()
    )
    return int(s.scalar(probe) or 0) < few


# --------------------------------------------------------------------------- SQLite plan hints
#
# SQLAlchemy renders no table hints on SQLite, so the two the board needs are aliases that render
# ``incident AS incident INDEXED BY ...`` / ``NOT INDEXED`` there and a plain alias elsewhere.
# Each hint is its own class (and so its own statement-cache key).


class _Hinted(Alias):
    inherit_cache = True
    hint = ""


class ByStatus(_Hinted):
    """Drive from ix_incident_status_occurred: the few open incidents, sorted afterwards."""

    inherit_cache = True
    hint = "INDEXED BY ix_incident_status_occurred"


class ByRowid(_Hinted):
    """No index but the rowid: the query is driven from an ``id IN (candidates)`` list."""

    inherit_cache = True
    hint = "NOT INDEXED"


@compiles(ByStatus, "sqlite")
@compiles(ByRowid, "sqlite")
def _render_hint(element: _Hinted, compiler: SQLCompiler, **kw: Any) -> str:
    rendered = str(compiler.visit_alias(element, **kw))  # type: ignore[no-untyped-call]
    if kw.get("asfrom") and not kw.get("ashint"):
        rendered += " " + element.hint
    return rendered


def hinted(kind: type[_Hinted], target: FromClause, name: str) -> Alias:
    """An alias of ``target`` named like it (so the SQL reads the same) carrying a hint."""
    return kind._construct(target, name=name)
