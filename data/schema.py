"""The database schema (SQLAlchemy 2.x). Names in English, data in Vietnamese.

Alembic migrations in ``data/migrations`` create and evolve it; this module is
their single source of truth (autogenerate compares against ``metadata``).
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

# Stable constraint names so migrations are identical on SQLite and PostgreSQL.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

LEVELS = ("province", "district", "commune")

# National public-service portal codes (TrangThaiHoSo, KenhThucHien).
CHANNEL_IN_PERSON, CHANNEL_ONLINE, CHANNEL_POST = 1, 2, 3
CHANNELS = (CHANNEL_IN_PERSON, CHANNEL_ONLINE, CHANNEL_POST)
# Not a portal code: the export did not say (no channel column). Counted apart, never guessed.
CHANNEL_UNKNOWN = 0
STATUS_NEW, STATUS_RECEIVED, STATUS_REFUSED, STATUS_IN_PROGRESS = 1, 2, 3, 4
STATUS_SUPPLEMENT, STATUS_FINANCIAL, STATUS_WITHDRAWN, STATUS_STOPPED = 5, 6, 7, 8
STATUS_PROCESSED, STATUS_RETURNED = 9, 10
STATUSES = tuple(range(1, 11))
FINISHED_STATUSES = (STATUS_PROCESSED, STATUS_RETURNED)
WITHDRAWN_STATUSES = (STATUS_REFUSED, STATUS_WITHDRAWN, STATUS_STOPPED)
OPEN_STATUSES = (STATUS_NEW, STATUS_RECEIVED, STATUS_IN_PROGRESS, STATUS_SUPPLEMENT, STATUS_FINANCIAL)
ONLINE_LEVELS = ("full", "partial", "none")
RATING_SATISFIED, RATING_NEUTRAL, RATING_DISSATISFIED = "satisfied", "neutral", "dissatisfied"
RATINGS = (RATING_SATISFIED, RATING_NEUTRAL, RATING_DISSATISFIED)


# WHERE clauses of the partial indexes on dossiers (the same expressions the late lists use).
_LATE = "finished_on > deadline_on OR supplement_requests > 1"
_OPEN_OR_LATE = "finished_on IS NULL OR finished_on > deadline_on"


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Unit(Base):
    """An administrative unit: the province, a district-level unit or a commune."""

    __tablename__ = "units"
    code: Mapped[str] = mapped_column(String(10), primary_key=True)  # official code
    name: Mapped[str] = mapped_column(String(120))  # "Huyện Quế Sơn"
    short_name: Mapped[str] = mapped_column(String(80))  # "Quế Sơn"
    division_type: Mapped[str] = mapped_column(String(30))  # "huyện", "thị xã", "phường"...
    level: Mapped[str] = mapped_column(String(10), index=True)
    parent_code: Mapped[str | None] = mapped_column(ForeignKey("units.code"), index=True)
    # Cell of the schematic tile map (district level only); the data decides, not the code.
    tile_row: Mapped[int | None] = mapped_column(SmallInteger)
    tile_col: Mapped[int | None] = mapped_column(SmallInteger)
    sort_order: Mapped[int] = mapped_column(Integer, default=0)
    # Life span (migration 0009, docs/units.md): the code the state prints, and the first and last
    # day the version was in force (None: before the catalogue began / still in force). ``code``
    # is the row key: the official code for its first version, "<code>-<yymm>" for a later one.
    official_code: Mapped[str | None] = mapped_column(String(10), index=True)
    valid_from: Mapped[dt.date | None] = mapped_column(Date)
    valid_to: Mapped[dt.date | None] = mapped_column(Date)


class UnitSuccessor(Base):
    """Old unit version -> the version that took over (all or ``share`` of it) on ``effective_on``."""

    __tablename__ = "unit_successors"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    from_code: Mapped[str] = mapped_column(ForeignKey("units.code"), index=True)
    to_code: Mapped[str] = mapped_column(ForeignKey("units.code"), index=True)
    effective_on: Mapped[dt.date] = mapped_column(Date)
    share: Mapped[float] = mapped_column(Float)  # of the old unit's territory
    relation: Mapped[str] = mapped_column(String(20))  # data.units_history.RELATIONS
    source: Mapped[str] = mapped_column(String(60))  # package==version the link was read from
    act: Mapped[str] = mapped_column(String(40))  # the resolution
    __table_args__ = (UniqueConstraint("from_code", "to_code", name="uq_unit_successors_from_to"),)


class Agency(Base):
    """A body that receives dossiers: a provincial department or a People's Committee."""

    __tablename__ = "agencies"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(160))
    name_en: Mapped[str | None] = mapped_column(String(160))
    level: Mapped[str] = mapped_column(String(10), index=True)
    unit_code: Mapped[str] = mapped_column(ForeignKey("units.code"))
    district_code: Mapped[str | None] = mapped_column(String(10), index=True)
    commune_code: Mapped[str | None] = mapped_column(String(10))
    # In force as long as its unit version (migration 0009); None: open-ended.
    valid_from: Mapped[dt.date | None] = mapped_column(Date)
    valid_to: Mapped[dt.date | None] = mapped_column(Date)


