"""Units with life spans and successor links (issue 19)

``units`` gains ``official_code`` (the code the state prints; ``code`` stays the row key, the
official code for a code's first version and "<code>-<yymm>" for a later one that reuses it),
``valid_from`` and ``valid_to``; ``agencies`` gains ``valid_from`` / ``valid_to`` (in force as
long as their unit). ``unit_successors`` links each version that ended to the version(s) that
took over, with the share of its territory.

A database holding the 2023 structure of Quảng Nam (province 49) is filled from the catalogue
(data.units_history): life spans, the versions of 1 January and 1 July 2025, the links, and the
People's Committees (and the city's departments) of the new units, so its 2025-2026 exports
import. The catalogue is data, not code that changes meaning: a later catalogue comes with a
migration of its own.

Revision ID: 0009_unit_life_spans
Revises: 0008
"""
from alembic import op
import sqlalchemy as sa


revision = '0009_unit_life_spans'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('units', schema=None) as batch_op:
        batch_op.add_column(sa.Column('official_code', sa.String(length=10), nullable=True))
        batch_op.add_column(sa.Column('valid_from', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('valid_to', sa.Date(), nullable=True))
        batch_op.create_index(batch_op.f('ix_units_official_code'), ['official_code'], unique=False)
    with op.batch_alter_table('agencies', schema=None) as batch_op:
        batch_op.add_column(sa.Column('valid_from', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('valid_to', sa.Date(), nullable=True))
    op.create_table('unit_successors',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('from_code', sa.String(length=10), nullable=False),
    sa.Column('to_code', sa.String(length=10), nullable=False),
    sa.Column('effective_on', sa.Date(), nullable=False),
    sa.Column('share', sa.Float(), nullable=False),
    sa.Column('relation', sa.String(length=20), nullable=False),
    sa.Column('source', sa.String(length=60), nullable=False),
    sa.Column('act', sa.String(length=40), nullable=False),
    sa.ForeignKeyConstraint(['from_code'], ['units.code'], name=op.f('fk_unit_successors_from_code_units')),
    sa.ForeignKeyConstraint(['to_code'], ['units.code'], name=op.f('fk_unit_successors_to_code_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_unit_successors')),
    sa.UniqueConstraint('from_code', 'to_code', name='uq_unit_successors_from_to')
    )
    with op.batch_alter_table('unit_successors', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_unit_successors_from_code'), ['from_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_unit_successors_to_code'), ['to_code'], unique=False)
    op.execute("UPDATE units SET official_code = code")
    from data.unit_versions import fill_catalogue
    fill_catalogue(op.get_bind())


def downgrade() -> None:
    # Rows of later unit versions go with their columns: the 2023 structure remains.
    op.execute("DELETE FROM agencies WHERE valid_from IS NOT NULL AND id NOT IN (SELECT agency_id FROM dossiers)")
    with op.batch_alter_table('unit_successors', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_unit_successors_to_code'))
        batch_op.drop_index(batch_op.f('ix_unit_successors_from_code'))
    op.drop_table('unit_successors')
    op.execute("DELETE FROM units WHERE valid_from IS NOT NULL AND code NOT IN (SELECT unit_code FROM agencies)")
    with op.batch_alter_table('agencies', schema=None) as batch_op:
        batch_op.drop_column('valid_to')
        batch_op.drop_column('valid_from')
    with op.batch_alter_table('units', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_units_official_code'))
        batch_op.drop_column('valid_to')
        batch_op.drop_column('valid_from')
        batch_op.drop_column('official_code')
