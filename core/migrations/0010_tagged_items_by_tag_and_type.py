"""An index on django-taggit's tagged items by tag and type, which that app does not
have: core.registry.public_tags() asks, tag by tag and type by type, whether a tagged
row's entry is published. With only taggit's `(content_type, object_id, tag)` index,
both databases read every tagged row of a type to answer for a tag that no entry of
it carries (the list of public tags: 30 ms on SQLite and 24 on PostgreSQL for the
benchmark corpus, 5 and 10 with this index; bench/RESULTS.md, stop 25).

Written out as SQL, the same on both databases: a migration of this app cannot
declare an index on another app's model."""

from django.db import migrations

INDEX = "core_taggeditem_tag_type_idx"


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0009_lists_whole_order_index"),
        ("taggit", "0006_rename_taggeditem_content_type_object_id_taggit_tagg_content_8fc721_idx"),
    ]

    operations = [
        migrations.RunSQL(
            f"CREATE INDEX {INDEX} ON taggit_taggeditem (tag_id, content_type_id, object_id)",
            f"DROP INDEX {INDEX}",
        ),
    ]