class Sector(Base):
    __tablename__ = "sectors"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    name_en: Mapped[str | None] = mapped_column(String(120))


class Procedure(Base):
    __tablename__ = "procedures"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(30), unique=True)
    name: Mapped[str] = mapped_column(String(300))
    name_en: Mapped[str | None] = mapped_column(String(300))
    sector_id: Mapped[int] = mapped_column(ForeignKey("sectors.id"), index=True)
    level: Mapped[str] = mapped_column(String(10))
    online_level: Mapped[str] = mapped_column(String(10))  # full / partial / none
    processing_days: Mapped[int] = mapped_column(SmallInteger)  # working days


class Dossier(Base):
    """One application (hồ sơ) for one procedure."""

    __tablename__ = "dossiers"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(40))
    procedure_id: Mapped[int] = mapped_column(ForeignKey("procedures.id"))
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))
    level: Mapped[str] = mapped_column(String(10))
    district_code: Mapped[str | None] = mapped_column(String(10))
    commune_code: Mapped[str | None] = mapped_column(String(10))
    channel: Mapped[int] = mapped_column(SmallInteger)  # 1 in person, 2 online, 3 post, 0 not known
    by_postal_staff: Mapped[bool] = mapped_column(Boolean, default=False)
    received_on: Mapped[dt.date] = mapped_column(Date)
    due_on: Mapped[dt.date] = mapped_column(Date)  # appointment date (ngày hẹn trả)
    # Due date moved on by the working days spent waiting for the applicant's
    # supplements: what the on-time rule compares against. Derived on write.
    deadline_on: Mapped[dt.date] = mapped_column(Date)
    finished_on: Mapped[dt.date | None] = mapped_column(Date)  # end of processing
    returned_on: Mapped[dt.date | None] = mapped_column(Date)  # result handed back
    supplement_days: Mapped[int] = mapped_column(SmallInteger, default=0)
    supplement_requests: Mapped[int] = mapped_column(SmallInteger, default=0)
    status: Mapped[int] = mapped_column(SmallInteger)
    has_fee: Mapped[bool] = mapped_column(Boolean, default=False)
    paid_online: Mapped[bool] = mapped_column(Boolean, default=False)
    digitised: Mapped[bool] = mapped_column(Boolean, default=False)
    e_result: Mapped[bool] = mapped_column(Boolean, default=False)
    # The applicant's rating on the portal (RATINGS) and whether the dossier was published on the
    # national portal; None where the export does not say (the scorecard then shows "not measured").
    rating: Mapped[str | None] = mapped_column(String(12))
    published_on_portal: Mapped[bool | None] = mapped_column(Boolean)

    __table_args__ = (
        # A unique index rather than a constraint: bulk loads drop and rebuild it.
        Index("uq_dossiers_code", "code", unique=True),
        # Dossier lists (late, overdue) filter by end of processing within a scope.
        Index("ix_dossiers_finished_on", "finished_on"),
        Index("ix_dossiers_procedure_finished", "procedure_id", "finished_on"),
        Index("ix_dossiers_district_finished", "district_code", "finished_on"),
        Index("ix_dossiers_agency_finished", "agency_id", "finished_on"),
        # Partial indexes for the /late lists (migration 0003): late dossiers, and those
        # open or finished late (the candidates for "overdue at the end of a period").
        Index("ix_dossiers_late", "finished_on", "procedure_id", "district_code", "agency_id",
              sqlite_where=text(_LATE), postgresql_where=text(_LATE)),
        Index("ix_dossiers_open_late", "finished_on", "deadline_on", "received_on", "procedure_id", "district_code",
              "agency_id", sqlite_where=text(_OPEN_OR_LATE), postgresql_where=text(_OPEN_OR_LATE)),
    )


class PostalDeployment(Base):
    """Postal-substitution record for one unit and year (Decision 2114)."""

    __tablename__ = "postal_deployments"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    unit_code: Mapped[str] = mapped_column(ForeignKey("units.code"), index=True)
    year: Mapped[int] = mapped_column(SmallInteger)
    postal_staff: Mapped[int] = mapped_column(SmallInteger)
    civil_servants: Mapped[int] = mapped_column(SmallInteger)  # replaced or supported
    procedures_moved: Mapped[int] = mapped_column(Integer)
    procedures_total: Mapped[int] = mapped_column(Integer)
    decided_on: Mapped[dt.date | None] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(Text)
    __table_args__ = (UniqueConstraint("unit_code", "year", name="uq_postal_deployments_unit_year"),)


