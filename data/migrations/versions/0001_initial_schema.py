"""initial schema

Revision ID: 0001
Revises: 
Create Date: 2026-11-29 08:42:49.305334
"""
from alembic import op
import sqlalchemy as sa


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    
    op.create_table('calendar_months',
    sa.Column('ym', sa.Integer(), nullable=False),
    sa.Column('year', sa.SmallInteger(), nullable=False),
    sa.Column('month', sa.SmallInteger(), nullable=False),
    sa.Column('month_start', sa.Date(), nullable=False),
    sa.Column('month_end', sa.Date(), nullable=False),
    sa.PrimaryKeyConstraint('ym', name=op.f('pk_calendar_months'))
    )
    with op.batch_alter_table('calendar_months', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_calendar_months_month_end'), ['month_end'], unique=False)

    op.create_table('dossier_month_stats',
    sa.Column('ym', sa.Integer(), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('procedure_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.SmallInteger(), nullable=False),
    sa.Column('month', sa.SmallInteger(), nullable=False),
    sa.Column('received', sa.Integer(), nullable=False),
    sa.Column('received_online', sa.Integer(), nullable=False),
    sa.Column('received_in_person', sa.Integer(), nullable=False),
    sa.Column('received_by_post', sa.Integer(), nullable=False),
    sa.Column('received_postal_staff', sa.Integer(), nullable=False),
    sa.Column('finished_early', sa.Integer(), nullable=False),
    sa.Column('finished_on_time', sa.Integer(), nullable=False),
    sa.Column('finished_late', sa.Integer(), nullable=False),
    sa.Column('finished_postal_staff', sa.Integer(), nullable=False),
    sa.Column('finished_in_time_postal_staff', sa.Integer(), nullable=False),
    sa.Column('withdrawn', sa.Integer(), nullable=False),
    sa.Column('open_end', sa.Integer(), nullable=False),
    sa.Column('open_overdue_end', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('ym', 'agency_id', 'procedure_id', name=op.f('pk_dossier_month_stats'))
    )
    with op.batch_alter_table('dossier_month_stats', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_dossier_month_stats_year'), ['year'], unique=False)

    op.create_table('import_runs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('started_at', sa.DateTime(), nullable=False),
    sa.Column('finished_at', sa.DateTime(), nullable=True),
    sa.Column('command', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('file_name', sa.String(length=400), nullable=True),
    sa.Column('added', sa.Integer(), nullable=False),
    sa.Column('updated', sa.Integer(), nullable=False),
    sa.Column('unchanged', sa.Integer(), nullable=False),
    sa.Column('rejected', sa.Integer(), nullable=False),
    sa.Column('report_path', sa.String(length=400), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_import_runs'))
    )
    op.create_table('sectors',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=20), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('name_en', sa.String(length=120), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sectors')),
    sa.UniqueConstraint('code', name=op.f('uq_sectors_code'))
    )
    op.create_table('units',
    sa.Column('code', sa.String(length=10), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('short_name', sa.String(length=80), nullable=False),
    sa.Column('division_type', sa.String(length=30), nullable=False),
    sa.Column('level', sa.String(length=10), nullable=False),
    sa.Column('parent_code', sa.String(length=10), nullable=True),
    sa.Column('tile_row', sa.SmallInteger(), nullable=True),
    sa.Column('tile_col', sa.SmallInteger(), nullable=True),
    sa.Column('sort_order', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['parent_code'], ['units.code'], name=op.f('fk_units_parent_code_units')),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_units'))
    )
    with op.batch_alter_table('units', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_units_level'), ['level'], unique=False)
        batch_op.create_index(batch_op.f('ix_units_parent_code'), ['parent_code'], unique=False)

    op.create_table('agencies',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=20), nullable=False),
    sa.Column('name', sa.String(length=160), nullable=False),
    sa.Column('name_en', sa.String(length=160), nullable=True),
    sa.Column('level', sa.String(length=10), nullable=False),
    sa.Column('unit_code', sa.String(length=10), nullable=False),
    sa.Column('district_code', sa.String(length=10), nullable=True),
    sa.Column('commune_code', sa.String(length=10), nullable=True),
    sa.ForeignKeyConstraint(['unit_code'], ['units.code'], name=op.f('fk_agencies_unit_code_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_agencies')),
    sa.UniqueConstraint('code', name=op.f('uq_agencies_code'))
    )
    with op.batch_alter_table('agencies', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_agencies_district_code'), ['district_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_agencies_level'), ['level'], unique=False)

    op.create_table('postal_deployments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('unit_code', sa.String(length=10), nullable=False),
    sa.Column('year', sa.SmallInteger(), nullable=False),
    sa.Column('postal_staff', sa.SmallInteger(), nullable=False),
    sa.Column('civil_servants', sa.SmallInteger(), nullable=False),
    sa.Column('procedures_moved', sa.Integer(), nullable=False),
    sa.Column('procedures_total', sa.Integer(), nullable=False),
    sa.Column('decided_on', sa.Date(), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['unit_code'], ['units.code'], name=op.f('fk_postal_deployments_unit_code_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_postal_deployments')),
    sa.UniqueConstraint('unit_code', 'year', name='uq_postal_deployments_unit_year')
    )
    with op.batch_alter_table('postal_deployments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_postal_deployments_unit_code'), ['unit_code'], unique=False)

    op.create_table('procedures',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=30), nullable=False),
    sa.Column('name', sa.String(length=300), nullable=False),
    sa.Column('name_en', sa.String(length=300), nullable=True),
    sa.Column('sector_id', sa.Integer(), nullable=False),
    sa.Column('level', sa.String(length=10), nullable=False),
    sa.Column('online_level', sa.String(length=10), nullable=False),
    sa.Column('processing_days', sa.SmallInteger(), nullable=False),
    sa.ForeignKeyConstraint(['sector_id'], ['sectors.id'], name=op.f('fk_procedures_sector_id_sectors')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_procedures')),
    sa.UniqueConstraint('code', name=op.f('uq_procedures_code'))
    )
    with op.batch_alter_table('procedures', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_procedures_sector_id'), ['sector_id'], unique=False)

    op.create_table('dossiers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('procedure_id', sa.Integer(), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('level', sa.String(length=10), nullable=False),
    sa.Column('district_code', sa.String(length=10), nullable=True),
    sa.Column('commune_code', sa.String(length=10), nullable=True),
    sa.Column('channel', sa.SmallInteger(), nullable=False),
    sa.Column('by_postal_staff', sa.Boolean(), nullable=False),
    sa.Column('received_on', sa.Date(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('deadline_on', sa.Date(), nullable=False),
    sa.Column('finished_on', sa.Date(), nullable=True),
    sa.Column('returned_on', sa.Date(), nullable=True),
    sa.Column('supplement_days', sa.SmallInteger(), nullable=False),
    sa.Column('supplement_requests', sa.SmallInteger(), nullable=False),
    sa.Column('status', sa.SmallInteger(), nullable=False),
    sa.Column('has_fee', sa.Boolean(), nullable=False),
    sa.Column('paid_online', sa.Boolean(), nullable=False),
    sa.Column('digitised', sa.Boolean(), nullable=False),
    sa.Column('e_result', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['agency_id'], ['agencies.id'], name=op.f('fk_dossiers_agency_id_agencies')),
    sa.ForeignKeyConstraint(['procedure_id'], ['procedures.id'], name=op.f('fk_dossiers_procedure_id_procedures')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dossiers'))
    )
    with op.batch_alter_table('dossiers', schema=None) as batch_op:
        batch_op.create_index('ix_dossiers_agency_finished', ['agency_id', 'finished_on'], unique=False)
        batch_op.create_index('ix_dossiers_district_finished', ['district_code', 'finished_on'], unique=False)
        batch_op.create_index('ix_dossiers_finished_on', ['finished_on'], unique=False)
        batch_op.create_index('ix_dossiers_procedure_finished', ['procedure_id', 'finished_on'], unique=False)
        batch_op.create_index('uq_dossiers_code', ['code'], unique=True)

    


def downgrade() -> None:
    
    with op.batch_alter_table('dossiers', schema=None) as batch_op:
        batch_op.drop_index('uq_dossiers_code')
        batch_op.drop_index('ix_dossiers_procedure_finished')
        batch_op.drop_index('ix_dossiers_finished_on')
        batch_op.drop_index('ix_dossiers_district_finished')
        batch_op.drop_index('ix_dossiers_agency_finished')

    op.drop_table('dossiers')
    with op.batch_alter_table('procedures', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_procedures_sector_id'))

    op.drop_table('procedures')
    with op.batch_alter_table('postal_deployments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_postal_deployments_unit_code'))

    op.drop_table('postal_deployments')
    with op.batch_alter_table('agencies', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_agencies_level'))
        batch_op.drop_index(batch_op.f('ix_agencies_district_code'))

    op.drop_table('agencies')
    with op.batch_alter_table('units', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_units_parent_code'))
        batch_op.drop_index(batch_op.f('ix_units_level'))

    op.drop_table('units')
    op.drop_table('sectors')
    op.drop_table('import_runs')
    with op.batch_alter_table('dossier_month_stats', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_dossier_month_stats_year'))

    op.drop_table('dossier_month_stats')
    with op.batch_alter_table('calendar_months', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_calendar_months_month_end'))

    op.drop_table('calendar_months')
    
