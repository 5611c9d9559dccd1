"""Maintain ``dossier_month_stats``, the pre-aggregated table every chart reads, and its
rollup ``dossier_month_agency_stats`` (the same counts summed over procedures).

Written in SQLAlchemy Core so that one definition compiles to SQLite and to
PostgreSQL. The demo builder and the importer call :func:`refresh_aggregates`
after writing dossiers; an import can limit it to the months it touched. Every path
that rewrites months of the detail table rewrites the same months of the rollup with
:func:`refresh_agency_rollup`, in the same transaction, so the two never disagree.
"""
from __future__ import annotations

import calendar
import datetime as dt

from sqlalchemy import Integer, and_, case, cast, delete, func, insert, literal, or_, select, union_all
from sqlalchemy.engine import Connection

from .schema import (
    CHANNEL_IN_PERSON,
    CHANNEL_ONLINE,
    CHANNEL_POST,
    CHANNEL_UNKNOWN,
    FINISHED_STATUSES,
    RATING_DISSATISFIED,
    RATING_NEUTRAL,
    RATING_SATISFIED,
    WITHDRAWN_STATUSES,
    CalendarMonth,
    Dossier,
    DossierMonthAgencyStats,
    DossierMonthStats,
    Procedure,
)

D = Dossier.__table__
P = Procedure.__table__
C = CalendarMonth.__table__
S = DossierMonthStats.__table__
R = DossierMonthAgencyStats.__table__

FAR_FUTURE = dt.date(9999, 12, 31)

MEASURES = [
    "received", "received_online", "received_in_person", "received_by_post", "received_postal_staff",
    "received_unknown_channel", "finished_early", "finished_on_time", "finished_late", "finished_postal_staff",
    "finished_in_time_postal_staff", "withdrawn", "open_end", "open_overdue_end",
    # The service index's counts (data.service_index).
    "received_offered_online", "received_online_offered", "received_with_fee", "received_paid_online",
    "received_digitised", "finished_e_result", "rated_satisfied", "rated_neutral", "rated_dissatisfied",
    "publication_known", "published",
]


def ym_of(col):
    """202301 for a date in January 2023, on every dialect."""
    return cast(func.extract("year", col), Integer) * 100 + cast(func.extract("month", col), Integer)


def _flag(cond):
    return case((cond, 1), else_=0)


def is_finished():
    return D.c.status.in_(FINISHED_STATUSES) & D.c.finished_on.isnot(None)


def is_late():
    """National rule: late when finished after the deadline (due date moved on by
    the applicant's supplement time) or when supplements were requested more than once."""
    return or_(D.c.finished_on > D.c.deadline_on, D.c.supplement_requests > 1)


def is_early():
    return and_(D.c.finished_on < D.c.deadline_on, D.c.supplement_requests <= 1)


def ensure_calendar(conn: Connection) -> None:
    """Make sure calendar_months covers every month from the first dossier to the last date."""
    lo, hi = conn.execute(select(func.min(D.c.received_on), func.max(func.coalesce(D.c.finished_on, D.c.received_on)))).one()
    if lo is None:
        return
    if isinstance(lo, str):  # SQLite may hand back text from min()/max()
        lo, hi = dt.date.fromisoformat(lo), dt.date.fromisoformat(hi)
    existing = set(conn.execute(select(C.c.ym)).scalars())
    rows = []
    for year in range(lo.year, hi.year + 1):
        for month in range(1, 13):
            ym = year * 100 + month
            if ym not in existing:
                last = calendar.monthrange(year, month)[1]
                rows.append(dict(ym=ym, year=year, month=month, month_start=dt.date(year, month, 1),
                                 month_end=dt.date(year, month, last)))
    if rows:
        conn.execute(insert(C), rows)


