# Joins the endorsement-consent branch (0005_endorsement_acceptance) with VC-JWT, wallets and OAuth (0005-0007).

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('badges', '0005_endorsement_acceptance'),
        ('badges', '0007_learner_oauth_accounts'),
    ]

    operations = [
    ]
