"""garages: photo evidence — the camera's time (EXIF), a thumbnail, a perceptual hash in four
indexed 16-bit bands (a near copy shares at least one band), and deletion that hides

Revision ID: garages_0009
Revises: garages_0008
"""
import sqlalchemy as sa
from alembic import op

from portal.timeutil import AwareDateTime

revision = 'garages_0009'
down_revision = 'garages_0008'
branch_labels = None
depends_on = None

FK = 'fk_garages_photos_deleted_by_id_users'
BANDS = ('phash_0', 'phash_1', 'phash_2', 'phash_3')


def upgrade():
    with op.batch_alter_table('garages_photos', schema=None) as batch_op:   # no triggers on it
        batch_op.add_column(sa.Column('taken_at', AwareDateTime(), nullable=True))
        batch_op.add_column(sa.Column('thumb_name', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('phash', sa.String(length=16), nullable=True))
        for band in BANDS:
            batch_op.add_column(sa.Column(band, sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('deleted_at', AwareDateTime(), nullable=True))
        batch_op.add_column(sa.Column('deleted_by_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(op.f(FK), 'users', ['deleted_by_id'], ['id'])
        for band in BANDS:
            batch_op.create_index(batch_op.f(f'ix_garages_photos_{band}'), [band], unique=False)


def downgrade():
    with op.batch_alter_table('garages_photos', schema=None) as batch_op:
        for band in BANDS:
            batch_op.drop_index(batch_op.f(f'ix_garages_photos_{band}'))
        batch_op.drop_constraint(op.f(FK), type_='foreignkey')
        for column in ('deleted_by_id', 'deleted_at', *reversed(BANDS), 'phash', 'thumb_name', 'taken_at'):
            batch_op.drop_column(column)