class CalendarMonth(Base):
    """One row per month: lets SQL take month-end snapshots portably."""

    __tablename__ = "calendar_months"
    ym: Mapped[int] = mapped_column(Integer, primary_key=True)  # 202301
    year: Mapped[int] = mapped_column(SmallInteger)
    month: Mapped[int] = mapped_column(SmallInteger)
    month_start: Mapped[dt.date] = mapped_column(Date)
    month_end: Mapped[dt.date] = mapped_column(Date, index=True)


class WorkCalendar(Base):
    """One row per day of the working-day calendar (data/workdays.py, 2015-2035).

    ``workday_no`` counts working days from the calendar's first day up to and including
    ``day``, so SQL counts working days in (a, b] as the difference of two numbers: what
    ``data.workdays.workdays_late`` computes, available to ORDER BY. Filled by migration 0004.
    """

    __tablename__ = "work_calendar"
    day: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    workday_no: Mapped[int] = mapped_column(Integer)


class MonthMeasures:
    """The counts of a month's aggregate row (what both stats tables hold per key)."""

    year: Mapped[int] = mapped_column(SmallInteger, index=True)
    month: Mapped[int] = mapped_column(SmallInteger)
    received: Mapped[int] = mapped_column(Integer, default=0)
    received_online: Mapped[int] = mapped_column(Integer, default=0)
    received_in_person: Mapped[int] = mapped_column(Integer, default=0)
    received_by_post: Mapped[int] = mapped_column(Integer, default=0)
    # Channel not known (an export without a channel column): outside the online share's base.
    received_unknown_channel: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    received_postal_staff: Mapped[int] = mapped_column(Integer, default=0)
    finished_early: Mapped[int] = mapped_column(Integer, default=0)
    finished_on_time: Mapped[int] = mapped_column(Integer, default=0)
    finished_late: Mapped[int] = mapped_column(Integer, default=0)
    finished_postal_staff: Mapped[int] = mapped_column(Integer, default=0)
    finished_in_time_postal_staff: Mapped[int] = mapped_column(Integer, default=0)
    withdrawn: Mapped[int] = mapped_column(Integer, default=0)
    open_end: Mapped[int] = mapped_column(Integer, default=0)
    open_overdue_end: Mapped[int] = mapped_column(Integer, default=0)
    # The service index's counts (data.service_index, migration 0008): received for a procedure
    # offered online (full or partial) and of those received online; received with a fee and of
    # those paid online; received and digitised; finished with an electronic result; finished
    # and rated (by rating); received with a known "published on the portal" and of those published.
    received_offered_online: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    received_online_offered: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    received_with_fee: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    received_paid_online: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    received_digitised: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    finished_e_result: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    rated_satisfied: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    rated_neutral: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    rated_dissatisfied: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    publication_known: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    published: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class DossierMonthStats(MonthMeasures, Base):
    """Pre-aggregated counts per month x agency x procedure.

    Each row counts the events that happened in its month: dossiers received,
    finished (early / on time / late), withdrawn, and the month-end snapshot of
    dossiers still open (and of those already past their deadline). Every chart
    reads this table (or its rollup below); only dossier lists read ``dossiers``.
    """

    __tablename__ = "dossier_month_stats"
    ym: Mapped[int] = mapped_column(Integer, primary_key=True)
    agency_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    procedure_id: Mapped[int] = mapped_column(Integer, primary_key=True)


class DossierMonthAgencyStats(MonthMeasures, Base):
    """dossier_month_stats summed over procedures: one row per month x agency (8x fewer rows).

    Queries with no sector or procedure in their filter or grouping read this instead
    (``data.filters.stats_table_for``); ``data.aggregates`` rewrites its months whenever
    it rewrites theirs in dossier_month_stats, in the same transaction.
    """

    __tablename__ = "dossier_month_agency_stats"
    ym: Mapped[int] = mapped_column(Integer, primary_key=True)
    agency_id: Mapped[int] = mapped_column(Integer, primary_key=True)


class ImportRun(Base):
    """One run of ``tthc import`` or ``tthc demo``: the import history page reads it."""

    __tablename__ = "import_runs"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    started_at: Mapped[dt.datetime] = mapped_column(DateTime)
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    command: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))
    file_name: Mapped[str | None] = mapped_column(String(400))
    added: Mapped[int] = mapped_column(Integer, default=0)
    updated: Mapped[int] = mapped_column(Integer, default=0)
    unchanged: Mapped[int] = mapped_column(Integer, default=0)
    rejected: Mapped[int] = mapped_column(Integer, default=0)
    # Rows that were not dossiers (totals, column numbers, signature blocks): skipped, not rejected.
    skipped: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    details: Mapped[str | None] = mapped_column(Text)  # format read, date order, catalogue additions
    report_path: Mapped[str | None] = mapped_column(String(400))
    status: Mapped[str] = mapped_column(String(20), default="ok")
