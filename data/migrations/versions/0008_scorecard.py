"""The service index (Decision 766/QĐ-TTg): two optional dossier fields and the counts it needs

``dossiers`` gains ``rating`` (the applicant's rating on the portal: satisfied / neutral /
dissatisfied; NULL = not rated or not exported) and ``published_on_portal`` (NULL = the export
does not say). Both aggregate tables gain the scorecard's counts (see data.schema.MonthMeasures
and docs/scorecard.md). The counts that come from fields existing rows already hold (procedure
offered online, fee, paid online, digitised, electronic result) are filled here from the
dossiers with one grouped scan, so an existing database scores the same as one rebuilt; the
rating and publication counts start at 0 (no existing row carries them). The SQL is written out
here rather than imported from data.aggregates: a migration must keep doing what it did.

Revision ID: 0008
Revises: 0007
"""
from alembic import op
import sqlalchemy as sa


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

STATS_TABLES = ('dossier_month_stats', 'dossier_month_agency_stats')
NEW_COUNTS = ('received_offered_online', 'received_online_offered', 'received_with_fee', 'received_paid_online',
              'received_digitised', 'finished_e_result', 'rated_satisfied', 'rated_neutral', 'rated_dissatisfied',
              'publication_known', 'published')
FILLED = NEW_COUNTS[:6]  # from fields existing dossiers carry


def _ym(col):
    return (sa.cast(sa.func.extract('year', col), sa.Integer) * 100
            + sa.cast(sa.func.extract('month', col), sa.Integer))


def _flag(cond):
    return sa.case((cond, 1), else_=0)


def upgrade() -> None:
    with op.batch_alter_table('dossiers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('rating', sa.String(length=12), nullable=True))
        batch_op.add_column(sa.Column('published_on_portal', sa.Boolean(), nullable=True))
    for table in STATS_TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            for name in NEW_COUNTS:
                batch_op.add_column(sa.Column(name, sa.Integer(), nullable=False, server_default='0'))
    _fill_from_dossiers()


def _fill_from_dossiers() -> None:
    d = sa.table('dossiers', *[sa.column(c) for c in (
        'agency_id', 'procedure_id', 'received_on', 'finished_on', 'status', 'channel', 'has_fee', 'paid_online',
        'digitised', 'e_result')])
    p = sa.table('procedures', sa.column('id'), sa.column('online_level'))
    zero = sa.literal(0)
    offered = p.c.online_level.in_(('full', 'partial'))
    received = sa.select(
        _ym(d.c.received_on).label('ym'), d.c.agency_id, d.c.procedure_id,
        _flag(offered).label('received_offered_online'),
        _flag(sa.and_(offered, d.c.channel == 2)).label('received_online_offered'),
        _flag(d.c.has_fee == sa.true()).label('received_with_fee'),
        _flag(sa.and_(d.c.has_fee == sa.true(), d.c.paid_online == sa.true())).label('received_paid_online'),
        _flag(d.c.digitised == sa.true()).label('received_digitised'),
        zero.label('finished_e_result'),
    ).select_from(d.join(p, p.c.id == d.c.procedure_id))
    finished = sa.select(
        _ym(d.c.finished_on).label('ym'), d.c.agency_id, d.c.procedure_id,
        zero, zero, zero, zero, zero, _flag(d.c.e_result == sa.true()),
    ).where(d.c.status.in_((9, 10)), d.c.finished_on.isnot(None))
    events = sa.union_all(received, finished).subquery('events')
    grouped = sa.select(events.c.ym, events.c.agency_id, events.c.procedure_id,
                        *[sa.func.sum(events.c[c]).label(c) for c in FILLED]
                        ).group_by(events.c.ym, events.c.agency_id, events.c.procedure_id).subquery('g')
    s = sa.table('dossier_month_stats', sa.column('ym'), sa.column('agency_id'), sa.column('procedure_id'),
                 *[sa.column(c) for c in FILLED])
    op.execute(s.update().where(s.c.ym == grouped.c.ym, s.c.agency_id == grouped.c.agency_id,
                                s.c.procedure_id == grouped.c.procedure_id)
               .values({c: grouped.c[c] for c in FILLED}))
    r = sa.table('dossier_month_agency_stats', sa.column('ym'), sa.column('agency_id'), *[sa.column(c) for c in FILLED])
    summed = sa.select(s.c.ym, s.c.agency_id, *[sa.func.sum(s.c[c]).label(c) for c in FILLED]
                       ).group_by(s.c.ym, s.c.agency_id).subquery('summed')
    op.execute(r.update().where(r.c.ym == summed.c.ym, r.c.agency_id == summed.c.agency_id)
               .values({c: summed.c[c] for c in FILLED}))


def downgrade() -> None:
    for table in STATS_TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            for name in reversed(NEW_COUNTS):
                batch_op.drop_column(name)
    with op.batch_alter_table('dossiers', schema=None) as batch_op:
        batch_op.drop_column('published_on_portal')
        batch_op.drop_column('rating')
