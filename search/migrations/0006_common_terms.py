"""PostgreSQL: the counts of common words (TermCount), kept current by triggers and
counted here once; and GIN indexes on the words of titles and of headings, from which
a one-word search takes its best matches. On a large index the count takes a while
(about 20 s for the benchmark corpus)."""

from django.db import migrations, models

from search import backends, common_terms


class Migration(migrations.Migration):
    dependencies = [("search", "0005_vector_in_row")]

    operations = [
        migrations.CreateModel(
            name="TermCount",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("lexeme", models.TextField(verbose_name="lexeme")),
                ("key", models.CharField(blank=True, max_length=200, verbose_name="key")),
                ("documents", models.IntegerField(verbose_name="documents")),
            ],
            options={
                "verbose_name": "term count",
                "verbose_name_plural": "term counts",
                "ordering": ["lexeme", "key"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("lexeme", "key"), name="search_termcount_unique_key"
                    )
                ],
            },
        ),
        migrations.RunPython(backends.install_shortlists, backends.uninstall_shortlists),
        migrations.RunPython(common_terms.install, common_terms.uninstall),
    ]