def _events(since: dt.date | None = None):
    """Every counted event as a row (ym, agency, procedure, measures...); only events
    in months from ``since`` on when given (what an incremental refresh recomputes)."""
    zero = literal(0)
    offered_online = P.c.online_level.in_(("full", "partial"))

    def row(ym, **vals):
        cols = [ym.label("ym"), D.c.agency_id.label("agency_id"), D.c.procedure_id.label("procedure_id")]
        cols += [vals.get(m, zero).label(m) for m in MEASURES]
        return cols

    received = select(*row(
        ym_of(D.c.received_on),
        received=literal(1),
        received_online=_flag(D.c.channel == CHANNEL_ONLINE),
        received_in_person=_flag(D.c.channel == CHANNEL_IN_PERSON),
        received_by_post=_flag(D.c.channel == CHANNEL_POST),
        received_unknown_channel=_flag(D.c.channel == CHANNEL_UNKNOWN),
        received_postal_staff=_flag(D.c.by_postal_staff == True),  # noqa: E712
        received_offered_online=_flag(offered_online),
        received_online_offered=_flag(and_(offered_online, D.c.channel == CHANNEL_ONLINE)),
        received_with_fee=_flag(D.c.has_fee == True),  # noqa: E712
        received_paid_online=_flag(and_(D.c.has_fee == True, D.c.paid_online == True)),  # noqa: E712
        received_digitised=_flag(D.c.digitised == True),  # noqa: E712
        publication_known=_flag(D.c.published_on_portal.isnot(None)),
        published=_flag(D.c.published_on_portal == True),  # noqa: E712
    )).select_from(D.join(P, P.c.id == D.c.procedure_id))
    in_time = and_(D.c.finished_on <= D.c.deadline_on, D.c.supplement_requests <= 1)
    finished = select(*row(
        ym_of(D.c.finished_on),
        finished_early=_flag(is_early()),
        finished_on_time=_flag(and_(D.c.finished_on == D.c.deadline_on, D.c.supplement_requests <= 1)),
        finished_late=_flag(is_late()),
        finished_postal_staff=_flag(D.c.by_postal_staff == True),  # noqa: E712
        finished_in_time_postal_staff=_flag(and_(D.c.by_postal_staff == True, in_time)),  # noqa: E712
        finished_e_result=_flag(D.c.e_result == True),  # noqa: E712
        rated_satisfied=_flag(D.c.rating == RATING_SATISFIED),
        rated_neutral=_flag(D.c.rating == RATING_NEUTRAL),
        rated_dissatisfied=_flag(D.c.rating == RATING_DISSATISFIED),
    )).where(is_finished())
    withdrawn = select(*row(ym_of(D.c.finished_on), withdrawn=literal(1))).where(
        D.c.status.in_(WITHDRAWN_STATUSES) & D.c.finished_on.isnot(None))
    # Month-end snapshot: received by the month's end, not ended by then.
    open_at_end = select(
        C.c.ym.label("ym"), D.c.agency_id.label("agency_id"), D.c.procedure_id.label("procedure_id"),
        *[(literal(1) if m == "open_end" else _flag(D.c.deadline_on < C.c.month_end) if m == "open_overdue_end"
           else zero).label(m) for m in MEASURES],
    ).select_from(D.join(C, and_(
        C.c.month_end >= D.c.received_on,
        # coalesce, not "IS NULL OR": a two-sided range lets SQLite use the month_end index (10x faster)
        C.c.month_end < func.coalesce(D.c.finished_on, FAR_FUTURE))))
    if since is not None:
        received = received.where(D.c.received_on >= since)
        finished = finished.where(D.c.finished_on >= since)
        withdrawn = withdrawn.where(D.c.finished_on >= since)
        open_at_end = open_at_end.where(C.c.month_end >= since)
    return union_all(received, finished, withdrawn, open_at_end).subquery("events")


def refresh_aggregates(conn: Connection) -> int:
    """Rebuild dossier_month_stats from dossiers in one statement; returns its row count."""
    ensure_calendar(conn)
    conn.execute(delete(S))
    ev = _events()
    grouped = select(
        ev.c.ym, ev.c.agency_id, ev.c.procedure_id,
        (ev.c.ym // 100).label("year"), (ev.c.ym % 100).label("month"),  # // : integer division on every dialect
        *[func.sum(ev.c[m]).label(m) for m in MEASURES],
    ).group_by(ev.c.ym, ev.c.agency_id, ev.c.procedure_id)
    conn.execute(insert(S).from_select(
        ["ym", "agency_id", "procedure_id", "year", "month", *MEASURES], grouped))
    refresh_agency_rollup(conn)
    return conn.execute(select(func.count()).select_from(S)).scalar_one()


def refresh_aggregates_for(conn: Connection, months) -> int:
    """Recompute dossier_month_stats for the months an import touched (``202301``...).

    A month's open_end snapshot depends on dossiers received earlier, and a changed
    dossier shifts every later snapshot, so the rebuild runs from the earliest touched
    month through the last month. Returns the number of rows rewritten.
    """
    months = [int(m) for m in months if m is not None]
    if not months:
        return 0
    first = min(months)
    since = dt.date(first // 100, first % 100, 1)
    ensure_calendar(conn)
    conn.execute(delete(S).where(S.c.ym >= first))
    ev = _events(since)
    grouped = select(
        ev.c.ym, ev.c.agency_id, ev.c.procedure_id,
        (ev.c.ym // 100).label("year"), (ev.c.ym % 100).label("month"),
        *[func.sum(ev.c[m]).label(m) for m in MEASURES],
    ).where(ev.c.ym >= first).group_by(ev.c.ym, ev.c.agency_id, ev.c.procedure_id)
    conn.execute(insert(S).from_select(
        ["ym", "agency_id", "procedure_id", "year", "month", *MEASURES], grouped))
    refresh_agency_rollup(conn, first)
    return conn.execute(select(func.count()).select_from(S).where(S.c.ym >= first)).scalar_one()


def refresh_agency_rollup(conn: Connection, first: int | None = None) -> None:
    """Rewrite dossier_month_agency_stats from dossier_month_stats: every month, or the
    months from ``first`` (a ym) on. Call it in the transaction that rewrote those months
    of the detail table (the demo builder, both refreshes above)."""
    since = (lambda table: [table.c.ym >= first]) if first is not None else (lambda table: [])
    conn.execute(delete(R).where(*since(R)))
    grouped = select(
        S.c.ym, S.c.agency_id, (S.c.ym // 100).label("year"), (S.c.ym % 100).label("month"),
        *[func.sum(S.c[m]).label(m) for m in MEASURES],
    ).where(*since(S)).group_by(S.c.ym, S.c.agency_id)
    conn.execute(insert(R).from_select(["ym", "agency_id", "year", "month", *MEASURES], grouped))
