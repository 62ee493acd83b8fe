from django.db import models

from datanets.models import Datanet, Record


class LshBand(models.Model):
    """The persisted near-duplicate index: one row per (record, LSH band key).

    Band keys are 64-bit digests of a band of the record's MinHash signature together with the
    band's index, so equal keys mean an equal band. Only original (non-duplicate) records are
    indexed. Rows are written in the same transaction as their record, so a crashed chunk
    leaves no stray keys.
    """

    datanet = models.ForeignKey(Datanet, on_delete=models.CASCADE, related_name="+")
    band = models.BigIntegerField()
    record = models.ForeignKey(Record, on_delete=models.CASCADE, related_name="+")

    class Meta:
        indexes = [models.Index(fields=["datanet", "band"])]
